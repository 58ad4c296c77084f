# -*- coding: utf-8 -*-
# Copyright: byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pruning under AWX job slicing, run the way AWX runs it (docs/awx.md section 6).

A sliced job template becomes a workflow of jobs; each job gets every N-th host of the inventory and the
workflow's variables (``awx_workflow_job_id``/``tower_workflow_job_id``, ``awx_job_id``...), and the slices
run at the same time. Here: ansible-runner, one private data dir and one inventory slice per job, both
slices started together (run_async), against one emulator. No ``--limit``: the workflow variable alone must
make the role treat the run as partial.

* host-scoped prune tags: each slice prunes only its own hosts' strays; no slice deletes or changes a
  connection of the other slice's hosts, nor a stray carrying only the fleet-wide tag;
* fleet-wide prune tags: every slice refuses before any request (0 writes at the emulator).
"""

from __future__ import annotations

import os

import ansible_runner
import pytest
import yaml
from telnyx_emulator.testing import running_emulator

from .helpers import BIN, ROOT, writes

API_KEY = 'KEYawx0slicing0secret000000000'
HOSTS = ['cc-slice-%d' % n for n in range(1, 5)]
SLICES = 2
FLEET_TAG = 'byoc-slice'


def trunks(number):
    return [{'name': 'slice%d-com-prod-cred' % number, 'type': 'credentials', 'username': 'slicecred%d' % number,
             'password': 'Slice-password-%d-secret' % number, 'sbc_port': 5062, 'inbound': {'codecs': ['G711U']}},
            {'name': 'slice%d-com-prod-ip' % number, 'type': 'ip', 'ips': [{'address': '192.0.2.%d' % (60 + number), 'port': 5064}],
             'sbc_port': 5064, 'inbound': {'sip_subdomain': 'sliceip%d' % number}}]


def inventory(hosts, prune_tags):
    return {'all': {'vars': {'cpaas_engine': 'bulk', 'cpaas_prune': True, 'cpaas_prune_tags': prune_tags},
                    'children': {'sbc': {'hosts': dict((host, {
                        'ansible_connection': 'local', 'ansible_python_interpreter': '{{ ansible_playbook_python }}',
                        'byoc_region': 'com', 'byoc_environment': 'prod', 'byoc_trunks': trunks(HOSTS.index(host) + 1)}) for host in hosts)}}}}


def job(tmp_path, emulator, name, hosts, prune_tags, extravars):
    """Start one AWX-style job (ansible-runner, private data dir, its own inventory); returns (thread, runner)."""
    private = tmp_path / name
    (private / 'inventory').mkdir(parents=True)
    (private / 'inventory' / 'hosts.yml').write_text(yaml.safe_dump(inventory(hosts, prune_tags)))
    envvars = {'TELNYX_API_KEY': API_KEY, 'TELNYX_API_URL': emulator.url, 'PATH': BIN + os.pathsep + os.environ['PATH'], 'ANSIBLE_NOCOLOR': '1',
               'ANSIBLE_COLLECTIONS_PATH': os.environ.get('ANSIBLE_COLLECTIONS_PATH', os.path.join(ROOT, '.ansible', 'collections'))}
    extravars = dict(extravars, trunk_sbc=False, byoc_report_dir=str(private / 'reports'))
    return ansible_runner.run_async(private_data_dir=str(private), project_dir=ROOT, playbook=os.path.join(ROOT, 'playbooks', 'site.yml'),
                                    inventory=str(private / 'inventory' / 'hosts.yml'), envvars=envvars, extravars=extravars,
                                    ident=name, quiet=True, json_mode=False)


def run_slices(tmp_path, emulator, label, prune_tags, workflow_var='awx_workflow_job_id'):
    """Every slice of the inventory as its own job, all at once, each with the workflow variables AWX sets."""
    started = []
    for number in range(SLICES):
        hosts = HOSTS[number::SLICES]
        extravars = {workflow_var: 4200, workflow_var.replace('workflow_job_id', 'job_id'): 4201 + number,
                     workflow_var.replace('workflow_job_id', 'job_slice_number'): number + 1,
                     workflow_var.replace('workflow_job_id', 'job_slice_count'): SLICES}
        started.append((hosts,) + job(tmp_path, emulator, '%s-slice%d' % (label, number + 1), hosts, prune_tags, extravars))
    results, spans = [], []
    for hosts, thread, runner in started:
        thread.join(600)
        assert not thread.is_alive(), 'slice %s still running' % hosts
        results.append((hosts, runner.status, runner.rc, runner.stdout.read(), pruned(runner.events)))
        stamps = sorted(event['created'] for event in runner.events if event.get('created'))
        spans.append((stamps[0], stamps[-1]))
    # the slices overlapped in time (as AWX runs them), by their own job events: each started before the other ended
    assert max(start for start, _end in spans) < min(end for _start, end in spans), spans
    return results


def pruned(events):
    """The names of the connections a job's sip_connections results report as pruned (from its job events: the
    role's pruning call is a loop over groups of hosts, so each result is in its item's event and in the task's)."""
    names, stack = set(), [event.get('event_data', {}).get('res') for event in events if event.get('event') in ('runner_on_ok', 'runner_item_on_ok')]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get('pruned') is True:
                names.add(node['name'])
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return sorted(names)


def connections(emulator):
    found = {}
    for kind in ('credential', 'ip', 'fqdn'):
        status, body, _headers = emulator.call('GET', '/%s_connections?page[size]=250' % kind)
        assert status == 200, body
        for item in body['data']:
            found.setdefault(item['connection_name'], []).append(item)
    return found


def stray(emulator, name, tags):
    body = {'connection_name': name, 'user_name': name.replace('-', '') + 'x1', 'password': 'Stray-pass-0123456789', 'tags': tags}
    status, reply, _headers = emulator.call('POST', '/credential_connections', body)
    assert status == 201, reply
    return reply['data']['id']


@pytest.fixture(name='fleet', scope='module')
def fleet_fixture(tmp_path_factory):
    """An emulator holding the whole fleet, converged by one unsliced job with host-scoped tags."""
    tmp_path = tmp_path_factory.mktemp('slicing')
    with running_emulator(api_key=API_KEY) as emulator:
        thread, runner = job(tmp_path, emulator, 'unsliced', HOSTS, [FLEET_TAG, 'sbc:{{ inventory_hostname }}'], {})
        thread.join(600)
        assert runner.status == 'successful', runner.stdout.read()
        yield emulator, tmp_path


def test_sliced_jobs_prune_only_their_own_hosts_strays(fleet):
    emulator, tmp_path = fleet
    before = connections(emulator)
    assert sorted(before) == sorted(t['name'] for n in range(1, 5) for t in trunks(n))
    strays = dict((host, stray(emulator, 'stray-%s' % host, [FLEET_TAG, 'sbc:%s' % host])) for host in HOSTS)
    fleet_wide = stray(emulator, 'stray-fleet-wide', [FLEET_TAG])
    emulator.reset(keep_state=True)
    results = run_slices(tmp_path, emulator, 'scoped', [FLEET_TAG, 'sbc:{{ inventory_hostname }}'])
    for hosts, status, rc, stdout, names in results:
        assert (status, rc) == ('successful', 0), '%s:\n%s' % (hosts, stdout[-4000:])
        # each slice pruned exactly its own hosts' strays, by its own job's results
        assert names == sorted('stray-%s' % host for host in hosts), (hosts, names)
    after = connections(emulator)
    # every host's strays went, each through its own slice; the fleet-wide one stays; no trunk of any host was
    # deleted or replaced (same ids), so no slice touched the other's
    assert sorted(after) == sorted(list(before) + ['stray-fleet-wide'])
    assert [c['id'] for c in after['stray-fleet-wide']] == [fleet_wide]
    for name, copies in before.items():
        assert [c['id'] for c in after[name]] == [c['id'] for c in copies], name
    deleted = sum(n for route, n in emulator.stats()['by_route'].items() if route.startswith('DELETE '))
    assert deleted == len(strays) == len(HOSTS)


@pytest.mark.parametrize('workflow_var', ['awx_workflow_job_id', 'tower_workflow_job_id'])
def test_sliced_jobs_with_fleet_wide_tags_refuse_before_any_request(fleet, workflow_var):
    emulator, tmp_path = fleet
    before = connections(emulator)
    emulator.reset(keep_state=True)
    results = run_slices(tmp_path, emulator, 'refused-' + workflow_var.split('_')[0], [FLEET_TAG], workflow_var=workflow_var)
    for hosts, status, rc, stdout, names in results:
        assert status == 'failed' and rc != 0, '%s:\n%s' % (hosts, stdout[-4000:])
        assert "%s: cpaas_prune_tags ['%s'] are not scoped to one host, and this run covers part of the inventory" % (
            ', '.join(hosts), FLEET_TAG) in stdout, stdout[-4000:]
        assert names == []
    # refused before any request: not a write, not even a read
    assert writes(emulator.stats()) == 0 and emulator.stats()['total'] == 0, emulator.stats()
    assert connections(emulator) == before

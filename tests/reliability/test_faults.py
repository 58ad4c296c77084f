# -*- coding: utf-8 -*-
# Copyright: byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fleets converged through injected faults: 5xx, 429 bursts, writes dropped after commit, latency spikes.

A 1,000-connection fleet goes through ``sip_connections`` (one playbook), a 50-connection fleet through
the singular modules (one playbook, a loop per module). Afterwards every set field is read back from the
API and compared with the inventory; a re-run must write nothing.
"""

from __future__ import annotations

import json
import os
import sys
import time

import pytest

from .harness import account, api_defaults, compare_fleet, dump_task, make_fleet, writes

# the sizes of the issue; smaller ones (environment) only for quick local iterations
BULK_SIZE = int(os.environ.get('RELIABILITY_BULK_SIZE', '1000'))
SINGLE_SIZE = int(os.environ.get('RELIABILITY_SINGLE_SIZE', '50'))
SINGLE_HOSTS = 5
RETRY_TIMEOUT = 120
FAULTS = ('--error-rate', '0.1', '--drop-after-commit', '0.02', '--latency-ms', '2', '--jitter-ms', '40', '--seed', '7')
OVP = 'rel-ovp'
MAX_RUNS = 6


def _play(emu, tasks, **play):
    data = {'hosts': 'localhost', 'gather_facts': False, 'connection': 'local',
            'module_defaults': api_defaults(emu, rate_limit_retry_timeout=RETRY_TIMEOUT), 'tasks': tasks}
    data.update(play)
    return [data]


def _profile_task():
    return {'name': 'Outbound voice profile', 'byoc.carrier.outbound_voice_profile': {'name': OVP}, 'register': 'ovp', 'run_once': True}


def _converge(runner, emu, tasks, names, label, inventory=None):
    """Run one playbook (on localhost with fleet.yml, or on every host of ``inventory`` with its own ``fleet``);
    return (registered results per host, seconds, emulator stats of this run)."""
    before = emu.stats()  # counters, not a reset: a reset re-seeds the faults, and the same requests would fail again
    results = str(runner.workdir / ('%s-{{ inventory_hostname }}.json' % label))
    play = {'vars_files': ['fleet.yml']} if inventory is None else {'hosts': 'all'}
    started = time.monotonic()
    code, out = runner.run(_play(emu, [_profile_task()] + tasks + [dump_task(['ovp'] + names, results)], **play), inventory=inventory)
    seconds = round(time.monotonic() - started, 1)
    found = sorted(runner.workdir.glob('%s-*.json' % label))
    assert found, 'the playbook did not get to its end (rc %s):\n%s' % (code, out[-4000:])
    return [json.loads(path.read_text()) for path in found], seconds, _since(before, emu.stats())


def _since(before, after):
    """The requests counted between two stats snapshots."""
    def delta(key):
        return dict((k, n - before[key].get(k, 0)) for k, n in after[key].items() if n != before[key].get(k, 0))
    return {'total': after['total'] - before['total'], 'by_method': delta('by_method'), 'by_route': delta('by_route')}


def _until_clean(runner, emu, fleet, tasks, names, label, failures, inventory=None):
    """Runs until one has no failed connection (at most MAX_RUNS), then one re-run; per run its results and what it left."""
    runs = []
    while True:
        registered, seconds, stats = _converge(runner, emu, tasks, names, '%s%d' % (label, len(runs)), inventory=inventory)
        runs.append({'registered': registered, 'failures': failures(registered), 'seconds': seconds, 'stats': stats,
                     'state': _state(emu, fleet, registered[0])})
        clean = [r for r in runs if not r['failures']]
        if (clean and runs[-1] is not clean[0]) or len(runs) >= MAX_RUNS + 1:
            return runs


def _report(report, title, runs, figures):
    for number, run in enumerate(runs, 1):
        report.add('%s, run %d' % (title, number), seconds=run['seconds'], requests_seen_by_api=run['stats']['total'],
                   writes=writes(run['stats']), duplicates=len(run['state']['duplicates']), missing=len(run['state']['missing']),
                   mismatched_fields=len(run['state']['mismatches']), **figures(run))


def _state(emu, fleet, registered):
    duplicates, missing, mismatches, extra = compare_fleet(fleet, account(emu), {OVP: registered['ovp']['id']})
    return {'duplicates': duplicates, 'missing': missing, 'mismatches': mismatches, 'extra': extra}


# ------------------------------------------------------------------------------------------ 1,000 with sip_connections

@pytest.fixture(scope='module', name='bulk_runs')
def _bulk_runs_fixture(tmp_path_factory, report):
    """Runs of the same 1,000-connection list through faults and a 429-ing rate limit until one is clean, then a re-run."""
    from telnyx_emulator.testing import running_emulator  # pylint: disable=import-outside-toplevel
    from .harness import Runner  # pylint: disable=import-outside-toplevel

    fleet = make_fleet(BULK_SIZE, 'bulk', sparse_addresses=True)
    runner = Runner(tmp_path_factory.mktemp('bulk'))
    runner.write('fleet.yml', {'fleet': fleet})
    task = {'name': 'The whole fleet', 'byoc.carrier.sip_connections': {'connections': '{{ fleet }}'}, 'register': 'bulk', 'ignore_errors': True}
    with running_emulator('--rate-limit', '60', *FAULTS) as emu:
        runs = _until_clean(runner, emu, fleet, [task], ['bulk'], 'bulk', lambda reg: reg[0]['bulk'].get('summary', {}).get('failed', 1))
    for run in runs:
        run['result'] = run['registered'][0]['bulk']
    _report(report, 'faults: %d connections, sip_connections' % BULK_SIZE, runs, lambda run: dict(
        requests_sent=run['result'].get('api_requests'), retries=run['result'].get('api_retries'), summary=run['result'].get('summary')))
    return runs


def test_bulk_fleet_converges_in_one_run(bulk_runs):
    first = bulk_runs[0]
    assert first['result'].get('summary', {}).get('failed') == 0, first['result'].get('msg', '')[:2000]
    assert first['state']['missing'] == [] and first['state']['mismatches'] == []


def test_bulk_fleet_never_duplicates_and_converges(bulk_runs):
    assert not bulk_runs[-2]['failures'], 'no clean run in %d' % MAX_RUNS
    for run in bulk_runs:
        assert run['state']['duplicates'] == {}, 'duplicate connections: %s' % run['state']['duplicates']
        assert run['state']['extra'] == []
    final = bulk_runs[-1]['state']
    assert final['missing'] == [], final['missing'][:20]
    assert final['mismatches'] == [], final['mismatches'][:20]


def test_bulk_fleet_rerun_writes_nothing(bulk_runs):
    last = bulk_runs[-1]
    assert writes(last['stats']) == 0, last['stats']['by_method']
    assert last['result']['changed'] is False
    assert last['result']['summary']['unchanged'] == BULK_SIZE


def test_bulk_retries_are_counted(bulk_runs):
    first = bulk_runs[0]['result']
    assert first['api_retries'] > 0
    # every request the API saw was sent by the client: the retries are among api_requests
    assert first['api_requests'] >= first['api_retries'] + BULK_SIZE
    assert bulk_runs[0]['stats']['total'] >= first['api_requests']


# ------------------------------------------------------------------------------------------ 50 with the singular modules

def _singular_tasks():
    loop = {'loop': '{{ fleet }}', 'loop_control': {'label': '{{ item.name }}'}}
    conn = dict((k, '{{ item.%s | default(omit) }}' % k) for k in (
        'type', 'username', 'password', 'dtmf_type', 'tags', 'ips', 'fqdns', 'ip_auth_method', 'token', 'tech_prefix', 'routing_method'))
    conn['name'] = '{{ item.name }}'
    tabs = []
    for tab in ('inbound', 'outbound'):
        keys = ('codecs', 'no_answer_timeout', 'dnis_number_format', 'sip_subdomain', 'transport') if tab == 'inbound' else (
            'localization', 'channel_limit', 'outbound_voice_profile')
        options = dict((k, '{{ item.%s.%s | default(omit) }}' % (tab, k)) for k in keys)
        options['connection'] = '{{ item.name }}'
        tabs.append(dict({'name': tab, 'byoc.carrier.sip_%s' % tab: options, 'register': tab, 'ignore_errors': True}, **loop))
    return [dict({'name': 'connection', 'byoc.carrier.sip_connection': conn, 'register': 'connection', 'ignore_errors': True}, **loop)] + tabs


def _items(registered):
    return [i for host in registered for key in ('connection', 'inbound', 'outbound') for i in host[key]['results']]


@pytest.fixture(scope='module', name='single_runs')
def _single_runs_fixture(tmp_path_factory, report):
    """Runs of a 50-connection fleet with sip_connection/sip_inbound/sip_outbound through faults and 429 bursts until one
    is clean, then a re-run."""
    from telnyx_emulator.testing import running_emulator  # pylint: disable=import-outside-toplevel
    from .harness import Runner  # pylint: disable=import-outside-toplevel

    fleet = make_fleet(SINGLE_SIZE, 'single')
    runner = Runner(tmp_path_factory.mktemp('single'))
    # one host per SBC of the fleet, SINGLE_HOSTS of them, each with its own trunks: the loops run in parallel forks
    hosts = dict(('sbc%d' % h, {'fleet': fleet[h::SINGLE_HOSTS], 'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable})
                 for h in range(SINGLE_HOSTS))
    inventory = runner.write('hosts.yml', {'all': {'hosts': hosts}})
    with running_emulator('--rate-limit', '10', *FAULTS) as emu:
        runs = _until_clean(runner, emu, fleet, _singular_tasks(), ['connection', 'inbound', 'outbound'], 'single',
                            lambda reg: sum(1 for i in _items(reg) if i.get('failed')), inventory=inventory)
    for run in runs:
        run['items'] = _items(run['registered'])
    _report(report, 'faults: %d connections, singular modules' % SINGLE_SIZE, runs, lambda run: dict(
        module_calls=len(run['items']), failed_calls=run['failures'], retries=sum(i.get('api_retries') or 0 for i in run['items'])))
    return runs


def test_singular_fleet_converges_in_one_run(single_runs):
    first = single_runs[0]
    failed = [(i['item']['name'], i.get('msg')) for i in first['items'] if i.get('failed')]
    assert failed == []
    assert first['state'] == {'duplicates': {}, 'missing': [], 'mismatches': [], 'extra': []}


def test_singular_fleet_never_duplicates_and_converges(single_runs):
    assert not single_runs[-2]['failures'], 'no clean run in %d' % MAX_RUNS
    for run in single_runs:
        assert run['state']['duplicates'] == {} and run['state']['extra'] == []
    assert single_runs[-1]['state'] == {'duplicates': {}, 'missing': [], 'mismatches': [], 'extra': []}


def test_singular_fleet_rerun_writes_nothing(single_runs):
    second = single_runs[-1]
    assert writes(second['stats']) == 0, second['stats']['by_method']
    assert [i['item']['name'] for i in second['items'] if i.get('changed')] == []
    assert second['state'] == {'duplicates': {}, 'missing': [], 'mismatches': [], 'extra': []}


def test_singular_retries_are_counted(single_runs):
    retries = sum(i.get('api_retries') or 0 for i in single_runs[0]['items'])
    assert retries > 0
    assert all('api_retries' in i for i in single_runs[0]['items'] if not i.get('failed'))


# ------------------------------------------------------------------------------------------ the retry budget

def _run_module_timed(emu, name, args, workdir):
    """Run a module of the collection directly (python -m, no ansible-playbook start-up in the way); return
    (its JSON result, wall seconds measured here)."""
    import subprocess  # pylint: disable=import-outside-toplevel
    from .harness import collections_path  # pylint: disable=import-outside-toplevel

    path = workdir / ('%s-args.json' % name)
    path.write_text(json.dumps({'ANSIBLE_MODULE_ARGS': dict(args, api_key=emu.api_key, api_url=emu.url)}))
    env = dict(os.environ, PYTHONPATH=collections_path().split(os.pathsep)[0])
    started = time.monotonic()
    proc = subprocess.run([sys.executable, '-m', 'ansible_collections.byoc.carrier.plugins.modules.%s' % name, str(path)],
                          capture_output=True, text=True, env=env, timeout=120, check=False)
    seconds = time.monotonic() - started
    return json.loads(proc.stdout), seconds


@pytest.mark.parametrize('budget', [0, 3])
def test_retry_budget_bounds_the_wait(emulators, runner, report, budget):
    """Every request answered 5xx: the module gives up after about rate_limit_retry_timeout. Checked by the clock of
    this test (not only by the module's own message) and by the emulator's count of requests."""
    emu = emulators('--error-rate', '1.0', '--seed', '1')
    runner.workdir.mkdir(parents=True, exist_ok=True)
    info, seconds = _run_module_timed(emu, 'sip_connection_info', {'name': 'anything', 'rate_limit_retry_timeout': budget}, runner.workdir)
    assert info['failed'] is True
    assert 'HTTP 50' in info['msg']
    retried = emu.stats()['total'] - 1
    # a module run with no wait at all takes well under 2 s here (python start-up, one request); the bound leaves room
    slack = 2.0
    if budget == 0:
        assert retried == 0 and seconds < slack, (retried, seconds)
    else:
        assert retried >= 1
        assert 'gave up after %d retries' % retried in info['msg']
        waited = float(info['msg'].rsplit(', ', 1)[1].split(' s waited')[0])
        # the wall clock agrees: it really waited what it says, and no longer than the budget (plus start-up)
        assert waited <= budget and waited - 0.05 <= seconds <= budget + slack, (waited, seconds)
    report.add('retry budget', **{'budget_%ds_retries' % budget: retried, 'budget_%ds_module_seconds' % budget: round(seconds, 1)})

# -*- coding: utf-8 -*-
# Copyright: byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The playbooks end to end against a real emulator process (demo inventory, Telnyx side).

The SBC side is left to the sbc role's own tests and to scripts/demo (trunk_sbc=false here).
The tests run in order on one emulator: converge, re-run, drift, audit, teardown. They converge only the EU
SBC (--limit: three trunks, one per kind) to stay quick; scripts/demo converges the whole demo fleet.
The order is explicit: REQUIRES names the step each test builds on, and a test whose step has not passed
before it in this session fails at once (``-k`` on one test, a reordering plugin or a split between workers
would otherwise make it pass or fail for reasons of its own).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import threading

import pytest
from telnyx_emulator.testing import running_emulator

from .helpers import DEMO, ansible_env, run_playbook, writes

EU = 'cc-initech-eu-demo'
SECRETS = ('demo-password-eu-1', 'KEYplaybooks000000000000000')
NO_SBC = ('-e', 'trunk_sbc=false')


# step -> the step whose end state it starts from (01 and 02 start from an empty account)
REQUIRES = {'03': '02', '04': '02', '05': '04', '06': '05', '07': '06', '08': '07', '09': '08'}
PASSED = set()


@pytest.fixture(autouse=True)
def in_order(request):
    """Fail a step whose prerequisite has not passed in this session; record the steps that pass."""
    step = request.node.name.split('_')[1]
    needed = REQUIRES.get(step)
    if needed and needed not in PASSED:
        pytest.fail('test_%s starts from the end state of test_%s, which has not passed in this session: '
                    'run tests/roles/test_playbooks.py whole, in file order' % (step, needed))
    yield
    report = getattr(request.node, 'byoc_call_report', None)
    if report is not None and report.passed:
        PASSED.add(step)


@pytest.fixture(scope='module')
def emulator():
    with running_emulator(api_key='KEYplaybooks000000000000000') as emu:
        yield emu


@pytest.fixture(scope='module')
def env(emulator, tmp_path_factory):
    return ansible_env(emulator, tmp_path_factory.mktemp('demo'))


def reports(env):
    return os.path.join(env['BYOC_DEMO_DIR'], 'reports')


def connections(emulator, kind):
    status, body, _headers = emulator.call('GET', '/%s_connections?page[size]=250' % kind)
    assert status == 200
    return {c['connection_name']: c for c in body['data']}


def test_01_a_wrong_model_is_refused_with_every_error_and_nothing_sent(emulator, env, tmp_path):
    inventory = tmp_path / 'inventory'
    shutil.copytree(DEMO, inventory)
    eu = inventory / 'group_vars' / 'demo_eu.yml'
    text = eu.read_text()
    text = text.replace('"+4930123456", ', '"030123456", ').replace('tech_prefix: "4711"', 'tech_prefix: "47111"')
    text = text.replace('codecs: [G711A], no_answer_timeout: 45', 'codecs: [G729], no_answer_timeout: 45')
    eu.write_text(text.replace('name: initech-eu-demo-fqdn', 'name: acme-com-demo-cred'))
    emulator.reset()
    rc, out, _recap = run_playbook('site', env, *NO_SBC, inventory=str(inventory))
    assert rc != 0
    assert '4 error(s) in the inventory model' in out
    for line in ('cc-initech-eu-demo / initech-eu-demo-cred / numbers.0: must be an E.164 number',
                 'cc-initech-eu-demo / initech-eu-demo-ip / tech_prefix: must be exactly 4 digits',
                 'cc-initech-eu-demo / initech-eu-demo-cred / inbound.codecs[0]: must be one of',
                 'cc-initech-eu-demo / acme-com-demo-cred / name: acme-com-demo-cred is also used by cc-acme-com-demo/'):
        assert line in out
    assert emulator.stats()['total'] == 0


def test_02_site_converges_and_writes_the_handoff_sheets(emulator, env):
    rc, out, recap = run_playbook('site', env, '--limit', EU, *NO_SBC)
    assert rc == 0, out
    assert recap[EU]['changed'] > 0 and recap[EU]['failed'] == 0, recap
    creds = connections(emulator, 'credential')
    assert set(creds) == {'initech-eu-demo-cred'}
    assert creds['initech-eu-demo-cred']['inbound']['codecs'] == ['G711A']
    ip = connections(emulator, 'ip')['initech-eu-demo-ip']
    assert ip['outbound']['tech_prefix'] == '4711'
    sheet = open(os.path.join(reports(env), 'handoff-eu-demo.md'), encoding='utf-8').read()
    row = '| %s | initech-eu-demo-cred | credentials | %s | initecheudemo@sip.telnyx.eu | +4930123456, +49301234560 | present |'
    assert row % (EU, creds['initech-eu-demo-cred']['id']) in sheet
    assert '| %s | initech-eu-demo-fqdn | fqdn | %s | initecheufqdn@sip.telnyx.eu | +442079460010 | present |' % (
        EU, connections(emulator, 'fqdn')['initech-eu-demo-fqdn']['id']) in sheet
    for secret in SECRETS:
        assert secret not in out and secret not in sheet


def test_03_a_second_run_changes_nothing_and_writes_nothing(emulator, env):
    emulator.reset(keep_state=True)
    rc, out, recap = run_playbook('site', env, '--limit', EU, *NO_SBC)
    assert rc == 0, out
    assert {h: r['changed'] for h, r in recap.items()} == {h: 0 for h in recap}
    assert writes(emulator.stats()) == 0


def test_04_audit_reports_drift_with_secrets_masked_and_changes_nothing(emulator, env):
    rc, out, _recap = run_playbook('audit', env, '--limit', EU)
    assert rc == 0, out
    clean = json.load(open(os.path.join(reports(env), 'drift-eu-demo.json'), encoding='utf-8'))
    assert clean['drift'] is False
    assert 'No drift' in open(os.path.join(reports(env), 'drift-eu-demo.md'), encoding='utf-8').read()

    cred = connections(emulator, 'credential')['initech-eu-demo-cred']
    # the baseline (byoc_trunk_defaults): the trunk leaves DTMF type unset, the guide's RFC 2833 was written
    assert cred['dtmf_type'] == 'RFC 2833' and cred['webhook_api_version'] == '2' and cred['inbound']['timeout_1xx_secs'] == 5
    status, _body, _h = emulator.call('PATCH', '/credential_connections/%s' % cred['id'],
                                      {'password': 'drifted-password-42', 'dtmf_type': 'Inband',
                                       'inbound': dict(cred['inbound'], channel_limit=7, codecs=['G711U'])})
    assert status == 200
    changed_at = connections(emulator, 'credential')['initech-eu-demo-cred']['updated_at']
    assert changed_at and changed_at != cred['updated_at']
    emulator.reset(keep_state=True)
    rc, out, _recap = run_playbook('audit', env, '--limit', EU)
    assert rc == 0, out
    assert writes(emulator.stats()) == 0
    drift = json.load(open(os.path.join(reports(env), 'drift-eu-demo.json'), encoding='utf-8'))
    rows = drift['hosts'][EU]['initech-eu-demo-cred']
    assert drift['drift'] is True
    assert {'module': 'sip_inbound', 'setting': 'codecs', 'wanted': ['G711A'], 'found': ['G711U'], 'updated_at': changed_at} in rows
    assert {'module': 'sip_connection', 'setting': 'password', 'wanted': '******** (changed)', 'found': '********',
            'updated_at': changed_at} in rows
    # a portal change of a guide setting the inventory leaves unset is seen, with before/after values
    assert {'module': 'sip_connection', 'setting': 'dtmf_type', 'wanted': 'RFC 2833', 'found': 'Inband', 'updated_at': changed_at} in rows
    text = open(os.path.join(reports(env), 'drift-eu-demo.md'), encoding='utf-8').read()
    assert '| connection | module | setting | wanted (inventory) | found (Telnyx) | last changed at Telnyx (updated_at) |' in text
    assert '| initech-eu-demo-cred | sip_inbound | codecs | ["G711A"] | ["G711U"] | %s |' % changed_at in text
    assert '| initech-eu-demo-cred | sip_connection | dtmf_type | RFC 2833 | Inband | %s |' % changed_at in text
    for secret in SECRETS + ('drifted-password-42',):
        assert secret not in out and secret not in text and secret not in json.dumps(drift)

    # byoc_audit_fail_on_drift: the same audit fails (after writing the reports), naming what drifted; 0 writes
    os.remove(os.path.join(reports(env), 'drift-eu-demo.json'))
    emulator.reset(keep_state=True)
    rc, out, recap = run_playbook('audit', env, '--limit', EU, '-e', 'byoc_audit_fail_on_drift=true')
    assert rc != 0 and recap[EU]['failed'] == 1, out
    assert ('Drift found (byoc_audit_fail_on_drift is true): 1 connection(s) differ from the inventory (initech-eu-demo-cred) '
            'and 0 unmanaged cop(ies) carry the prune tags (none).') in ' '.join(out.split())
    assert os.path.exists(os.path.join(reports(env), 'drift-eu-demo.json'))
    assert writes(emulator.stats()) == 0
    # put Telnyx back in line with the inventory (the steps after this one start from a converged account)
    rc, out, _recap = run_playbook('site', env, '--limit', EU, *NO_SBC)
    assert rc == 0, out
    rc, out, _recap = run_playbook('audit', env, '--limit', EU, '-e', 'byoc_audit_fail_on_drift=true')
    assert rc == 0, out
    assert json.load(open(os.path.join(reports(env), 'drift-eu-demo.json'), encoding='utf-8'))['drift'] is False


class SipResponder:
    """A carrier stand-in that answers every SIP request with 200 OK (UDP), in a thread; always closed."""

    def __init__(self, address, port=5060):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((address, port))
        self.sock.settimeout(0.2)
        self.seen = []
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while self.running:
            try:
                data, peer = self.sock.recvfrom(65535)
            except socket.timeout:
                continue
            text = data.decode('utf-8', 'replace')
            self.seen.append(text.split('\r\n', 1)[0])
            headers = [h for h in text.split('\r\n') if h.split(':', 1)[0] in ('Via', 'From', 'To', 'Call-ID', 'CSeq')]
            self.sock.sendto(('SIP/2.0 200 OK\r\n%s\r\nContent-Length: 0\r\n\r\n' % '\r\n'.join(headers)).encode(), peer)

    def close(self):
        self.running = False
        self.thread.join()
        self.sock.close()


def test_05_verify_probes_the_carrier_addresses_and_checks_registration(emulator, env):
    responder = SipResponder('127.0.62.2')
    try:
        rc, out, _recap = run_playbook('verify', env, '--limit', EU, '-e', 'trunk_verify_timeout=1')
    finally:
        responder.close()
    assert rc != 0
    assert responder.seen and responder.seen[0] == 'OPTIONS sip:127.0.62.2:5060 SIP/2.0'
    assert 'SIP OPTIONS 127.0.62.3:5060: no answer within 1' in out
    assert 'registration initech-eu-demo-cred: Not Registered' in out  # the emulator never sees a REGISTER
    sheet = open(os.path.join(reports(env), 'handoff-eu-demo.md'), encoding='utf-8').read()
    assert '| %s | SIP OPTIONS | 127.0.62.2:5060 | ok | 200 OK in ' % EU in sheet
    assert '| %s | SIP OPTIONS | 127.0.62.3:5060 | FAILED | no answer within 1' % EU in sheet
    assert '| %s | registration | initech-eu-demo-cred | FAILED | Not Registered |' % EU in sheet


def test_06_teardown_needs_the_confirmation_then_removes_what_the_inventory_declares(emulator, env):
    emulator.reset(keep_state=True)
    rc, out, _recap = run_playbook('teardown', env, '--limit', EU)
    assert rc != 0 and 'byoc_teardown_confirm=demo' in out
    assert emulator.stats()['total'] == 0
    rc, out, _recap = run_playbook('teardown', env, '--limit', EU, '-e', 'byoc_teardown_confirm=demo')
    assert rc == 0, out
    names = set(connections(emulator, 'credential')) | set(connections(emulator, 'ip')) | set(connections(emulator, 'fqdn'))
    assert not {n for n in names if n.startswith('initech-')}
    status, body, _h = emulator.call('GET', '/phone_numbers?filter[phone_number]=%2B4930123456')
    assert status == 200 and not body['data'][0].get('connection_id')
    sheet = open(os.path.join(reports(env), 'handoff-eu-demo.md'), encoding='utf-8').read()
    assert '| initech-eu-demo-cred | credentials | deleted | - | +4930123456, +49301234560 | deleted |' in sheet
    assert '(not created yet)' not in sheet
    rc, out, recap = run_playbook('teardown', env, '--limit', EU, '-e', 'byoc_teardown_confirm=demo')
    assert rc == 0 and recap[EU]['changed'] == 0, out


def test_07_the_bulk_engine_converges_the_same_trunks_in_one_call_and_is_idempotent(emulator, env):
    emulator.reset(keep_state=True)
    rc, out, recap = run_playbook('site', env, '--limit', EU, '-e', 'cpaas_engine=bulk', *NO_SBC)
    assert rc == 0, out
    assert recap[EU]['changed'] > 0
    stats = emulator.stats()
    assert stats['by_route'].get('POST /v2/credential_connections') == 1
    ip = connections(emulator, 'ip')['initech-eu-demo-ip']
    assert ip['outbound']['tech_prefix'] == '4711' and ip['inbound']['sip_subdomain'] == 'initecheuip'
    sheet = open(os.path.join(reports(env), 'handoff-eu-demo.md'), encoding='utf-8').read()
    assert '| %s | initech-eu-demo-ip | ip | %s | initecheuip@sip.telnyx.eu | - | present |' % (EU, ip['id']) in sheet
    emulator.reset(keep_state=True)
    rc, out, recap = run_playbook('site', env, '--limit', EU, '-e', 'cpaas_engine=bulk', *NO_SBC)
    assert rc == 0 and recap[EU]['changed'] == 0, out
    assert writes(emulator.stats()) == 0
    for secret in SECRETS:
        assert secret not in out


def stray(emulator, name, tags):
    body = {'connection_name': name, 'user_name': name.replace('-', '') + 'x1', 'password': 'Stray-pass-0123456789'}
    if tags is not None:
        body['tags'] = tags
    status, reply, _headers = emulator.call('POST', '/credential_connections', body)
    assert status == 201, reply
    return reply['data']['id']


def test_08_pruning_through_the_role_is_refused_unless_scoped_to_the_host_in_a_limited_run(emulator, env):
    """--limit is a partial run (as an AWX slice): fleet-wide prune tags are refused with 0 writes; host-scoped ones prune
    only the host's strays, and tag the host's connections so that they can be pruned later."""
    own = 'sbc:%s' % EU
    stray(emulator, 'stray-eu-own', ['byoc-demo', own])
    stray(emulator, 'stray-other-host', ['byoc-demo', 'sbc:cc-acme-com-demo'])
    stray(emulator, 'stray-untagged', None)
    bulk = ('-e', 'cpaas_engine=bulk', '-e', 'cpaas_prune=true')
    emulator.reset(keep_state=True)
    rc, out, _recap = run_playbook('site', env, '--limit', EU, *bulk, '-e', '{"cpaas_prune_tags": ["byoc-demo"]}', *NO_SBC)
    assert rc != 0
    assert "%s: cpaas_prune_tags ['byoc-demo'] are not scoped to one host" % EU in out
    assert writes(emulator.stats()) == 0
    scoped = ('-e', '{"cpaas_prune_tags": ["byoc-demo", "sbc:{{ inventory_hostname }}"]}')
    rc, out, recap = run_playbook('site', env, '--limit', EU, *bulk, *scoped, *NO_SBC)
    assert rc == 0, out
    creds = connections(emulator, 'credential')
    assert 'stray-eu-own' not in creds
    assert {'stray-other-host', 'stray-untagged', 'initech-eu-demo-cred'} <= set(creds)
    assert sorted(creds['initech-eu-demo-cred']['tags']) == ['byoc-demo', own]
    ip = connections(emulator, 'ip')['initech-eu-demo-ip']
    assert sorted(ip['tags']) == ['byoc-demo', own]
    # the pruning calls also reconcile the trunks: their results feed the facts and the handoff sheet
    sheet = open(os.path.join(reports(env), 'handoff-eu-demo.md'), encoding='utf-8').read()
    assert '| %s | initech-eu-demo-ip | ip | %s | initecheuip@sip.telnyx.eu | - | present |' % (EU, ip['id']) in sheet
    stats = emulator.stats()
    assert stats['by_method'].get('DELETE') == 1
    assert stats['by_method'].get('PATCH') == 3  # the tags added to the host's three connections
    emulator.reset(keep_state=True)
    rc, out, recap = run_playbook('site', env, '--limit', EU, *bulk, *scoped, *NO_SBC)
    assert rc == 0 and recap[EU]['changed'] == 0, out
    assert writes(emulator.stats()) == 0
    for secret in SECRETS:
        assert secret not in out

    # the audit reports a connection carrying the host's prune tags that no trunk lists (an unmanaged copy), deletes nothing
    copy_id = stray(emulator, 'stray-eu-copy', ['byoc-demo', own])
    copy_at = connections(emulator, 'credential')['stray-eu-copy']['updated_at']
    emulator.reset(keep_state=True)
    rc, out, _recap = run_playbook('audit', env, '--limit', EU, *scoped)
    assert rc == 0, out
    assert writes(emulator.stats()) == 0
    drift = json.load(open(os.path.join(reports(env), 'drift-eu-demo.json'), encoding='utf-8'))
    assert drift['drift'] is True and drift['hosts'][EU] == {}
    assert drift['unmanaged'] == {EU: [{'name': 'stray-eu-copy', 'id': copy_id, 'type': 'credentials', 'tags': sorted(['byoc-demo', own]),
                                        'updated_at': copy_at}]}
    text = open(os.path.join(reports(env), 'drift-eu-demo.md'), encoding='utf-8').read()
    assert '## Unmanaged copies' in text
    assert '| %s | stray-eu-copy | credentials | %s | %s | %s |' % (EU, copy_id, ', '.join(sorted(['byoc-demo', own])), copy_at) in text
    rc, out, recap = run_playbook('audit', env, '--limit', EU, *scoped, '-e', 'byoc_audit_fail_on_drift=true')
    assert rc != 0 and '0 connection(s) differ from the inventory () and 1 unmanaged cop(ies) carry the prune tags (stray-eu-copy)' in ' '.join(out.split())

    # a prune run in check + diff mode gives values, not option names: a changed setting of a trunk, and what the
    # deleted connection holds
    ip = connections(emulator, 'ip')['initech-eu-demo-ip']
    status, _body, _h = emulator.call('PATCH', '/ip_connections/%s' % ip['id'], {'anchorsite_override': 'Frankfurt, Germany'})
    assert status == 200
    emulator.reset(keep_state=True)
    rc, out, _recap = run_playbook('audit', env, '--limit', EU, *scoped, '-e', 'cpaas_prune=true')
    assert rc == 0, out
    assert writes(emulator.stats()) == 0
    drift = json.load(open(os.path.join(reports(env), 'drift-eu-demo.json'), encoding='utf-8'))
    ip_at = connections(emulator, 'ip')['initech-eu-demo-ip']['updated_at']
    assert drift['hosts'][EU]['initech-eu-demo-ip'] == [{'module': 'sip_connection', 'setting': 'anchorsite', 'wanted': 'Latency',
                                                         'found': 'Frankfurt, Germany', 'updated_at': ip_at}]
    pruned = drift['hosts'][EU]['stray-eu-copy']
    assert pruned[0] == {'module': 'prune', 'setting': '(connection)', 'updated_at': copy_at, 'found': 'id %s' % copy_id,
                         'wanted': 'deleted: carries the prune tags %s and no trunk lists it (id %s)' % (', '.join(sorted(['byoc-demo', own])), copy_id)}
    assert {'module': 'prune', 'setting': 'dtmf_type', 'wanted': '(absent)', 'found': 'RFC 2833', 'updated_at': copy_at} in pruned
    assert {'module': 'prune', 'setting': 'password', 'wanted': '(absent)', 'found': '********', 'updated_at': copy_at} in pruned
    assert 'Stray-pass-0123456789' not in json.dumps(drift) and 'Stray-pass-0123456789' not in out
    # converge again (prunes the copy, puts the anchorsite back): the next step starts from a clean account
    rc, out, _recap = run_playbook('site', env, '--limit', EU, *bulk, *scoped, *NO_SBC)
    assert rc == 0, out
    assert 'stray-eu-copy' not in connections(emulator, 'credential')


def test_09_teardown_with_the_bulk_engine_only_deletes(emulator, env):
    """cpaas_state=absent with the bulk engine: no connection is reconciled (created or patched) before it is deleted."""
    emulator.reset(keep_state=True)
    rc, out, _recap = run_playbook('teardown', env, '--limit', EU, '-e', 'byoc_teardown_confirm=demo', '-e', 'cpaas_engine=bulk')
    assert rc == 0, out
    names = set(connections(emulator, 'credential')) | set(connections(emulator, 'ip')) | set(connections(emulator, 'fqdn'))
    assert not {n for n in names if n.startswith('initech-')}
    by_method = emulator.stats()['by_method']
    assert by_method.get('POST', 0) == 0 and by_method.get('DELETE', 0) >= 3, by_method

# -*- coding: utf-8 -*-
# Copyright: byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Handoff sheets and drift reports (filters in plugins/filter/reports.py)."""

from __future__ import annotations

import json

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.byoc.carrier.plugins.filter import reports

TRUNKS = [
    {'name': 'acme-eu-prod-fra1', 'type': 'credentials', 'username': 'acmefra1', 'password': 'pw-not-shown-1',
     'numbers': ['+4930123456']},
    {'name': 'acme-eu-prod-fra1-ip', 'type': 'ip', 'token': 'tok-not-shown', 'inbound': {'sip_subdomain': 'acmeip'}},
]

CONNECTION_RESULTS = {'results': [
    {'item': 'acme-eu-prod-fra1', 'changed': True,
     'connection': {'id': '1001', 'sip_uri': 'acmefra1@sip.telnyx.eu', 'password': 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'},
     'diff': {'before': {}, 'after': {'name': 'acme-eu-prod-fra1', 'password': '********'}}},
    {'item': 'acme-eu-prod-fra1-ip', 'changed': False, 'connection': {'id': '1002'}},
]}


def test_trunk_facts_carry_ids_sip_uris_and_numbers_but_no_secret():
    facts = reports.trunk_facts(TRUNKS, CONNECTION_RESULTS, 'eu')
    assert facts == [
        {'name': 'acme-eu-prod-fra1', 'type': 'credentials', 'id': '1001', 'sip_uri': 'acmefra1@sip.telnyx.eu',
         'numbers': ['+4930123456'], 'state': 'present'},
        # no sip_uri from the module: built from the subdomain and the region
        {'name': 'acme-eu-prod-fra1-ip', 'type': 'ip', 'id': '1002', 'sip_uri': 'acmeip@sip.telnyx.eu',
         'numbers': [], 'state': 'present'},
    ]
    assert 'not-shown' not in json.dumps(facts)
    assert reports.trunk_facts(TRUNKS, {}, 'ca', 'absent')[0]['state'] == 'absent'


def test_trunk_facts_from_info_results_carry_the_registration():
    info = {'results': [{'item': 'acme-eu-prod-fra1', 'connections': [
        {'id': '1001', 'sip_uri': 'acmefra1@sip.telnyx.eu', 'registration_status': {'status': 'Registered'}}]}]}
    fact = reports.trunk_facts(TRUNKS[:1], info, 'eu')[0]
    assert fact['registration'] == 'Registered' and fact['id'] == '1001'


def test_setting_differences_flatten_and_mask():
    before = {'inbound': {'codecs': ['G711U'], 'timeout': 60}, 'password': 'old-secret', 'name': 'x'}
    after = {'inbound': {'codecs': ['G711U', 'G711A'], 'timeout': 60}, 'password': 'new-secret', 'name': 'x', 'tags': ['a']}
    rows = reports.setting_differences(before, after)
    assert rows == [
        {'setting': 'inbound.codecs', 'wanted': ['G711U', 'G711A'], 'found': ['G711U']},
        {'setting': 'password', 'wanted': '******** (changed)', 'found': '********'},
        {'setting': 'tags', 'wanted': ['a'], 'found': '(absent)'},
    ]
    # a changed secret shows as a changed mask: the module's diff says so, the report never has the value
    rows = reports.setting_differences({'password': '********'}, {'password': '******** (changed)'})
    assert rows == [{'setting': 'password', 'wanted': '******** (changed)', 'found': '********'}]


def _group(drift=None, verify=None):
    return {'region': 'eu', 'environment': 'prod', 'hosts': {
        'sbc-fra1': {'trunks': reports.trunk_facts(TRUNKS, CONNECTION_RESULTS, 'eu'), 'drift': drift or [], 'verify': verify or {}},
    }}


def test_handoff_sheet_lists_what_the_admin_enters():
    text = reports.handoff_markdown(_group(), '2026-11-26 04:00 UTC')
    assert text.startswith('# BYOC handoff: eu / prod\n')
    assert '| sbc-fra1 | acme-eu-prod-fra1 | credentials | 1001 | acmefra1@sip.telnyx.eu | +4930123456 | present |' in text
    assert '| sbc-fra1 | acme-eu-prod-fra1-ip | ip | 1002 | acmeip@sip.telnyx.eu | - | present |' in text
    assert 'Verification' not in text


def test_handoff_sheet_with_verification():
    verify = reports.verify_checks({'probe': [{'target': '127.0.0.2:5060', 'ok': True, 'detail': '200 OK in 1 ms'},
                                              {'target': '127.0.0.3:5060', 'ok': False, 'detail': 'no answer within 1 s'}],
                                    'trunks': reports.trunk_facts(TRUNKS, CONNECTION_RESULTS, 'eu')})
    assert verify['failed'] == ['SIP OPTIONS 127.0.0.3:5060: no answer within 1 s',
                                'registration acme-eu-prod-fra1: unknown']
    text = reports.handoff_markdown(_group(verify=verify))
    assert '| sbc-fra1 | SIP OPTIONS | 127.0.0.2:5060 | ok | 200 OK in 1 ms |' in text
    assert '| sbc-fra1 | registration | acme-eu-prod-fra1 | FAILED | unknown |' in text


def test_drift_report_when_clean_says_no_drift():
    doc = reports.drift_document(_group(drift=reports.drift_entries({'sip_connection': {'results': [
        {'item': 'acme-eu-prod-fra1', 'changed': False, 'diff': {'before': {'a': 1}, 'after': {'a': 1}}}]}})), 'now')
    assert doc == {'region': 'eu', 'environment': 'prod', 'generated_at': 'now', 'drift': False, 'hosts': {'sbc-fra1': {}}, 'unmanaged': {}}
    assert '**No drift**' in reports.drift_markdown(doc)


def test_drift_report_lists_each_differing_setting_with_secrets_masked():
    registered = {
        'sip_inbound': {'results': [
            {'item': 'acme-eu-prod-fra1', 'changed': True, 'updated_at': '2026-11-30T07:00:00.000Z',
             'diff': {'before': {'codecs': ['G711U'], 'no_answer_timeout': 30},
                      'after': {'codecs': ['G711U', 'G711A'], 'no_answer_timeout': 30}}},
            {'item': 'acme-eu-prod-fra1-ip', 'skipped': True, 'changed': False}]},
        'sip_connection': {'results': [
            {'item': 'acme-eu-prod-fra1-ip', 'changed': True,
             'diff': {'before': {'token': 'old-token-value'}, 'after': {'token': 'new-token-value'}}}]},
        'phone_number': {'changed': True, 'results': [{'item': 'acme-eu-prod-fra1', 'changed': True}]},
    }
    doc = reports.drift_document(_group(drift=reports.drift_entries(registered)), 'now')
    assert doc['drift'] is True
    trunks = doc['hosts']['sbc-fra1']
    assert trunks['acme-eu-prod-fra1'] == [
        {'module': 'sip_inbound', 'setting': 'codecs', 'wanted': ['G711U', 'G711A'], 'found': ['G711U'], 'updated_at': '2026-11-30T07:00:00.000Z'},
        {'module': 'phone_number', 'setting': '(not reported by the module)', 'wanted': 'change', 'found': 'differs', 'updated_at': None},
    ]
    assert trunks['acme-eu-prod-fra1-ip'] == [
        {'module': 'sip_connection', 'setting': 'token', 'wanted': '******** (changed)', 'found': '********', 'updated_at': None}]
    text = reports.drift_markdown(doc) + reports.to_pretty_json(doc)
    assert 'token-value' not in text
    assert '| connection | module | setting | wanted (inventory) | found (Telnyx) | last changed at Telnyx (updated_at) |' in text
    assert '| acme-eu-prod-fra1 | sip_inbound | codecs | ["G711U", "G711A"] | ["G711U"] | 2026-11-30T07:00:00.000Z |' in text
    assert '| acme-eu-prod-fra1-ip | sip_connection | token | ******** (changed) | ******** | - |' in text
    assert '## Unmanaged copies' not in text


def test_unmanaged_copies_make_drift_and_get_their_own_section():
    copies = [{'name': 'acme-old', 'id': '7', 'type': 'ip', 'tags': ['byoc', 'eu'], 'updated_at': '2026-11-29T17:02:11.000Z'}]
    group = _group(drift=[])
    group['hosts']['sbc-fra1']['unmanaged'] = copies
    doc = reports.drift_document(group, 'now')
    assert doc['drift'] is True and doc['unmanaged'] == {'sbc-fra1': copies} and doc['hosts'] == {'sbc-fra1': {}}
    text = reports.drift_markdown(doc)
    assert '## Unmanaged copies' in text
    assert '| sbc-fra1 | acme-old | ip | 7 | byoc, eu | 2026-11-29T17:02:11.000Z |' in text
    registered = {'results': [{'item': {'tags': ['byoc', 'eu'], 'hosts': ['sbc-fra1', 'sbc-ams1']}, 'results': [], 'unmanaged': copies},
                              {'item': {'tags': ['byoc', 'sbc:c'], 'hosts': ['c']}, 'results': [], 'unmanaged': [dict(copies[0], name='x')]}]}
    assert reports.unmanaged_results(registered, 'sbc-fra1') == copies
    assert reports.unmanaged_results(registered, 'sbc-ams1') == []


def test_report_path_is_absolute_from_the_run_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert reports.report_path('reports', 'handoff-eu-prod.md') == str(tmp_path / 'reports' / 'handoff-eu-prod.md')
    assert reports.report_path('/srv/r', 'x.md') == '/srv/r/x.md'


def test_report_content_dispatches_by_kind():
    group = _group()
    assert reports.report_content(group, 'handoff', 't') == reports.handoff_markdown(group, 't')
    assert json.loads(reports.report_content(group, 'drift_json', 't'))['drift'] is False
    assert reports.report_content(group, 'drift', 't').startswith('# BYOC drift: eu / prod')
    with pytest.raises(AnsibleFilterError, match='kind must be handoff, drift or drift_json'):
        reports.report_content(group, 'pdf')


def test_bulk_results_look_like_a_loop_over_the_host_trunks():
    bulk = {'results': [
        {'name': 'acme-eu-prod-fra1', 'type': 'credentials', 'status': 'updated', 'id': '1001', 'changes': ['inbound.codecs'],
         'sip_uri': 'acmefra1@sip.telnyx.eu'},
        {'name': 'other-host-trunk', 'status': 'created', 'id': '9'},
        {'name': 'acme-eu-prod-fra1-ip', 'type': 'ip', 'status': 'unchanged', 'id': '1002', 'changes': []},
    ]}
    shaped = reports.bulk_results(bulk, ['acme-eu-prod-fra1', 'acme-eu-prod-fra1-ip'])
    assert shaped['changed'] is False, 'only the Inbound tab changed'
    assert [r['item'] for r in shaped['results']] == ['acme-eu-prod-fra1', 'acme-eu-prod-fra1-ip']
    facts = reports.trunk_facts(TRUNKS, shaped, 'eu')
    assert [(f['id'], f['sip_uri']) for f in facts] == [('1001', 'acmefra1@sip.telnyx.eu'), ('1002', 'acmeip@sip.telnyx.eu')]
    inbound = reports.bulk_results(bulk, ['acme-eu-prod-fra1', 'acme-eu-prod-fra1-ip'], 'inbound')
    assert reports.drift_entries({'sip_connection': shaped, 'sip_inbound': inbound}) == [
        {'trunk': 'acme-eu-prod-fra1', 'module': 'sip_inbound', 'updated_at': None,
         'differences': [{'setting': 'inbound.codecs', 'wanted': '(inventory)', 'found': 'differs'}]}]


def test_bulk_results_in_diff_mode_give_drift_per_tab_and_setting():
    bulk = {'results': [{'name': 'acme-eu-prod-fra1', 'status': 'updated', 'id': '1001', 'changes': ['password', 'inbound.codecs']}],
            'diff': {'before': {'acme-eu-prod-fra1': {'password': '********', 'inbound': {'codecs': ['G711U']}}},
                     'after': {'acme-eu-prod-fra1': {'password': '******** (changed)', 'inbound': {'codecs': ['G711A']}}}}}
    registered = dict((module, reports.bulk_results(bulk, ['acme-eu-prod-fra1'], scope))
                      for module, scope in (('sip_connection', 'connection'), ('sip_inbound', 'inbound'), ('sip_outbound', 'outbound')))
    rows = dict((e['module'], e['differences']) for e in reports.drift_entries(registered))
    assert rows == {'sip_connection': [{'setting': 'password', 'wanted': '******** (changed)', 'found': '********'}],
                    'sip_inbound': [{'setting': 'codecs', 'wanted': ['G711A'], 'found': ['G711U']}]}


def test_pruned_results_are_reported_once_per_group_on_its_first_host():
    registered = {'results': [
        {'item': {'tags': ['byoc', 'eu'], 'hosts': ['a', 'b']},
         'results': [{'name': 'kept', 'status': 'unchanged'},
                     {'name': 'stray', 'status': 'deleted', 'id': '7', 'pruned': True, 'updated_at': '2026-11-29T17:02:11.000Z'}]},
        {'item': {'tags': ['byoc', 'sbc:c'], 'hosts': ['c']}, 'results': []},
    ]}
    first = reports.pruned_results(registered, 'a')
    assert first == {'changed': True, 'results': [{
        'item': 'stray', 'changed': True, 'updated_at': '2026-11-29T17:02:11.000Z',
        'changes': ['deleted: carries the prune tags byoc, eu and no trunk lists it (id 7)']}]}
    assert reports.pruned_results(registered, 'b') == {'results': [], 'changed': False}
    entries = reports.drift_entries({'prune': first})
    assert entries == [{'trunk': 'stray', 'module': 'prune', 'updated_at': '2026-11-29T17:02:11.000Z', 'differences': [
        {'setting': 'deleted: carries the prune tags byoc, eu and no trunk lists it (id 7)', 'wanted': '(inventory)', 'found': 'differs'}]}]


def test_pruned_results_in_diff_mode_give_what_telnyx_holds():
    registered = {'results': [
        {'item': {'tags': ['byoc'], 'hosts': ['a']},
         'results': [{'name': 'stray', 'status': 'deleted', 'id': '7', 'pruned': True}],
         'diff': {'before': {'stray': {'id': '7', 'type': 'ip', 'dtmf_type': 'Inband', 'token': '********', 'inbound': {'codecs': ['G711U']}}},
                  'after': {}}},
    ]}
    entries = reports.drift_entries({'prune': reports.pruned_results(registered, 'a')})
    assert entries == [{'trunk': 'stray', 'module': 'prune', 'updated_at': None, 'differences': [
        {'setting': '(connection)', 'wanted': 'deleted: carries the prune tags byoc and no trunk lists it (id 7)', 'found': 'id 7'},
        {'setting': 'dtmf_type', 'wanted': '(absent)', 'found': 'Inband'},
        {'setting': 'inbound.codecs', 'wanted': '(absent)', 'found': ['G711U']},
        {'setting': 'token', 'wanted': '(absent)', 'found': '********'},
        {'setting': 'type', 'wanted': '(absent)', 'found': 'ip'},
    ]}]


def test_an_fqdn_trunk_with_credentials_is_called_by_its_username_on_the_handoff_sheet():
    trunks = [{'name': 'umbrella-fqdn', 'type': 'fqdn', 'username': 'umbrellafq1', 'password': 'not-shown-1',
               'inbound': {'sip_subdomain': 'umbrellasub'}},
              {'name': 'plain-fqdn', 'type': 'fqdn', 'inbound': {'sip_subdomain': 'plainsub'}}]
    facts = reports.trunk_facts(trunks, {'results': []}, 'eu')
    assert [f['sip_uri'] for f in facts] == ['umbrellafq1@sip.telnyx.eu', 'plainsub@sip.telnyx.eu']


def test_a_singular_module_result_gives_its_connection_s_updated_at():
    registered = {'sip_connection': {'results': [
        {'item': 'acme-eu-prod-fra1', 'changed': True, 'connection': {'id': '1', 'updated_at': '2026-11-30T06:00:00.000Z'},
         'diff': {'before': {'dtmf_type': 'Inband'}, 'after': {'dtmf_type': 'RFC 2833'}}}]}}
    assert reports.drift_entries(registered) == [{'trunk': 'acme-eu-prod-fra1', 'module': 'sip_connection', 'updated_at': '2026-11-30T06:00:00.000Z',
                                                  'differences': [{'setting': 'dtmf_type', 'wanted': 'RFC 2833', 'found': 'Inband'}]}]

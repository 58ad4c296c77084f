# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sip_connections: the exact HTTP calls of a whole-list reconcile (reads, creates, drift, prune, failures)."""

from __future__ import annotations

import copy
import json

import yaml

from ansible_collections.byoc.carrier.plugins.module_utils import _bulk, _settings
from ansible_collections.byoc.carrier.plugins.modules import sip_connections
from ansible_collections.byoc.carrier.tests.unit.plugins.fake_api import calls_page, error_body, page
from ansible_collections.byoc.carrier.tests.unit.plugins.modules.module_runner import fixture_api, run_module  # noqa: F401 pylint: disable=unused-import

PASSWORD = 'Sup3rSecretPassw0rd'
NEW_PASSWORD = 'An0therSecretPassw0rd'
TOKEN = 'tok-0123456789-SECRET'
TAKEN = 'user_name acmefra1 has already been taken.'

CRED = {'name': 'acme-cred', 'type': 'credentials', 'region': 'eu', 'username': 'acmefra1', 'password': PASSWORD,
        'dtmf_type': 'RFC 2833', 'tags': ['acme', 'prod'],
        'inbound': {'codecs': ['G711U', 'G711A'], 'no_answer_timeout': 60},
        'outbound': {'localization': 'DE', 'outbound_voice_profile': 'acme-eu'}}
IPC = {'name': 'acme-ip', 'type': 'ip', 'ips': [{'address': '192.0.2.10'}, {'address': '192.0.2.11', 'port': 5080}],
       'ip_auth_method': 'token', 'token': TOKEN, 'tags': ['acme', 'prod'], 'inbound': {'transport': 'UDP'}}
FQ = {'name': 'acme-fqdn', 'type': 'fqdn', 'fqdns': [{'fqdn': 'sbc1.acme.example', 'dns_record_type': 'srv'}],
      'tags': ['acme'], 'inbound': {'sip_region': 'Europe'}}

CRED_OBJ = {'id': '100', 'record_type': 'credential_connection', 'connection_name': 'acme-cred', 'user_name': 'acmefra1',
            'password': PASSWORD, 'dtmf_type': 'RFC 2833', 'tags': ['prod', 'acme'], 'active': True,
            'inbound': {'codecs': ['G711U', 'G711A'], 'timeout_2xx_secs': 60, 'timeout_1xx_secs': 3},
            'outbound': {'localization': 'DE', 'outbound_voice_profile_id': '900', 'channel_limit': None}}
IP_OBJ = {'id': '200', 'record_type': 'ip_connection', 'connection_name': 'acme-ip', 'transport_protocol': 'UDP',
          'tags': ['acme', 'prod'], 'inbound': {'default_primary_ip_id': '201', 'default_secondary_ip_id': '202'},
          'outbound': {'ip_authentication_method': 'token', 'ip_authentication_token': TOKEN}}
IPS = [{'id': '201', 'record_type': 'ip', 'connection_id': '200', 'ip_address': '192.0.2.10', 'port': 5060},
       {'id': '202', 'record_type': 'ip', 'connection_id': '200', 'ip_address': '192.0.2.11', 'port': 5080}]
FQDN_OBJ = {'id': '300', 'record_type': 'fqdn_connection', 'connection_name': 'acme-fqdn', 'tags': ['acme'],
            'inbound': {'sip_region': 'Europe', 'default_primary_fqdn_id': '301', 'default_secondary_fqdn_id': None,
                        'default_tertiary_fqdn_id': None}}
FQDNS = [{'id': '301', 'record_type': 'fqdn', 'connection_id': '300', 'fqdn': 'sbc1.acme.example', 'port': None,
          'dns_record_type': 'srv'}]
OVPS = [{'id': '900', 'record_type': 'outbound_voice_profile', 'name': 'acme-eu'}]


def account(api, cred=(), ip=(), fqdn=(), ips=None, fqdns=None, ovps=None):
    """Script the one listing of each collection the module reads (None: the module must not read it)."""
    api.add_list('/credential_connections', [copy.deepcopy(o) for o in cred])
    api.add_list('/ip_connections', [copy.deepcopy(o) for o in ip])
    api.add_list('/fqdn_connections', [copy.deepcopy(o) for o in fqdn])
    for path, items in (('/ips', ips), ('/fqdns', fqdns), ('/outbound_voice_profiles', ovps)):
        if items is not None:
            api.add_list(path, [copy.deepcopy(o) for o in items])


def echo(base):
    """Answer a write with ``base`` merged with the request body (like Telnyx)."""
    def handler(request):
        data = copy.deepcopy(base)
        for key, value in (request.json or {}).items():
            data[key] = dict(data.get(key) or {}, **value) if isinstance(value, dict) else value
        return (201 if request.method == 'POST' else 200), {'data': data}
    return handler


def listed_after_creates(api, path, items):
    """Script the one listing of a kind the module makes after its creates (the overlap check)."""
    api.add_list(path, [copy.deepcopy(o) for o in items])


def relisted(api, path, name, items):
    """Script the listing of ``name`` on its own (the overlap check when the kind's listing is not conclusive)."""
    api.add_list(path, [copy.deepcopy(o) for o in items], params={'filter[connection_name][contains]': name})


def filtered_gets(api):
    return [c for c in api.calls if c[0] == 'GET' and 'filter[connection_name][contains]' in c[2]]


def run(api, connections, check=False, diff=False, **extra):
    return run_module(sip_connections, api.module_args(connections=copy.deepcopy(connections), **extra), check=check, diff=diff)


def writes(api):
    return sorted((c for c in api.calls if c[0] != 'GET'), key=repr)


def by_name(result):
    return dict((r['name'], r) for r in result['results'])


def test_no_change_reads_each_collection_once_and_writes_nothing(api):
    account(api, [CRED_OBJ], [IP_OBJ], [FQDN_OBJ], IPS, FQDNS, OVPS)
    result = run(api, [CRED, IPC, FQ], results='all')
    assert not result.get('failed'), result
    assert result['changed'] is False
    assert [r['status'] for r in result['results']] == ['unchanged'] * 3
    assert result['summary']['unchanged'] == 3
    assert writes(api) == []
    assert result['api_requests'] == 6
    assert by_name(result)['acme-cred']['sip_uri'] == 'acmefra1@sip.telnyx.eu'


def test_new_credentials_connection_is_one_post_with_every_tab(api):
    account(api, ovps=OVPS)
    api.add('POST', '/credential_connections', handler=echo({'id': '100', 'record_type': 'credential_connection'}))
    listed_after_creates(api, '/credential_connections', [CRED_OBJ])
    result = run(api, [CRED])
    assert result['changed'] is True
    assert writes(api) == [('POST', '/credential_connections', {}, {
        'connection_name': 'acme-cred', 'user_name': 'acmefra1', 'password': PASSWORD, 'dtmf_type': 'RFC 2833',
        'tags': ['acme', 'prod'], 'inbound': {'codecs': ['G711U', 'G711A'], 'timeout_2xx_secs': 60},
        'outbound': {'localization': 'DE', 'outbound_voice_profile_id': '900'}})]
    assert result['results'] == [{'name': 'acme-cred', 'type': 'credentials', 'state': 'present', 'status': 'created',
                                  'id': '100', 'changes': [], 'sip_uri': 'acmefra1@sip.telnyx.eu'}]
    assert PASSWORD not in json.dumps(result)


def test_new_ip_connection_gets_its_ips_then_the_default_ids(api):
    account(api, ips=[])
    api.add('POST', '/ip_connections', handler=echo({'id': '200', 'record_type': 'ip_connection', 'inbound': {}}))
    api.add('POST', '/ips', handler=echo({'id': '201', 'record_type': 'ip'}), params={})
    api.add('POST', '/ips', handler=echo({'id': '202', 'record_type': 'ip'}), params={})
    api.add('PATCH', '/ip_connections/200', handler=echo(IP_OBJ))
    listed_after_creates(api, '/ip_connections', [dict(IP_OBJ, inbound={})])
    result = run(api, [IPC])
    assert not result.get('failed'), result
    posted = [c for c in api.calls if c[0] != 'GET']
    assert posted[0] == ('POST', '/ip_connections', {}, {
        'connection_name': 'acme-ip', 'tags': ['acme', 'prod'], 'transport_protocol': 'UDP',
        'outbound': {'ip_authentication_method': 'token', 'ip_authentication_token': TOKEN}})
    assert posted[1:3] == [('POST', '/ips', {}, {'ip_address': '192.0.2.10', 'port': 5060, 'connection_id': '200'}),
                           ('POST', '/ips', {}, {'ip_address': '192.0.2.11', 'port': 5080, 'connection_id': '200'})]
    assert posted[3][:2] == ('PATCH', '/ip_connections/200')
    assert posted[3][3]['inbound'] == {'default_primary_ip_id': '201', 'default_secondary_ip_id': '202'}
    assert by_name(result)['acme-ip']['status'] == 'created'
    assert TOKEN not in json.dumps(result)


def test_drift_repair_writes_exactly_the_drifted_objects(api):
    drifted_cred = dict(CRED_OBJ, dtmf_type='Inband', inbound=dict(CRED_OBJ['inbound'], codecs=['G711A']))
    drifted_ips = [IPS[0], dict(IPS[1], port=5090)]
    account(api, [drifted_cred], [IP_OBJ], [FQDN_OBJ], drifted_ips, FQDNS, OVPS)
    api.add('PATCH', '/credential_connections/100', handler=echo(CRED_OBJ))
    api.add('PATCH', '/ips/202', handler=echo(IPS[1]))
    result = run(api, [CRED, IPC, FQ])
    assert not result.get('failed'), result
    assert writes(api) == [
        ('PATCH', '/credential_connections/100', {}, {
            'dtmf_type': 'RFC 2833',
            'inbound': {'codecs': ['G711U', 'G711A'], 'timeout_2xx_secs': 60, 'timeout_1xx_secs': 3}}),
        ('PATCH', '/ips/202', {}, {'ip_address': '192.0.2.11', 'port': 5080, 'connection_id': '200'}),
    ]
    status = dict((r['name'], (r['status'], r['changes'])) for r in result['results'])
    # by default (results: changed) only what changed is listed; the summary counts every connection
    assert status == {'acme-cred': ('updated', ['dtmf_type', 'inbound.codecs']), 'acme-ip': ('updated', ['ips'])}
    assert [r['name'] for r in result['results']] == ['acme-cred', 'acme-ip']
    assert (result['summary']['updated'], result['summary']['unchanged']) == (2, 1)


def test_one_patch_for_several_tabs_keeps_every_tab_change(api):
    drifted = dict(IP_OBJ, inbound=dict(IP_OBJ['inbound'], default_routing_method='round-robin', sip_region='US'),
                   outbound=dict(IP_OBJ['outbound'], channel_limit=5))
    account(api, ip=[drifted], ips=IPS)
    api.add('PATCH', '/ip_connections/200', handler=echo(IP_OBJ))
    wanted = dict(IPC, routing_method='sequential', inbound={'sip_region': 'Europe'}, outbound={'channel_limit': 9})
    result = run(api, [wanted])
    assert not result.get('failed'), result
    (call,) = writes(api)
    assert call[3] == {'inbound': {'default_primary_ip_id': '201', 'default_secondary_ip_id': '202',
                                   'default_routing_method': 'sequential', 'sip_region': 'Europe'},
                       'outbound': {'ip_authentication_method': 'token', 'ip_authentication_token': TOKEN, 'channel_limit': 9}}
    assert result['results'][0]['changes'] == ['routing_method', 'inbound.sip_region', 'outbound.channel_limit']


def test_one_failure_does_not_stop_the_others_and_fails_at_the_end(api):
    account(api, [dict(CRED_OBJ, dtmf_type='Inband')], [dict(IP_OBJ, transport_protocol='TCP')], [], IPS, ovps=OVPS)
    api.add_error('PATCH', '/credential_connections/100', 422, detail='dtmf_type is broken today', pointer='/dtmf_type')
    api.add('PATCH', '/ip_connections/200', handler=echo(IP_OBJ))
    result = run(api, [CRED, IPC])
    assert result['failed'] is True
    assert result['msg'].startswith('1 of 2 connections failed: acme-cred: PATCH /credential_connections/100: HTTP 422')
    assert 'dtmf_type is broken today' in result['msg']
    status = dict((r['name'], r['status']) for r in result['results'])
    assert status == {'acme-cred': 'failed', 'acme-ip': 'updated'}
    assert result['changed'] is True
    assert len(writes(api)) == 2


def test_every_problem_is_reported_before_any_request(api):
    bad = [
        dict(CRED, username='ab', inbound={'codecs': ['G729'], 'no_answer_timeout': 900}),
        dict(IPC, name='acme-ip', tech_prefix='12345', dtmf_type='Morse'),
        {'name': 'no-type'},
        dict(FQ, colour='blue'),
        dict(IPC, inbound={'encrypted_media': 'SRTP', 'transport': 'TLS'}, outbound={'encrypted_media': 'none'}),
    ]
    result = run(api, bad)
    assert result['failed'] is True
    assert api.calls == []
    problems = '\n'.join(result['problems'])
    for expected in ('connections[0] (acme-cred): username:', 'connections[0] (acme-cred): inbound.codecs',
                     'connections[0] (acme-cred): inbound.no_answer_timeout', 'connections[1] (acme-ip): ',
                     'dtmf_type', 'connections[2] (no-type): type: required', 'connections[3] (acme-fqdn): ', 'colour',
                     "connections[1, 4]: the name 'acme-ip' is listed 2 times",
                     'connections[4] (acme-ip): encrypted_media: inbound.encrypted_media and outbound.encrypted_media'):
        assert expected in problems, expected
    assert PASSWORD not in json.dumps(result) and TOKEN not in json.dumps(result)


def test_prune_deletes_tagged_unlisted_connections_only(api):
    old = dict(IP_OBJ, id='400', connection_name='acme-old', inbound={'default_primary_ip_id': '401'},
               webhook_event_url='https://hooks.example.com/acme')  # Telnyx lists its calls: the guard asks
    untagged = dict(CRED_OBJ, id='500', connection_name='someone-else', tags=[])
    half_tagged = dict(CRED_OBJ, id='600', connection_name='acme-staging', tags=['acme', 'staging'])
    account(api, [CRED_OBJ, untagged, half_tagged], [old], [], ips=[dict(IPS[0], id='401', connection_id='400')],
            fqdns=[], ovps=OVPS)
    api.add('GET', '/connections/400/active_calls', json=calls_page(0), params={'page[size]': 250})
    api.add('DELETE', '/ips/401', handler=echo({'id': '401'}))
    api.add('DELETE', '/ip_connections/400', handler=echo(old))
    result = run(api, [CRED], prune=True, prune_tags=['acme', 'prod'], results='all')
    assert not result.get('failed'), result
    assert [c[:2] for c in api.calls if c[0] != 'GET' or 'active_calls' in c[1]] == [
        ('GET', '/connections/400/active_calls'), ('DELETE', '/ips/401'), ('DELETE', '/ip_connections/400')]
    assert result['results'][1] == {'name': 'acme-old', 'state': 'absent', 'changes': [], 'pruned': True,
                                    'status': 'deleted', 'id': '400', 'type': 'ip'}
    assert result['summary']['deleted'] == 1 and result['changed'] is True


def test_prune_without_tags_is_refused(api):
    result = run(api, [CRED], prune=True)
    assert result['failed'] is True
    assert 'prune: requires prune_tags' in result['msg']
    assert api.calls == []


def test_check_mode_writes_nothing_and_the_diff_masks_secrets(api):
    account(api, [dict(CRED_OBJ, dtmf_type='Inband')], ips=[], ovps=OVPS)
    result = run(api, [dict(CRED, password=NEW_PASSWORD), dict(IPC, name='acme-new-ip')], check=True, diff=True)
    assert not result.get('failed'), result
    assert writes(api) == []
    assert result['changed'] is True
    status = dict((r['name'], (r['status'], r['changes'])) for r in result['results'])
    assert status == {'acme-cred': ('updated', ['password', 'dtmf_type']), 'acme-new-ip': ('created', [])}
    diff = result['diff']
    assert diff['before'] == {'acme-cred': {'password': '********', 'dtmf_type': 'Inband'}}
    assert diff['after']['acme-cred'] == {'password': '******** (changed)', 'dtmf_type': 'RFC 2833'}
    assert diff['after']['acme-new-ip']['token'] == '********'
    assert diff['after']['acme-new-ip']['ips'] == [{'address': '192.0.2.10', 'port': 5060}, {'address': '192.0.2.11', 'port': 5080}]
    text = json.dumps(result)
    for secret in (PASSWORD, NEW_PASSWORD, TOKEN):
        assert secret not in text


def test_update_password_on_create_leaves_a_changed_password_alone(api):
    account(api, [dict(CRED_OBJ, password='Wh4teverItIsNow')], ovps=OVPS)
    result = run(api, [dict(CRED, update_password='on_create')], results='all')
    assert result['results'][0]['status'] == 'unchanged'
    assert writes(api) == []


def test_profiles_are_resolved_once_and_an_unknown_one_fails_its_entry_only(api):
    account(api, [CRED_OBJ], [], [], ovps=OVPS + [{'id': '901', 'name': 'dup'}, {'id': '902', 'name': 'dup'}])
    api.add('POST', '/credential_connections', handler=echo({'id': '101', 'record_type': 'credential_connection'}))
    listed_after_creates(api, '/credential_connections', [CRED_OBJ, dict(CRED_OBJ, id='101', connection_name='acme-cred-2')])
    second = dict(CRED, name='acme-cred-2', username='acmefra2', outbound={'outbound_voice_profile': '900'})
    result = run(api, [CRED, second, dict(CRED, name='acme-x', username='acmefrax', outbound={'outbound_voice_profile': 'nope'}),
                       dict(CRED, name='acme-y', username='acmefray', outbound={'outbound_voice_profile': 'dup'})])
    assert result['failed'] is True
    status = dict((r['name'], r['status']) for r in result['results'])  # the failed ones are listed by default
    assert status == {'acme-cred-2': 'created', 'acme-x': 'failed', 'acme-y': 'failed'}
    assert result['summary']['unchanged'] == 1
    errors = dict((r['name'], r.get('error')) for r in result['results'])
    assert "no outbound voice profile is named 'nope'" in errors['acme-x']
    assert "outbound.outbound_voice_profile: 2 outbound voice profiles are named 'dup' (901, 902)" in errors['acme-y']
    assert [c[0] for c in api.calls].count('GET') == 5  # 4 collections, then the credentials listed again after the create


def test_a_username_or_token_given_twice_fails_before_any_request_without_showing_it(api):
    """Telnyx takes a SIP user name and an IP authentication token once across all connections (an entry to delete
    does not count)."""
    fleet = [dict(CRED, name='acme-a'), dict(CRED, name='acme-b'), dict(IPC, name='ip-a', token=TOKEN), dict(IPC, name='ip-b', token=TOKEN),
             dict(CRED, name='acme-gone', state='absent')]
    result = run(api, fleet)
    assert result['failed'] is True and api.calls == []
    assert [p for p in result['problems'] if 'same value' in p] == [
        'connections[0, 1]: username: the same value is given 2 times; Telnyx takes a SIP user name once across all connections',
        'connections[2, 3]: token: the same value is given 2 times; Telnyx takes an IP authentication token once across all connections']
    assert TOKEN not in json.dumps(result) and CRED['username'] not in json.dumps(result['problems'])


def test_type_change_and_duplicate_names_at_telnyx_fail_their_entry(api):
    account(api, [dict(CRED_OBJ, id='100', connection_name='acme-ip'), dict(CRED_OBJ, id='101', connection_name='twice'),
                  dict(CRED_OBJ, id='102', connection_name='twice')], [], [], ips=[])
    result = run(api, [dict(IPC), dict(CRED, name='twice', outbound={})])
    errors = dict((r['name'], r.get('error')) for r in result['results'])
    assert 'exists as a credentials connection (id 100); the type cannot change' in errors['acme-ip']
    assert "2 connections are named 'twice': 101 (credentials), 102 (credentials)" in errors['twice']
    assert writes(api) == []


def test_state_absent_deletes_and_reports_absent(api):
    account(api, [CRED_OBJ], [], [FQDN_OBJ], fqdns=FQDNS)
    api.add('DELETE', '/fqdns/301', handler=echo(FQDNS[0]))
    api.add('DELETE', '/fqdn_connections/300', handler=echo(FQDN_OBJ))
    result = run(api, [{'name': 'acme-fqdn', 'type': 'fqdn', 'state': 'absent'}, {'name': 'gone', 'state': 'absent'}],
                 results='all')
    assert [(r['name'], r['status']) for r in result['results']] == [('acme-fqdn', 'deleted'), ('gone', 'absent')]


def test_results_by_default_list_only_what_changed_or_failed(api):
    account(api, [CRED_OBJ], [], [FQDN_OBJ], fqdns=FQDNS)
    api.add('DELETE', '/fqdns/301', handler=echo(FQDNS[0]))
    api.add('DELETE', '/fqdn_connections/300', handler=echo(FQDN_OBJ))
    result = run(api, [{'name': 'acme-fqdn', 'type': 'fqdn', 'state': 'absent'}, {'name': 'gone', 'state': 'absent'},
                       {'name': 'acme-cred', 'type': 'credentials', 'dtmf_type': 'RFC 2833'}])
    assert [(r['name'], r['status']) for r in result['results']] == [('acme-fqdn', 'deleted')]
    assert result['summary'] == {'created': 0, 'updated': 0, 'unchanged': 1, 'deleted': 1, 'absent': 1, 'failed': 0}
    assert result['changed'] is True


def test_results_of_a_run_that_changes_nothing_are_empty_with_a_full_summary(api):
    account(api, [CRED_OBJ], [IP_OBJ], [FQDN_OBJ], IPS, FQDNS, OVPS)
    result = run(api, [CRED, IPC, FQ])
    assert result['results'] == [] and result['changed'] is False
    assert result['summary'] == {'created': 0, 'updated': 0, 'unchanged': 3, 'deleted': 0, 'absent': 0, 'failed': 0}


def _shape(options, children):
    """type/choices/elements/default/required of every option, recursively (``children``: 'options' or 'suboptions')."""
    out = {}
    for name, opt in options.items():
        item = dict((k, opt[k]) for k in ('type', 'choices', 'elements', 'default', 'required') if opt.get(k) not in (None, False))
        if opt.get(children):
            item['suboptions'] = _shape(opt[children], children)
        out[name] = item
    return out


def test_documented_entry_options_match_the_settings_table():
    docs = yaml.safe_load(sip_connections.DOCUMENTATION)['options']['connections']['suboptions']
    assert _shape(docs, 'suboptions') == _shape(_bulk.entry_spec(), 'options')


def test_max_rps_paces_every_request_of_the_run(api):
    account(api)

    def create(request):  # the id follows the name: the workers' POSTs arrive in any order
        return 201, {'data': dict(request.json, id=str(700 + int(request.json['connection_name'].split('-')[1])))}
    for index in range(8):
        api.add('POST', '/credential_connections', handler=create)
    listed_after_creates(api, '/credential_connections',
                         [dict(CRED_OBJ, id=str(700 + index), connection_name='acme-%d' % index) for index in range(8)])
    fleet = [dict(CRED, name='acme-%d' % i, username='acme%04d' % i, outbound={}) for i in range(8)]
    result = run(api, fleet, max_rps=4, workers=2)
    assert result['summary']['created'] == 8
    # 3 kind listings, 8 POSTs, 1 listing of the kind after the creates (not one per name)
    assert result['api_requests'] == 12
    assert filtered_gets(api) == []
    # 12 requests at 4/s with a burst of 2 (one per worker) cannot take less than (12 - 2) / 4 s
    assert api.elapsed >= (12 - 2) / 4.0
    assert api.sleeps
    api.assert_done()


def test_empty_name_fails_naming_entry_and_option_before_any_request(api):
    result = run(api, [dict(IPC), dict(FQ, name=''), dict(FQ, name='  ')])
    assert result['failed'] is True
    assert api.calls == []
    assert 'connections[1]: name: must not be empty' in result['problems']
    assert 'connections[2]: name: must not be empty' in result['problems']


def test_a_copy_created_by_an_overlapping_run_gives_way_to_the_older_one(api):
    """Another run created acme-ip first: this run's copy is deleted and the older one reconciled (IPs, ids)."""
    account(api, ips=[])
    api.add('POST', '/ip_connections', handler=echo({'id': '250', 'record_type': 'ip_connection', 'created_at': '2026-01-01T10:00:01.000Z'}))
    older = dict(IP_OBJ, created_at='2026-01-01T10:00:00.500Z', inbound={'default_primary_ip_id': '201'})
    own = dict(IP_OBJ, id='250', created_at='2026-01-01T10:00:01.000Z', inbound={})
    # the kind's listing shows a connection this run does not know of: each new name is listed on its own
    listed_after_creates(api, '/ip_connections', [older, own])
    relisted(api, '/ip_connections', 'acme-ip', [older, own])
    api.add('DELETE', '/ip_connections/250', handler=echo({'id': '250'}))
    api.add_list('/ips', [IPS[0]], params={'filter[connection_id]': '200'})
    api.add('POST', '/ips', handler=echo({'id': '202', 'record_type': 'ip'}), params={})
    api.add('PATCH', '/ip_connections/200', handler=echo(IP_OBJ))
    result = run(api, [IPC])
    assert not result.get('failed'), result
    assert writes(api) == sorted([
        ('POST', '/ip_connections', {}, {'connection_name': 'acme-ip', 'tags': ['acme', 'prod'], 'transport_protocol': 'UDP',
                                         'outbound': {'ip_authentication_method': 'token', 'ip_authentication_token': TOKEN}}),
        ('DELETE', '/ip_connections/250', {}, None),
        ('POST', '/ips', {}, {'ip_address': '192.0.2.11', 'port': 5080, 'connection_id': '200'}),
        ('PATCH', '/ip_connections/200', {}, {'inbound': {'default_primary_ip_id': '201', 'default_secondary_ip_id': '202'}}),
    ], key=repr)
    entry = result['results'][0]
    assert (entry['id'], entry['duplicate_removed'], entry['status'], entry['changes']) == ('200', '250', 'updated', ['ips'])
    assert result['changed'] is True
    api.assert_done()


def test_the_oldest_copy_stays_and_ties_go_to_the_lower_id(api):
    """This run's copy is the oldest (same created_at, lower id): kept; the newer one is left to the run that made it."""
    account(api)
    stamp = '2026-01-01T10:00:00.000Z'
    api.add('POST', '/credential_connections', handler=echo({'id': '99', 'record_type': 'credential_connection', 'created_at': stamp}))
    copies = [dict(CRED_OBJ, id='100', created_at=stamp), dict(CRED_OBJ, id='99', created_at=stamp)]
    listed_after_creates(api, '/credential_connections', copies)
    relisted(api, '/credential_connections', 'acme-cred', copies)
    result = run(api, [dict(CRED, outbound={})])
    assert [c[0] for c in writes(api)] == ['POST']
    assert (result['results'][0]['id'], result['results'][0]['status']) == ('99', 'created')
    assert 'duplicate_removed' not in result['results'][0]
    api.assert_done()


def test_a_username_taken_by_an_overlapping_run_adopts_its_connection(api):
    """The create is refused (422: the other run's copy holds the username): that copy is reconciled, nothing deleted."""
    account(api, ovps=OVPS)
    api.add('POST', '/credential_connections', status=422, json=error_body(10015, 'Invalid value', TAKEN, '/user_name'))
    relisted(api, '/credential_connections', 'acme-cred', [dict(CRED_OBJ, dtmf_type='Inband')])
    api.add('PATCH', '/credential_connections/100', handler=echo(CRED_OBJ))
    result = run(api, [CRED])
    assert not result.get('failed'), result
    assert [c[:2] for c in writes(api)] == [('PATCH', '/credential_connections/100'), ('POST', '/credential_connections')]
    assert [c[3] for c in writes(api)][0] == {'dtmf_type': 'RFC 2833'}
    entry = result['results'][0]
    assert (entry['id'], entry['status'], entry['changes']) == ('100', 'updated', ['dtmf_type'])
    api.assert_done()


def test_a_username_taken_by_another_name_still_fails_the_entry(api):
    account(api, ovps=OVPS)
    api.add('POST', '/credential_connections', status=422, json=error_body(10015, 'Invalid value', TAKEN))
    relisted(api, '/credential_connections', 'acme-cred', [])
    result = run(api, [CRED])
    assert result['failed'] is True
    assert TAKEN in result['results'][0]['error']
    api.assert_done()


def test_validating_a_fleet_compiles_no_schema_per_entry(monkeypatch):
    """_bulk relies on _settings compiling each scope's schema once (no stop-gap cache of its own any more)."""
    _bulk.validate_entries([CRED, IPC, FQ])  # every scope's schema built once
    compiled = []
    original = _settings.vol.Schema
    monkeypatch.setattr(_settings.vol, 'Schema', lambda *a, **k: compiled.append(a) or original(*a, **k))
    fleet = [dict(CRED, name='acme-%d' % i, username='acme%04d' % i) for i in range(50)]
    entries, problems, dummy = _bulk.validate_entries(fleet)
    assert (len(entries), problems, compiled) == (50, [], [])


def cold_fleet(api, count):
    """Script ``count`` credentials creates on an empty account; the entries to declare."""
    account(api)

    def create(request):
        return 201, {'data': dict(request.json, id=str(700 + int(request.json['connection_name'].split('-')[1])),
                                  record_type='credential_connection')}
    for dummy in range(count):
        api.add('POST', '/credential_connections', handler=create)
    return [dict(CRED, name='acme-%d' % i, username='acme%04d' % i, outbound={}) for i in range(count)]


def made(count, **extra):
    return [dict(CRED_OBJ, id=str(700 + i), connection_name='acme-%d' % i, **extra) for i in range(count)]


def test_a_listing_whose_count_changed_between_pages_is_not_trusted(api):
    """A page counting more connections than it shows (one deleted while paging): every new name is listed on its own."""
    fleet = cold_fleet(api, 3)
    api.add('GET', '/credential_connections', json=page(made(3), total_results=4), params={'page[number]': 1, 'page[size]': 250})
    for index, obj in enumerate(made(3)):
        relisted(api, '/credential_connections', 'acme-%d' % index, [obj])
    result = run(api, fleet)
    assert not result.get('failed'), result
    assert result['summary']['created'] == 3
    assert sorted(c[2]['filter[connection_name][contains]'] for c in filtered_gets(api)) == ['acme-0', 'acme-1', 'acme-2']
    assert [c[0] for c in writes(api)] == ['POST'] * 3
    api.assert_done()


def test_a_failed_listing_after_the_creates_falls_back_to_one_listing_per_name(api):
    fleet = cold_fleet(api, 2)
    api.add('GET', '/credential_connections', status=403, json=error_body(10010, 'Forbidden'))
    relisted(api, '/credential_connections', 'acme-0', made(1))
    relisted(api, '/credential_connections', 'acme-1', made(2)[1:])
    result = run(api, fleet)
    assert not result.get('failed'), result
    assert [r['status'] for r in result['results']] == ['created', 'created']
    api.assert_done()


def test_a_conclusive_listing_serves_every_name_and_a_copy_it_shows_is_never_missed(api):
    """A connection deleted by this run is not expected in the listing; an unknown copy there makes it inconclusive."""
    gone = dict(CRED_OBJ, id='50', connection_name='old-one', tags=['acme', 'prod'])
    account(api, cred=[gone], ips=[], fqdns=[])
    api.add('POST', '/credential_connections', handler=echo({'id': '700', 'record_type': 'credential_connection'}))
    api.add('DELETE', '/credential_connections/50', handler=echo(gone))
    listed_after_creates(api, '/credential_connections', [dict(CRED_OBJ, id='700', connection_name='acme-0')])
    fleet = [dict(CRED, name='acme-0', username='acme0000', outbound={})]
    result = run(api, fleet, prune=True, prune_tags=['acme', 'prod'])
    assert not result.get('failed'), json.dumps(result)
    assert (result['summary']['created'], result['summary']['deleted']) == (1, 1)
    assert filtered_gets(api) == []
    api.assert_done()


FQ_AUTH = '/fqdn_connections/300/fqdn_authentication'


def test_new_fqdn_connection_with_credentials_writes_them_through_fqdn_authentication(api):
    account(api, fqdns=[])
    api.add('POST', '/fqdn_connections', handler=echo(dict(FQDN_OBJ, inbound={})))
    listed_after_creates(api, '/fqdn_connections', [FQDN_OBJ])
    api.add('POST', '/fqdns', handler=echo(FQDNS[0]))
    api.add('PATCH', '/fqdn_connections/300', handler=echo(FQDN_OBJ))
    api.add('PATCH', FQ_AUTH, json={'data': {'fqdn_outbound_authentication': 'credential-authentication', 'user_name': 'acmefq1',
                                             'password': PASSWORD}})
    result = run(api, [dict(FQ, username='acmefq1', password=PASSWORD, region='eu')])
    assert not result.get('failed'), result
    posted = [c for c in api.calls if c[:2] == ('POST', '/fqdn_connections')]
    assert 'user_name' not in json.dumps(posted) and PASSWORD not in json.dumps(posted)
    assert api.calls[-1] == ('PATCH', FQ_AUTH, {}, {'fqdn_outbound_authentication': 'credential-authentication', 'user_name': 'acmefq1',
                                                    'password': PASSWORD})
    assert by_name(result)['acme-fqdn']['sip_uri'] == 'acmefq1@sip.telnyx.eu'
    assert PASSWORD not in json.dumps(result)


def test_fqdn_credentials_unchanged_read_their_resource_and_write_nothing(api):
    account(api, fqdn=[FQDN_OBJ], fqdns=FQDNS)
    api.add('GET', FQ_AUTH, json={'data': {'fqdn_outbound_authentication': 'credential-authentication', 'user_name': 'acmefq1',
                                           'password': PASSWORD}})
    result = run(api, [dict(FQ, username='acmefq1', password=PASSWORD)])
    assert result['changed'] is False and writes(api) == []


def test_srtp_without_tls_and_a_token_the_sbc_cannot_send_are_refused_before_any_request(api):
    result = run(api, [dict(IPC, inbound={'encrypted_media': 'SRTP', 'transport': 'UDP'}),
                       dict(FQ, name='fq2', inbound={'encrypted_media': 'SRTP'}, outbound={'encrypted_media': 'SRTP'}),
                       dict(IPC, name='ip3', token='short!tok'),
                       dict(CRED, name='c4', username='1acme')])
    assert result['failed'] and api.calls == []
    problems = '\n'.join(result['problems'])
    assert 'connections[0] (acme-ip): encrypted_media: SRTP requires transport TLS' in problems
    assert 'connections[1] (fq2): encrypted_media: SRTP requires transport TLS' in problems
    assert 'connections[2] (ip3): token: must be 12 to 48 letters, digits or hyphens' in problems
    assert 'connections[3] (c4): username: must be 4 to 32 letters or digits starting with a letter' in problems


def test_srtp_with_tls_on_fqdn_is_stable(api):
    obj = dict(FQDN_OBJ, transport_protocol='TLS', encrypted_media='SRTP', outbound={'encrypted_media': 'SRTP'})
    account(api, fqdn=[obj], fqdns=FQDNS)
    entry = dict(FQ, inbound={'sip_region': 'Europe', 'transport': 'TLS', 'encrypted_media': 'SRTP'}, outbound={'encrypted_media': 'SRTP'})
    result = run(api, [entry])
    assert result['changed'] is False and writes(api) == []


def test_an_option_given_as_null_or_empty_in_an_entry_is_cleared_then_unchanged(api):
    obj = dict(CRED_OBJ, webhook_event_url='https://hooks.example.com/x', outbound=dict(CRED_OBJ['outbound'], ani_override='+13125550100'))
    account(api, [obj], ovps=OVPS)
    api.add('PATCH', '/credential_connections/100', handler=echo(obj))
    entry = dict(CRED, webhook_url=None, outbound=dict(CRED['outbound'], caller_id_override=''))
    result = run(api, [entry])
    assert not result.get('failed'), result
    patch = [c for c in api.calls if c[0] == 'PATCH'][0][3]
    assert patch['webhook_event_url'] == '' and patch['outbound']['ani_override'] == ''
    assert by_name(result)['acme-cred']['changes'] == ['webhook_url', 'outbound.caller_id_override']
    cleared = dict(obj, webhook_event_url='', outbound=dict(obj['outbound'], ani_override=None))
    account(api, [cleared], ovps=OVPS)
    assert run(api, [entry])['changed'] is False

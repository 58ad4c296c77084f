# Copyright: contributors to byoc.carrier
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Errors of the emulator: schema validation, business rules, auth and unknown ids."""
from __future__ import annotations

import pytest

from telnyx_emulator.testing import error_sources

CRED = {'connection_name': 'acme-eu-prod-fra1', 'user_name': 'acmefra1', 'password': 'Secret-pass1'}

SCHEMA_CASES = [
    ('/credential_connections', dict(CRED, inbound={'dnis_number_format': 'test'}), '/inbound/dnis_number_format'),
    ('/credential_connections', dict(CRED, inbound={'timeout_1xx_secs': 121}), '/inbound/timeout_1xx_secs'),
    ('/credential_connections', dict(CRED, inbound={'timeout_2xx_secs': 0}), '/inbound/timeout_2xx_secs'),
    ('/credential_connections', dict(CRED, inbound={'codecs': 'G711U'}), '/inbound/codecs'),
    ('/credential_connections', dict(CRED, inbound={'codecs': ['G711U', 7]}), '/inbound/codecs/1'),
    ('/credential_connections', dict(CRED, active='yes'), '/active'),
    ('/credential_connections', dict(CRED, dtmf_type='RFC2833'), '/dtmf_type'),
    ('/credential_connections', dict(CRED, webhook_timeout_secs=31), '/webhook_timeout_secs'),
    ('/credential_connections', dict(CRED, webhook_event_url='example.com/hook'), '/webhook_event_url'),
    ('/credential_connections', dict(CRED, rtcp_settings={'port': 'rtp+2'}), '/rtcp_settings/port'),
    ('/credential_connections', dict(CRED, outbound={'ani_override_type': 'sometimes'}), '/outbound/ani_override_type'),
    ('/credential_connections', {'connection_name': 'x', 'user_name': 'abcd'}, '/password'),
    ('/ip_connections', {'encrypted_media': 'ZRTP'}, '/encrypted_media'),
    ('/ip_connections', {'outbound': {'ip_authentication_method': 'credential-authentication'}}, '/outbound/ip_authentication_method'),
    ('/fqdn_connections', {'connection_name': 'f', 'outbound': {'ip_authentication_method': 'token'}}, '/outbound/ip_authentication_method'),
    ('/fqdn_connections', {'inbound': {}}, '/connection_name'),
    ('/ips', {'port': 5060}, '/ip_address'),
    ('/fqdns', {'fqdn': 'a.example.com', 'dns_record_type': 'a'}, '/connection_id'),
    ('/outbound_voice_profiles', {'name': 'ab'}, '/name'),
    ('/outbound_voice_profiles', {'name': 'abc', 'service_plan': 'local'}, '/service_plan'),
]


def test_every_problem_is_reported_and_worded_like_telnyx(api):
    status, reply, _headers = api.call('POST', '/credential_connections', dict(CRED, inbound={'dnis_number_format': 'test'}, active='yes'))
    assert status == 422
    assert sorted(error_sources(reply)) == [('/active', '10015'), ('/inbound/dnis_number_format', '10015')]
    detail = [item['detail'] for item in reply['errors'] if item['source']['pointer'] == '/inbound/dnis_number_format'][0]
    assert detail == 'Invalid dnis_number_format: test, was provided. Acceptable values are +e164, e164, national, sip_username'


RULE_CASES = [
    ('/credential_connections', dict(CRED, user_name='abc'), '/user_name'),
    ('/credential_connections', dict(CRED, user_name='a' * 33), '/user_name'),
    ('/credential_connections', dict(CRED, user_name='acme_fra1'), '/user_name'),
    ('/credential_connections', dict(CRED, user_name='123456'), '/user_name'),
    ('/credential_connections', dict(CRED, password='short'), '/password'),
    ('/credential_connections', dict(CRED, password='p' * 129), '/password'),
    ('/credential_connections', dict(CRED, webhook_api_version='texml'), '/webhook_api_version'),
    ('/credential_connections', dict(CRED, outbound={'outbound_voice_profile_id': '1234'}), '/outbound/outbound_voice_profile_id'),
    ('/ip_connections', {'outbound': {'tech_prefix': '12345'}}, '/outbound/tech_prefix'),
    ('/ip_connections', {'outbound': {'tech_prefix': '12a4'}}, '/outbound/tech_prefix'),
    ('/ip_connections', {'transport_protocol': 'UDP', 'encrypted_media': 'SRTP'}, '/encrypted_media'),
    ('/ip_connections', {'encrypted_media': 'SRTP'}, '/encrypted_media'),
    ('/fqdn_connections', {'connection_name': 'f', 'transport_protocol': 'TCP', 'outbound': {'encrypted_media': 'SRTP'}}, '/outbound/encrypted_media'),
    # what Telnyx refuses although its spec types the field loosely (sources: emulator/README.md)
    ('/credential_connections', dict(CRED, inbound={'codecs': ['G711U', 'FOO']}), '/inbound/codecs/1'),
    ('/credential_connections', dict(CRED, outbound={'localization': 'USA'}), '/outbound/localization'),
    ('/credential_connections', dict(CRED, outbound={'localization': 'XX'}), '/outbound/localization'),
    ('/credential_connections', dict(CRED, outbound={'ani_override': 'not-a-number'}), '/outbound/ani_override'),
    ('/credential_connections', dict(CRED, inbound={'channel_limit': -1}), '/inbound/channel_limit'),
    ('/credential_connections', dict(CRED, outbound={'channel_limit': -5}), '/outbound/channel_limit'),
    ('/credential_connections', dict(CRED, connection_name=''), '/connection_name'),
    ('/credential_connections', dict(CRED, bridge_generate_comfort_noise_on_cn=None), '/bridge_generate_comfort_noise_on_cn'),
    ('/credential_connections', dict(CRED, bridge_generate_comfort_noise_on_cn='yes'), '/bridge_generate_comfort_noise_on_cn'),
    ('/ip_connections', {'connection_name': '  '}, '/connection_name'),
    ('/ip_connections', {'connection_name': 'tok', 'outbound': {'ip_authentication_method': 'token'}}, '/outbound/ip_authentication_token'),
    ('/ip_connections', {'connection_name': 'tok', 'outbound': {'ip_authentication_method': 'token', 'ip_authentication_token': ''}},
     '/outbound/ip_authentication_token'),
    ('/outbound_voice_profiles', {'name': 'ovp', 'whitelisted_destinations': ['US', 'XX']}, '/whitelisted_destinations/1'),
    ('/outbound_voice_profiles', {'name': 'ovp', 'daily_spend_limit': 'abc'}, '/daily_spend_limit'),
    ('/outbound_voice_profiles', {'name': 'ovp', 'daily_spend_limit': '-5'}, '/daily_spend_limit'),
    ('/outbound_voice_profiles', {'name': 'ovp', 'calling_window': {'start_time': '25:99', 'end_time': '18:00'}}, '/calling_window/start_time'),
    ('/outbound_voice_profiles', {'name': 'ovp', 'calling_window': {'start_time': '08:00', 'end_time': '8pm'}}, '/calling_window/end_time'),
    ('/outbound_voice_profiles', {'name': 'ovp', 'concurrent_call_limit': -1}, '/concurrent_call_limit'),
    ('/fqdn_connections', {'connection_name': 'f', 'inbound': {'default_primary_fqdn_id': '77'}}, '/inbound/default_primary_fqdn_id'),
    ('/ips', {'ip_address': '300.1.2.3'}, '/ip_address'),
    ('/ips', {'ip_address': 'sbc.example.com'}, '/ip_address'),
    ('/ips', {'ip_address': '192.0.2.1', 'port': 70000}, '/port'),
    ('/ips', {'ip_address': '192.0.2.1', 'connection_id': '999'}, '/connection_id'),
]


@pytest.mark.parametrize('path,body,pointer', SCHEMA_CASES + RULE_CASES)
def test_schema_and_rule_violations_are_422_with_pointer(api, path, body, pointer):
    status, reply, _headers = api.call('POST', path, body)
    assert status == 422, reply
    assert (pointer, '10015') in error_sources(reply)
    assert all(item['title'] and item['detail'] for item in reply['errors'])
    assert api.stats()['by_method'] == {'POST': 1}
    # nothing was created
    listed = api.call('GET', path)[1]
    assert listed['meta']['total_results'] == 0


def test_rules_on_patch_see_the_merged_object(api):
    conn = api.create('/ip_connections', {'connection_name': 'udp', 'transport_protocol': 'UDP'})
    status, reply, _headers = api.call('PATCH', '/ip_connections/' + conn['id'], {'encrypted_media': 'SRTP'})
    assert status == 422 and error_sources(reply) == [('/encrypted_media', '10015')]
    assert api.call('PATCH', '/ip_connections/' + conn['id'], {'encrypted_media': 'SRTP', 'transport_protocol': 'TLS'})[0] == 200
    status, reply, _headers = api.call('PATCH', '/ip_connections/' + conn['id'], {'transport_protocol': 'UDP'})
    assert status == 422 and error_sources(reply) == [('/encrypted_media', '10015')]
    assert api.call('PATCH', '/ip_connections/' + conn['id'], {'encrypted_media': None})[1]['data']['encrypted_media'] is None


def test_default_ip_must_belong_to_the_connection(api):
    mine = api.create('/ip_connections', {'connection_name': 'mine'})
    other = api.create('/ip_connections', {'connection_name': 'other'})
    foreign = api.create('/ips', {'ip_address': '192.0.2.20', 'connection_id': other['id']})
    status, reply, _headers = api.call('PATCH', '/ip_connections/' + mine['id'], {'inbound': {'default_primary_ip_id': foreign['id']}})
    assert status == 422 and error_sources(reply) == [('/inbound/default_primary_ip_id', '10015')]
    assert api.call('PATCH', '/ip_connections/' + mine['id'], {'inbound': {'default_primary_ip_id': 'nope'}})[0] == 422


def test_user_names_are_unique(api):
    first = api.create('/credential_connections', CRED)
    status, reply, _headers = api.call('POST', '/credential_connections', dict(CRED, connection_name='second'))
    assert status == 422 and error_sources(reply) == [('/user_name', '10015')]
    assert api.call('PATCH', '/credential_connections/' + first['id'], {'user_name': 'acmefra1'})[0] == 200


def test_patch_checks_its_own_schema(api):
    ovp = api.create('/outbound_voice_profiles', {'name': 'needs-name'}, status=200)
    # the spec marks name as required on update too
    status, reply, _headers = api.call('PATCH', '/outbound_voice_profiles/' + ovp['id'], {'enabled': False})
    assert status == 422 and error_sources(reply) == [('/name', '10015')]
    ip = api.create('/ips', {'ip_address': '192.0.2.30'})
    assert api.call('PATCH', '/ips/' + ip['id'], {'port': 5070})[0] == 422
    fqdn_conn = api.create('/fqdn_connections', {'connection_name': 'fq'})
    # microsoft_teams_sbc is create-only: an update ignores it, as it ignores any field its schema does not list
    status, reply, _headers = api.call('PATCH', '/fqdn_connections/' + fqdn_conn['id'], {'microsoft_teams_sbc': True})
    assert status == 200 and reply['data']['microsoft_teams_sbc'] is False


def test_unknown_fields_are_ignored_not_stored_and_listed_in_stats(api):
    """Telnyx's spec leaves objects open and Telnyx takes fields it does not know: they are dropped, not refused."""
    conn = api.create('/credential_connections', dict(CRED, bogus=1, inbound={'codecs': ['G711U'], 'unknown_knob': True}))
    assert 'bogus' not in conn and 'unknown_knob' not in conn['inbound'] and conn['inbound']['codecs'] == ['G711U']
    fqdn = api.create('/fqdn_connections', {'connection_name': 'f', 'user_name': 'acme1', 'password': 'secret-pass'})
    assert fqdn['user_name'] is None and fqdn['password'] is None
    api.call('PATCH', '/fqdn_connections/' + fqdn['id'], {'transport_protocol': 'TCP', 'nonsense': 1})
    ignored = api.call('GET', api.root + '/_emulator/ignored', headers={})[1]
    assert ignored == {'POST /credential_connections': ['/bogus', '/inbound/unknown_knob'], 'POST /fqdn_connections': ['/user_name', '/password'],
                       'PATCH /fqdn_connections/{id}': ['/nonsense']}
    api.reset()
    assert api.call('GET', api.root + '/_emulator/ignored', headers={})[1] == {}


def test_the_current_sdk_fields_are_taken_stored_and_returned(api):
    """Newer than the spec (Telnyx's Python SDK): bridge_generate_comfort_noise_on_cn (create, update), conversation_persistence (update)."""
    conn = api.create('/ip_connections', {'connection_name': 'sdk', 'bridge_generate_comfort_noise_on_cn': True})
    assert conn['bridge_generate_comfort_noise_on_cn'] is True and conn['conversation_persistence'] is False
    reply = api.call('PATCH', '/ip_connections/' + conn['id'], {'conversation_persistence': True, 'bridge_generate_comfort_noise_on_cn': False})[1]
    assert reply['data']['conversation_persistence'] is True and reply['data']['bridge_generate_comfort_noise_on_cn'] is False
    assert api.call('GET', '/ip_connections/' + conn['id'])[1]['data']['conversation_persistence'] is True
    assert api.call('GET', api.root + '/_emulator/ignored', headers={})[1] == {}


def test_uniqueness_rules_across_connections(api):
    """User names (whatever their case), SIP subdomains and IP addresses belong to one connection each."""
    api.create('/credential_connections', CRED)
    status, reply, _headers = api.call('POST', '/credential_connections', dict(CRED, connection_name='other', user_name='ACMEfra1'))
    assert status == 422 and error_sources(reply) == [('/user_name', '10015')] and 'already been taken' in reply['errors'][0]['detail']
    one = api.create('/ip_connections', {'connection_name': 'one', 'inbound': {'sip_subdomain': 'acme-sbc'}})
    status, reply, _headers = api.call('POST', '/fqdn_connections', {'connection_name': 'two', 'inbound': {'sip_subdomain': 'ACME-sbc'}})
    assert status == 422 and error_sources(reply) == [('/inbound/sip_subdomain', '10015')]
    two = api.create('/ip_connections', {'connection_name': 'two'})
    status, reply, _headers = api.call('PATCH', '/ip_connections/' + two['id'], {'inbound': {'sip_subdomain': 'acme-sbc'}})
    assert status == 422 and error_sources(reply) == [('/inbound/sip_subdomain', '10015')]
    assert api.call('PATCH', '/ip_connections/' + one['id'], {'inbound': {'sip_subdomain': 'acme-sbc'}})[0] == 200
    api.create('/ips', {'ip_address': '192.0.2.40', 'connection_id': one['id']})
    api.create('/ips', {'ip_address': '192.0.2.40', 'port': 5080, 'connection_id': one['id']})
    status, reply, _headers = api.call('POST', '/ips', {'ip_address': '192.0.2.40', 'connection_id': two['id']})
    assert status == 422 and error_sources(reply) == [('/ip_address', '10015')]
    assert reply['errors'][0]['detail'] == 'ip_address 192.0.2.40 is already in use by another connection.'


def test_what_the_collection_sends_to_clear_a_field_is_taken(api):
    """Empty strings clear localization, ani_override, tech_prefix and the token (no token with token authentication)."""
    outbound = {'localization': 'DE', 'ani_override': '+4930123456', 'tech_prefix': '1234'}
    conn = api.create('/ip_connections', {'connection_name': 'clear', 'outbound': outbound})
    reply = api.call('PATCH', '/ip_connections/' + conn['id'], {'outbound': {'localization': '', 'ani_override': '', 'tech_prefix': '',
                                                                             'ip_authentication_token': ''}})
    assert reply[0] == 200, reply
    ovp = api.create('/outbound_voice_profiles', {'name': 'good', 'whitelisted_destinations': ['US', 'DE'], 'daily_spend_limit': '100.50',
                                                  'calling_window': {'start_time': '08:00', 'end_time': '23:59'}, 'concurrent_call_limit': 0},
                     status=200)
    assert ovp['daily_spend_limit'] == '100.50'


def test_non_json_content_type_is_415_and_405_names_the_allowed_methods(api):
    headers = dict(api.headers, **{'Content-Type': 'text/plain'})
    status, reply, _headers = api.call('POST', '/ip_connections', {'connection_name': 'plain'}, headers=headers)
    assert status == 415 and reply['errors'][0]['title'] == 'Unsupported Media Type' and 'text/plain' in reply['errors'][0]['detail']
    assert api.call('GET', '/ip_connections')[1]['meta']['total_results'] == 0
    charset = dict(api.headers, **{'Content-Type': 'application/json; charset=utf-8'})
    assert api.call('POST', '/ip_connections', {'connection_name': 'json'}, headers=charset)[0] == 201
    status, reply, headers = api.call('PUT', '/ip_connections', {'connection_name': 'put'})
    assert status == 405 and headers['allow'] == 'GET, POST'
    status, reply, headers = api.call('POST', '/ips/1', {'ip_address': '192.0.2.1'})
    assert status == 405 and headers['allow'] == 'GET, PATCH, DELETE'


def test_body_must_be_a_json_object(api):
    status, reply, _headers = api.call('POST', '/ip_connections', ['not', 'an', 'object'])
    assert status == 422 and reply['errors'][0]['code'] == '10015'
    status, reply, _headers = api.call('POST', '/ip_connections', None, headers=dict(api.headers))
    assert status == 422


@pytest.mark.parametrize('header', [None, 'Bearer', 'Bearer wrong-key', 'Basic %s' % 'emulator-test-key', 'emulator-test-key'])
def test_missing_or_bad_bearer_is_401(api, header):
    headers = {'Content-Type': 'application/json'}
    if header is not None:
        headers['Authorization'] = header
    status, reply, _headers = api.call('GET', '/ip_connections', headers=headers)
    assert status == 401 and reply['errors'][0]['code'] == '10009' and reply['errors'][0]['title'] == 'Authentication failed'
    assert api.call('POST', '/ip_connections', {'connection_name': 'x'}, headers=headers)[0] == 401
    assert api.call('GET', '/ip_connections')[1]['meta']['total_results'] == 0


@pytest.mark.parametrize('path', ['/credential_connections/1', '/ip_connections/1', '/fqdn_connections/1', '/ips/1', '/fqdns/1',
                                  '/outbound_voice_profiles/1', '/connections/1', '/phone_numbers/1'])
def test_unknown_id_is_404(api, path):
    status, reply, _headers = api.call('GET', path)
    assert status == 404 and reply['errors'][0]['code'] == '10005'


def test_unknown_route_is_404_and_counted(api):
    assert api.call('GET', '/no_such_thing')[0] == 404
    assert api.stats()['by_route'] == {'GET /v2/{unknown}': 1}


def test_srtp_with_tls_is_accepted_on_ip_and_fqdn(api):
    api.create('/ip_connections', {'connection_name': 'tls-ip', 'transport_protocol': 'TLS', 'encrypted_media': 'SRTP'})
    fqdn = api.create('/fqdn_connections', {'connection_name': 'tls-fqdn', 'transport_protocol': 'TLS', 'encrypted_media': 'SRTP',
                                            'outbound': {'encrypted_media': 'SRTP'}})
    assert fqdn['encrypted_media'] == 'SRTP' and fqdn['outbound']['encrypted_media'] == 'SRTP'


def test_fqdn_authentication_credentials(api):
    conn = api.create('/fqdn_connections', {'connection_name': 'fq'})
    path = '/fqdn_connections/%s/fqdn_authentication' % conn['id']
    status, reply, _headers = api.call('GET', path)
    assert status == 200 and reply['data']['fqdn_outbound_authentication'] == 'ip-authentication'
    status, reply, _headers = api.call('PATCH', path, {'fqdn_outbound_authentication': 'credential-authentication', 'user_name': '12345abc',
                                                       'password': 'secret-pass'})
    assert status == 422 and error_sources(reply) == [('/user_name', '10015')]
    status, reply, _headers = api.call('PATCH', path, {'fqdn_outbound_authentication': 'credential-authentication', 'user_name': 'acme1',
                                                       'password': 'secret-pass'})
    assert status == 200 and reply['data']['user_name'] == 'acme1' and reply['data']['password'] == 'secret-pass'
    assert api.call('GET', path)[1]['data']['password'] == 'secret-pass'
    status, reply, _headers = api.call('PATCH', path, {'fqdn_outbound_authentication': 'ip-authentication', 'ip_authentication_method': 'p-charge-info'})
    assert status == 200 and reply['data']['ip_authentication_method'] == 'p-charge-info'
    assert api.call('PATCH', path, {'ip_authentication_method': 'tech-prefix'})[0] == 422
    assert api.call('PATCH', path, {'nonsense': 1})[0] == 422
    assert api.call('GET', '/fqdn_connections/999/fqdn_authentication')[0] == 404


def test_masked_passwords_mode(api):
    api.call('POST', api.root + '/_emulator/config', {'mask_passwords': True})
    try:
        created = api.create('/credential_connections', CRED)
        assert created['password'] == CRED['password'], 'the create reply shows it'
        path = '/credential_connections/' + created['id']
        assert api.call('GET', path)[1]['data']['password'] == '********'
        assert api.call('GET', '/credential_connections')[1]['data'][0]['password'] == '********'
        assert api.call('PATCH', path, {'active': False})[1]['data']['password'] == '********'
        assert api.call('PATCH', path, {'password': 'another-pass'})[1]['data']['password'] == 'another-pass'
        status, reply, _headers = api.call('PATCH', path, {'password': '********'})
        assert status == 422 and error_sources(reply) == [('/password', '10015')]
        fqdn = api.create('/fqdn_connections', {'connection_name': 'fq'})
        auth = '/fqdn_connections/%s/fqdn_authentication' % fqdn['id']
        body = {'fqdn_outbound_authentication': 'credential-authentication', 'user_name': 'acme2', 'password': 'secret-pass'}
        assert api.call('PATCH', auth, body)[1]['data']['password'] == 'secret-pass'
        assert api.call('GET', auth)[1]['data']['password'] == '********'
    finally:
        api.call('POST', api.root + '/_emulator/config', {'mask_passwords': False})
    assert api.call('GET', '/credential_connections/' + created['id'])[1]['data']['password'] == 'another-pass'


def test_an_ip_authentication_token_is_taken_once_across_connections(api):
    """Telnyx's IP authentication token guide: "globally unique across all Telnyx connections"."""
    token = {'outbound': {'ip_authentication_method': 'token', 'ip_authentication_token': 'tok-unique-0001'}}
    first = api.create('/ip_connections', dict(token, connection_name='token-a'))
    for path, body in (('/ip_connections', token), ('/fqdn_connections', {'outbound': {'ip_authentication_token': 'tok-unique-0001'}})):
        status, reply, _headers = api.call('POST', path, dict(body, connection_name='token-b'))
        assert status == 422 and reply['errors'][0]['source'] == {'pointer': '/outbound/ip_authentication_token'}
        assert reply['errors'][0]['detail'] == 'ip_authentication_token has already been taken.'
    assert api.call('PATCH', '/ip_connections/' + first['id'], token)[0] == 200  # its own token again


def test_a_jitter_buffer_minimum_above_its_maximum_is_refused(api):
    """Telnyx's jitter buffer guide: the API rejects a minimum greater than the maximum (one left out: its default)."""
    status, reply, _headers = api.call('POST', '/ip_connections', {'connection_name': 'jb', 'jitter_buffer': {'jitterbuffer_msec_min': 300}})
    assert status == 422 and reply['errors'][0]['detail'] == 'jitterbuffer_msec_min cannot exceed jitterbuffer_msec_max (300 > 200).'
    conn = api.create('/ip_connections', {'connection_name': 'jb', 'jitter_buffer': {'jitterbuffer_msec_min': 300, 'jitterbuffer_msec_max': 400}})
    status, reply, _headers = api.call('PATCH', '/ip_connections/' + conn['id'], {'jitter_buffer': {'jitterbuffer_msec_max': 250}})
    assert status == 422 and reply['errors'][0]['source'] == {'pointer': '/jitter_buffer/jitterbuffer_msec_min'}

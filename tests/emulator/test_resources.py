# Copyright: contributors to byoc.carrier
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Resources of the emulator: envelopes, status codes, defaults per kind, PATCH merge, deletes."""
from __future__ import annotations

import re

import pytest

CRED = {'connection_name': 'acme-eu-prod-fra1', 'user_name': 'acmefra1', 'password': 'Secret-pass1'}
STAMP = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$')


def test_create_get_patch_delete_credential_connection(api):
    created = api.create('/credential_connections', CRED)
    assert re.match(r'^[1-9][0-9]{18}$', created['id']) and int(created['id']) < 2 ** 63
    assert created['record_type'] == 'credential_connection'
    assert STAMP.match(created['created_at']) and created['created_at'] == created['updated_at']
    assert created['password'] == 'Secret-pass1' and created['user_name'] == 'acmefra1'

    status, reply, _headers = api.call('GET', '/credential_connections/' + created['id'])
    assert status == 200 and reply == {'data': created}

    status, reply, _headers = api.call('PATCH', '/credential_connections/' + created['id'], {'active': False, 'inbound': {'codecs': ['G711U']}})
    assert status == 200
    assert reply['data']['active'] is False and reply['data']['inbound']['codecs'] == ['G711U']
    assert reply['data']['updated_at'] >= created['updated_at'] and reply['data']['created_at'] == created['created_at']

    status, reply, _headers = api.call('DELETE', '/credential_connections/' + created['id'])
    assert status == 200 and reply['data']['id'] == created['id'] and reply['data']['active'] is False
    status, reply, _headers = api.call('GET', '/credential_connections/' + created['id'])
    assert status == 404 and reply['errors'][0]['code'] == '10005'
    assert api.call('DELETE', '/credential_connections/' + created['id'])[0] == 404


# (field path, credential, ip, fqdn) as the notes give them; None = absent from the object
KIND_DEFAULTS = [
    ('default_on_hold_comfort_noise_enabled', False, True, True),
    ('outbound/t38_reinvite_source', 'telnyx', 'customer', 'customer'),
    ('outbound/instant_ringback_enabled', True, True, False),
    ('outbound/localization', 'US', None, 'US'),
    # IP: the create schema gives none, the connection schema and the BYOC guide ("default is Sequential") do
    ('inbound/default_routing_method', None, 'sequential', 'sequential'),
    # credentials: no default in the spec; the guide's Inbound tab: "default is disabled"
    ('sip_uri_calling_preference', 'disabled', None, None),
    ('inbound/sip_subdomain_receive_settings', None, None, 'from_anyone'),
    ('outbound/ip_authentication_method', None, 'tech-prefixp-charge-info', 'ip-authentication'),
    ('transport_protocol', None, 'UDP', 'UDP'),
    ('inbound/sip_compact_headers_enabled', True, True, True),
    ('inbound/timeout_1xx_secs', 3, 3, 3),
    ('inbound/timeout_2xx_secs', 90, 90, 90),
    ('inbound/dnis_number_format', 'e164', 'e164', 'e164'),
    ('inbound/ani_number_format', 'E.164-national', 'E.164-national', 'E.164-national'),
    ('inbound/codecs', ['G722', 'G711U', 'G711A', 'G729', 'OPUS', 'H.264'], ['G722', 'G711U', 'G711A', 'G729', 'OPUS', 'H.264'],
     ['G722', 'G711U', 'G711A', 'G729', 'OPUS', 'H.264']),
    ('dtmf_type', 'RFC 2833', 'RFC 2833', 'RFC 2833'),
    ('anchorsite_override', 'Latency', 'Latency', 'Latency'),
    ('webhook_api_version', '1', '1', '1'),
    ('encrypted_media', None, None, None),
    ('active', True, True, True),
    ('rtcp_settings', {'port': 'rtp+1', 'report_frequency_secs': 5, 'capture_enabled': False},
     {'port': 'rtp+1', 'report_frequency_secs': 5, 'capture_enabled': False}, {'port': 'rtp+1', 'report_frequency_secs': 5, 'capture_enabled': False}),
    ('inbound/simultaneous_ringing', 'disabled', None, None),
    ('outbound/timeout_2xx_secs', None, None, 90),
    ('record_type', 'credential_connection', 'ip_connection', 'fqdn_connection'),
]


def dig(obj, path):
    for part in path.split('/'):
        if not isinstance(obj, dict) or part not in obj:
            return None
        obj = obj[part]
    return obj


@pytest.mark.parametrize('path,cred,ip,fqdn', KIND_DEFAULTS)
def test_defaults_differ_per_kind(api, path, cred, ip, fqdn):
    objects = [api.create('/credential_connections', CRED), api.create('/ip_connections', {'connection_name': 'ip-one'}),
               api.create('/fqdn_connections', {'connection_name': 'fqdn-one'})]
    assert [dig(obj, path) for obj in objects] == [cred, ip, fqdn]


def test_patch_merges_nested_objects(api):
    conn = api.create('/ip_connections', {'connection_name': 'merge-me', 'inbound': {'sip_region': 'Europe', 'timeout_1xx_secs': 10},
                                          'rtcp_settings': {'port': 'rtcp-mux'}})
    patch = {'inbound': {'timeout_2xx_secs': 60}, 'rtcp_settings': {'capture_enabled': True}}
    status, reply, _headers = api.call('PATCH', '/ip_connections/' + conn['id'], patch)
    assert status == 200
    inbound, rtcp = reply['data']['inbound'], reply['data']['rtcp_settings']
    assert (inbound['sip_region'], inbound['timeout_1xx_secs'], inbound['timeout_2xx_secs']) == ('Europe', 10, 60)
    assert rtcp == {'port': 'rtcp-mux', 'capture_enabled': True, 'report_frequency_secs': 5}
    assert reply['data']['inbound']['codecs'] == ['G722', 'G711U', 'G711A', 'G729', 'OPUS', 'H.264']
    status, reply, _headers = api.call('PATCH', '/ip_connections/' + conn['id'], {'tags': ['a'], 'inbound': {'codecs': ['G711A']}})
    assert reply['data']['tags'] == ['a'] and reply['data']['inbound']['codecs'] == ['G711A'] and reply['data']['inbound']['sip_region'] == 'Europe'


def test_ips_and_default_ip_ids(api):
    conn = api.create('/ip_connections', {'connection_name': 'ip-trunk'})
    first = api.create('/ips', {'ip_address': '192.0.2.10', 'connection_id': conn['id']})
    second = api.create('/ips', {'ip_address': '192.0.2.11', 'port': 5080, 'connection_id': conn['id']})
    assert first['record_type'] == 'ip' and first['port'] == 5060 and second['port'] == 5080
    status, reply, _headers = api.call('PATCH', '/ip_connections/' + conn['id'],
                                       {'inbound': {'default_primary_ip_id': second['id'], 'default_secondary_ip_id': first['id']}})
    assert status == 200 and reply['data']['inbound']['default_primary_ip_id'] == second['id']
    status, reply, _headers = api.call('PATCH', '/ips/' + first['id'], {'ip_address': '192.0.2.12', 'port': 5062})
    assert status == 200 and (reply['data']['ip_address'], reply['data']['port']) == ('192.0.2.12', 5062)
    # deleting an IP clears the connection's reference to it
    assert api.call('DELETE', '/ips/' + second['id'])[0] == 200
    conn = api.call('GET', '/ip_connections/' + conn['id'])[1]['data']
    assert conn['inbound']['default_primary_ip_id'] is None and conn['inbound']['default_secondary_ip_id'] == first['id']


def test_fqdns(api):
    conn = api.create('/fqdn_connections', {'connection_name': 'fqdn-trunk', 'inbound': {'default_routing_method': 'round-robin'}})
    a_record = api.create('/fqdns', {'connection_id': conn['id'], 'fqdn': 'sbc1.example.com', 'dns_record_type': 'a'})
    srv = api.create('/fqdns', {'connection_id': conn['id'], 'fqdn': 'example.com', 'dns_record_type': 'srv'})
    assert a_record['port'] == 5060 and a_record['record_type'] == 'fqdn' and srv['port'] is None
    status, reply, _headers = api.call('PATCH', '/fqdn_connections/' + conn['id'], {'inbound': {'default_primary_fqdn_id': a_record['id']}})
    assert status == 200 and reply['data']['inbound']['default_primary_fqdn_id'] == a_record['id']
    assert reply['data']['inbound']['default_routing_method'] == 'round-robin'
    status, reply, _headers = api.call('PATCH', '/fqdns/' + a_record['id'], {'port': 5070})
    assert status == 200 and reply['data']['port'] == 5070 and reply['data']['fqdn'] == 'sbc1.example.com'
    api.call('DELETE', '/fqdns/' + a_record['id'])
    assert api.call('GET', '/fqdn_connections/' + conn['id'])[1]['data']['inbound']['default_primary_fqdn_id'] is None


def test_deleting_a_connection_deletes_its_addresses_and_unassigns_numbers(api):
    conn = api.create('/ip_connections', {'connection_name': 'doomed'})
    ip = api.create('/ips', {'ip_address': '198.51.100.7', 'connection_id': conn['id']})
    number = api.call('GET', '/phone_numbers?filter[phone_number]=%2B4930123456&page[size]=250')[1]['data']
    number = [item for item in number if item['phone_number'] == '+4930123456'][0]
    assert api.call('PATCH', '/phone_numbers/' + number['id'], {'connection_id': conn['id']})[1]['data']['connection_name'] == 'doomed'
    assert api.call('DELETE', '/ip_connections/' + conn['id'])[0] == 200
    assert api.call('GET', '/ips/' + ip['id'])[0] == 404
    assert api.call('GET', '/phone_numbers/' + number['id'])[1]['data']['connection_id'] is None


def test_outbound_voice_profiles(api):
    ovp = api.create('/outbound_voice_profiles', {'name': 'acme-eu'}, status=200)
    assert ovp['record_type'] == 'outbound_voice_profile' and ovp['connections_count'] == 0
    assert (ovp['enabled'], ovp['whitelisted_destinations'], ovp['service_plan'], ovp['traffic_type']) == (True, ['US', 'CA'], 'global', 'conversational')
    conn = api.create('/credential_connections', dict(CRED, outbound={'outbound_voice_profile_id': ovp['id']}))
    assert conn['outbound']['outbound_voice_profile_id'] == ovp['id']
    assert api.call('GET', '/outbound_voice_profiles/' + ovp['id'])[1]['data']['connections_count'] == 1
    status, reply, _headers = api.call('PATCH', '/outbound_voice_profiles/' + ovp['id'], {'name': 'acme-eu', 'concurrent_call_limit': 10})
    assert status == 200 and reply['data']['concurrent_call_limit'] == 10
    # in use: refused; once the connection is gone: deleted
    status, reply, _headers = api.call('DELETE', '/outbound_voice_profiles/' + ovp['id'])
    assert status == 422 and conn['id'] in reply['errors'][0]['detail']
    api.call('DELETE', '/credential_connections/' + conn['id'])
    assert api.call('DELETE', '/outbound_voice_profiles/' + ovp['id'])[0] == 200
    assert api.call('GET', '/outbound_voice_profiles/' + ovp['id'])[0] == 404


def test_connections_is_a_read_only_view_of_every_kind(api):
    ovp = api.create('/outbound_voice_profiles', {'name': 'view-ovp'}, status=200)
    made = [api.create('/credential_connections', dict(CRED, outbound={'outbound_voice_profile_id': ovp['id']})),
            api.create('/ip_connections', {'connection_name': 'view-ip'}), api.create('/fqdn_connections', {'connection_name': 'view-fqdn'})]
    status, reply, _headers = api.call('GET', '/connections')
    assert status == 200 and [item['id'] for item in reply['data']] == [item['id'] for item in reversed(made)]
    assert [item['record_type'] for item in reply['data']] == ['fqdn_connection', 'ip_connection', 'credential_connection']
    assert reply['data'][2]['outbound_voice_profile_id'] == ovp['id'] and 'password' not in reply['data'][2]
    assert reply['data'][0]['outbound_voice_profile_id'] is None
    assert api.call('GET', '/connections/' + made[1]['id'])[1]['data']['connection_name'] == 'view-ip'
    assert api.call('GET', '/connections/123')[0] == 404
    assert api.call('POST', '/connections', {'connection_name': 'no'})[0] == 405
    assert api.call('DELETE', '/connections/' + made[1]['id'])[0] == 405


def test_registration_status(api):
    conn = api.create('/credential_connections', CRED)
    status, reply, _headers = api.call('POST', '/credential_connections/%s/actions/check_registration_status' % conn['id'])
    assert status == 200 and reply['data']['record_type'] == 'registration_status' and reply['data']['sip_username'] == 'acmefra1'
    assert reply['data']['status'] == 'Not Registered'
    assert api.call('POST', '/credential_connections/1/actions/check_registration_status')[0] == 404


def test_phone_numbers_seed_assign_unassign_and_delete(api):
    status, reply, _headers = api.call('GET', '/phone_numbers?page[size]=250')
    assert status == 200 and reply['meta']['total_results'] >= 24
    countries = set(item['country_iso_alpha2'] for item in reply['data'])
    assert {'US', 'GB', 'DE', 'FR'} <= countries
    number = reply['data'][0]
    conn = api.create('/credential_connections', CRED)
    status, reply, _headers = api.call('PATCH', '/phone_numbers/' + number['id'], {'connection_id': conn['id'], 'tags': ['byoc']})
    assert status == 200 and reply['data']['connection_id'] == conn['id'] and reply['data']['connection_name'] == CRED['connection_name']
    listed = api.call('GET', '/phone_numbers?filter[connection_id]=' + conn['id'])[1]
    assert [item['id'] for item in listed['data']] == [number['id']]
    status, reply, _headers = api.call('PATCH', '/phone_numbers/' + number['id'], {'connection_id': ''})
    assert status == 200 and reply['data']['connection_id'] is None and reply['data']['tags'] == ['byoc']
    assert api.call('PATCH', '/phone_numbers/' + number['id'], {'connection_id': '42'})[0] == 422
    status, reply, _headers = api.call('DELETE', '/phone_numbers/' + number['id'])
    assert status == 200 and reply['data']['phone_number'] == number['phone_number']
    assert api.call('GET', '/phone_numbers/' + number['id'])[0] == 404
    # a reset restores the number seed
    api.reset()
    assert api.call('GET', '/phone_numbers/' + number['id'])[0] == 200


def test_bulk_number_job(api):
    conn = api.create('/ip_connections', {'connection_name': 'bulk'})
    status, reply, _headers = api.call('POST', '/phone_numbers/jobs/update_phone_numbers',
                                       {'phone_numbers': ['+4930123456', '+33199001100'], 'connection_id': conn['id']})
    assert status == 202 and reply['data']['status'] == 'completed' and len(reply['data']['successful_operations']) == 2
    listed = api.call('GET', '/phone_numbers?filter[connection_id]=' + conn['id'])[1]['data']
    assert sorted(item['phone_number'] for item in listed) == ['+33199001100', '+4930123456']
    status, reply, _headers = api.call('POST', '/phone_numbers/jobs/update_phone_numbers', {'phone_numbers': ['+19999999999']})
    assert status == 422 and reply['errors'][0]['source']['pointer'] == '/phone_numbers'


def test_a_deleted_ip_cannot_be_named_again(api):
    conn = api.create('/ip_connections', {'connection_name': 'ip-stale'})
    first = api.create('/ips', {'ip_address': '192.0.2.20', 'connection_id': conn['id']})
    second = api.create('/ips', {'ip_address': '192.0.2.21', 'connection_id': conn['id']})
    inbound = {'default_primary_ip_id': first['id'], 'default_secondary_ip_id': second['id']}
    assert api.call('PATCH', '/ip_connections/' + conn['id'], {'inbound': inbound})[0] == 200
    assert api.call('DELETE', '/ips/' + second['id'])[0] == 200
    assert api.call('GET', '/ip_connections/' + conn['id'])[1]['data']['inbound']['default_secondary_ip_id'] is None
    status, reply, _headers = api.call('PATCH', '/ip_connections/' + conn['id'], {'inbound': inbound})
    assert status == 422 and reply['errors'][0]['source']['pointer'] == '/inbound/default_secondary_ip_id'


@pytest.mark.parametrize('path,body', [('/credential_connections', CRED), ('/ip_connections', {'connection_name': 'echo-ip'}),
                                       ('/fqdn_connections', {'connection_name': 'echo-fqdn'})])
def test_what_a_client_reads_it_can_send_back(api, path, body):
    """Replies carry nulls for unset fields; a client that PATCHes the sub-objects it read (as the collection does) is not refused."""
    conn = api.create(path, body)
    assert None in conn['inbound'].values() and None in conn['outbound'].values()
    echo = dict((key, conn[key]) for key in ('inbound', 'outbound', 'rtcp_settings', 'webhook_event_url', 'tags'))
    status, reply, _headers = api.call('PATCH', path + '/' + conn['id'], echo)
    assert status == 200, reply
    assert reply['data']['inbound'] == conn['inbound'] and reply['data']['outbound'] == conn['outbound']
    ovp = api.create('/outbound_voice_profiles', {'name': 'echo-ovp'}, status=200)
    echo = {'name': 'echo-ovp', 'call_recording': ovp['call_recording'], 'calling_window': ovp['calling_window']}
    status, reply, _headers = api.call('PATCH', '/outbound_voice_profiles/' + ovp['id'], echo)
    assert status == 200 and reply['data']['call_recording'] == ovp['call_recording']

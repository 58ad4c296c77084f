# Copyright: contributors to byoc.carrier
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every reply of the emulator in a broad scenario validates against Telnyx's spec for its path and status."""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys

import pytest
import requests

from telnyx_emulator.testing import running_emulator

_LOADER = importlib.util.spec_from_file_location('byoc_contract_spec', os.path.join(os.path.dirname(os.path.abspath(__file__)), 'spec.py'))
spec = importlib.util.module_from_spec(_LOADER)
_LOADER.loader.exec_module(spec)

if spec.spec_path() is None:
    pytest.fail(spec.MISSING, pytrace=False)  # never a skip: a run without the spec is not green

CRED = {'connection_name': 'contract-cred', 'user_name': 'contract1', 'password': 'Secret-pass1',
        'inbound': {'codecs': ['G711U', 'G711A'], 'timeout_2xx_secs': 60}, 'outbound': {'localization': 'DE'}}


class Checked:
    """Calls an emulator, checking each request body (when meant to be valid) and each reply against the spec."""

    def __init__(self, emu):
        self.emu = emu
        self.seen = set()

    def __call__(self, method, path, body=None, valid_request=True, headers=None):
        if valid_request:
            spec.validate_request(method, path, body)
        status, reply, _headers = self.emu.call(method, path, body, headers=headers)
        template, declared = spec.validate_response(method, path, status, reply, strict=True)
        self.seen.add((method, template, status, declared))
        return status, reply

    def ok(self, method, path, body=None):
        status, reply = self(method, path, body)
        assert status < 300, reply
        return reply['data']


@pytest.fixture
def checked():
    with running_emulator() as emu:
        yield Checked(emu)


def life_cycle_of_every_resource(checked):
    ok = checked.ok
    ovp = ok('POST', '/outbound_voice_profiles', {'name': 'contract-ovp', 'whitelisted_destinations': ['US', 'DE']})
    cred = ok('POST', '/credential_connections', dict(CRED, outbound={'outbound_voice_profile_id': ovp['id'], 'localization': 'DE'}))
    ip_conn = ok('POST', '/ip_connections', {'connection_name': 'contract-ip', 'transport_protocol': 'TCP', 'tags': ['byoc'],
                                             'outbound': {'ip_authentication_method': 'token', 'ip_authentication_token': 'tok-123'}})
    fqdn_conn = ok('POST', '/fqdn_connections', {'connection_name': 'contract-fqdn', 'encrypted_media': 'SRTP', 'transport_protocol': 'TLS'})
    ip = ok('POST', '/ips', {'ip_address': '192.0.2.50', 'port': 5060, 'connection_id': ip_conn['id']})
    fqdn = ok('POST', '/fqdns', {'connection_id': fqdn_conn['id'], 'fqdn': 'sbc.example.com', 'dns_record_type': 'a', 'port': 5060})
    srv = ok('POST', '/fqdns', {'connection_id': fqdn_conn['id'], 'fqdn': 'example.com', 'dns_record_type': 'srv'})

    for path in ('/credential_connections', '/ip_connections', '/fqdn_connections', '/ips', '/fqdns', '/outbound_voice_profiles',
                 '/connections', '/phone_numbers', '/connections?filter[connection_name][contains]=contract&sort=-connection_name',
                 '/ips?filter[connection_id]=' + ip_conn['id'], '/fqdns?filter[fqdn]=sbc.example.com',
                 '/outbound_voice_profiles?filter[name][contains]=contract', '/phone_numbers?filter[phone_number]=%2B4930123456&page[size]=5'):
        ok('GET', path)
    for path in ('/credential_connections/' + cred['id'], '/ip_connections/' + ip_conn['id'], '/fqdn_connections/' + fqdn_conn['id'],
                 '/ips/' + ip['id'], '/fqdns/' + fqdn['id'], '/outbound_voice_profiles/' + ovp['id'], '/connections/' + cred['id'],
                 '/connections/' + fqdn_conn['id']):
        ok('GET', path)
    ok('POST', '/credential_connections/%s/actions/check_registration_status' % cred['id'])

    ok('PATCH', '/credential_connections/' + cred['id'], {'inbound': {'dnis_number_format': '+e164'}, 'password': 'Other-pass2'})
    ok('PATCH', '/ip_connections/' + ip_conn['id'], {'inbound': {'default_primary_ip_id': ip['id'], 'sip_region': 'Europe'},
                                                     'rtcp_settings': {'port': 'rtcp-mux', 'report_frequency_secs': 10}})
    ok('PATCH', '/fqdn_connections/' + fqdn_conn['id'], {'inbound': {'default_primary_fqdn_id': fqdn['id']}, 'outbound': {'timeout_1xx_secs': 5}})
    ok('PATCH', '/ips/' + ip['id'], {'ip_address': '192.0.2.51', 'port': 5070})
    ok('PATCH', '/fqdns/' + srv['id'], {'fqdn': 'sip.example.com'})
    ok('PATCH', '/outbound_voice_profiles/' + ovp['id'], {'name': 'contract-ovp', 'concurrent_call_limit': 5})

    number = ok('GET', '/phone_numbers?filter[phone_number]=%2B4930123456')[0]
    ok('PATCH', '/phone_numbers/' + number['id'], {'connection_id': cred['id'], 'tags': ['byoc']})
    ok('GET', '/phone_numbers/' + number['id'])
    ok('POST', '/phone_numbers/jobs/update_phone_numbers', {'phone_numbers': ['+33199001100'], 'connection_id': ip_conn['id']})
    ok('PATCH', '/phone_numbers/' + number['id'], {'connection_id': ''})
    ok('DELETE', '/phone_numbers/' + number['id'])

    for path in ('/ips/' + ip['id'], '/fqdns/' + fqdn['id'], '/credential_connections/' + cred['id'], '/ip_connections/' + ip_conn['id'],
                 '/fqdn_connections/' + fqdn_conn['id'], '/outbound_voice_profiles/' + ovp['id']):
        ok('DELETE', path)


def error_replies(call):
    assert call('POST', '/credential_connections', dict(CRED, inbound={'dnis_number_format': 'test'}), valid_request=False)[0] == 422
    assert call('POST', '/ip_connections', {'outbound': {'tech_prefix': '123'}})[0] == 422
    assert call('POST', '/ips', {'ip_address': 'not-an-ip'})[0] == 422
    assert call('POST', '/outbound_voice_profiles', {'name': 'no'}, valid_request=False)[0] == 422
    assert call('GET', '/ip_connections?filter[connection_name][contains]=ab')[0] == 400
    assert call('GET', '/outbound_voice_profiles?page[size]=0')[0] == 422
    for path in ('/credential_connections/1', '/ip_connections/1', '/fqdn_connections/1', '/ips/1', '/fqdns/1', '/outbound_voice_profiles/1',
                 '/connections/1', '/phone_numbers/1'):
        assert call('GET', path)[0] == 404
    assert call('PATCH', '/ip_connections/1', {'active': True})[0] == 404
    assert call('DELETE', '/fqdns/1')[0] == 404
    for path in ('/credential_connections', '/ips', '/outbound_voice_profiles', '/phone_numbers'):
        assert call('GET', path, headers={'Authorization': 'Bearer '})[0] == 401


def test_fault_replies_validate_as_errors():
    with running_emulator('--rate-limit', '2', '--error-rate', '0.5', '--seed', '1') as emu:
        call = Checked(emu)
        statuses = set(call('GET', '/ip_connections')[0] for _number in range(12))
        assert 429 in statuses and statuses & {500, 502, 503}
        assert all(not declared for _m, _t, status, declared in call.seen if status in (429, 500, 502, 503))


def test_every_reply_of_a_broad_scenario_matches_the_spec(checked):
    """Create/list/get/patch/delete of every resource, then errors: every operation answered with success at least once."""
    life_cycle_of_every_resource(checked)
    error_replies(checked)
    served = set()
    for template, item in spec.load_spec()['paths'].items():
        for method in item:
            if method in spec.METHODS and '/voice' not in template:
                served.add((method.upper(), template))
    succeeded = set((method, template) for method, template, status, _declared in checked.seen if status < 300)
    assert served - succeeded == set()
    errors = set(status for _method, _template, status, _declared in checked.seen if status >= 400)
    assert {400, 401, 404, 422} <= errors


def test_validators_name_the_schema_path():
    with pytest.raises(AssertionError, match=r'/inbound/dnis_number_format.*schema path: .*enum'):
        spec.validate_request('POST', '/credential_connections', dict(CRED, inbound={'dnis_number_format': 'test'}))
    with pytest.raises(AssertionError, match=r"at /: 'user_name' is a required property"):
        spec.validate_request('POST', '/credential_connections', {'connection_name': 'x', 'password': 'Secret-pass1'})
    with pytest.raises(AssertionError, match=r'Additional properties are not allowed'):
        spec.validate_request('PATCH', '/v2/ip_connections/123', {'inbound': {'codec': ['G711U']}})
    spec.validate_request('PATCH', '/v2/ip_connections/123', {'inbound': {'codec': ['G711U']}}, strict=False)
    spec.validate_request('GET', 'http://127.0.0.1:9/v2/ips?page[size]=250', None)
    with pytest.raises(AssertionError, match='takes no request body'):
        spec.validate_request('GET', '/ips', {'x': 1})
    with pytest.raises(AssertionError, match='no such path'):
        spec.validate_request('GET', '/sip_trunks', None)
    with pytest.raises(AssertionError, match='the spec has no PUT'):
        spec.validate_request('PUT', '/ips/1', {'ip_address': '192.0.2.1'})
    with pytest.raises(AssertionError, match=r'/data/port.*integer'):
        spec.validate_response('GET', '/ips/1', 200, {'data': {'id': '1', 'port': '5060'}})
    with pytest.raises(AssertionError, match='status 204 is not declared'):
        spec.validate_response('DELETE', '/ips/1', 204, None)
    with pytest.raises(AssertionError, match=r'/errors/0/code'):
        spec.validate_response('GET', '/ips', 429, {'errors': [{'code': 10011}]})
    assert spec.validate_response('GET', '/ips', 429, {'errors': [{'code': '10011'}]}) == ('/ips', False)


def test_a_real_client_body_round_trip(checked):
    """What requests sends is what the spec wants, and the reply too (the way the collection talks)."""
    body = {'connection_name': 'rt-ip', 'inbound': {'codecs': ['G711U'], 'dnis_number_format': '+e164'}}
    spec.validate_request('POST', '/ip_connections', body)
    reply = requests.post(checked.emu.url + '/ip_connections', json=body, headers=checked.emu.headers, timeout=30)
    spec.validate_response('POST', reply.url, reply.status_code, reply.json(), strict=True)
    assert reply.status_code == 201


def test_the_bundled_schema_is_a_fresh_extract_of_the_spec(tmp_path):
    """emulator/src/telnyx_emulator/schema.json is what tools/extract_schema.py makes of the spec in ../shared."""
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'emulator')
    fresh = str(tmp_path / 'schema.json')
    subprocess.run([sys.executable, os.path.join(root, 'tools', 'extract_schema.py'), spec.spec_path(), fresh], check=True, capture_output=True)
    with open(fresh, encoding='utf-8') as made, open(os.path.join(root, 'src', 'telnyx_emulator', 'schema.json'), encoding='utf-8') as bundled:
        assert json.load(made) == json.load(bundled)

# Copyright: contributors to byoc.carrier
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""GET/PATCH /phone_numbers/{id}/voice of the emulator against Telnyx's spec: every reply (success and error)
validates for its path and status, strictly, and the settings written are the settings read back."""
from __future__ import annotations

import importlib.util
import os

import pytest

from telnyx_emulator.testing import running_emulator

_LOADER = importlib.util.spec_from_file_location('byoc_contract_spec_voice', os.path.join(os.path.dirname(os.path.abspath(__file__)), 'spec.py'))
spec = importlib.util.module_from_spec(_LOADER)
_LOADER.loader.exec_module(spec)

if spec.spec_path() is None:
    pytest.fail(spec.MISSING, pytrace=False)  # never a skip: a run without the spec is not green

ON_FAILURE = {'call_forwarding': {'call_forwarding_enabled': True, 'forwarding_type': 'on-failure', 'forwards_to': '+13125550111'}}


@pytest.fixture
def call():
    with running_emulator() as emu:
        seen = []

        def checked(method, path, body=None, valid_request=True):
            if valid_request:
                spec.validate_request(method, path, body)
            status, reply, _headers = emu.call(method, path, body)
            template, declared = spec.validate_response(method, path, status, reply, strict=True)
            seen.append((method, template, status, declared))
            return status, reply
        checked.seen = seen
        yield checked


def _number(call, e164):
    status, reply = call('GET', '/phone_numbers?filter[phone_number]=%s' % e164.lstrip('+'))
    assert status == 200 and len(reply['data']) == 1
    return reply['data'][0]


def test_voice_settings_round_trip_and_match_the_spec(call):
    number = _number(call, '+13125550100')
    status, reply = call('GET', '/phone_numbers/%s/voice' % number['id'])
    assert status == 200
    data = reply['data']
    assert (data['id'], data['phone_number'], data['record_type']) == (number['id'], '+13125550100', 'voice_settings')
    assert data['call_forwarding'] == {'call_forwarding_enabled': True}
    assert 'connection_id' not in data  # unassigned: the spec types connection_id as a non-nullable string

    status, reply = call('POST', '/credential_connections', {'connection_name': 'voice-cred', 'user_name': 'voicecred1', 'password': 'Secret-pass1'})
    assert status == 201
    conn_id = reply['data']['id']
    assert call('PATCH', '/phone_numbers/%s' % number['id'], {'connection_id': conn_id})[0] == 200

    status, reply = call('PATCH', '/phone_numbers/%s/voice' % number['id'], ON_FAILURE)
    assert status == 200
    assert reply['data']['call_forwarding'] == ON_FAILURE['call_forwarding']
    assert reply['data']['connection_id'] == conn_id
    assert call('GET', '/phone_numbers/%s/voice' % number['id'])[1]['data']['call_forwarding'] == ON_FAILURE['call_forwarding']

    # turned off: enabled false and no target; only call_forwarding changed, the rest kept
    status, reply = call('PATCH', '/phone_numbers/%s/voice' % number['id'],
                         {'call_forwarding': {'call_forwarding_enabled': False, 'forwards_to': ''}, 'inbound_call_screening': 'flag_calls'})
    assert status == 200
    assert reply['data']['call_forwarding'] == {'call_forwarding_enabled': False, 'forwarding_type': 'on-failure', 'forwards_to': ''}
    assert reply['data']['inbound_call_screening'] == 'flag_calls'
    assert call('GET', '/phone_numbers/%s' % number['id'])[1]['data']['call_forwarding_enabled'] is False


def test_voice_errors_match_the_spec(call):
    number = _number(call, '+13125550101')
    status, reply = call('PATCH', '/phone_numbers/%s/voice' % number['id'], {'call_forwarding': {'forwarding_type': 'sometimes'}},
                         valid_request=False)
    assert status == 422 and reply['errors'][0]['source']['pointer'] == '/call_forwarding/forwarding_type'
    status, reply = call('PATCH', '/phone_numbers/%s/voice' % number['id'], {'call_forwarding': {'forwards_to': '0301234'}})
    assert status == 422
    assert reply['errors'][0]['code'] == '10015' and reply['errors'][0]['source']['pointer'] == '/call_forwarding/forwards_to'
    assert 'forwards_to must be a +E.164' in reply['errors'][0]['detail']
    assert call('GET', '/phone_numbers/1/voice')[0] == 404
    assert call('PATCH', '/phone_numbers/1/voice', ON_FAILURE)[0] == 404
    assert set((m, t, s) for m, t, s, _d in call.seen if t == '/phone_numbers/{id}/voice') == {
        ('GET', '/phone_numbers/{id}/voice', 404), ('PATCH', '/phone_numbers/{id}/voice', 422), ('PATCH', '/phone_numbers/{id}/voice', 404)}

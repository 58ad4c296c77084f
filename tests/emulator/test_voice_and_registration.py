# Copyright: contributors to byoc.carrier
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A number's voice settings (kept with the state file, gone with the number) and the registration status tests set."""
from __future__ import annotations

from telnyx_emulator.testing import running_emulator

FORWARD = {'call_forwarding': {'call_forwarding_enabled': True, 'forwarding_type': 'on-failure', 'forwards_to': '+13125550111'}}


def _number_id(api, number):
    status, body, _headers = api.call('GET', '/phone_numbers?filter[phone_number]=%s' % number.lstrip('+'))
    assert status == 200
    return [n for n in body['data'] if n['phone_number'] == number][0]['id']


def test_voice_settings_survive_a_restart_from_the_state_file_and_go_with_the_number(tmp_path):
    state = str(tmp_path / 'state.json')
    with running_emulator('--state', state) as emu:
        ident = _number_id(emu, '+13125550102')
        assert emu.call('PATCH', '/phone_numbers/%s/voice' % ident, FORWARD)[0] == 200
    with running_emulator('--state', state) as emu:
        status, body, _headers = emu.call('GET', '/phone_numbers/%s/voice' % ident)
        assert status == 200 and body['data']['call_forwarding'] == FORWARD['call_forwarding']
        assert emu.call('DELETE', '/phone_numbers/%s' % ident)[0] == 200
        assert emu.call('GET', '/phone_numbers/%s/voice' % ident)[0] == 404


def test_reset_forgets_voice_settings(api):
    ident = _number_id(api, '+13125550103')
    assert api.call('PATCH', '/phone_numbers/%s/voice' % ident, FORWARD)[0] == 200
    api.reset()
    assert api.call('GET', '/phone_numbers/%s/voice' % ident)[1]['data']['call_forwarding'] == {'call_forwarding_enabled': True}


def test_registration_status_set_by_a_test(api):
    conn = api.create('/credential_connections', {'connection_name': 'reg-cred', 'user_name': 'regcred1', 'password': 'Secret-pass1'})
    path = '/credential_connections/%s/actions/check_registration_status' % conn['id']
    assert api.call('POST', path)[1]['data']['status'] == 'Not Registered'
    assert api.call('POST', api.root + '/_emulator/registration', {'connection_id': conn['id'], 'status': 'Registered'})[0] == 200
    assert api.call('POST', path)[1]['data']['status'] == 'Registered'
    status, body, _headers = api.call('POST', api.root + '/_emulator/registration', {'connection_id': '1', 'status': 'Registered'})
    assert status == 404 and body['errors'][0]['code'] == '10005'
    assert api.call('POST', api.root + '/_emulator/registration', {'status': 'Registered'})[0] == 422
    api.reset()
    conn = api.create('/credential_connections', {'connection_name': 'reg-cred', 'user_name': 'regcred1', 'password': 'Secret-pass1'})
    assert api.call('POST', '/credential_connections/%s/actions/check_registration_status' % conn['id'])[1]['data']['status'] == 'Not Registered'

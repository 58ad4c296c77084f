# Copyright: byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every (scope, kind, option) of the settings table round-trips: request body, the API's echo, normalisation, diff.

For each row of plugins/module_utils/_settings.py's TABLE and each connection kind it applies to (sub-options of a
dict option, e.g. rtcp.port, are rows of their own), EXPECTED below holds two values and the request body fragment
Telnyx's field names give for the first (written here by hand from Telnyx's spec in ../shared/telnyx-api/ and the
vendor guide, not from the table). Then:

* ``to_api`` gives exactly that fragment, and Telnyx's spec accepts it as the PATCH body of that kind;
* the fragment written through the one write path (``_runner.write_connection``) to the Telnyx emulator and the
  connection read back compares equal (``diff`` finds nothing, ``from_api`` gives the value back);
* the other value makes ``diff`` name the option (the dict option for a sub-option) and only it.

A row added to the table without an entry here (or an entry left for a row that is gone) fails
test_every_table_row_has_an_expected_round_trip: a new option needs its Telnyx fields written down here.
"""
from __future__ import annotations

import importlib.util
import json
import os

import pytest

from ansible_collections.byoc.carrier.plugins.module_utils import _runner, _settings
from ansible_collections.byoc.carrier.plugins.module_utils._client import TelnyxClient
from telnyx_emulator.testing import running_emulator

_LOADER = importlib.util.spec_from_file_location('byoc_contract_spec', os.path.join(os.path.dirname(os.path.abspath(__file__)), 'spec.py'))
spec = importlib.util.module_from_spec(_LOADER)
_LOADER.loader.exec_module(spec)

ENDPOINT = {'credentials': '/credential_connections', 'ip': '/ip_connections', 'fqdn': '/fqdn_connections'}
ALL = ('credentials', 'ip', 'fqdn')
NOT_A_FIELD = 'not a field'  # chosen by the module (type: the endpoint; region: the SIP URI), never sent
CHILD = 'child resource'     # its own endpoint (/ips, /fqdns), never in the connection's body


def same(fragment, kinds=ALL):
    return dict((kind, fragment) for kind in kinds)


# (scope, option) -> (value, other value, {kind: body fragment of value})
EXPECTED = {
    ('connection', 'name'): ('round-trip-a', 'round-trip-b', same({'connection_name': 'round-trip-a'})),
    ('connection', 'type'): ('ip', 'fqdn', same(NOT_A_FIELD)),
    ('connection', 'region'): ('eu', 'ca', same(NOT_A_FIELD)),
    ('connection', 'username'): ('roundtrip1', 'roundtrip2', {'credentials': {'user_name': 'roundtrip1'},
                                                              'fqdn': {'fqdn_authentication': {'user_name': 'roundtrip1'}}}),
    ('connection', 'password'): ('Passw0rd-rt-a', 'Passw0rd-rt-b', {'credentials': {'password': 'Passw0rd-rt-a'},
                                                                    'fqdn': {'fqdn_authentication': {'password': 'Passw0rd-rt-a'}}}),
    ('connection', 'webhook_url'): ('https://hooks.example.com/a', '', same({'webhook_event_url': 'https://hooks.example.com/a'})),
    ('connection', 'webhook_failover_url'): ('https://hooks.example.com/b', 'https://hooks.example.com/c',
                                             same({'webhook_event_failover_url': 'https://hooks.example.com/b'})),
    ('connection', 'webhook_api_version'): ('1', '2', same({'webhook_api_version': '1'})),
    ('connection', 'anchorsite'): ('Frankfurt, Germany', 'Latency', same({'anchorsite_override': 'Frankfurt, Germany'})),
    ('connection', 'encode_contact_header'): (True, False, same({'encode_contact_header_enabled': True})),
    ('connection', 'comfort_noise'): (True, False, same({'default_on_hold_comfort_noise_enabled': True})),
    ('connection', 'dtmf_type'): ('SIP INFO', 'Inband', same({'dtmf_type': 'SIP INFO'})),
    ('connection', 'rtcp.report_frequency'): (10, 20, same({'rtcp_settings': {'report_frequency_secs': 10}})),
    ('connection', 'rtcp.port'): ('rtcp-mux', 'rtp+1', same({'rtcp_settings': {'port': 'rtcp-mux'}})),
    ('connection', 'rtcp.capture'): (True, False, same({'rtcp_settings': {'capture_enabled': True}})),
    ('connection', 'routing_method'): ('round-robin', 'sequential', same({'inbound': {'default_routing_method': 'round-robin'}}, ('ip', 'fqdn'))),
    ('connection', 'ips'): ([{'address': '192.0.2.10', 'port': 5060}], [{'address': '192.0.2.11', 'port': 5060}], {'ip': CHILD}),
    ('connection', 'fqdns'): ([{'fqdn': 'sbc-a.example.com', 'port': 5060, 'dns_record_type': 'a'}],
                              [{'fqdn': 'sbc-b.example.com', 'port': 5060, 'dns_record_type': 'a'}], {'fqdn': CHILD}),
    # IP connections: Telnyx has one method for tech prefix and P-Charge-Info ("tech-prefixp-charge-info"), so the
    # other value is tech_prefix there; FQDN: the method lives in fqdn_authentication ("p-charge-info")
    ('connection', 'ip_auth_method'): ('token', {'ip': 'tech_prefix', 'fqdn': 'p_charge_info'},
                                       {'ip': {'outbound': {'ip_authentication_method': 'token'}},
                                        'fqdn': {'fqdn_authentication': {'ip_authentication_method': 'token'}}}),
    ('connection', 'tech_prefix'): ('1234', '5678', same({'outbound': {'tech_prefix': '1234'}}, ('ip', 'fqdn'))),
    # Telnyx takes a token once across all connections: one per kind
    ('connection', 'token'): ({'ip': 'rt-token-0001', 'fqdn': 'rt-token-0003'}, {'ip': 'rt-token-0002', 'fqdn': 'rt-token-0004'},
                              {'ip': {'outbound': {'ip_authentication_token': 'rt-token-0001'}},
                               'fqdn': {'outbound': {'ip_authentication_token': 'rt-token-0003'}}}),
    ('connection', 'noise_suppression'): ('both', 'disabled', same({'noise_suppression': 'both'})),
    ('connection', 'noise_suppression_details.engine'): ('deep_filter_net', 'denoiser',
                                                         same({'noise_suppression_details': {'engine': 'deep_filter_net'}})),
    ('connection', 'noise_suppression_details.attenuation_limit'): (80, 50, same({'noise_suppression_details': {'attenuation_limit': 80}})),
    ('connection', 'jitter_buffer.enabled'): (True, False, same({'jitter_buffer': {'enable_jitter_buffer': True}})),
    ('connection', 'jitter_buffer.min_msec'): (80, 60, same({'jitter_buffer': {'jitterbuffer_msec_min': 80}})),
    ('connection', 'jitter_buffer.max_msec'): (300, 200, same({'jitter_buffer': {'jitterbuffer_msec_max': 300}})),
    ('connection', 'active'): (False, True, same({'active': False})),
    ('connection', 'tags'): (['a-tag', 'b-tag'], ['a-tag'], same({'tags': ['a-tag', 'b-tag']})),
    ('inbound', 'dnis_number_format'): ('e164', '+e164', same({'inbound': {'dnis_number_format': 'e164'}})),
    ('inbound', 'ani_number_format'): ('E.164', '+E.164', same({'inbound': {'ani_number_format': 'E.164'}})),
    # FQDN connections carry the timeouts on both tabs (the portal shows one setting)
    ('inbound', 'no_ringback_timeout'): (5, 7, {'credentials': {'inbound': {'timeout_1xx_secs': 5}}, 'ip': {'inbound': {'timeout_1xx_secs': 5}},
                                                'fqdn': {'inbound': {'timeout_1xx_secs': 5}, 'outbound': {'timeout_1xx_secs': 5}}}),
    ('inbound', 'no_answer_timeout'): (45, 90, {'credentials': {'inbound': {'timeout_2xx_secs': 45}}, 'ip': {'inbound': {'timeout_2xx_secs': 45}},
                                                'fqdn': {'inbound': {'timeout_2xx_secs': 45}, 'outbound': {'timeout_2xx_secs': 45}}}),
    # credentials: sip_uri_calling_preference (internal / unrestricted); IP/FQDN: inbound.sip_subdomain_receive_settings
    ('inbound', 'subdomain_calls'): ('from_anyone', 'internal', {'credentials': {'sip_uri_calling_preference': 'unrestricted'},
                                                                 'ip': {'inbound': {'sip_subdomain_receive_settings': 'from_anyone'}},
                                                                 'fqdn': {'inbound': {'sip_subdomain_receive_settings': 'from_anyone'}}}),
    ('inbound', 'encrypted_media'): ('SRTP', 'none', {'credentials': {'encrypted_media': 'SRTP'}, 'ip': {'encrypted_media': 'SRTP'},
                                                      'fqdn': {'encrypted_media': 'SRTP', 'outbound': {'encrypted_media': 'SRTP'}}}),
    ('inbound', 'ringback'): ('generate_tone', 'default', same({'inbound': {'generate_ringback_tone': True}})),
    ('inbound', 'codecs'): (['G711A', 'G711U'], ['G711U'], same({'inbound': {'codecs': ['G711A', 'G711U']}})),
    ('inbound', 'compact_headers'): (True, False, same({'inbound': {'sip_compact_headers_enabled': True}})),
    ('inbound', 'transport'): ('TLS', 'UDP', same({'transport_protocol': 'TLS'}, ('ip', 'fqdn'))),
    ('inbound', 'sip_region'): ('Europe', 'US', same({'inbound': {'sip_region': 'Europe'}}, ('ip', 'fqdn'))),
    # Telnyx refuses a sip_subdomain another connection holds: one per kind
    ('inbound', 'sip_subdomain'): ({'ip': 'acme-rt-ip', 'fqdn': 'acme-rt-fq'}, {'ip': 'acme-rt2-ip', 'fqdn': 'acme-rt2-fq'},
                                   {'ip': {'inbound': {'sip_subdomain': 'acme-rt-ip'}}, 'fqdn': {'inbound': {'sip_subdomain': 'acme-rt-fq'}}}),
    ('inbound', 'prack'): (True, False, same({'inbound': {'prack_enabled': True}})),
    ('inbound', 'shaken_stir'): (True, False, same({'inbound': {'shaken_stir_enabled': True}})),
    ('inbound', 'isup_headers'): (True, False, same({'inbound': {'isup_headers_enabled': True}})),
    ('inbound', 'channel_limit'): (7, 9, same({'inbound': {'channel_limit': 7}})),
    ('outbound', 'caller_id_override'): ('+13125550100', '+13125550101', same({'outbound': {'ani_override': '+13125550100'}})),
    ('outbound', 'caller_id_override_type'): ('normal', 'always', same({'outbound': {'ani_override_type': 'normal'}})),
    ('outbound', 'localization'): ('DE', 'US', same({'outbound': {'localization': 'DE'}})),
    ('outbound', 'encrypted_media'): ('SRTP', 'none', {'credentials': {'encrypted_media': 'SRTP'}, 'ip': {'encrypted_media': 'SRTP'},
                                                       'fqdn': {'encrypted_media': 'SRTP', 'outbound': {'encrypted_media': 'SRTP'}}}),
    ('outbound', 'ringback'): ('instant', 'generate_tone', same({'outbound': {'instant_ringback_enabled': True, 'generate_ringback_tone': False}})),
    # ids of two profiles the fixture creates (<ovp-a>, <ovp-b>: the emulator refuses an id it does not hold)
    ('outbound', 'outbound_voice_profile'): ('<ovp-a>', '<ovp-b>', same({'outbound': {'outbound_voice_profile_id': '<ovp-a>'}})),
    ('outbound', 'channel_limit'): (11, 13, same({'outbound': {'channel_limit': 11}})),
}


def table_rows():
    """(scope, kind, option name, Setting, parent option or None) of every row of the table, sub-options included."""
    rows = []
    for scope in _settings.SCOPES:
        for setting in _settings.settings(scope):
            for kind in setting.kinds:
                if setting.sub:
                    rows += [(scope, kind, '%s.%s' % (setting.option, sub.option), sub, setting.option) for sub in setting.sub]
                else:
                    rows.append((scope, kind, setting.option, setting, None))
    return rows


ROWS = table_rows()


def test_every_table_row_has_an_expected_round_trip():
    in_table = set((scope, kind, option) for scope, kind, option, _s, _p in ROWS)
    expected = set((scope, kind, option) for (scope, option), (_a, _b, fragments) in EXPECTED.items() for kind in fragments)
    assert sorted(in_table - expected) == [], 'table rows without an expected round trip here'
    assert sorted(expected - in_table) == [], 'expected round trips of rows the table does not have'
    assert len(ROWS) == 143


def _params(option, value):
    """The module parameters setting one option (a sub-option inside its dict option)."""
    if '.' in option:
        parent, sub = option.split('.')
        return {parent: {sub: value}}
    return {option: value}


def _kind_value(value, kind):
    return value[kind] if isinstance(value, dict) and set(value) <= set(ALL) else value


@pytest.fixture(scope='module')
def api():
    """A Telnyx emulator and a client, one connection of each kind (IP and FQDN on TLS: SRTP needs it; the FQDN one
    with credential authentication), and two outbound voice profiles (their ids replace <ovp-a> and <ovp-b>)."""
    if spec.spec_path() is None:
        pytest.fail(spec.MISSING)
    with running_emulator() as emu:
        client = TelnyxClient(emu.api_key, api_url=emu.url, retry_timeout=10)
        ids = {
            'credentials': emu.create('/credential_connections', {'connection_name': 'rt-cred', 'user_name': 'rtcreduser1',
                                                                  'password': 'Passw0rd-rt-0'})['id'],
            # a token from the start: Telnyx refuses the token method on a connection without one
            'ip': emu.create('/ip_connections', {'connection_name': 'rt-ip', 'transport_protocol': 'TLS',
                                                 'outbound': {'ip_authentication_token': 'rt-token-0000'}})['id'],
            'fqdn': emu.create('/fqdn_connections', {'connection_name': 'rt-fqdn', 'transport_protocol': 'TLS'})['id'],
        }
        status, _reply, _headers = emu.call('PATCH', '/fqdn_connections/%s/fqdn_authentication' % ids['fqdn'], {
            'fqdn_outbound_authentication': 'credential-authentication', 'user_name': 'rtfqdnuser1', 'password': 'Passw0rd-rt-0'})
        assert status == 200
        # Telnyx answers this POST with 200 (its spec says so), not 201
        profiles = dict(('<ovp-%s>' % tag, emu.create('/outbound_voice_profiles', {'name': 'rt-ovp-%s' % tag}, status=200)['id']) for tag in 'ab')
        yield client, ids, profiles


def _placed(value, profiles):
    """value with the <ovp-a>/<ovp-b> placeholders replaced by the profiles' ids."""
    text = json.dumps(value)
    for placeholder, ident in profiles.items():
        text = text.replace(placeholder, ident)
    return json.loads(text)


def _read(client, kind, conn_id):
    obj = client.get('%s/%s' % (ENDPOINT[kind], conn_id))
    return _runner.with_fqdn_auth(client, obj) if kind == 'fqdn' else obj


@pytest.mark.parametrize('scope, kind, option, setting, parent', ROWS, ids=['%s-%s-%s' % row[:3] for row in ROWS])
def test_round_trip(api, scope, kind, option, setting, parent):
    client, ids, profiles = api
    value, other, fragments = _placed(EXPECTED[(scope, option)], profiles)
    value, other, fragment = _kind_value(value, kind), _kind_value(other, kind), fragments[kind]
    params = _params(option, value)
    body = _settings.to_api(scope, kind, params)
    if fragment == NOT_A_FIELD:
        assert body == {} and setting.paths(kind) == ()
        return
    if fragment == CHILD:
        assert body == {} and setting.child
        # what the module reads back from /ips or /fqdns (with_children) in the option's own shape
        assert _settings.diff(scope, kind, params, {option: value})[0] == []
        assert _settings.diff(scope, kind, _params(option, other), {option: value})[0] == [option]
        return
    assert body == fragment
    connection, auth = _runner.split_fqdn_auth(body)
    if connection:
        spec.validate_request('PATCH', '%s/1' % ENDPOINT[kind], connection)

    before = _read(client, kind, ids[kind])
    _runner.write_connection(client, kind, before, body)
    echoed = _read(client, kind, ids[kind])

    # (the emulator's account shows passwords: a masked one never compares equal, test_runner.py covers that)
    changed, _patch = _settings.diff(scope, kind, params, echoed)
    assert changed == [], 'the echo of %r does not compare equal: %r' % (body, echoed)
    assert _settings.from_api(scope, kind, echoed, params) == params
    other_changed, _patch = _settings.diff(scope, kind, _params(option, other), echoed)
    assert other_changed == [parent or option]

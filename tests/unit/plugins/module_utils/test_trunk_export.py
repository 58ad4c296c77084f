# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""_trunk.from_connection, the inverse of the trunk model's entry: a connection read back through the settings table
gives a trunk that, planned against the same connection, changes nothing; what the model cannot express is a reason."""

from __future__ import annotations

import pytest

from ansible_collections.byoc.carrier.plugins.module_utils import _runner, _settings, _trunk

SECRET = 'Portal-pass-0123456'
TOKEN = 'portal-token-0123456789'
CRED = {'id': '1', 'record_type': 'credential_connection', 'connection_name': 'acme-eu-cred', 'user_name': 'acmecred',
        'password': SECRET, 'active': True, 'tags': ['b', 'a'], 'webhook_event_url': None, 'webhook_event_failover_url': '',
        'webhook_api_version': '1', 'anchorsite_override': 'Latency', 'encode_contact_header_enabled': False,
        'default_on_hold_comfort_noise_enabled': False, 'dtmf_type': 'RFC 2833', 'encrypted_media': None,
        'sip_uri_calling_preference': 'disabled',
        'rtcp_settings': {'port': 'rtp+1', 'capture_enabled': False, 'report_frequency_secs': 5},
        'inbound': {'dnis_number_format': '+e164', 'ani_number_format': 'E.164-national', 'timeout_1xx_secs': 3,
                    'timeout_2xx_secs': 90, 'codecs': ['G711U', 'G711A'], 'generate_ringback_tone': False,
                    'sip_compact_headers_enabled': True, 'channel_limit': None},
        'outbound': {'ani_override': '', 'ani_override_type': 'always', 'localization': 'US', 'instant_ringback_enabled': True,
                     'generate_ringback_tone': False, 'outbound_voice_profile_id': '900', 'channel_limit': 10}}
IP = {'id': '2', 'record_type': 'ip_connection', 'connection_name': 'acme-eu-ip', 'transport_protocol': 'TLS', 'encrypted_media': 'SRTP',
      'ips': [{'address': '192.0.2.1', 'port': 5063}, {'address': '192.0.2.2', 'port': 5063}],
      'inbound': {'default_routing_method': 'round-robin', 'sip_region': 'Europe', 'sip_subdomain': 'acmeip',
                  'sip_subdomain_receive_settings': 'only_my_connections', 'codecs': ['G711A']},
      'outbound': {'ip_authentication_method': 'token', 'ip_authentication_token': TOKEN, 'tech_prefix': None,
                   'instant_ringback_enabled': False, 'generate_ringback_tone': True}}
FQDN = {'id': '3', 'record_type': 'fqdn_connection', 'connection_name': 'acme-eu-fqdn', 'transport_protocol': 'UDP',
        'fqdns': [{'fqdn': 'sbc.acme.example', 'dns_record_type': 'srv'}],
        'fqdn_authentication': {'fqdn_outbound_authentication': 'credential-authentication', 'user_name': 'acmefqdn',
                                'password': '********', 'ip_authentication_method': 'token'},
        'inbound': {'timeout_1xx_secs': 5, 'default_routing_method': 'sequential'}, 'outbound': {'timeout_1xx_secs': 5}}


def plan_of(trunk, obj):
    """The engine's plan of the trunk's entry against the connection it came from (secrets as Telnyx holds them)."""
    kind = trunk['type']
    entry = _trunk.entry(dict(trunk, password=SECRET if 'password' in trunk else None, token=TOKEN if 'token' in trunk else None), 'eu')
    scopes = [('connection', '', dict(entry, name=entry['name'])), ('inbound', 'inbound.', entry.get('inbound') or {}),
              ('outbound', 'outbound.', entry.get('outbound') or {})]
    if (entry.get('outbound') or {}).get('outbound_voice_profile'):
        scopes[2][2]['outbound_voice_profile'] = obj['outbound']['outbound_voice_profile_id']
    changes, body, dummy, problems = _runner.plan_update(kind, obj, scopes)
    return changes, body, problems


@pytest.mark.parametrize('kind, obj', [('credentials', CRED), ('ip', IP), ('fqdn', FQDN)])
def test_an_exported_trunk_plans_no_change_against_its_connection(kind, obj):
    trunk, vault, reasons = _trunk.from_connection(kind, obj, {'900': 'acme-eu'}, ['+4930123456'])
    assert reasons == []
    assert plan_of(trunk, obj) == ([], {}, [])
    assert SECRET not in repr(trunk) and TOKEN not in repr(trunk)
    assert trunk['numbers'] == ['+4930123456']
    assert vault == [v[3:-3] for v in (trunk.get('password'), trunk.get('token')) if v]


def test_every_option_of_the_kind_is_read_back():
    trunk, vault, dummy = _trunk.from_connection('credentials', CRED, {'900': 'acme-eu'})
    assert trunk == {
        'name': 'acme-eu-cred', 'type': 'credentials', 'username': 'acmecred', 'password': '{{ vault_acme_eu_cred_password }}',
        'update_password': 'on_create', 'webhook_url': '', 'webhook_failover_url': '', 'webhook_api_version': '1',
        'anchorsite': 'Latency', 'encode_contact_header': False, 'comfort_noise': False, 'dtmf_type': 'RFC 2833',
        'rtcp': {'report_frequency': 5, 'port': 'rtp+1', 'capture': False}, 'active': True, 'tags': ['a', 'b'],
        'inbound': {'dnis_number_format': '+e164', 'ani_number_format': 'E.164-national', 'no_ringback_timeout': 3,
                    'no_answer_timeout': 90, 'subdomain_calls': 'disabled', 'ringback': 'default', 'codecs': ['G711U', 'G711A'],
                    'encrypted_media': 'none', 'compact_headers': True},
        'outbound': {'caller_id_override': '', 'caller_id_override_type': 'always', 'localization': 'US', 'encrypted_media': 'none',
                     'ringback': 'instant',
                     'outbound_voice_profile': 'acme-eu', 'channel_limit': 10},
    }
    assert vault == ['vault_acme_eu_cred_password']


def test_ip_token_trunk_keeps_the_address_order_and_derives_the_sbc_port():
    trunk, vault, reasons = _trunk.from_connection('ip', IP)
    assert reasons == [] and vault == ['vault_acme_eu_ip_token']
    assert trunk['ips'] == [{'address': '192.0.2.1', 'port': 5063}, {'address': '192.0.2.2', 'port': 5063}]
    assert (trunk['ip_auth_method'], trunk['token'], trunk['sbc_port']) == ('token', '{{ vault_acme_eu_ip_token }}', 5062)
    assert trunk['inbound']['subdomain_calls'] == 'internal' and trunk['outbound']['ringback'] == 'generate_tone'
    assert trunk['inbound']['encrypted_media'] == trunk['outbound']['encrypted_media'] == 'SRTP'
    assert 'tech_prefix' in trunk and trunk['tech_prefix'] == '' and 'update_password' not in trunk


def test_fqdn_with_credentials_leaves_the_ip_auth_method_out():
    trunk, vault, dummy = _trunk.from_connection('fqdn', FQDN)
    assert (trunk['username'], trunk['password']) == ('acmefqdn', '{{ vault_acme_eu_fqdn_password }}')
    assert 'ip_auth_method' not in trunk and 'token' not in trunk and 'sbc_port' not in trunk
    assert vault == ['vault_acme_eu_fqdn_password']
    ip_auth = dict(FQDN, fqdn_authentication={'fqdn_outbound_authentication': 'ip-authentication', 'ip_authentication_method': 'p-charge-info',
                                              'user_name': None, 'password': None})
    trunk, vault, dummy = _trunk.from_connection('fqdn', ip_auth)
    assert trunk['ip_auth_method'] == 'p_charge_info' and 'username' not in trunk and vault == []


def test_what_the_model_cannot_express_is_a_reason():
    hd = dict(CRED, inbound=dict(CRED['inbound'], codecs=['G722', 'G711U']), user_name='12ab')
    dummy, dummy2, reasons = _trunk.from_connection('credentials', hd)
    assert "inbound.codecs[0]: must be one of 'G711U', 'G711A'" in reasons
    assert 'username: %s' % _trunk._common.USERNAME_RULE in reasons  # pylint: disable=protected-access
    mixed = dict(CRED, outbound=dict(CRED['outbound'], instant_ringback_enabled=True, generate_ringback_tone=True))
    dummy, dummy2, reasons = _trunk.from_connection('credentials', mixed)
    assert reasons == ['outbound.ringback: Telnyx holds a combination no option value gives']


def test_the_conversion_is_the_settings_table_read_back():
    """Every option of a kind the table maps to a field shows up in an export of an object holding every field."""
    trunk, dummy, dummy2 = _trunk.from_connection('credentials', CRED)
    for scope, where in (('connection', trunk), ('inbound', trunk['inbound']), ('outbound', trunk['outbound'])):
        for setting in _settings.settings(scope):
            if 'credentials' in setting.kinds and setting.paths('credentials') and setting.option != 'name' and \
                    any(_settings._get(CRED, p) is not None for p in setting.paths('credentials')):  # pylint: disable=protected-access
                assert setting.option in where, setting.option

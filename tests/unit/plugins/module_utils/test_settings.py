# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The settings table: argument specs, validation, bodies, views and comparison."""

from __future__ import annotations

import pytest

from ansible_collections.byoc.carrier.plugins.module_utils import _settings as S

DESIGN_OPTIONS = {
    'connection': {'name', 'type', 'username', 'password', 'webhook_url', 'webhook_failover_url', 'webhook_api_version',
                   'anchorsite', 'encode_contact_header', 'comfort_noise', 'dtmf_type', 'rtcp', 'routing_method', 'ips',
                   'fqdns', 'ip_auth_method', 'tech_prefix', 'token', 'active', 'tags', 'region',
                   'noise_suppression', 'noise_suppression_details', 'jitter_buffer'},
    'inbound': {'dnis_number_format', 'ani_number_format', 'no_ringback_timeout', 'no_answer_timeout', 'subdomain_calls',
                'encrypted_media', 'ringback', 'codecs', 'compact_headers', 'transport', 'sip_region', 'sip_subdomain',
                'channel_limit', 'prack', 'shaken_stir', 'isup_headers'},
    'outbound': {'caller_id_override', 'caller_id_override_type', 'localization', 'encrypted_media', 'ringback',
                 'outbound_voice_profile', 'channel_limit'},
}


@pytest.mark.parametrize('scope', S.SCOPES)
def test_every_design_row_is_an_option(scope):
    assert set(S.argument_spec(scope)) == DESIGN_OPTIONS[scope]


def test_argument_spec_types_choices_and_secrets():
    spec = S.argument_spec('connection')
    assert spec['password'] == {'type': 'str', 'no_log': True}
    assert spec['token']['no_log'] is True
    assert spec['webhook_api_version'] == {'type': 'str', 'choices': ['1', '2']}
    assert spec['rtcp']['options']['port'] == {'type': 'str', 'choices': ['rtp+1', 'rtcp-mux']}
    assert spec['ips']['options']['port'] == {'type': 'int', 'default': 5060}
    assert spec['fqdns']['options']['dns_record_type'] == {'type': 'str', 'choices': ['a', 'srv'], 'default': 'a'}
    assert S.argument_spec('inbound')['codecs'] == {'type': 'list', 'elements': 'str', 'choices': ['G711U', 'G711A']}
    assert S.secret_options('connection') == ['password', 'token']
    spec['name']['type'] = 'int'
    assert S.argument_spec('connection')['name']['type'] == 'str', 'argument_spec must return a fresh dict'


def test_validation_reports_every_problem_naming_each_option():
    problems = S.validate('connection', 'credentials', {
        'name': 'acme', 'username': 'ab', 'password': 'short', 'webhook_url': 'ftp://example.com/x',
        'rtcp': {'report_frequency': 4, 'port': 'rtp+2'}, 'tech_prefix': '12345', 'tags': ['ok']})
    assert problems == [
        'password: must be 8 to 128 characters long, got 5',
        "rtcp.port: must be one of 'rtp+1', 'rtcp-mux'",
        'rtcp.report_frequency: must be between 5 and 3000, got 4',
        'tech_prefix: must be exactly 4 digits',
        'username: must be 4 to 32 letters or digits starting with a letter (Telnyx and SIP URI calling need a letter first)',
        'webhook_url: must be an http:// or https:// URL',
        'tech_prefix: does not apply to credentials connections (only to ip, fqdn)',
    ]


@pytest.mark.parametrize('scope,params,problem', [
    ('inbound', {'codecs': ['G711U', 'G729']}, "codecs[1]: must be one of 'G711U', 'G711A'"),
    ('inbound', {'codecs': ['G711U', 'G711U']}, 'codecs: must not repeat a value'),
    ('inbound', {'codecs': []}, 'codecs: must not be empty'),
    ('inbound', {'no_ringback_timeout': 121}, 'no_ringback_timeout: must be between 1 and 120, got 121'),
    ('inbound', {'no_answer_timeout': 0}, 'no_answer_timeout: must be between 1 and 600, got 0'),
    ('inbound', {'no_answer_timeout': '60'}, 'no_answer_timeout: must be an integer'),
    ('inbound', {'sip_subdomain': 'bad_name'}, 'sip_subdomain: must be a DNS name (letters, digits, hyphens)'),
    ('inbound', {'transport': 'UDP', 'encrypted_media': 'SRTP'},
     'encrypted_media: SRTP requires transport TLS (SDES keys travel in the SIP body), got transport UDP'),
    ('inbound', {'transport': 'TCP', 'encrypted_media': 'SRTP'},
     'encrypted_media: SRTP requires transport TLS (SDES keys travel in the SIP body), got transport TCP'),
    ('outbound', {'caller_id_override': '3125550100'}, 'caller_id_override: must be an E.164 number such as +13125550100'),
    ('outbound', {'localization': 'DEU'}, 'localization: must be an ISO 3166 alpha-2 country code such as US or DE'),
    ('outbound', {'channel_limit': 0}, 'channel_limit: must be between 1 and 100000, got 0'),
    ('connection', {'ips': [{'address': '10.0.0.300', 'port': 5060}]}, "ips[0].address: '10.0.0.300' is not an IP address"),
    ('connection', {'ips': [{'address': '10.0.0.3', 'port': 0}]}, 'ips[0].port: must be between 1 and 65535, got 0'),
    ('connection', {'fqdns': [{'fqdn': 'localhost'}]}, 'fqdns[0].fqdn: must be a fully qualified domain name'),
    ('connection', {'fqdns': [{'fqdn': 'sbc.example.com', 'port': 5060, 'dns_record_type': 'srv'}]},
     'fqdns[0].port: an SRV record carries its own port; leave port unset with dns_record_type srv'),
    ('connection', {'webhook_failover_url': 'example.com'}, 'webhook_failover_url: must be an http:// or https:// URL'),
    ('connection', {'token': 'has space'}, 'token: must be 12 to 48 letters, digits or hyphens (the SBC sends it as a SIP header value)'),
    ('connection', {'token': 'short!tok'}, 'token: must be 12 to 48 letters, digits or hyphens (the SBC sends it as a SIP header value)'),
    ('connection', {'username': '12345abc'},
     'username: must be 4 to 32 letters or digits starting with a letter (Telnyx and SIP URI calling need a letter first)'),
    ('connection', {'username': '1acme'},
     'username: must be 4 to 32 letters or digits starting with a letter (Telnyx and SIP URI calling need a letter first)'),
    ('connection', {'dtmf_type': 'rfc2833'}, "dtmf_type: must be one of 'RFC 2833', 'Inband', 'SIP INFO'"),
    ('connection', {'active': 'yes'}, 'active: must be a boolean'),
])
def test_each_rule(scope, params, problem):
    assert S.validate(scope, None, params) == [problem]


def test_valid_values_pass_and_unset_options_are_ignored():
    assert S.validate('connection', 'ip', {
        'name': 'acme', 'ips': [{'address': '2001:db8::1', 'port': 5060}, {'address': '203.0.113.5', 'port': None}],
        'ip_auth_method': 'p_charge_info', 'tech_prefix': '0123', 'token': None, 'rtcp': {'report_frequency': 3000},
        'webhook_url': 'https://hooks.example.com/telnyx', 'tags': ['a'], 'api_key': 'ignored'}) == []
    assert S.validate('inbound', 'fqdn', {'codecs': ['G711A', 'G711U'], 'no_answer_timeout': 600,
                                          'sip_subdomain': 'acme-eu', 'subdomain_calls': 'internal'}) == []
    assert S.validate('outbound', 'ip', {'caller_id_override': '+4930123456', 'localization': 'de'}) == []


@pytest.mark.parametrize('scope,kind,params,problem', [
    ('connection', 'ip', {'username': 'acme1'}, 'username: does not apply to ip connections (only to credentials, fqdn)'),
    ('connection', 'credentials', {'ips': [{'address': '10.0.0.1'}]}, 'ips: does not apply to credentials connections (only to ip)'),
    ('connection', 'credentials', {'ip_auth_method': 'token'}, 'ip_auth_method: does not apply to credentials connections (only to ip, fqdn)'),
    ('connection', 'credentials', {'routing_method': 'sequential'},
     'routing_method: does not apply to credentials connections (only to ip, fqdn)'),
    ('inbound', 'credentials', {'transport': 'TCP'}, 'transport: does not apply to credentials connections (only to ip, fqdn)'),
    ('inbound', 'ip', {'subdomain_calls': 'disabled'},
     "subdomain_calls: 'disabled' exists only on credentials connections; on ip connections Telnyx offers internal or "
     "from_anyone, and subdomain calls are off while no sip_subdomain is set"),
])
def test_option_not_applicable_to_kind(scope, kind, params, problem):
    assert S.validate(scope, kind, params) == [problem]
    assert S.validate(scope, None, params) == [], 'kind rules wait until the kind is known'


def test_create_body_holds_only_set_options_with_wire_values():
    body = S.to_api('connection', 'ip', {
        'name': 'acme-ip', 'type': 'ip', 'region': 'eu', 'webhook_url': None, 'dtmf_type': 'SIP INFO',
        'rtcp': {'report_frequency': 10, 'port': 'rtcp-mux', 'capture': None}, 'ip_auth_method': 'p_charge_info',
        'tech_prefix': '0042', 'routing_method': 'round-robin', 'tags': ['b', 'a', 'b'], 'comfort_noise': False,
        'ips': [{'address': '10.0.0.1', 'port': 5060}]})
    assert body == {
        'connection_name': 'acme-ip', 'dtmf_type': 'SIP INFO', 'default_on_hold_comfort_noise_enabled': False,
        'rtcp_settings': {'report_frequency_secs': 10, 'port': 'rtcp-mux'},
        'inbound': {'default_routing_method': 'round-robin'},
        'outbound': {'ip_authentication_method': 'tech-prefixp-charge-info', 'tech_prefix': '0042'},
        'tags': ['a', 'b'],
    }


@pytest.mark.parametrize('kind,params,body', [
    ('credentials', {'subdomain_calls': 'from_anyone'}, {'sip_uri_calling_preference': 'unrestricted'}),
    ('credentials', {'subdomain_calls': 'disabled'}, {'sip_uri_calling_preference': 'disabled'}),
    ('ip', {'subdomain_calls': 'internal'}, {'inbound': {'sip_subdomain_receive_settings': 'only_my_connections'}}),
    ('fqdn', {'subdomain_calls': 'from_anyone'}, {'inbound': {'sip_subdomain_receive_settings': 'from_anyone'}}),
    ('credentials', {'no_ringback_timeout': 5}, {'inbound': {'timeout_1xx_secs': 5}}),
    ('fqdn', {'no_ringback_timeout': 5, 'no_answer_timeout': 300},
     {'inbound': {'timeout_1xx_secs': 5, 'timeout_2xx_secs': 300}, 'outbound': {'timeout_1xx_secs': 5, 'timeout_2xx_secs': 300}}),
    ('ip', {'encrypted_media': 'SRTP'}, {'encrypted_media': 'SRTP'}),
    ('fqdn', {'encrypted_media': 'none'}, {'encrypted_media': None, 'outbound': {'encrypted_media': None}}),
    ('ip', {'ringback': 'generate_tone', 'compact_headers': False}, {'inbound': {'generate_ringback_tone': True, 'sip_compact_headers_enabled': False}}),
    ('ip', {'transport': 'TCP', 'sip_region': 'Europe', 'sip_subdomain': 'Acme-EU'},
     {'transport_protocol': 'TCP', 'inbound': {'sip_region': 'Europe', 'sip_subdomain': 'acme-eu'}}),
])
def test_inbound_field_paths_and_value_maps(kind, params, body):
    assert S.to_api('inbound', kind, params) == body


@pytest.mark.parametrize('ringback,wire', [
    ('default', {'instant_ringback_enabled': False, 'generate_ringback_tone': False}),
    ('instant', {'instant_ringback_enabled': True, 'generate_ringback_tone': False}),
    ('generate_tone', {'instant_ringback_enabled': False, 'generate_ringback_tone': True}),
])
def test_outbound_ringback_and_back(ringback, wire):
    assert S.to_api('outbound', 'credentials', {'ringback': ringback}) == {'outbound': wire}
    assert S.from_api('outbound', 'credentials', {'outbound': wire})['ringback'] == ringback


def test_outbound_body():
    assert S.to_api('outbound', 'ip', {'caller_id_override': '+13125550100', 'caller_id_override_type': 'emergency',
                                       'localization': 'de', 'outbound_voice_profile': '42', 'channel_limit': 10}) == {
        'outbound': {'ani_override': '+13125550100', 'ani_override_type': 'emergency', 'localization': 'DE',
                     'outbound_voice_profile_id': '42', 'channel_limit': 10}}


FQDN_OBJ = {
    'record_type': 'fqdn_connection', 'connection_name': 'acme-fqdn', 'encrypted_media': 'SRTP', 'tags': ['b', 'a'],
    'inbound': {'codecs': ['G711U', 'G711A'], 'timeout_1xx_secs': 3, 'timeout_2xx_secs': 90, 'channel_limit': None,
                'sip_subdomain_receive_settings': 'from_anyone', 'sip_subdomain': 'acme'},
    'outbound': {'encrypted_media': None, 'timeout_1xx_secs': 3, 'timeout_2xx_secs': 120, 'localization': 'US'},
}


def test_view_of_api_object():
    view = S.from_api('inbound', 'fqdn', FQDN_OBJ)
    assert view['codecs'] == ['G711U', 'G711A']
    assert view['no_ringback_timeout'] == 3
    assert view['no_answer_timeout'] == S.MIXED, 'inbound 90 and outbound 120 disagree'
    assert view['encrypted_media'] == S.MIXED
    assert view['subdomain_calls'] == 'from_anyone'
    assert view['sip_subdomain'] == 'acme'
    assert S.from_api('inbound', 'fqdn', FQDN_OBJ, {'codecs': ['G711U', 'G711A']}) == {'codecs': ['G711U', 'G711A']}
    assert S.from_api('connection', 'fqdn', FQDN_OBJ, {'tags': ['a', 'b'], 'name': 'acme-fqdn'}) == {
        'name': 'acme-fqdn', 'tags': ['a', 'b']}


def test_no_change_when_set_options_match_after_normalising():
    params = {'codecs': ['g711u', 'G711A'], 'no_ringback_timeout': 3, 'subdomain_calls': 'from_anyone',
              'sip_subdomain': 'ACME', 'channel_limit': None}
    assert S.diff('inbound', 'fqdn', params, FQDN_OBJ) == ([], {})
    assert S.diff('connection', 'fqdn', {'tags': ['a', 'b', 'a'], 'name': 'acme-fqdn'}, FQDN_OBJ) == ([], {})
    assert S.diff('outbound', 'fqdn', {'localization': 'us'}, FQDN_OBJ) == ([], {})


def test_codec_order_matters_and_nested_objects_are_sent_whole():
    changed, body = S.diff('inbound', 'fqdn', {'codecs': ['G711A', 'G711U'], 'no_answer_timeout': 90}, FQDN_OBJ)
    assert changed == ['no_answer_timeout', 'codecs']
    assert body == {
        'inbound': {'codecs': ['G711A', 'G711U'], 'timeout_1xx_secs': 3, 'timeout_2xx_secs': 90,
                    'sip_subdomain_receive_settings': 'from_anyone', 'sip_subdomain': 'acme'},
        'outbound': {'timeout_1xx_secs': 3, 'timeout_2xx_secs': 90, 'localization': 'US'},
    }


def test_encrypted_media_on_fqdn_writes_both_fields():
    changed, body = S.diff('outbound', 'fqdn', {'encrypted_media': 'SRTP'}, FQDN_OBJ)
    assert changed == ['encrypted_media']
    assert body['encrypted_media'] == 'SRTP' and body['outbound']['encrypted_media'] == 'SRTP'


def test_rtcp_sub_options_compared_one_by_one():
    obj = {'rtcp_settings': {'port': 'rtp+1', 'report_frequency_secs': 5, 'capture_enabled': False}}
    assert S.diff('connection', 'credentials', {'rtcp': {'port': 'rtp+1', 'capture': None}}, obj) == ([], {})
    assert S.diff('connection', 'credentials', {'rtcp': {'report_frequency': 10}}, obj) == (
        ['rtcp'], {'rtcp_settings': {'port': 'rtp+1', 'report_frequency_secs': 10, 'capture_enabled': False}})


def test_password_compare_and_update_password_on_create():
    obj = {'password': 'oldpassword1', 'user_name': 'acme1'}
    assert S.diff('connection', 'credentials', {'password': 'newpassword1'}, obj) == (['password'], {'password': 'newpassword1'})
    assert S.diff('connection', 'credentials', {'password': 'newpassword1', 'update_password': 'on_create'}, obj) == ([], {})


def test_tech_prefix_and_p_charge_info_share_a_value():
    obj = {'outbound': {'ip_authentication_method': 'tech-prefixp-charge-info'}}
    assert S.diff('connection', 'ip', {'ip_auth_method': 'p_charge_info'}, obj) == ([], {})
    assert S.from_api('connection', 'ip', obj, {'ip_auth_method': 'p_charge_info'}) == {'ip_auth_method': 'p_charge_info'}
    assert S.from_api('connection', 'ip', obj)['ip_auth_method'] == 'tech_prefix'
    assert S.diff('connection', 'ip', {'ip_auth_method': 'token'}, obj) == (
        ['ip_auth_method'], {'outbound': {'ip_authentication_method': 'token'}})


def test_child_addresses_compare_in_priority_order():
    obj = {'ips': [{'address': '10.0.0.1', 'port': 5060}, {'address': '10.0.0.2', 'port': 5060}]}
    same = {'ips': [{'address': '10.0.0.1', 'port': None}, {'address': '10.0.0.2', 'port': 5060}]}
    assert S.diff('connection', 'ip', same, obj) == ([], {})
    swapped = {'ips': list(reversed(same['ips']))}
    assert S.diff('connection', 'ip', swapped, obj) == (['ips'], {}), 'order is priority; never in the body'
    fq = {'fqdns': [{'fqdn': 'SBC.example.com.', 'dns_record_type': 'a', 'port': None}]}
    assert S.diff('connection', 'fqdn', fq, {'fqdns': [{'fqdn': 'sbc.example.com', 'port': 5060, 'dns_record_type': 'a'}]}) == ([], {})
    assert S.diff('connection', 'fqdn', fq, {'fqdns': [{'fqdn': 'sbc.example.com', 'port': None, 'dns_record_type': 'srv'}]})[0] == ['fqdns']


def test_beyond_three_addresses_order_does_not_matter():
    addresses = [{'address': '10.0.0.%d' % i, 'port': 5060} for i in range(1, 6)]
    moved = addresses[:3] + [addresses[4], addresses[3]]
    assert S.diff('connection', 'ip', {'ips': moved}, {'ips': addresses}) == ([], {})


def test_apply_patch_and_conflicts():
    obj = {'transport_protocol': 'UDP', 'inbound': {'a': 1, 'b': 2}}
    merged = S.apply_patch(obj, {'encrypted_media': 'SRTP', 'inbound': {'b': 3}})
    assert merged == {'transport_protocol': 'UDP', 'encrypted_media': 'SRTP', 'inbound': {'a': 1, 'b': 3}}
    assert obj['inbound'] == {'a': 1, 'b': 2}
    assert S.conflicts('ip', merged) == ['encrypted_media: SRTP requires transport TLS (SDES keys travel in the SIP body) '
                                         '(the connection would have SRTP with transport UDP)']
    assert S.conflicts('ip', obj) == []
    assert S.conflicts('ip', dict(merged, transport_protocol='TLS')) == []
    assert S.conflicts('fqdn', {'transport_protocol': 'TCP', 'outbound': {'encrypted_media': 'SRTP'}}) != []


def test_unknown_scope_and_unmappable_value():
    with pytest.raises(ValueError, match='unknown scope'):
        S.settings('basic')
    with pytest.raises(ValueError, match="subdomain_calls: 'disabled' cannot be used on ip connections"):
        S.to_api('inbound', 'ip', {'subdomain_calls': 'disabled'})


def test_username_rule_is_telnyx_s():
    assert S.validate('connection', 'credentials', {'username': 'acme1'}) == []
    for bad in ('12345abc', '1acme', 'ab', 'acme_1'):
        assert S.validate('connection', 'credentials', {'username': bad}) != [], bad


@pytest.mark.parametrize('scope,kind,option,body', [
    ('outbound', 'ip', 'caller_id_override', {'outbound': {'ani_override': ''}}),
    ('outbound', 'fqdn', 'localization', {'outbound': {'localization': ''}}),
    ('connection', 'ip', 'tech_prefix', {'outbound': {'tech_prefix': ''}}),
    ('connection', 'fqdn', 'token', {'outbound': {'ip_authentication_token': ''}}),
    ('connection', 'credentials', 'webhook_url', {'webhook_event_url': ''}),
    ('connection', 'credentials', 'webhook_failover_url', {'webhook_event_failover_url': ''}),
    ('inbound', 'ip', 'sip_subdomain', {'inbound': {'sip_subdomain': ''}}),
])
def test_empty_value_clears_an_option(scope, kind, option, body):
    """"" is valid, is sent as Telnyx's empty value, and then compares equal to both "" and null (idempotent)."""
    assert S.validate(scope, kind, {option: ''}) == []
    assert S.to_api(scope, kind, {option: ''}) == body
    section, field = (list(body.items())[0][0], None) if not isinstance(list(body.values())[0], dict) else \
        (list(body)[0], list(list(body.values())[0])[0])
    for current in ('', None):
        obj = {section: current} if field is None else {section: {field: current}}
        assert S.diff(scope, kind, {option: ''}, obj) == ([], {})
    obj = {section: 'x'} if field is None else {section: {field: 'x'}}
    assert S.diff(scope, kind, {option: ''}, obj)[0] == [option]


def test_fqdn_credentials_live_in_fqdn_authentication():
    assert S.validate('connection', 'fqdn', {'username': 'acme1', 'password': 'secret-pass'}) == []
    assert S.validate('connection', 'fqdn', {'username': 'acme1'}) == [
        'username, password: an FQDN connection takes both or neither (credential authentication)']
    assert S.validate('connection', 'fqdn', {'username': 'acme1', 'password': 'secret-pass', 'ip_auth_method': 'token'}) != []
    assert S.validate('connection', 'fqdn', {'ip_auth_method': 'tech_prefix'}) != []
    assert S.to_api('connection', 'fqdn', {'username': 'acme1', 'password': 'secret-pass'}) == {
        'fqdn_authentication': {'user_name': 'acme1', 'password': 'secret-pass'}}
    assert S.to_api('connection', 'fqdn', {'ip_auth_method': 'p_charge_info'}) == {
        'fqdn_authentication': {'ip_authentication_method': 'p-charge-info'}}
    obj = {'fqdn_authentication': {'user_name': 'acme1', 'password': 'secret-pass'}}
    assert S.diff('connection', 'fqdn', {'username': 'acme1', 'password': 'secret-pass'}, obj) == ([], {})


def test_a_masked_password_never_compares_equal_and_on_create_never_compares():
    obj = {'user_name': 'acme1', 'password': S.MASKED_PASSWORD}
    assert S.diff('connection', 'credentials', {'password': 'secret-pass'}, obj) == (['password'], {'password': 'secret-pass'})
    assert S.diff('connection', 'credentials', {'password': 'secret-pass', 'update_password': 'on_create'}, obj) == ([], {})


def test_srtp_problems_across_tabs():
    assert S.srtp_problems('ip', {'encrypted_media': 'SRTP', 'transport': 'TLS'}, {'encrypted_media': 'SRTP'}) == []
    assert S.srtp_problems('fqdn', {'encrypted_media': 'SRTP', 'transport': 'TLS'}, {'encrypted_media': 'none'}) == [
        'encrypted_media: inbound.encrypted_media and outbound.encrypted_media are one setting at Telnyx; they must not differ '
        '(got SRTP and none)']
    assert S.srtp_problems('ip', {'transport': 'UDP'}, {'encrypted_media': 'SRTP'}) == [
        'encrypted_media: SRTP requires transport TLS (SDES keys travel in the SIP body): set inbound.transport to TLS (got UDP)']
    assert S.srtp_problems('fqdn', {}, {'encrypted_media': 'SRTP'}) != []
    assert S.srtp_problems('credentials', {'encrypted_media': 'SRTP'}, {}) == []

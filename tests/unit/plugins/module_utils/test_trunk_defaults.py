# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The guide baseline of the trunk model (byoc_trunk_defaults, issue 13): every guide setting gets the guide's default,
per kind and region, overridable; what a trunk sets wins."""

from __future__ import annotations

import pytest

from ansible_collections.byoc.carrier.plugins.module_utils import _settings, _trunk

CRED = {'name': 'acme-cred', 'type': 'credentials', 'sbc_port': 5060, 'username': 'acmefra1', 'password': 'Passw0rd-long',
        'inbound': {'subdomain_calls': 'from_anyone'}}
IP = {'name': 'acme-ip', 'type': 'ip', 'sbc_port': 5062, 'ips': [{'address': '192.0.2.10', 'port': 5062}]}
FQDN = {'name': 'acme-fqdn', 'type': 'fqdn', 'sbc_port': 5064, 'fqdns': [{'fqdn': 'sbc.acme.example', 'port': 5065}],
        'inbound': {'transport': 'TLS', 'encrypted_media': 'SRTP'}}


def test_the_baseline_of_an_ip_trunk_in_the_eu_holds_the_guide_defaults():
    assert _trunk.defaults_for('ip', 'eu') == {
        'connection': {'webhook_url': '', 'webhook_failover_url': '', 'webhook_api_version': '2', 'anchorsite': 'Latency',
                       'encode_contact_header': False, 'comfort_noise': True, 'dtmf_type': 'RFC 2833',
                       'rtcp': {'report_frequency': 5, 'port': 'rtp+1', 'capture': False}, 'routing_method': 'sequential',
                       'ip_auth_method': 'tech_prefix', 'tech_prefix': '', 'token': ''},
        'inbound': {'dnis_number_format': 'e164', 'ani_number_format': 'E.164-national', 'no_ringback_timeout': 5,
                    'no_answer_timeout': 300, 'encrypted_media': 'none', 'ringback': 'default', 'codecs': ['G711U', 'G711A'],
                    'compact_headers': True, 'transport': 'UDP', 'sip_region': 'Europe', 'sip_subdomain': ''},
        'outbound': {'caller_id_override': '', 'localization': '', 'encrypted_media': 'none', 'ringback': 'instant'},
    }


def test_the_baseline_follows_the_kind_and_the_region():
    cred = _trunk.defaults_for('credentials', 'ca')
    assert cred['inbound']['subdomain_calls'] == 'disabled'
    for option in ('routing_method', 'ip_auth_method', 'tech_prefix', 'token'):
        assert option not in cred['connection']
    assert 'transport' not in cred['inbound'] and 'sip_region' not in cred['inbound']
    assert cred['outbound']['localization'] == 'CA'
    fqdn = _trunk.defaults_for('fqdn', 'com')
    assert 'subdomain_calls' not in fqdn['inbound'] and 'ip_auth_method' not in fqdn['connection']  # no extra request per FQDN
    assert fqdn['inbound']['sip_region'] == 'US' and fqdn['outbound']['localization'] == 'US'


@pytest.mark.parametrize('kind', _settings.KINDS)
@pytest.mark.parametrize('region', ('com', 'eu', 'ca'))
def test_the_baseline_passes_the_settings_table_for_every_kind_and_region(kind, region):
    defaults = _trunk.defaults_for(kind, region)
    assert _trunk.connection_problems(kind, defaults['connection'], defaults['inbound'], defaults['outbound']) == []


def test_overrides_per_inventory_and_per_type_win_and_null_leaves_a_setting_unmanaged():
    overrides = {'dtmf_type': 'SIP INFO', 'rtcp': {'capture': True}, 'webhook_url': None,
                 'inbound': {'no_answer_timeout': 120}, 'ip': {'inbound': {'no_answer_timeout': 60}, 'routing_method': 'round-robin'}}
    ip = _trunk.defaults_for('ip', 'com', overrides)
    assert ip['connection']['dtmf_type'] == 'SIP INFO' and ip['connection']['routing_method'] == 'round-robin'
    assert ip['connection']['rtcp'] == {'report_frequency': 5, 'port': 'rtp+1', 'capture': True}
    assert 'webhook_url' not in ip['connection']
    assert ip['inbound']['no_answer_timeout'] == 60
    assert _trunk.defaults_for('credentials', 'com', overrides)['inbound']['no_answer_timeout'] == 120


def test_what_the_trunk_sets_wins_and_a_null_it_gives_stays():
    trunk = dict(IP, dtmf_type='Inband', rtcp={'port': 'rtcp-mux'}, webhook_url=None, inbound={'codecs': ['G711A']})
    merged = _trunk.with_defaults(trunk, 'eu', {'inbound': {'codecs': ['G711U']}})
    assert merged['dtmf_type'] == 'Inband' and merged['webhook_url'] is None
    assert merged['rtcp'] == {'report_frequency': 5, 'port': 'rtcp-mux', 'capture': False}
    assert merged['inbound']['codecs'] == ['G711A'] and merged['inbound']['no_answer_timeout'] == 300
    assert merged['outbound']['ringback'] == 'instant'
    assert trunk['inbound'] == {'codecs': ['G711A']}  # the inventory's trunk is not changed


def test_encrypted_media_set_on_one_tab_is_taken_for_the_other():
    merged = _trunk.with_defaults(FQDN, 'eu')
    assert merged['inbound']['encrypted_media'] == 'SRTP' and merged['outbound']['encrypted_media'] == 'SRTP'
    assert _trunk.trunk_problems(merged) == []


def test_trunks_being_removed_or_without_a_type_are_left_alone():
    gone = dict(IP, state='absent')
    assert _trunk.with_defaults(gone, 'eu') is gone
    odd = {'name': 'x', 'type': 'sms'}
    assert _trunk.with_defaults(odd, 'eu') is odd


def test_the_entry_of_a_merged_trunk_carries_every_guide_setting():
    entry = _trunk.entry(_trunk.with_defaults(CRED, 'com'), 'com')
    assert entry['dtmf_type'] == 'RFC 2833' and entry['webhook_api_version'] == '2'
    assert entry['inbound']['subdomain_calls'] == 'from_anyone' and entry['inbound']['no_ringback_timeout'] == 5
    assert entry['outbound'] == {'caller_id_override': '', 'localization': 'US', 'encrypted_media': 'none', 'ringback': 'instant'}


def test_unknown_keys_of_the_defaults_are_named():
    assert _trunk.defaults_problems(None) == []
    assert _trunk.defaults_problems(['x']) == [
        ('byoc_trunk_defaults', 'must be a mapping of settings (like a trunk), optionally with a part per type')]
    assert _trunk.defaults_problems({'dtmf': 1, 'inbound': {'codec': []}, 'ip': {'outbound': {'x': 1}, 'ip': {}}, 'fqdn': 3}) == [
        ('byoc_trunk_defaults.dtmf', "unknown option 'dtmf' (did you mean 'dtmf_type'?)"),
        ('byoc_trunk_defaults.inbound.codec', "unknown option 'codec' (did you mean 'codecs'?)"),
        ('byoc_trunk_defaults.ip.ip', "unknown option 'ip' (did you mean 'ips'?)"),
        ('byoc_trunk_defaults.ip.outbound.x', "unknown option 'x' (not a byoc.carrier option: check its spelling)"),
        ('byoc_trunk_defaults.fqdn', 'must be a mapping'),
    ]


def test_a_trunk_s_nulls_are_checked_as_what_they_unset_before_any_request():
    trunk = dict(IP, dtmf_type=None, outbound={'channel_limit': None, 'caller_id_override': None})
    assert _trunk.trunk_problems(_trunk.with_defaults(trunk, 'com')) == [
        ('outbound.channel_limit', "cannot be unset on ip connections: Telnyx's API takes only a value there (never null); give one")]
    fqdn = dict(FQDN, inbound=dict(FQDN['inbound'], channel_limit=None), rtcp={'port': None})
    assert _trunk.trunk_problems(_trunk.with_defaults(fqdn, 'com')) == []

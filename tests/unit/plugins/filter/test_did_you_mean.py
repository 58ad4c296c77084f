# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An unknown option is named with the closest known one at every level (issue #14): trunk fields, inbound/outbound,
the bulk module's entries, the modules' own options; and a value YAML typed behind the user's back says to quote it."""

from __future__ import annotations

import pytest

from ansible_collections.byoc.carrier.plugins.filter.trunk_model import trunk_errors, trunk_errors_text
from ansible_collections.byoc.carrier.plugins.module_utils import _bulk, _common, _trunk
from ansible_collections.byoc.carrier.plugins.modules import outbound_voice_profile, sip_connection
from ansible_collections.byoc.carrier.tests.unit.plugins.modules.module_runner import fixture_api, run_module  # pylint: disable=unused-import # noqa: F401

TRUNK = {'name': 'acme-ca-cred', 'type': 'credentials', 'sbc_port': 5060, 'username': 'acmeca01', 'password': 's3cretPassw0rd'}


def model(**trunk):
    return {'sbc-yul1': {'byoc_region': 'ca', 'byoc_environment': 'prod', 'byoc_trunks': [dict(TRUNK, **trunk)]}}


def rules(**trunk):
    return rules_of(dict(TRUNK, **trunk))


def rules_of(trunk):
    hosts = {'sbc-yul1': {'byoc_region': 'ca', 'byoc_environment': 'prod', 'byoc_trunks': [trunk]}}
    return trunk_errors_text(trunk_errors(hosts, list(hosts)))


def test_the_message_names_the_closest_option():
    assert _common.unknown_option('dtmf_typ', ['dtmf_type', 'anchorsite']) == "unknown option 'dtmf_typ' (did you mean 'dtmf_type'?)"
    assert _common.unknown_option('colour', ['dtmf_type', 'anchorsite']) == \
        "unknown option 'colour' (not a byoc.carrier option: check its spelling)"
    assert _common.unknown_option('byoc_regoin', ['byoc_region'], what='variable') == \
        "unknown variable 'byoc_regoin' (did you mean 'byoc_region'?)"


def test_a_top_level_trunk_typo_names_host_trunk_and_fix():
    assert rules(dtmf_typ='SIP INFO') == \
        "sbc-yul1 / acme-ca-cred / dtmf_typ: unknown option 'dtmf_typ' (did you mean 'dtmf_type'?)"


@pytest.mark.parametrize('scope, key, wanted', [('inbound', 'codec', 'codecs'), ('outbound', 'localisation', 'localization'),
                                                ('inbound', 'no_answer_timout', 'no_answer_timeout')])
def test_a_tab_typo_names_the_closest_option_of_that_tab(scope, key, wanted):
    assert rules(**{scope: {key: 'x'}}) == \
        "sbc-yul1 / acme-ca-cred / %s.%s: unknown option '%s' (did you mean '%s'?)" % (scope, key, key, wanted)


def test_an_option_at_the_wrong_level_is_pointed_where_it_belongs():
    assert rules(codecs=['G711U'], inbound={'dtmf_type': 'Inband'}).split('\n') == [
        "sbc-yul1 / acme-ca-cred / codecs: unknown option 'codecs' here (it belongs under inbound:)",
        "sbc-yul1 / acme-ca-cred / inbound.dtmf_type: unknown option 'dtmf_type' here (it belongs at the top level of the trunk)",
    ]
    assert _trunk.unknown_keys(dict(TRUNK, ringback='instant')) == [
        ('ringback', "unknown option 'ringback' here (it belongs under inbound: or under outbound:)")]


def test_sbc_keys_pass_through_unless_they_are_a_near_miss():
    assert rules(sbc_note='for the SBC team') == ''
    assert rules(sbc_prot=5062) == "sbc-yul1 / acme-ca-cred / sbc_prot: unknown option 'sbc_prot' (did you mean 'sbc_port'?)"


def test_bulk_entries_name_the_closest_option():
    entry = {'name': 'acme-ca-cred', 'type': 'credentials', 'username': 'acmeca01', 'password': 's3cretPassw0rd',
             'dtmf_typ': 'Inband', 'inbound': {'codec': ['G711U']}}
    dummy, problems, dummy = _bulk.validate_entries([entry])
    assert "connections[0] (acme-ca-cred): dtmf_typ: unknown option 'dtmf_typ' (did you mean 'dtmf_type'?)" in problems
    assert "connections[0] (acme-ca-cred): inbound.codec: unknown option 'codec' (did you mean 'codecs'?)" in problems


def test_module_options_name_the_closest_option(api):
    result = run_module(sip_connection, api.module_args(name='acme-ca-cred', type='credentials', dtmf_typ='Inband'))
    assert result['failed'] and api.calls == []
    assert result['problems'][0] == "dtmf_typ: unknown option 'dtmf_typ' (did you mean 'dtmf_type'?)"
    result = run_module(outbound_voice_profile, api.module_args(name='acme-ca', daily_spend_limt='100'))
    assert result['failed'] and api.calls == []
    assert result['msg'].startswith("daily_spend_limt: unknown option 'daily_spend_limt' (did you mean 'daily_spend_limit'?). "
                                    "Unsupported parameters for ")


@pytest.mark.parametrize('value, hint', [(123, 'YAML read the unquoted value as the number 123 (a leading 0 or + is lost): quote it'),
                                         (True, 'YAML read the unquoted value as the boolean true (on/off/yes/no are booleans in YAML): quote it')])
def test_a_value_yaml_typed_says_to_quote_it(value, hint):
    trunk = {'name': 'acme-ca-cred', 'type': 'ip', 'sbc_port': 5060, 'ips': [{'address': '198.51.100.7', 'port': 5060}],
             'ip_auth_method': 'tech_prefix', 'tech_prefix': value}
    text = rules_of(trunk)
    assert text.startswith('sbc-yul1 / acme-ca-cred / tech_prefix: ')
    assert hint in text
    assert 'must be exactly 4 digits' in text or 'must be a string' in text


def test_localization_no_read_as_a_boolean_says_to_quote_it():
    text = rules(outbound={'localization': False})
    assert text == ('sbc-yul1 / acme-ca-cred / outbound.localization: must be a string; YAML read the unquoted value as '
                    'the boolean false (on/off/yes/no are booleans in YAML): quote it')


def test_a_misspelt_role_variable_is_named_with_the_closest_one():
    hosts = model()
    hosts['sbc-yul1'].update(byoc_telnyx_api_ulr='http://127.0.0.1:8900/v2', cpaas_prune_tag=['byoc'], sbc_listen_prot=5070)
    assert trunk_errors_text(trunk_errors(hosts, list(hosts))).split('\n') == [
        "sbc-yul1 / - / byoc_telnyx_api_ulr: unknown variable 'byoc_telnyx_api_ulr' (did you mean 'byoc_telnyx_api_url'?)",
        "sbc-yul1 / - / cpaas_prune_tag: unknown variable 'cpaas_prune_tag' (did you mean 'cpaas_prune_tags'?)",
        "sbc-yul1 / - / sbc_listen_prot: unknown variable 'sbc_listen_prot' (did you mean 'sbc_listen_port'?)",
    ]


def test_variables_of_ones_own_with_a_role_prefix_pass():
    hosts = model()
    hosts['sbc-yul1'].update(byoc_telnyx_sip_region='US', byoc_sip_domain='sip.telnyx.ca', byoc_demo_dir='/tmp/x',
                             sbc_listen_port=5070, cpaas_prune_tags=['byoc'], byoc_telnyx_api_url='http://127.0.0.1:8900/v2')
    assert trunk_errors(hosts, list(hosts)) == []


def test_an_unquoted_e164_number_says_to_quote_it():
    assert rules(numbers=[14165550100, '+14165550101']) == (
        'sbc-yul1 / acme-ca-cred / numbers.0: must be an E.164 number (+ then 6-15 digits, no spaces) such as +4930123456; '
        'YAML read the unquoted value as the number 14165550100 (a leading 0 or + is lost): quote it')

# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The vendor guide's spellings are accepted (issue #14) and normalised to one canonical value before anything is
compared: no write, no drift, no flip between the two spellings."""

from __future__ import annotations

import pytest

from ansible_collections.byoc.carrier.plugins.module_utils import _settings
from ansible_collections.byoc.carrier.plugins.modules import sip_connection, sip_inbound
from ansible_collections.byoc.carrier.tests.unit.plugins.modules.module_runner import fixture_api, run_module  # pylint: disable=unused-import # noqa: F401

CRED = {'id': '100', 'record_type': 'credential_connection', 'connection_name': 'acme-ca-cred', 'user_name': 'acmeca01',
        'dtmf_type': 'SIP INFO', 'inbound': {'dnis_number_format': '+e164', 'ani_number_format': '+E.164', 'generate_ringback_tone': True},
        'sip_uri_calling_preference': 'unrestricted'}


@pytest.mark.parametrize('scope, option, alias, canonical', [
    ('connection', 'dtmf_type', 'SIP Info', 'SIP INFO'),
    ('connection', 'routing_method', 'Round-Robin', 'round-robin'),
    ('inbound', 'dnis_number_format', '+E.164', '+e164'),
    ('inbound', 'ani_number_format', '+e164', '+E.164'),
    ('inbound', 'ani_number_format', 'e164-national', 'E.164-national'),
    ('inbound', 'subdomain_calls', 'From Anyone', 'from_anyone'),
    ('inbound', 'ringback', 'Generate Ringback Tone', 'generate_tone'),
    ('outbound', 'ringback', 'Enable Instant Ringback', 'instant'),
])
def test_an_alias_validates_and_sends_the_canonical_value(scope, option, alias, canonical):
    kind = 'ip' if option == 'routing_method' else 'credentials'
    assert _settings.validate(scope, kind, {option: alias}) == []
    assert _settings.to_api(scope, kind, {option: alias}) == _settings.to_api(scope, kind, {option: canonical})
    assert _settings.from_api(scope, kind, {}, {option: alias}).keys() == {option}
    assert alias in _settings.argument_spec(scope)[option]['choices']


def test_an_alias_of_the_current_value_is_no_change():
    changed, body = _settings.diff('connection', 'credentials', {'dtmf_type': 'SIP Info'}, CRED)
    assert (changed, body) == ([], {})
    aliases = {'dnis_number_format': '+E.164', 'ani_number_format': '+e164', 'ringback': 'Generate Ringback Tone',
               'subdomain_calls': 'From Anyone'}
    changed, body = _settings.diff('inbound', 'credentials', aliases, CRED)
    assert (changed, body) == ([], {})
    changed, body = _settings.diff('inbound', 'credentials', {'dnis_number_format': 'E.164'}, CRED)
    assert changed == ['dnis_number_format'] and body['inbound']['dnis_number_format'] == 'e164'


def test_the_inbound_tab_has_no_instant_ringback():
    assert _settings.validate('inbound', 'credentials', {'ringback': 'Enable Instant Ringback'}) == [
        "ringback: must be one of 'default', 'generate_tone'"]
    assert 'Enable Instant Ringback' not in _settings.argument_spec('inbound')['ringback']['choices']


def test_modules_take_the_guide_spelling_without_a_write(api):
    api.add_list('/credential_connections', [CRED], params={'filter[connection_name][contains]': 'acme-ca-cred'})
    result = run_module(sip_connection, api.module_args(name='acme-ca-cred', type='credentials', dtmf_type='SIP Info'))
    assert result['changed'] is False and [c[0] for c in api.calls] == ['GET']
    api.add_list('/connections', [CRED], params={'filter[connection_name][contains]': 'acme-ca-cred'})
    api.add('GET', '/credential_connections/100', json={'data': CRED})
    result = run_module(sip_inbound, api.module_args(connection='acme-ca-cred', dnis_number_format='+E.164', ringback='Generate Ringback Tone'))
    assert result['changed'] is False and [c[0] for c in api.calls] == ['GET', 'GET', 'GET']

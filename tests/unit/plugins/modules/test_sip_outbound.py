# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sip_outbound: outbound voice profile lookup and the exact PATCH."""

from __future__ import annotations

from ansible_collections.byoc.carrier.plugins.modules import sip_outbound
from ansible_collections.byoc.carrier.tests.unit.plugins.fake_api import page
from ansible_collections.byoc.carrier.tests.unit.plugins.modules.module_runner import fixture_api, run_module  # pylint: disable=unused-import # noqa: F401
from ansible_collections.byoc.carrier.tests.unit.plugins.modules.test_sip_inbound import existing, patched

OVP_QUERY = {'filter[name][contains]': 'acme-eu', 'page[size]': '250', 'page[number]': '1'}


def test_profile_by_name_and_every_option_in_one_patch(api):
    obj = existing(api, 'ip', outbound={'localization': None, 'instant_ringback_enabled': True, 'generate_ringback_tone': False,
                                        'ip_authentication_method': 'token', 'channel_limit': None})
    api.add('GET', '/outbound_voice_profiles', json=page([{'id': '55', 'name': 'acme-eu-2'}, {'id': '56', 'name': 'acme-eu'}]),
            params=OVP_QUERY)
    patched(api, 'ip', obj)
    result = run_module(sip_outbound, api.module_args(connection='acme-1', outbound_voice_profile='acme-eu', localization='de',
                                                      caller_id_override='+4930123456', caller_id_override_type='normal',
                                                      ringback='generate_tone', channel_limit=5, encrypted_media='none'), diff=True)
    assert api.calls[2] == ('GET', '/outbound_voice_profiles', OVP_QUERY, None)
    assert api.calls[3] == ('PATCH', '/ip_connections/7', {}, {'outbound': {
        'instant_ringback_enabled': False, 'generate_ringback_tone': True, 'ip_authentication_method': 'token',
        'ani_override': '+4930123456', 'ani_override_type': 'normal', 'localization': 'DE', 'outbound_voice_profile_id': '56',
        'channel_limit': 5}})
    assert result['changed_options'] == ['caller_id_override', 'caller_id_override_type', 'localization', 'ringback',
                                         'outbound_voice_profile', 'channel_limit']
    assert result['diff']['before']['ringback'] == 'instant' and result['diff']['after']['ringback'] == 'generate_tone'
    assert result['diff']['after']['outbound_voice_profile'] == '56'


def test_profile_id_already_set_needs_no_lookup(api):
    existing(api, 'credentials', outbound={'outbound_voice_profile_id': '56', 'localization': 'DE'})
    result = run_module(sip_outbound, api.module_args(connection='acme-1', outbound_voice_profile='56', localization='DE'))
    assert result['changed'] is False and len(api.calls) == 2


def test_profile_by_id(api):
    obj = existing(api, 'fqdn', outbound={'outbound_voice_profile_id': None}, transport_protocol='TLS')
    query = {'filter[name][contains]': '1234567', 'page[size]': '250', 'page[number]': '1'}
    api.add('GET', '/outbound_voice_profiles', json=page([]), params=query)
    api.add('GET', '/outbound_voice_profiles/1234567', json={'data': {'id': '1234567', 'name': 'other'}})
    patched(api, 'fqdn', obj)
    run_module(sip_outbound, api.module_args(connection='acme-1', outbound_voice_profile='1234567', encrypted_media='SRTP'))
    assert api.calls[-1] == ('PATCH', '/fqdn_connections/7', {}, {
        'outbound': {'outbound_voice_profile_id': '1234567', 'encrypted_media': 'SRTP'}, 'encrypted_media': 'SRTP'})


def test_missing_profile_fails_naming_it(api):
    existing(api, 'credentials')
    api.add('GET', '/outbound_voice_profiles', json=page([{'id': '55', 'name': 'acme-eu-2'}]), params=OVP_QUERY)
    result = run_module(sip_outbound, api.module_args(connection='acme-1', outbound_voice_profile='acme-eu'))
    assert result['failed'] and len(api.calls) == 3
    assert result['msg'] == ("outbound_voice_profile: no outbound voice profile is named 'acme-eu' or has that id; create it first "
                             "with byoc.carrier.outbound_voice_profile.")


def test_duplicate_profiles_fail_listing_ids(api):
    existing(api, 'credentials')
    api.add('GET', '/outbound_voice_profiles', json=page([{'id': '55', 'name': 'acme-eu'}, {'id': '57', 'name': 'acme-eu'}]),
            params=OVP_QUERY)
    result = run_module(sip_outbound, api.module_args(connection='acme-1', outbound_voice_profile='acme-eu'))
    assert result['failed'] and '55, 57' in result['msg'] and result['ids'] == ['55', '57']


def test_missing_profile_in_check_mode_warns_and_reports_change(api):
    existing(api, 'credentials')
    api.add('GET', '/outbound_voice_profiles', json=page([]), params=OVP_QUERY)
    warnings = []
    result = run_module(sip_outbound, api.module_args(connection='acme-1', outbound_voice_profile='acme-eu'), check=True,
                        warnings=warnings)
    assert result['changed'] is True and len(api.calls) == 3
    assert warnings == ["outbound_voice_profile 'acme-eu' does not exist (yet); a real run fails unless it is created first."]


def test_two_profiles_with_the_name_fail_listing_their_ids_like_sip_connections(api):
    existing(api, 'credentials')
    api.add('GET', '/outbound_voice_profiles', json=page([{'id': '55', 'name': 'acme-eu'}, {'id': '56', 'name': 'acme-eu'}]),
            params=OVP_QUERY)
    result = run_module(sip_outbound, api.module_args(connection='acme-1', outbound_voice_profile='acme-eu'))
    assert result['failed'] and result['ids'] == ['55', '56'] and len(api.calls) == 3
    assert result['msg'] == ("outbound_voice_profile: 2 outbound voice profiles are named 'acme-eu' (55, 56); set outbound_voice_profile "
                             "to one of these ids instead.")

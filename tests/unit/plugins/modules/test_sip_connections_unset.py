# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sip_connections: every option can be unset with null (issue 17), sent as Telnyx's empty value (a string: "",
channel_limit: null) or, where Telnyx has none, as Telnyx's own default; idempotent; check mode and diff show it."""

from __future__ import annotations

import yaml

from ansible_collections.byoc.carrier.plugins.module_utils import _bulk, _settings
from ansible_collections.byoc.carrier.plugins.modules import sip_connections
from ansible_collections.byoc.carrier.tests.unit.plugins.modules.module_runner import fixture_api  # noqa: F401 pylint: disable=unused-import
from ansible_collections.byoc.carrier.tests.unit.plugins.modules.test_sip_connections import (
    FQ, FQDN_OBJ, FQDNS, IP_OBJ, IPC, IPS, TOKEN, account, echo, run, writes)

DRIFTED = dict(IP_OBJ, dtmf_type='Inband', default_on_hold_comfort_noise_enabled=False, webhook_event_url='https://hooks.example.com/a',
               tags=['acme', 'prod'], rtcp_settings={'port': 'rtcp-mux', 'report_frequency_secs': 10, 'capture_enabled': True},
               inbound=dict(IP_OBJ['inbound'], channel_limit=20, timeout_1xx_secs=9, sip_subdomain='acmeip'),
               outbound=dict(IP_OBJ['outbound'], channel_limit=5, ani_override='+13125550100', tech_prefix=''))
UNSET = dict(IPC, dtmf_type=None, comfort_noise=None, webhook_url=None, rtcp={'port': None, 'report_frequency': 10, 'capture': None},
             inbound={'transport': 'UDP', 'no_ringback_timeout': None, 'sip_subdomain': None},
             outbound={'caller_id_override': None})


def test_null_unsets_each_option_with_telnyx_s_empty_value_or_its_default(api):
    account(api, ip=[DRIFTED], ips=IPS)
    api.add('PATCH', '/ip_connections/200', handler=echo(DRIFTED))
    result = run(api, [UNSET])
    assert not result.get('failed'), result
    (call,) = writes(api)
    assert call[:2] == ('PATCH', '/ip_connections/200')
    assert call[3] == {
        'dtmf_type': 'RFC 2833', 'default_on_hold_comfort_noise_enabled': True, 'webhook_event_url': '',
        'rtcp_settings': {'port': 'rtp+1', 'report_frequency_secs': 10, 'capture_enabled': False},
        'inbound': {'default_primary_ip_id': '201', 'default_secondary_ip_id': '202', 'channel_limit': 20, 'timeout_1xx_secs': 3,
                    'sip_subdomain': ''},
        'outbound': {'ip_authentication_method': 'token', 'ip_authentication_token': TOKEN, 'channel_limit': 5, 'ani_override': '',
                     'tech_prefix': ''},
    }
    assert sorted(result['results'][0]['changes']) == sorted(['dtmf_type', 'comfort_noise', 'webhook_url', 'rtcp', 'inbound.no_ringback_timeout',
                                                              'inbound.sip_subdomain', 'outbound.caller_id_override'])


def test_unset_options_already_unset_write_nothing(api):
    cleared = dict(IP_OBJ, dtmf_type='RFC 2833', default_on_hold_comfort_noise_enabled=True, webhook_event_url=None,
                   rtcp_settings={'port': 'rtp+1', 'report_frequency_secs': 10, 'capture_enabled': False},
                   inbound=dict(IP_OBJ['inbound'], timeout_1xx_secs=3, sip_subdomain=None),
                   outbound=dict(IP_OBJ['outbound'], ani_override=''))
    account(api, ip=[cleared], ips=IPS)
    result = run(api, [UNSET], results='all')
    assert not result.get('failed'), result
    assert writes(api) == []
    assert result['results'][0]['status'] == 'unchanged'


def test_check_mode_and_diff_show_the_unset_values(api):
    account(api, ip=[DRIFTED], ips=IPS)
    result = run(api, [UNSET], check=True, diff=True)
    assert writes(api) == []
    before, after = result['diff']['before']['acme-ip'], result['diff']['after']['acme-ip']
    assert (before['dtmf_type'], after['dtmf_type']) == ('Inband', 'RFC 2833')
    assert (before['outbound']['caller_id_override'], after['outbound']['caller_id_override']) == ('+13125550100', '')
    assert (before['inbound']['sip_subdomain'], after['inbound']['sip_subdomain']) == ('acmeip', '')


def test_options_that_cannot_be_unset_stay_as_they_are_and_each_unset_value_is_valid():
    entry = _bulk.nulls_clear({'name': 'x', 'type': 'credentials', 'codecs': None, 'inbound': {'codecs': None, 'subdomain_calls': None},
                               'outbound': {'outbound_voice_profile': None, 'ringback': None}})
    assert entry['inbound'] == {'codecs': None, 'subdomain_calls': 'disabled'}
    assert entry['outbound'] == {'outbound_voice_profile': None, 'ringback': 'instant'}
    fqdn = _bulk.nulls_clear({'name': 'x', 'type': 'fqdn', 'inbound': {'subdomain_calls': None}, 'outbound': {'ringback': None}})
    assert fqdn['inbound'] == {'subdomain_calls': None} and fqdn['outbound'] == {'ringback': 'default'}
    for scope in _settings.SCOPES:
        for setting in _settings.settings(scope):
            for kind in setting.kinds:
                value = _settings.unset_value(scope, setting.option, kind)
                if value is None:
                    assert setting.option in _settings.NOT_UNSETTABLE or kind != 'credentials' or setting.option == 'ip_auth_method', \
                        (scope, setting.option, kind)
                    continue
                problems = _settings.validate(scope, kind, {setting.option: value})
                if setting.clearable and kind not in setting.clear_kinds:  # channel_limit outside an FQDN's inbound side
                    assert setting.option == 'channel_limit' and problems[0].startswith('channel_limit: cannot be unset on %s' % kind)
                    continue
                assert problems == [], (scope, setting.option, kind, value)


def test_an_fqdn_connection_s_inbound_channel_limit_is_unset_with_null(api):
    fqdn = dict(FQDN_OBJ, inbound=dict(FQDN_OBJ['inbound'], channel_limit=12))
    account(api, fqdn=[fqdn], fqdns=FQDNS)
    api.add('PATCH', '/fqdn_connections/300', handler=echo(fqdn))
    result = run(api, [dict(FQ, inbound={'sip_region': 'Europe', 'channel_limit': None})])
    assert not result.get('failed'), result
    (call,) = writes(api)
    assert call[:2] == ('PATCH', '/fqdn_connections/300')
    assert call[3]['inbound']['channel_limit'] is None
    assert result['results'][0]['changes'] == ['inbound.channel_limit']


def test_channel_limit_cannot_be_unset_where_telnyx_takes_only_an_integer(api):
    result = run(api, [dict(IPC, outbound={'channel_limit': None}), dict(FQ, outbound={'channel_limit': None}),
                       dict(IPC, name='acme-ip-2', token='tok-acme-ip-2-0001', inbound={'channel_limit': None})])
    assert result['failed'] is True and api.calls == []
    assert result['problems'] == [
        "connections[0] (acme-ip): outbound.channel_limit: cannot be unset on ip connections: Telnyx's API takes only a value there "
        "(never null); give one",
        "connections[1] (acme-fqdn): outbound.channel_limit: cannot be unset on fqdn connections: Telnyx's API takes only a value there "
        "(never null); give one",
        "connections[2] (acme-ip-2): inbound.channel_limit: cannot be unset on ip connections: Telnyx's API takes only a value there "
        "(unset works on fqdn); give one",
    ]


def test_the_module_documents_what_null_means_for_each_option():
    text = ' '.join(' '.join(yaml.safe_load(sip_connections.DOCUMENTATION)['description']).split())
    for scope, prefix in (('connection', ''), ('inbound', 'inbound.'), ('outbound', 'outbound.')):
        for setting in _settings.settings(scope):
            name = prefix + setting.option
            if setting.option in _settings.NOT_UNSETTABLE:
                assert 'C(%s)' % name in text.split('cannot be unset;', maxsplit=1)[0].rsplit('These are', 1)[-1], name
                continue
            if setting.clearable:
                assert 'C(%s)' % name in text, name
                continue
            value = _settings.UNSET[scope][setting.option]
            if setting.type == 'dict':
                assert 'C(%s) (or one of its keys)' % name in text, name
                continue
            value = value.get('credentials', value.get('ip')) if isinstance(value, dict) else value
            shown = str(value).lower() if isinstance(value, bool) else str(value)
            assert 'C(%s) - V(%s)' % (name, shown) in text or ('C(%s),' % name in text and '- V(%s)' % shown in text), name

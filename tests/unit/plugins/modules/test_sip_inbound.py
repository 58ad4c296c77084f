# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sip_inbound: the exact HTTP calls per connection kind, no-op, check mode and failures."""

from __future__ import annotations

import json

from ansible_collections.byoc.carrier.plugins.modules import sip_inbound
from ansible_collections.byoc.carrier.tests.unit.plugins.fake_api import page
from ansible_collections.byoc.carrier.tests.unit.plugins.modules.module_runner import fixture_api, run_module  # pylint: disable=unused-import # noqa: F401

LISTING = {'filter[connection_name][contains]': 'acme-1', 'page[size]': '250', 'page[number]': '1'}
PASSWORD = 'Sup3rSecretPassw0rd'


KINDS = {'credentials': ('credential_connection', '/credential_connections'), 'ip': ('ip_connection', '/ip_connections'),
         'fqdn': ('fqdn_connection', '/fqdn_connections')}


def existing(api, kind, **fields):
    """Script the lookup of connection acme-1 (id 7) of ``kind``; returns the object."""
    record_type, path = KINDS[kind]
    obj = {'id': '7', 'record_type': record_type, 'connection_name': 'acme-1', 'user_name': 'acme1', 'password': PASSWORD,
           'inbound': {'codecs': ['G722', 'G711U'], 'timeout_1xx_secs': 3, 'timeout_2xx_secs': 90, 'channel_limit': None},
           'outbound': {'localization': 'US'}}
    obj.update(fields)
    api.add('GET', '/connections', json=page([{'id': '7', 'record_type': record_type, 'connection_name': 'acme-1'}]), params=LISTING)
    api.add('GET', '%s/7' % path, json={'data': obj})
    return obj


def patched(api, kind, obj):
    def handler(request):
        data = dict(obj)
        for key, value in request.json.items():
            data[key] = dict(obj.get(key) or {}, **value) if isinstance(value, dict) else value
        return 200, {'data': data}
    api.add('PATCH', '%s/7' % KINDS[kind][1], handler=handler)


def test_credentials_update_in_one_patch(api):
    obj = existing(api, 'credentials')
    patched(api, 'credentials', obj)
    result = run_module(sip_inbound, api.module_args(connection='acme-1', codecs=['G711U', 'G711A'], no_answer_timeout=60,
                                                     no_ringback_timeout=3, subdomain_calls='from_anyone', ringback='generate_tone',
                                                     dnis_number_format='+e164', ani_number_format='+E.164', compact_headers=False,
                                                     encrypted_media='SRTP', channel_limit=10), diff=True)
    assert api.calls[2] == ('PATCH', '/credential_connections/7', {}, {
        'inbound': {'codecs': ['G711U', 'G711A'], 'timeout_1xx_secs': 3, 'timeout_2xx_secs': 60, 'generate_ringback_tone': True,
                    'dnis_number_format': '+e164', 'ani_number_format': '+E.164', 'sip_compact_headers_enabled': False,
                    'channel_limit': 10},
        'sip_uri_calling_preference': 'unrestricted', 'encrypted_media': 'SRTP'})
    assert len(api.calls) == 3
    assert result['changed'] is True
    assert result['changed_options'] == ['dnis_number_format', 'ani_number_format', 'no_answer_timeout', 'subdomain_calls',
                                         'encrypted_media', 'ringback', 'codecs', 'compact_headers', 'channel_limit']
    assert result['diff']['before']['codecs'] == ['G722', 'G711U'] and result['diff']['after']['codecs'] == ['G711U', 'G711A']
    assert result['diff']['before']['subdomain_calls'] is None and result['diff']['after']['subdomain_calls'] == 'from_anyone'
    assert result['connection']['sip_uri'] == 'acme1@sip.telnyx.com'
    assert PASSWORD not in json.dumps(result)


def test_unchanged_is_not_written(api):
    existing(api, 'ip', transport_protocol='TCP', inbound={'codecs': ['G711A'], 'sip_subdomain': 'acme', 'sip_region': 'Europe',
                                                           'sip_subdomain_receive_settings': 'only_my_connections'})
    result = run_module(sip_inbound, api.module_args(connection='acme-1', codecs=['G711A'], transport='TCP', sip_subdomain='acme',
                                                     sip_region='Europe', subdomain_calls='internal', region='eu'))
    assert result['changed'] is False and len(api.calls) == 2
    assert result['connection']['sip_uri'] == 'acme@sip.telnyx.eu'


def test_fqdn_timeouts_are_written_inbound_and_outbound(api):
    obj = existing(api, 'fqdn', outbound={'timeout_1xx_secs': 3, 'timeout_2xx_secs': 90, 'localization': 'US'})
    patched(api, 'fqdn', obj)
    run_module(sip_inbound, api.module_args(connection='acme-1', no_ringback_timeout=10))
    assert api.calls[2][3] == {'inbound': {'codecs': ['G722', 'G711U'], 'timeout_1xx_secs': 10, 'timeout_2xx_secs': 90},
                               'outbound': {'timeout_1xx_secs': 10, 'timeout_2xx_secs': 90, 'localization': 'US'}}


def test_check_mode_reports_change_without_writing(api):
    existing(api, 'credentials')
    result = run_module(sip_inbound, api.module_args(connection='acme-1', codecs=['G711U']), check=True)
    assert result['changed'] is True and len(api.calls) == 2
    assert result['connection']['inbound']['codecs'] == ['G711U']


def test_missing_connection_in_check_mode_is_a_change_with_a_note(api):
    api.add('GET', '/connections', json=page([]), params=LISTING)
    result = run_module(sip_inbound, api.module_args(connection='acme-1', codecs=['G711U']), check=True)
    assert result['changed'] is True and result['connection'] is None
    assert "Connection 'acme-1' does not exist (yet)" in result['msg']


def test_missing_connection_in_a_real_run_fails(api):
    api.add('GET', '/connections', json=page([]), params=LISTING)
    result = run_module(sip_inbound, api.module_args(connection='acme-1', codecs=['G711U']))
    assert result['failed']
    assert result['msg'] == "Connection 'acme-1' does not exist; create it first with byoc.carrier.sip_connection."


def test_option_of_another_kind_fails_naming_option_and_kind(api):
    existing(api, 'credentials')
    result = run_module(sip_inbound, api.module_args(connection='acme-1', transport='TCP', sip_region='US'))
    assert result['failed'] and len(api.calls) == 2
    assert result['problems'] == ['transport: does not apply to credentials connections (only to ip, fqdn)',
                                  'sip_region: does not apply to credentials connections (only to ip, fqdn)']


def test_invalid_values_fail_before_any_request(api):
    result = run_module(sip_inbound, api.module_args(connection='acme-1', codecs=['G711U', 'G729'], no_ringback_timeout=500))
    assert result['failed'] and api.calls == []
    assert result['problems'] == ["codecs[1]: must be one of 'G711U', 'G711A'", 'no_ringback_timeout: must be between 1 and 120, got 500']


def test_ansible_argument_errors_are_merged_with_the_table_rules(api):
    result = run_module(sip_inbound, api.module_args(connection='acme-1', transport='SCTP', no_answer_timeout=900, bogus=1))
    assert result['failed'] and api.calls == []
    assert result['problems'][0] == "bogus: unknown option 'bogus' (not a byoc.carrier option: check its spelling)"
    assert result['problems'][1].startswith('bogus. Supported parameters include: ')
    assert result['problems'][2:] == ['no_answer_timeout: must be between 1 and 600, got 900',
                                      "transport: must be one of 'UDP', 'TCP', 'TLS'"]


def test_a_misspelt_option_is_named_with_the_closest_one(api):
    result = run_module(sip_inbound, api.module_args(connection='acme-1', dnis_numbr_format='+e164'))
    assert result['failed'] and api.calls == []
    assert result['problems'][0] == "dnis_numbr_format: unknown option 'dnis_numbr_format' (did you mean 'dnis_number_format'?)"
    assert result['msg'].startswith("Invalid options: dnis_numbr_format: unknown option 'dnis_numbr_format' (did you mean "
                                    "'dnis_number_format'?); dnis_numbr_format. Supported parameters include: ")


def test_srtp_with_existing_udp_transport_fails_before_writing(api):
    existing(api, 'ip', transport_protocol='UDP')
    result = run_module(sip_inbound, api.module_args(connection='acme-1', encrypted_media='SRTP'))
    assert result['failed'] and len(api.calls) == 2
    assert result['problems'] == ['encrypted_media: SRTP requires transport TLS (SDES keys travel in the SIP body) '
                                  '(the connection would have SRTP with transport UDP)']


def test_srtp_with_udp_fails_before_any_request(api):
    result = run_module(sip_inbound, api.module_args(connection='acme-1', encrypted_media='SRTP', transport='UDP'))
    assert result['failed'] and api.calls == []
    assert result['problems'] == ['encrypted_media: SRTP requires transport TLS (SDES keys travel in the SIP body), got transport UDP']


def test_srtp_with_tls_is_written(api):
    obj = existing(api, 'ip', transport_protocol='UDP')
    patched(api, 'ip', obj)
    result = run_module(sip_inbound, api.module_args(connection='acme-1', encrypted_media='SRTP', transport='TLS'))
    assert result['changed']
    assert api.calls[-1] == ('PATCH', '/ip_connections/7', {}, {'encrypted_media': 'SRTP', 'transport_protocol': 'TLS'})

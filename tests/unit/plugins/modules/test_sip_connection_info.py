# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sip_connection_info: the exact HTTP calls per filter, redaction, SIP URIs, addresses and registration status."""

from __future__ import annotations

import json

from ansible_collections.byoc.carrier.plugins.modules import sip_connection_info
from ansible_collections.byoc.carrier.tests.unit.plugins.fake_api import page
from ansible_collections.byoc.carrier.tests.unit.plugins.modules.module_runner import fixture_api, run_module  # pylint: disable=unused-import # noqa: F401

PASSWORD = 'Sup3rSecretPassw0rd'
TOKEN = 'tok-8f1e2d3c4b5a'
PAGE = {'page[size]': '250', 'page[number]': '1'}
PATHS = ('/credential_connections', '/ip_connections', '/fqdn_connections')
CRED = {'id': '11', 'record_type': 'credential_connection', 'connection_name': 'acme-fra1', 'user_name': 'acmefra1',
        'password': PASSWORD, 'tags': ['byoc', 'prod'], 'outbound': {}}
CRED2 = {'id': '12', 'record_type': 'credential_connection', 'connection_name': 'ACME-fra10', 'user_name': 'acmefra10',
         'password': PASSWORD, 'tags': ['byoc'], 'outbound': {}}
IP = {'id': '21', 'record_type': 'ip_connection', 'connection_name': 'acme-fra1', 'tags': ['byoc', 'prod', 'eu'],
      'inbound': {'sip_subdomain': 'acmeip', 'default_primary_ip_id': 'i2', 'default_secondary_ip_id': 'i1'},
      'outbound': {'ip_authentication_method': 'token', 'ip_authentication_token': TOKEN}}
FQDN = {'id': '31', 'record_type': 'fqdn_connection', 'connection_name': 'zeta-lon', 'tags': [], 'inbound': {}}
IPS = [{'id': 'i1', 'record_type': 'ip', 'connection_id': '21', 'ip_address': '192.0.2.1', 'port': 5060},
       {'id': 'i3', 'record_type': 'ip', 'connection_id': '21', 'ip_address': '192.0.2.3', 'port': 5080},
       {'id': 'i2', 'record_type': 'ip', 'connection_id': '21', 'ip_address': '192.0.2.2', 'port': 5060}]
FQDNS = [{'id': 'f1', 'record_type': 'fqdn', 'connection_id': '31', 'fqdn': 'sbc.example.com', 'port': None,
          'dns_record_type': 'srv'}]


def listings(api, items, text=None, paths=PATHS):
    """Script each kind's listing (with the name filter ``text``) holding the ``items`` of that kind."""
    query = dict(PAGE, **({'filter[connection_name][contains]': text} if text else {}))
    for path in paths:
        api.add('GET', path, json=page([i for i in items if '/%ss' % i['record_type'] == path]), params=query)
    return query


def children(api, path, connection_id, items):
    query = dict(PAGE, **{'filter[connection_id]': connection_id})
    api.add('GET', path, json=page(items), params=query)
    return query


def run(api, check=False, **args):
    return run_module(sip_connection_info, api.module_args(**args), check=check)


def test_exact_name_over_every_kind_redacted_with_uri_and_addresses(api):
    query = listings(api, [CRED, CRED2, IP], text='acme-fra1')
    ips = children(api, '/ips', '21', IPS)
    result = run(api, name='acme-fra1', region='eu')
    assert api.calls == [('GET', path, query, None) for path in PATHS] + [('GET', '/ips', ips, None)]
    assert result['changed'] is False
    assert [(c['id'], c['type']) for c in result['connections']] == [('11', 'credentials'), ('21', 'ip')]
    cred, ip = result['connections']
    assert cred['password'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER' and cred['sip_uri'] == 'acmefra1@sip.telnyx.eu'
    assert 'ips' not in cred and 'registration_status' not in cred
    assert ip['outbound']['ip_authentication_token'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
    assert ip['sip_uri'] == 'acmeip@sip.telnyx.eu'
    assert ip['ips'] == [{'id': 'i2', 'ip_address': '192.0.2.2', 'port': 5060}, {'id': 'i1', 'ip_address': '192.0.2.1', 'port': 5060},
                         {'id': 'i3', 'ip_address': '192.0.2.3', 'port': 5080}]
    text = json.dumps(result)
    assert PASSWORD not in text and TOKEN not in text


def test_name_contains_type_and_tags_together(api):
    query = listings(api, [CRED, CRED2], text='FRA1', paths=('/credential_connections',))
    result = run(api, name_contains='FRA1', type='credentials', tags=['prod', 'byoc'])
    assert api.calls == [('GET', '/credential_connections', query, None)]
    assert [c['id'] for c in result['connections']] == ['11']


def test_short_substring_is_filtered_locally(api):
    listings(api, [CRED, CRED2, IP, FQDN])
    result = run(api, name_contains='E-', addresses=False)
    assert len(api.calls) == 3
    assert [c['id'] for c in result['connections']] == ['12', '11', '21']


def test_everything_with_fqdns_sorted_by_name(api):
    listings(api, [FQDN, IP, CRED])
    children(api, '/ips', '21', IPS[:1])
    fqdns = children(api, '/fqdns', '31', FQDNS)
    result = run(api)
    assert api.calls[-1] == ('GET', '/fqdns', fqdns, None)
    assert [c['connection_name'] for c in result['connections']] == ['acme-fra1', 'acme-fra1', 'zeta-lon']
    assert result['connections'][2]['fqdns'] == [{'id': 'f1', 'fqdn': 'sbc.example.com', 'port': None, 'dns_record_type': 'srv'}]
    assert result['connections'][2]['sip_uri'] is None


def test_registration_status_of_credentials_connections_only(api):
    listings(api, [CRED, CRED2, IP], text='acme')
    status = {'record_type': 'registration_status', 'status': 'Registered', 'sip_username': 'acmefra1', 'ip_address': '198.51.100.7',
              'port': 5060, 'transport': 'UDP'}
    api.add('POST', '/credential_connections/11/actions/check_registration_status', json={'data': status})
    api.add('POST', '/credential_connections/12/actions/check_registration_status',
            json={'data': dict(status, status='Not Registered', sip_username='acmefra10')})
    result = run(api, check=True, name_contains='acme', addresses=False, registration_status=True)
    assert api.calls[3:] == [('POST', '/credential_connections/12/actions/check_registration_status', {}, None),
                             ('POST', '/credential_connections/11/actions/check_registration_status', {}, None)]
    assert len(api.calls) == 5
    by_id = dict((c['id'], c) for c in result['connections'])
    assert by_id['11']['registration_status'] == status
    assert by_id['12']['registration_status']['status'] == 'Not Registered'
    assert 'registration_status' not in by_id['21']


def test_nothing_matches_gives_an_empty_list(api):
    listings(api, [CRED2], text='nobody', paths=('/credential_connections',))
    result = run(api, name='nobody', type='credentials')
    assert result['changed'] is False and result['connections'] == []


def test_name_and_name_contains_exclude_each_other(api):
    result = run(api, name='acme-fra1', name_contains='acme')
    assert result['failed'] and api.calls == []
    assert result['msg'] == 'parameters are mutually exclusive: name|name_contains'


def test_api_error_is_reported_without_the_key(api):
    api.add_error('GET', '/credential_connections', 401)
    result = run(api, type='credentials')
    assert result['failed']
    assert result['msg'].startswith('GET https://api.telnyx.test/v2/credential_connections: HTTP 401 [10009] Authentication failed')
    assert result['msg'].endswith(' - check the API key from the api_key option (the roles set it from cpaas_api_key, '
                                  'by default the vault variable byoc_telnyx_api_key)')
    api.assert_secret_absent(result)

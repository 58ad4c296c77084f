# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sip_connection_info format=trunk and active_calls: the exact HTTP calls (reads only) and what it returns."""

from __future__ import annotations

import json

from ansible_collections.byoc.carrier.plugins.modules import sip_connection_info
from ansible_collections.byoc.carrier.tests.unit.plugins.fake_api import calls_page, page
from ansible_collections.byoc.carrier.tests.unit.plugins.modules.module_runner import fixture_api, run_module  # pylint: disable=unused-import # noqa: F401

PASSWORD = 'Sup3rSecretPassw0rd'
PAGE = {'page[size]': '250', 'page[number]': '1'}
QUERY = dict(PAGE, **{'filter[connection_name][contains]': 'acme'})
CRED = {'id': '11', 'record_type': 'credential_connection', 'connection_name': 'acme-cred', 'user_name': 'acmefra1',
        'password': PASSWORD, 'tags': ['prod'], 'inbound': {'codecs': ['G711U']},
        'outbound': {'outbound_voice_profile_id': '900', 'localization': 'DE'}}
HD = {'id': '12', 'record_type': 'credential_connection', 'connection_name': 'acme-hd', 'user_name': 'acmehd1',
      'password': PASSWORD, 'tags': [], 'inbound': {'codecs': ['G722']}, 'outbound': {}}
TWIN = {'id': '13', 'record_type': 'credential_connection', 'connection_name': 'acme-twin', 'user_name': 'acmetwin1',
        'password': PASSWORD, 'tags': [], 'inbound': {}, 'outbound': {}}
FQDN = {'id': '31', 'record_type': 'fqdn_connection', 'connection_name': 'acme-fqdn', 'tags': [], 'transport_protocol': 'UDP',
        'inbound': {'default_primary_fqdn_id': 'f1', 'codecs': ['G711A']}, 'outbound': {}}
FQDNS = [{'id': 'f1', 'record_type': 'fqdn', 'connection_id': '31', 'fqdn': 'sbc.example.com', 'port': 5064, 'dns_record_type': 'a'}]
AUTH = {'fqdn_outbound_authentication': 'ip-authentication', 'ip_authentication_method': 'p-charge-info', 'user_name': None,
        'password': None}
OVPS = [{'id': '900', 'record_type': 'outbound_voice_profile', 'name': 'acme-eu'}]


def test_trunks_vault_variables_and_unsupported_from_reads_only(api):
    api.add('GET', '/credential_connections', json=page([CRED, HD, TWIN, dict(TWIN, id='14')]), params=QUERY)
    api.add('GET', '/ip_connections', json=page([]), params=QUERY)
    api.add('GET', '/fqdn_connections', json=page([FQDN]), params=QUERY)
    api.add('GET', '/fqdns', json=page(FQDNS), params=dict(PAGE, **{'filter[connection_id]': '31'}))
    api.add('GET', '/outbound_voice_profiles', json=page(OVPS), params=PAGE)
    api.add('GET', '/phone_numbers', json=page([{'id': 'n1', 'phone_number': '+4930123456', 'connection_id': '11'}]),
            params=dict(PAGE, **{'filter[connection_id]': '11'}))
    api.add('GET', '/fqdn_connections/31/fqdn_authentication', json={'data': AUTH})
    api.add('GET', '/phone_numbers', json=page([]), params=dict(PAGE, **{'filter[connection_id]': '31'}))
    api.add('GET', '/phone_numbers', json=page([]), params=dict(PAGE, **{'filter[connection_id]': '12'}))
    result = run_module(sip_connection_info, api.module_args(name_contains='acme', region='eu', addresses=False, format='trunk'))
    assert all(c[0] == 'GET' for c in api.calls) and result['changed'] is False
    assert [c[1] for c in api.calls] == ['/credential_connections', '/ip_connections', '/fqdn_connections', '/fqdns',
                                         '/outbound_voice_profiles', '/phone_numbers', '/fqdn_connections/31/fqdn_authentication',
                                         '/phone_numbers', '/phone_numbers']
    assert PASSWORD not in json.dumps(result)
    trunks = dict((t['name'], t) for t in result['trunks'])
    assert sorted(trunks) == ['acme-cred', 'acme-fqdn']
    assert trunks['acme-cred'] == {'name': 'acme-cred', 'type': 'credentials', 'username': 'acmefra1',
                                   'password': '{{ vault_acme_cred_password }}', 'tags': ['prod'],
                                   'webhook_url': '', 'webhook_failover_url': '',  # a clearable setting Telnyx holds unset
                                   'inbound': {'encrypted_media': 'none', 'codecs': ['G711U']},
                                   'outbound': {'caller_id_override': '', 'localization': 'DE', 'encrypted_media': 'none',
                                                'outbound_voice_profile': 'acme-eu'},
                                   'numbers': ['+4930123456'], 'update_password': 'on_create'}
    assert trunks['acme-fqdn']['fqdns'] == [{'fqdn': 'sbc.example.com', 'port': 5064, 'dns_record_type': 'a'}]
    assert (trunks['acme-fqdn']['ip_auth_method'], trunks['acme-fqdn']['sbc_port']) == ('p_charge_info', 5064)
    assert 'fqdns' not in result['connections'][0], 'addresses=false: the API view stays without them'
    assert result['vault_variables'] == ['vault_acme_cred_password']
    assert result['unsupported'] == [
        {'name': 'acme-hd', 'id': '12', 'type': 'credentials', 'reasons': ["inbound.codecs[0]: must be one of 'G711U', 'G711A'"]},
        {'name': 'acme-twin', 'id': '13', 'type': 'credentials',
         'reasons': ["name: 2 connections are named 'acme-twin'; a trunk is found by its exact name, so rename all but one"]},
        {'name': 'acme-twin', 'id': '14', 'type': 'credentials',
         'reasons': ["name: 2 connections are named 'acme-twin'; a trunk is found by its exact name, so rename all but one"]},
    ]


def test_active_calls_of_each_connection(api):
    hook = 'https://hooks.example.com/acme'
    quiet = dict(HD, id='15', connection_name='acme-quiet', webhook_event_url=hook)
    api.add('GET', '/credential_connections', json=page([dict(CRED, webhook_event_url=hook), HD, quiet]), params=QUERY)
    api.add('GET', '/connections/11/active_calls', json=calls_page(2), params={'page[size]': '250'})
    api.add('GET', '/connections/15/active_calls', json=calls_page(0), params={'page[size]': '250'})
    result = run_module(sip_connection_info, api.module_args(name_contains='acme', type='credentials', active_calls=True), check=True)
    # Telnyx lists the calls of connections with a webhook URL only: acme-hd has none, it is not asked (unknown)
    assert [(c['connection_name'], c['active_calls']) for c in result['connections']] == [('acme-cred', 2), ('acme-hd', None), ('acme-quiet', 0)]
    assert [c[1] for c in api.calls if 'active_calls' in c[1]] == ['/connections/11/active_calls', '/connections/15/active_calls']
    assert 'trunks' not in result

# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sip_connection: the exact HTTP calls of create, update, no-op, check, diff, delete and failures."""

from __future__ import annotations

import json

import pytest

from ansible_collections.byoc.carrier.plugins.modules import sip_connection
from ansible_collections.byoc.carrier.tests.unit.plugins.fake_api import calls_page, page
from ansible_collections.byoc.carrier.tests.unit.plugins.modules.module_runner import fixture_api, run_module  # pylint: disable=unused-import # noqa: F401

PASSWORD = 'Sup3rSecretPassw0rd'
TOKEN = 'tok-0123456789-SECRET'
REDACTED = 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'


def listing(name, **extra):
    query = {'page[size]': '250', 'page[number]': '1'}
    if name is not None:
        query['filter[connection_name][contains]'] = name
    query.update(extra)
    return query


def by_connection(conn_id):
    return {'filter[connection_id]': conn_id, 'page[size]': '250', 'page[number]': '1'}


def cred(**extra):
    obj = {'id': '100', 'record_type': 'credential_connection', 'connection_name': 'acme-cred', 'user_name': 'acmefra1',
           'password': PASSWORD, 'active': True, 'dtmf_type': 'RFC 2833', 'tags': ['prod', 'acme'],
           'rtcp_settings': {'port': 'rtp+1', 'report_frequency_secs': 5, 'capture_enabled': False},
           'inbound': {'codecs': ['G722', 'G711U'], 'channel_limit': None}, 'outbound': {'localization': 'US'}}
    obj.update(extra)
    return obj


def echo(base):
    """A handler answering a write with ``base`` merged with the request body (like Telnyx)."""
    def handler(request):
        data = dict(base)
        for key, value in (request.json or {}).items():
            data[key] = dict(base.get(key) or {}, **value) if isinstance(value, dict) else value
        return 201 if request.method == 'POST' else 200, {'data': data}
    return handler


def args(api, **kwargs):
    return api.module_args(**kwargs)


def cred_args(api, **changes):
    """CRED_ARGS with some options changed."""
    params = dict(CRED_ARGS)
    params.update(changes)
    return api.module_args(**params)


CRED_ARGS = dict(name='acme-cred', type='credentials', username='acmefra1', password=PASSWORD, dtmf_type='RFC 2833',
                 tags=['acme', 'prod'], rtcp={'port': 'rtp+1'}, region='eu')


def test_create_credentials_puts_every_set_option_in_one_post(api):
    api.add('GET', '/credential_connections', json=page([]), params=listing('acme-cred'))
    api.add('GET', '/connections', json=page([]), params=listing('acme-cred'))
    api.add('POST', '/credential_connections', handler=echo({'id': '100', 'record_type': 'credential_connection'}))
    result = run_module(sip_connection, cred_args(api, comfort_noise=False, webhook_url='https://hooks.example.com/t',
                                                  anchorsite='Frankfurt, Germany', encode_contact_header=True,
                                                  webhook_api_version='2', webhook_failover_url='http://fail.example.com',
                                                  active=True), diff=True)
    body = {'connection_name': 'acme-cred', 'user_name': 'acmefra1', 'password': PASSWORD,
            'webhook_event_url': 'https://hooks.example.com/t', 'webhook_event_failover_url': 'http://fail.example.com',
            'webhook_api_version': '2', 'anchorsite_override': 'Frankfurt, Germany', 'encode_contact_header_enabled': True,
            'default_on_hold_comfort_noise_enabled': False, 'dtmf_type': 'RFC 2833', 'rtcp_settings': {'port': 'rtp+1'},
            'active': True, 'tags': ['acme', 'prod']}
    assert api.calls == [
        ('GET', '/credential_connections', listing('acme-cred'), None),
        ('GET', '/connections', listing('acme-cred'), None),
        ('POST', '/credential_connections', {}, body),
    ]
    assert result['changed'] is True
    assert result['connection']['sip_uri'] == 'acmefra1@sip.telnyx.eu'
    assert result['connection']['password'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
    assert result['diff']['before'] == {}
    assert result['diff']['after'] == {
        'name': 'acme-cred', 'username': 'acmefra1', 'password': '********', 'webhook_url': 'https://hooks.example.com/t',
        'webhook_failover_url': 'http://fail.example.com', 'webhook_api_version': '2', 'anchorsite': 'Frankfurt, Germany',
        'encode_contact_header': True, 'comfort_noise': False, 'dtmf_type': 'RFC 2833', 'rtcp': {'port': 'rtp+1'},
        'active': True, 'tags': ['acme', 'prod']}
    assert PASSWORD not in json.dumps(result)


def test_create_credentials_needs_username_and_password(api):
    api.add('GET', '/credential_connections', json=page([]), params=listing('acme-cred'))
    api.add('GET', '/connections', json=page([]), params=listing('acme-cred'))
    result = run_module(sip_connection, args(api, name='acme-cred', type='credentials', username='acmefra1'))
    assert result['failed'] and result['msg'] == "password: required to create the credentials connection 'acme-cred'"
    assert [c[0] for c in api.calls] == ['GET', 'GET']


def test_check_mode_create_writes_nothing_and_shows_the_result(api):
    api.add('GET', '/credential_connections', json=page([]), params=listing('acme-cred'))
    api.add('GET', '/connections', json=page([]), params=listing('acme-cred'))
    result = run_module(sip_connection, cred_args(api), check=True, diff=True)
    assert [c[0] for c in api.calls] == ['GET', 'GET']
    assert result['changed'] is True
    assert result['connection']['connection_name'] == 'acme-cred'
    assert result['connection']['sip_uri'] == 'acmefra1@sip.telnyx.eu'
    assert result['diff']['after']['password'] == '********'


def test_unchanged_connection_is_not_written(api):
    api.add('GET', '/credential_connections', json=page([cred()]), params=listing('acme-cred'))
    result = run_module(sip_connection, cred_args(api), diff=True)
    assert api.calls == [('GET', '/credential_connections', listing('acme-cred'), None)]
    assert result['changed'] is False and result['changed_options'] == []
    assert result['diff']['before'] == result['diff']['after']
    assert result['diff']['after']['password'] == '********'


def test_update_sends_one_patch_with_what_differs_and_nested_objects_whole(api):
    api.add('GET', '/credential_connections', json=page([cred()]), params=listing('acme-cred'))
    api.add('PATCH', '/credential_connections/100', handler=echo(cred()))
    result = run_module(sip_connection, cred_args(api, dtmf_type='Inband', rtcp={'report_frequency': 10},
                                                  tags=['prod', 'acme', 'new']), diff=True)
    assert api.calls[1] == ('PATCH', '/credential_connections/100', {}, {
        'dtmf_type': 'Inband', 'tags': ['acme', 'new', 'prod'],
        'rtcp_settings': {'port': 'rtp+1', 'report_frequency_secs': 10, 'capture_enabled': False}})
    assert len(api.calls) == 2
    assert result['changed'] is True and result['changed_options'] == ['dtmf_type', 'rtcp', 'tags']
    assert result['diff']['before']['dtmf_type'] == 'RFC 2833' and result['diff']['after']['dtmf_type'] == 'Inband'
    assert result['diff']['before']['rtcp'] == {'report_frequency': 5}
    assert result['diff']['after']['rtcp'] == {'report_frequency': 10}


def test_check_mode_update_reports_the_same_change_without_writing(api):
    api.add('GET', '/credential_connections', json=page([cred()]), params=listing('acme-cred'))
    result = run_module(sip_connection, cred_args(api, dtmf_type='Inband'), check=True, diff=True)
    assert len(api.calls) == 1
    assert result['changed'] is True and result['changed_options'] == ['dtmf_type']
    assert result['connection']['dtmf_type'] == 'Inband'


def test_changed_password_is_a_changed_mask_and_on_create_leaves_it(api):
    api.add('GET', '/credential_connections', json=page([cred()]), params=listing('acme-cred'), repeat=True)
    api.add('PATCH', '/credential_connections/100', handler=echo(cred()))
    new = 'An0therGoodPassword'
    result = run_module(sip_connection, cred_args(api, password=new), diff=True)
    assert api.calls[-1] == ('PATCH', '/credential_connections/100', {}, {'password': new})
    assert result['diff']['before']['password'] == '********'
    assert result['diff']['after']['password'] == '******** (changed)'
    text = json.dumps(result)
    assert new not in text and PASSWORD not in text
    result = run_module(sip_connection, cred_args(api, password=new, update_password='on_create'), diff=True)
    assert result['changed'] is False and api.calls[-1][0] == 'GET'


def test_duplicate_names_fail_listing_ids(api):
    api.add('GET', '/credential_connections', json=page([cred(), cred(id='101')]), params=listing('acme-cred'))
    result = run_module(sip_connection, cred_args(api))
    assert result['failed'] and result['ids'] == ['100', '101']
    assert "2 connections are named 'acme-cred': 100 (credentials), 101 (credentials)" in result['msg']
    assert len(api.calls) == 1


def test_type_change_fails_saying_how_to_replace(api):
    api.add('GET', '/ip_connections', json=page([]), params=listing('acme-cred'))
    api.add('GET', '/connections', json=page([{'id': '100', 'connection_name': 'acme-cred', 'record_type': 'credential_connection'}]),
            params=listing('acme-cred'))
    result = run_module(sip_connection, args(api, name='acme-cred', type='ip'))
    assert result['failed']
    assert result['msg'] == ("Connection 'acme-cred' exists as a credentials connection (id 100); the type cannot change. "
                             "To replace it, remove it (state=absent, type credentials), then create it with type=ip.")
    assert [c[0] for c in api.calls] == ['GET', 'GET']


def test_validation_fails_before_any_request(api):
    result = run_module(sip_connection, args(api, name='acme-cred', type='credentials', username='a b', password='short',
                                             ips=[{'address': '10.0.0.1'}], rtcp={'report_frequency': 1}))
    assert result['failed'] and api.calls == []
    assert result['problems'] == [
        'password: must be 8 to 128 characters long, got 5',
        'rtcp.report_frequency: must be between 5 and 3000, got 1',
        'username: must be 4 to 32 letters or digits starting with a letter (Telnyx and SIP URI calling need a letter first)',
        'ips: does not apply to credentials connections (only to ip)']
    assert 'short' not in json.dumps(result)


def test_api_error_names_the_field_and_telnyx_message(api):
    api.add('GET', '/credential_connections', json=page([cred()]), params=listing('acme-cred'))
    api.add_error('PATCH', '/credential_connections/100', 422, detail='Invalid dtmf_type', pointer='/dtmf_type')
    result = run_module(sip_connection, cred_args(api, dtmf_type='Inband'))
    assert result['failed']
    assert result['msg'] == 'PATCH /credential_connections/100: HTTP 422 [10015] Bad Request: Invalid dtmf_type (field /dtmf_type)'
    assert api.key not in json.dumps(result)


def ip_conn(**inbound):
    base = {'sip_subdomain': 'acme', 'default_routing_method': 'sequential', 'channel_limit': None}
    base.update(inbound)
    return {'id': '200', 'record_type': 'ip_connection', 'connection_name': 'acme-ip', 'transport_protocol': 'UDP',
            'inbound': base, 'outbound': {'ip_authentication_method': 'token', 'ip_authentication_token': TOKEN, 'tech_prefix': ''}}


def ip_obj(ident, address, port=5060):
    return {'id': ident, 'record_type': 'ip', 'connection_id': '200', 'ip_address': address, 'port': port}


def test_create_ip_connection_then_ips_then_default_ids(api):
    api.add('GET', '/ip_connections', json=page([]), params=listing('acme-ip'))
    api.add('GET', '/connections', json=page([]), params=listing('acme-ip'))
    api.add('POST', '/ip_connections', handler=echo({'id': '200', 'record_type': 'ip_connection', 'inbound': {}}))
    api.add('POST', '/ips', status=201, json={'data': ip_obj('i1', '203.0.113.10')})
    api.add('POST', '/ips', status=201, json={'data': ip_obj('i2', '203.0.113.11', 5080)})
    api.add('PATCH', '/ip_connections/200', handler=echo(ip_conn()))
    result = run_module(sip_connection, args(api, name='acme-ip', type='ip', routing_method='round-robin', ip_auth_method='token',
                                             token=TOKEN, ips=[{'address': '203.0.113.10'}, {'address': '203.0.113.11', 'port': 5080}]),
                        diff=True)
    assert api.calls == [
        ('GET', '/ip_connections', listing('acme-ip'), None),
        ('GET', '/connections', listing('acme-ip'), None),
        ('POST', '/ip_connections', {}, {'connection_name': 'acme-ip', 'inbound': {'default_routing_method': 'round-robin'},
                                         'outbound': {'ip_authentication_method': 'token', 'ip_authentication_token': TOKEN}}),
        ('POST', '/ips', {}, {'ip_address': '203.0.113.10', 'port': 5060, 'connection_id': '200'}),
        ('POST', '/ips', {}, {'ip_address': '203.0.113.11', 'port': 5080, 'connection_id': '200'}),
        ('PATCH', '/ip_connections/200', {}, {'inbound': {'default_routing_method': 'round-robin', 'default_primary_ip_id': 'i1',
                                                          'default_secondary_ip_id': 'i2'}}),
    ]
    assert result['connection']['ips'] == [{'address': '203.0.113.10', 'port': 5060}, {'address': '203.0.113.11', 'port': 5080}]
    assert result['connection']['outbound']['ip_authentication_token'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
    assert result['diff']['after']['token'] == '********'
    assert TOKEN not in json.dumps(result)


def test_a_failure_after_the_create_reports_changed_and_the_connection(api):
    api.add('GET', '/ip_connections', json=page([]), params=listing('acme-ip'))
    api.add('GET', '/connections', json=page([]), params=listing('acme-ip'))
    api.add('POST', '/ip_connections', handler=echo({'id': '200', 'record_type': 'ip_connection', 'inbound': {}}))
    api.add('POST', '/ips', status=422, json={'errors': [{'code': '10015', 'title': 'Invalid value', 'detail': 'address in use'}]})
    result = run_module(sip_connection, args(api, name='acme-ip', type='ip', token=TOKEN, ips=[{'address': '203.0.113.10'}]))
    assert result['failed'] is True and result['changed'] is True
    assert result['msg'].startswith('POST /ips: HTTP 422')
    assert result['connection']['id'] == '200' and result['connection']['outbound']['ip_authentication_token'] == REDACTED
    assert TOKEN not in json.dumps(result)


def test_a_failed_update_patch_after_address_writes_reports_changed(api):
    conn = ip_conn(default_primary_ip_id='i1')
    api.add('GET', '/ip_connections', json=page([conn]), params=listing('acme-ip'))
    api.add('GET', '/ips', json=page([ip_obj('i1', '10.0.0.1')]), params=by_connection('200'))
    api.add('POST', '/ips', status=201, json={'data': ip_obj('i2', '10.0.0.2')})
    api.add('PATCH', '/ip_connections/200', status=422, json={'errors': [{'code': '10015', 'title': 'Invalid value'}]})
    result = run_module(sip_connection, args(api, name='acme-ip', type='ip', ips=[{'address': '10.0.0.1'}, {'address': '10.0.0.2'}]))
    assert result['failed'] is True and result['changed'] is True and result['changed_options'] == ['ips']


def test_ip_update_creates_updates_reorders_and_deletes(api):
    conn = ip_conn(default_primary_ip_id='i1', default_secondary_ip_id='i2', default_tertiary_ip_id='i3')
    api.add('GET', '/ip_connections', json=page([conn]), params=listing('acme-ip'))
    api.add('GET', '/ips', json=page([ip_obj('i1', '10.0.0.1'), ip_obj('i2', '10.0.0.2'), ip_obj('i3', '10.0.0.3')]),
            params=by_connection('200'))
    api.add('PATCH', '/ips/i2', json={'data': ip_obj('i2', '10.0.0.2', 5070)})
    api.add('POST', '/ips', status=201, json={'data': ip_obj('i4', '10.0.0.4')})
    api.add('PATCH', '/ip_connections/200', handler=echo(conn))
    api.add('DELETE', '/ips/i3', json={'data': ip_obj('i3', '10.0.0.3')})
    wanted = [{'address': '10.0.0.2', 'port': 5070}, {'address': '10.0.0.1', 'port': 5060}, {'address': '10.0.0.4', 'port': 5060}]
    result = run_module(sip_connection, args(api, name='acme-ip', type='ip', ips=wanted), diff=True)
    inbound = dict(conn['inbound'], default_primary_ip_id='i2', default_secondary_ip_id='i1', default_tertiary_ip_id='i4')
    del inbound['channel_limit']
    assert api.calls[2:] == [
        ('PATCH', '/ips/i2', {}, {'ip_address': '10.0.0.2', 'port': 5070, 'connection_id': '200'}),
        ('POST', '/ips', {}, {'ip_address': '10.0.0.4', 'port': 5060, 'connection_id': '200'}),
        ('PATCH', '/ip_connections/200', {}, {'inbound': inbound}),
        ('DELETE', '/ips/i3', {}, None),
    ]
    assert result['changed_options'] == ['ips']
    assert [i['address'] for i in result['diff']['before']['ips']] == ['10.0.0.1', '10.0.0.2', '10.0.0.3']
    assert result['diff']['after']['ips'] == wanted


def test_ip_shrink_sets_the_primary_and_deletes_the_rest(api):
    conn = ip_conn(default_primary_ip_id='i1', default_secondary_ip_id='i2', default_tertiary_ip_id='i3')
    api.add('GET', '/ip_connections', json=page([conn]), params=listing('acme-ip'))
    api.add('GET', '/ips', json=page([ip_obj('i1', '10.0.0.1'), ip_obj('i2', '10.0.0.2'), ip_obj('i3', '10.0.0.3')]),
            params=by_connection('200'))
    api.add('PATCH', '/ip_connections/200', handler=echo(conn))
    api.add('DELETE', '/ips/i1', json={'data': ip_obj('i1', '10.0.0.1')})
    api.add('DELETE', '/ips/i3', json={'data': ip_obj('i3', '10.0.0.3')})
    result = run_module(sip_connection, args(api, name='acme-ip', type='ip', ips=[{'address': '10.0.0.2'}]))
    inbound = dict(conn['inbound'], default_primary_ip_id='i2', default_secondary_ip_id='i2', default_tertiary_ip_id='i2')
    del inbound['channel_limit']
    assert api.calls[2] == ('PATCH', '/ip_connections/200', {}, {'inbound': inbound}), 'unused slots repeat the kept id, never a deleted one'
    assert [c[:2] for c in api.calls[3:]] == [('DELETE', '/ips/i1'), ('DELETE', '/ips/i3')]
    assert result['connection']['ips'] == [{'address': '10.0.0.2', 'port': 5060}]


def test_ip_grow_after_shrink_replaces_the_repeated_ids(api):
    conn = ip_conn(default_primary_ip_id='i2', default_secondary_ip_id='i2', default_tertiary_ip_id='i2')
    api.add('GET', '/ip_connections', json=page([conn]), params=listing('acme-ip'))
    api.add('GET', '/ips', json=page([ip_obj('i2', '10.0.0.2')]), params=by_connection('200'))
    api.add('POST', '/ips', status=201, json={'data': ip_obj('i5', '10.0.0.5')})
    api.add('PATCH', '/ip_connections/200', handler=echo(conn))
    result = run_module(sip_connection, args(api, name='acme-ip', type='ip', ips=[{'address': '10.0.0.2'}, {'address': '10.0.0.5'}]))
    inbound = dict(conn['inbound'], default_primary_ip_id='i2', default_secondary_ip_id='i5', default_tertiary_ip_id='i5')
    del inbound['channel_limit']
    assert api.calls[2:] == [('POST', '/ips', {}, {'ip_address': '10.0.0.5', 'port': 5060, 'connection_id': '200'}),
                             ('PATCH', '/ip_connections/200', {}, {'inbound': inbound})]
    assert result['changed'] is True


def test_ip_repeated_default_ids_are_unchanged(api):
    conn = ip_conn(default_primary_ip_id='i2', default_secondary_ip_id='i2', default_tertiary_ip_id='i2')
    api.add('GET', '/ip_connections', json=page([conn]), params=listing('acme-ip'))
    api.add('GET', '/ips', json=page([ip_obj('i2', '10.0.0.2')]), params=by_connection('200'))
    result = run_module(sip_connection, args(api, name='acme-ip', type='ip', ips=[{'address': '10.0.0.2'}]))
    assert result['changed'] is False and len(api.calls) == 2


def test_ip_unchanged_when_default_ids_give_the_order(api):
    conn = ip_conn(default_primary_ip_id='i2', default_secondary_ip_id='i1')
    api.add('GET', '/ip_connections', json=page([conn]), params=listing('acme-ip'))
    api.add('GET', '/ips', json=page([ip_obj('i1', '10.0.0.1'), ip_obj('i2', '10.0.0.2')]), params=by_connection('200'))
    result = run_module(sip_connection, args(api, name='acme-ip', type='ip', token=TOKEN, ip_auth_method='token',
                                             ips=[{'address': '10.0.0.2'}, {'address': '10.0.0.1'}]))
    assert result['changed'] is False and len(api.calls) == 2
    assert TOKEN not in json.dumps(result)


def test_fqdn_create_with_srv_and_a_records(api):
    created = {'id': '300', 'record_type': 'fqdn_connection', 'connection_name': 'acme-fqdn',
               'inbound': {'default_routing_method': 'sequential', 'default_primary_fqdn_id': None}}
    api.add('GET', '/fqdn_connections', json=page([]), params=listing('acme-fqdn'))
    api.add('GET', '/connections', json=page([]), params=listing('acme-fqdn'))
    api.add('POST', '/fqdn_connections', status=201, json={'data': created})
    api.add('POST', '/fqdns', status=201, json={'data': {'id': 'f1', 'fqdn': 'sbc.acme.example', 'port': None, 'dns_record_type': 'srv'}})
    api.add('PATCH', '/fqdn_connections/300', handler=echo(created))
    run_module(sip_connection, args(api, name='acme-fqdn', type='fqdn', tech_prefix='0042',
                                    fqdns=[{'fqdn': 'sbc.acme.example', 'dns_record_type': 'srv'}]))
    assert api.calls[2:] == [
        ('POST', '/fqdn_connections', {}, {'connection_name': 'acme-fqdn', 'outbound': {'tech_prefix': '0042'}}),
        ('POST', '/fqdns', {}, {'fqdn': 'sbc.acme.example', 'dns_record_type': 'srv', 'port': None, 'connection_id': '300'}),
        ('PATCH', '/fqdn_connections/300', {}, {'inbound': {'default_routing_method': 'sequential', 'default_primary_fqdn_id': 'f1',
                                                            'default_secondary_fqdn_id': None, 'default_tertiary_fqdn_id': None}}),
    ]


def test_delete_removes_addresses_then_the_connection(api):
    conn = dict(ip_conn(default_primary_ip_id='i1'), webhook_event_url='https://hooks.example.com/acme')  # calls listed
    api.add('GET', '/ip_connections', json=page([conn]), params=listing('acme-ip'))
    api.add('GET', '/connections/200/active_calls', json=calls_page(0), params={'page[size]': 250})
    api.add('GET', '/ips', json=page([ip_obj('i1', '10.0.0.1')]), params=by_connection('200'))
    api.add('DELETE', '/ips/i1', json={'data': ip_obj('i1', '10.0.0.1')})
    api.add('DELETE', '/ip_connections/200', json={'data': conn})
    result = run_module(sip_connection, args(api, name='acme-ip', type='ip', state='absent'), diff=True)
    assert [c[:2] for c in api.calls] == [('GET', '/ip_connections'), ('GET', '/connections/200/active_calls'), ('GET', '/ips'),
                                          ('DELETE', '/ips/i1'), ('DELETE', '/ip_connections/200')]
    assert result['changed'] is True and result['connection'] is None
    assert result['diff']['after'] == {} and result['diff']['before']['token'] == '********'
    assert TOKEN not in json.dumps(result)


def test_delete_without_type_and_check_mode(api):
    api.add('GET', '/connections', json=page([{'id': '100', 'connection_name': 'acme-cred', 'record_type': 'credential_connection'}]),
            params=listing('acme-cred'))
    api.add('GET', '/credential_connections/100', json={'data': cred()})  # no webhook URL: its calls are not asked
    result = run_module(sip_connection, args(api, name='acme-cred', state='absent'), check=True)
    assert result['changed'] is True and [c[:2] for c in api.calls] == [('GET', '/connections'), ('GET', '/credential_connections/100')]


def test_delete_without_type_leaves_an_application_of_that_name_alone(api):
    """Telnyx's /connections lists every type: a TeXML application named like the trunk is no connection to delete."""
    api.add('GET', '/connections', json=page([{'id': '900', 'connection_name': 'acme-cred', 'record_type': 'texml_application'}]),
            params=listing('acme-cred'))
    result = run_module(sip_connection, args(api, name='acme-cred', state='absent'))
    assert result['changed'] is False and not result.get('failed'), result
    assert [c[:2] for c in api.calls] == [('GET', '/connections')]


def test_delete_missing_is_ok(api):
    api.add('GET', '/fqdn_connections', json=page([]), params=listing('acme-fqdn'))
    result = run_module(sip_connection, args(api, name='acme-fqdn', type='fqdn', state='absent'))
    assert result['changed'] is False and result['connection'] is None


def test_an_unanswered_ip_create_is_looked_up_before_it_is_sent_again(api):
    """POST /ips answered 503 (it committed): the client lists the connection's IPs, finds it and sends no second POST."""
    conn = ip_conn(default_primary_ip_id='i1')
    api.add('GET', '/ip_connections', json=page([conn]), params=listing('acme-ip'))
    api.add('GET', '/ips', json=page([ip_obj('i1', '10.0.0.1')]), params=by_connection('200'))
    api.add_error('POST', '/ips', 503)
    api.add('GET', '/ips', json=page([ip_obj('i1', '10.0.0.1'), ip_obj('i2', '10.0.0.2')]), params=by_connection('200'))
    api.add('PATCH', '/ip_connections/200', handler=echo(conn))
    result = run_module(sip_connection, args(api, name='acme-ip', type='ip', ips=[{'address': '10.0.0.1'}, {'address': '10.0.0.2'}]))
    assert [c[:2] for c in api.calls[2:]] == [('POST', '/ips'), ('GET', '/ips'), ('PATCH', '/ip_connections/200')]
    assert api.calls[3][2] == by_connection('200')
    assert api.calls[4][3]['inbound']['default_secondary_ip_id'] == 'i2', 'the found IP takes its slot'
    assert result['changed'] is True and result['connection']['ips'][1] == {'address': '10.0.0.2', 'port': 5060}


def test_an_unanswered_ip_create_is_sent_again_when_the_lookup_finds_nothing(api):
    conn = ip_conn(default_primary_ip_id='i1')
    api.add('GET', '/ip_connections', json=page([conn]), params=listing('acme-ip'))
    api.add('GET', '/ips', json=page([ip_obj('i1', '10.0.0.1')]), params=by_connection('200'))
    api.add_error('POST', '/ips', 503)
    api.add('GET', '/ips', json=page([ip_obj('i1', '10.0.0.1')]), params=by_connection('200'))
    api.add('POST', '/ips', status=201, json={'data': ip_obj('i2', '10.0.0.2')})
    api.add('PATCH', '/ip_connections/200', handler=echo(conn))
    run_module(sip_connection, args(api, name='acme-ip', type='ip', ips=[{'address': '10.0.0.1'}, {'address': '10.0.0.2'}]))
    assert [c[:2] for c in api.calls[2:]] == [('POST', '/ips'), ('GET', '/ips'), ('POST', '/ips'), ('PATCH', '/ip_connections/200')]


FQDN_AUTH = '/fqdn_connections/300/fqdn_authentication'


def test_fqdn_credentials_are_written_through_fqdn_authentication(api):
    created = {'id': '300', 'record_type': 'fqdn_connection', 'connection_name': 'acme-fqdn', 'inbound': {'sip_subdomain': 'acme'}}
    api.add('GET', '/fqdn_connections', json=page([]), params=listing('acme-fqdn'))
    api.add('GET', '/connections', json=page([]), params=listing('acme-fqdn'))
    api.add('POST', '/fqdn_connections', status=201, json={'data': created})
    api.add('PATCH', FQDN_AUTH, json={'data': {'fqdn_outbound_authentication': 'credential-authentication', 'user_name': 'acmefq1',
                                               'password': PASSWORD}})
    result = run_module(sip_connection, args(api, name='acme-fqdn', type='fqdn', username='acmefq1', password=PASSWORD, region='eu'))
    assert api.calls[2:] == [
        ('POST', '/fqdn_connections', {}, {'connection_name': 'acme-fqdn'}),
        ('PATCH', FQDN_AUTH, {}, {'fqdn_outbound_authentication': 'credential-authentication', 'user_name': 'acmefq1', 'password': PASSWORD}),
    ]
    assert result['changed'] and result['connection']['sip_uri'] == 'acmefq1@sip.telnyx.eu'
    assert PASSWORD not in json.dumps(result)
    assert result['connection']['fqdn_authentication']['password'] == REDACTED


def fqdn_with_auth(api, password):
    obj = {'id': '300', 'record_type': 'fqdn_connection', 'connection_name': 'acme-fqdn', 'inbound': {}, 'outbound': {}}
    api.add('GET', '/fqdn_connections', json=page([obj]), params=listing('acme-fqdn'), repeat=True)
    api.add('GET', FQDN_AUTH, json={'data': {'fqdn_outbound_authentication': 'credential-authentication', 'user_name': 'acmefq1',
                                             'password': password}}, repeat=True)


def test_fqdn_credentials_unchanged_changed_and_on_create(api):
    fqdn_with_auth(api, PASSWORD)
    params = dict(name='acme-fqdn', type='fqdn', username='acmefq1', password=PASSWORD)
    result = run_module(sip_connection, args(api, **params))
    assert result['changed'] is False and [c[:2] for c in api.calls] == [('GET', '/fqdn_connections'), ('GET', FQDN_AUTH)]
    api.add('PATCH', FQDN_AUTH, json={'data': {'user_name': 'acmefq2'}})
    renamed = dict(params)
    renamed['username'] = 'acmefq2'
    result = run_module(sip_connection, args(api, **renamed), diff=True)
    assert api.calls[-1] == ('PATCH', FQDN_AUTH, {}, {'user_name': 'acmefq2', 'fqdn_outbound_authentication': 'credential-authentication'})
    assert result['changed_options'] == ['username'] and result['connection']['sip_uri'] == 'acmefq2@sip.telnyx.com'


def test_a_masked_password_is_written_with_always_and_left_with_on_create(api):
    fqdn_with_auth(api, '********')
    params = dict(name='acme-fqdn', type='fqdn', username='acmefq1', password=PASSWORD)
    calls = len(api.calls)
    result = run_module(sip_connection, args(api, **dict(params, update_password='on_create')))
    assert result['changed'] is False and all(c[0] == 'GET' for c in api.calls[calls:])
    api.add('PATCH', FQDN_AUTH, json={'data': {'password': PASSWORD}})
    result = run_module(sip_connection, args(api, **params))
    assert result['changed'] is True
    assert api.calls[-1] == ('PATCH', FQDN_AUTH, {}, {'password': PASSWORD, 'fqdn_outbound_authentication': 'credential-authentication'})


def test_fqdn_ip_auth_method_through_fqdn_authentication(api):
    fqdn_with_auth(api, None)
    api.add('PATCH', FQDN_AUTH, json={'data': {'ip_authentication_method': 'p-charge-info'}})
    result = run_module(sip_connection, args(api, name='acme-fqdn', type='fqdn', ip_auth_method='p_charge_info'))
    assert result['changed']
    assert api.calls[-1] == ('PATCH', FQDN_AUTH, {}, {'ip_authentication_method': 'p-charge-info',
                                                      'fqdn_outbound_authentication': 'ip-authentication'})


@pytest.mark.parametrize('username', ['12345abc', '1acme'])
def test_usernames_telnyx_or_sip_uri_calling_would_refuse_fail_before_any_request(api, username):
    result = run_module(sip_connection, cred_args(api, username=username))
    assert result['failed'] and api.calls == []
    assert 'username: must be 4 to 32 letters or digits starting with a letter' in result['msg']


def test_an_empty_value_clears_an_option_and_is_then_unchanged(api):
    api.add('GET', '/credential_connections', json=page([cred(webhook_event_url='https://hooks.example.com/x')]), params=listing('acme-cred'))
    api.add('PATCH', '/credential_connections/100', handler=echo(cred()))
    result = run_module(sip_connection, cred_args(api, webhook_url=''))
    assert result['changed'] and api.calls[-1] == ('PATCH', '/credential_connections/100', {}, {'webhook_event_url': ''})
    api.add('GET', '/credential_connections', json=page([cred(webhook_event_url='')]), params=listing('acme-cred'))
    assert run_module(sip_connection, cred_args(api, webhook_url=''))['changed'] is False
    api.add('GET', '/credential_connections', json=page([cred(webhook_event_url=None)]), params=listing('acme-cred'))
    assert run_module(sip_connection, cred_args(api, webhook_url=''))['changed'] is False

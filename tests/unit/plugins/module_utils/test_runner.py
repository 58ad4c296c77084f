# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shared runner's helpers: lookup by name, redaction, SIP URI, masked diffs, address planning."""

from __future__ import annotations

import pytest

from ansible_collections.byoc.carrier.plugins.module_utils import _runner as R
from ansible_collections.byoc.carrier.plugins.module_utils._client import TelnyxError
from ansible_collections.byoc.carrier.tests.unit.plugins.fake_api import FakeAPI, page

LIST = {'filter[connection_name][contains]': 'acme-1', 'page[number]': '1', 'page[size]': '250'}


class Failed(Exception):
    pass


class FakeModule:
    """What the helpers use of an AnsibleModule."""

    def fail_json(self, **kwargs):
        raise Failed(kwargs)


def test_find_connection_exact_name_among_substring_matches():
    api = FakeAPI()
    api.add('GET', '/credential_connections', json=page([
        {'id': '1', 'connection_name': 'acme-10', 'record_type': 'credential_connection'},
        {'id': '2', 'connection_name': 'acme-1', 'record_type': 'credential_connection'},
        {'id': '3', 'connection_name': 'ACME-1', 'record_type': 'credential_connection'}]), params=LIST)
    obj = R.find_connection(FakeModule(), api.client(), 'acme-1', 'credentials')
    assert obj['id'] == '2'
    assert api.calls == [('GET', '/credential_connections', LIST, None)]
    api.assert_done()


def test_find_connection_any_kind_reads_the_full_object():
    api = FakeAPI()
    api.add('GET', '/connections', json=page([{'id': '7', 'connection_name': 'acme-1', 'record_type': 'fqdn_connection'}]))
    api.add('GET', '/fqdn_connections/7', json={'data': {'id': '7', 'connection_name': 'acme-1', 'record_type': 'fqdn_connection',
                                                         'inbound': {}}})
    assert R.find_connection(FakeModule(), api.client(), 'acme-1')['inbound'] == {}
    assert [c[:2] for c in api.calls] == [('GET', '/connections'), ('GET', '/fqdn_connections/7')]


def test_find_connection_missing_and_short_names():
    api = FakeAPI()
    api.add('GET', '/ip_connections', json=page([{'id': '1', 'connection_name': 'abc'}]),
            params={'page[number]': '1', 'page[size]': '250'})
    assert R.find_connection(FakeModule(), api.client(), 'ab', 'ip') is None
    assert api.calls == [('GET', '/ip_connections', {'page[number]': '1', 'page[size]': '250'}, None)]


def test_find_connection_fails_listing_duplicate_ids():
    api = FakeAPI()
    api.add('GET', '/connections', json=page([
        {'id': '11', 'connection_name': 'acme-1', 'record_type': 'ip_connection'},
        {'id': '12', 'connection_name': 'acme-1', 'record_type': 'credential_connection'}]))
    with pytest.raises(Failed) as failed:
        R.find_connection(FakeModule(), api.client(), 'acme-1')
    assert failed.value.args[0]['ids'] == ['11', '12']
    assert "2 connections are named 'acme-1': 11 (ip), 12 (credentials)" in failed.value.args[0]['msg']


def test_api_errors_fail_with_the_api_message():
    err = TelnyxError('PATCH', '/ip_connections/1', 422, [{'code': '10015', 'title': 'Bad Request', 'detail': 'Invalid value',
                                                          'pointer': '/inbound/codecs'}])
    with pytest.raises(Failed) as failed:
        with R.api_errors(FakeModule(), changed=False):
            raise err
    result = failed.value.args[0]
    assert result['msg'] == 'PATCH /ip_connections/1: HTTP 422 [10015] Bad Request: Invalid value (field /inbound/codecs)'
    assert result['api_error']['status'] == 422 and result['changed'] is False


def test_redact_masks_secrets_at_any_depth():
    obj = {'password': 'pw123456', 'user_name': 'u', 'outbound': {'ip_authentication_token': 'tok', 'tech_prefix': '1234'},
           'list': [{'password': 'x'}], 'empty': {'password': None}}
    assert R.redact(obj) == {'password': R.REDACTED, 'user_name': 'u',
                             'outbound': {'ip_authentication_token': R.REDACTED, 'tech_prefix': '1234'},
                             'list': [{'password': R.REDACTED}], 'empty': {'password': None}}
    assert obj['password'] == 'pw123456', 'the original is left alone'


@pytest.mark.parametrize('obj,region,uri', [
    ({'record_type': 'credential_connection', 'user_name': 'acmefra1'}, 'eu', 'acmefra1@sip.telnyx.eu'),
    ({'record_type': 'ip_connection', 'inbound': {'sip_subdomain': 'acme'}}, 'ca', 'acme@sip.telnyx.ca'),
    ({'record_type': 'fqdn_connection', 'inbound': {'sip_subdomain': None}}, 'com', None),
    ({'record_type': 'fqdn_connection', 'user_name': 'ignored', 'inbound': {'sip_subdomain': 'sub'}}, None, 'sub@sip.telnyx.com'),
])
def test_sip_uri(obj, region, uri):
    assert R.sip_uri(obj, region) == uri
    result = R.connection_result(dict(obj, password='secret12'), region)
    assert result['sip_uri'] == uri and result.get('password') == R.REDACTED


def test_diff_views_mask_secrets():
    assert R.diff_views({'password': 'a', 'x': 1}, {'password': 'a', 'x': 2}, ['password']) == {
        'before': {'password': R.MASK, 'x': 1}, 'after': {'password': R.MASK, 'x': 2}}
    assert R.diff_views({'password': 'a'}, {'password': 'b'}, ['password']) == {
        'before': {'password': R.MASK}, 'after': {'password': R.CHANGED_MASK}}
    assert R.diff_views(None, {'token': 't', 'name': 'n'}, ['token']) == {'before': {}, 'after': {'token': R.MASK, 'name': 'n'}}
    assert R.diff_views({'token': 't'}, None, ['token']) == {'before': {'token': R.MASK}, 'after': {}}
    assert R.diff_views({'token': None}, {'token': 'new'}, ['token']) == {'before': {'token': None}, 'after': {'token': R.MASK}}


def _ip(ident, address, port=5060):
    return {'id': ident, 'ip_address': address, 'port': port}


def test_plan_children_keeps_updates_creates_and_deletes():
    children = R.CHILDREN['ip']
    current = [_ip('a', '10.0.0.1'), _ip('b', '10.0.0.2', 5080), _ip('c', '10.0.0.9')]
    wanted = [{'address': '10.0.0.2', 'port': 5060}, {'address': '10.0.0.1', 'port': 5060}, {'address': '10.0.0.3', 'port': 5060}]
    slots, creates, updates, deletes = R._plan_children(children, wanted, current)  # pylint: disable=protected-access
    assert [s and s['id'] for s in slots] == ['b', 'a', None]
    assert creates == [(2, wanted[2])]
    assert updates == [(0, current[1], wanted[0])]
    assert deletes == [current[2]]


def test_children_order_follows_default_ids():
    children = R.CHILDREN['fqdn']
    items = [{'id': '1', 'fqdn': 'a.example.com'}, {'id': '2', 'fqdn': 'b.example.com'}, {'id': '3', 'fqdn': 'c.example.com'}]
    obj = {'inbound': {'default_primary_fqdn_id': '3', 'default_secondary_fqdn_id': '1', 'default_tertiary_fqdn_id': 'gone'}}
    assert [i['id'] for i in children.ordered(obj, items)] == ['3', '1', '2']
    assert children.body('9', {'fqdn': 'a.example.com', 'port': None, 'dns_record_type': 'srv'}) == {
        'fqdn': 'a.example.com', 'port': None, 'dns_record_type': 'srv', 'connection_id': '9'}


@pytest.mark.parametrize('kind, inbound, ids, expected', [
    ('ip', {'default_primary_ip_id': 'a', 'default_secondary_ip_id': 'b', 'default_tertiary_ip_id': 'c'}, ['b'],
     {'default_primary_ip_id': 'b', 'default_secondary_ip_id': 'b', 'default_tertiary_ip_id': 'b'}),
    ('ip', {'default_primary_ip_id': 'a'}, ['a', 'n'], {'default_primary_ip_id': 'a', 'default_secondary_ip_id': 'n'}),
    ('ip', {'default_primary_ip_id': 'a', 'default_secondary_ip_id': 'a'}, ['a', 'n'],
     {'default_primary_ip_id': 'a', 'default_secondary_ip_id': 'n'}),
    ('ip', {'default_primary_ip_id': 'a', 'default_secondary_ip_id': 'b', 'default_tertiary_ip_id': 'c'}, ['a', 'n'],
     {'default_primary_ip_id': 'a', 'default_secondary_ip_id': 'n', 'default_tertiary_ip_id': 'n'}),
    ('ip', {'default_primary_ip_id': 'a'}, [], {}),
    ('fqdn', {'default_primary_fqdn_id': 'a', 'default_secondary_fqdn_id': 'b'}, ['b'],
     {'default_primary_fqdn_id': 'b', 'default_secondary_fqdn_id': None, 'default_tertiary_fqdn_id': None}),
])
def test_default_ids_never_keep_a_dropped_address(kind, inbound, ids, expected):
    assert R.CHILDREN[kind].default_ids(inbound, ids) == expected


def test_find_by_name_exact_match_and_short_names_list_everything():
    api = FakeAPI()
    query = {'filter[name][contains]': 'acme-eu', 'page[number]': '1', 'page[size]': '250'}
    api.add('GET', '/outbound_voice_profiles', json=page([{'id': '1', 'name': 'acme-eu-2'}, {'id': '2', 'name': 'acme-eu'}]), params=query)
    api.add('GET', '/outbound_voice_profiles', json=page([{'id': '3', 'name': 'abc'}]), params={'page[number]': '1', 'page[size]': '250'})
    assert R.find_by_name(FakeModule(), api.client(), '/outbound_voice_profiles', 'acme-eu', 'profiles')['id'] == '2'
    assert R.find_by_name(FakeModule(), api.client(), '/outbound_voice_profiles', 'ab', 'profiles') is None
    api.assert_done()


def test_find_by_name_fails_listing_duplicate_ids_with_the_result():
    api = FakeAPI()
    rows = [{'id': '5', 'connection_name': 'x-1'}, {'id': '6', 'connection_name': 'x-1'}, {'id': '7', 'connection_name': 'x-10'}]
    api.add('GET', '/connections', json=page(rows), params={'filter[connection_name][contains]': 'x-1', 'page[number]': '1', 'page[size]': '250'})
    with pytest.raises(Failed) as failed:
        R.find_by_name(FakeModule(), api.client(), '/connections', 'x-1', 'things', name_field='connection_name',
                       filter_key='filter[connection_name][contains]', hint='Pick one.', changed=True)
    assert failed.value.args[0] == {'msg': "2 things are named 'x-1': 5, 6. Pick one.", 'ids': ['5', '6'], 'changed': True}

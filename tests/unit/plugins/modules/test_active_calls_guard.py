# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The active calls guard of every delete: sip_connection state=absent, sip_connections entries with state absent and
pruning ask GET /connections/{id}/active_calls first; with calls nothing is written for that connection unless
delete_with_active_calls. Telnyx lists the calls of connections with a webhook URL only: the others are not asked, and
the run warns once, naming them. The exact HTTP calls of each case."""

from __future__ import annotations

import copy

from ansible_collections.byoc.carrier.plugins.module_utils import _runner
from ansible_collections.byoc.carrier.plugins.modules import sip_connection, sip_connections
from ansible_collections.byoc.carrier.tests.unit.plugins.fake_api import calls_page, page
from ansible_collections.byoc.carrier.tests.unit.plugins.modules.module_runner import fixture_api, run_module  # noqa: F401 pylint: disable=unused-import

LIST = {'page[size]': '250', 'page[number]': '1'}
CALLS = {'page[size]': '250'}
HOOK = 'https://hooks.example.com/acme'
IP_OBJ = {'id': '200', 'record_type': 'ip_connection', 'connection_name': 'acme-ip', 'tags': ['acme', 'prod'],
          'inbound': {'default_primary_ip_id': '201'}, 'webhook_event_url': HOOK}
IPS = [{'id': '201', 'record_type': 'ip', 'connection_id': '200', 'ip_address': '192.0.2.10', 'port': 5060}]
CRED_OBJ = {'id': '100', 'record_type': 'credential_connection', 'connection_name': 'acme-cred', 'user_name': 'acmefra1',
            'tags': ['acme', 'prod'], 'webhook_event_url': HOOK}
BUSY = ("connection 'acme-ip' (id 200) has 2 call(s) in progress; it was not deleted and nothing was written for it. "
        "Delete it once the calls have ended, or set delete_with_active_calls: true to cut them")


def named(api, path, name, items):
    api.add('GET', path, json=page(items), params=dict(LIST, **{'filter[connection_name][contains]': name}))


def deleted(api, path, obj):
    api.add('DELETE', path, json={'data': obj})


def test_a_connection_with_calls_is_not_deleted_and_nothing_is_written(api):
    named(api, '/ip_connections', 'acme-ip', [IP_OBJ])
    api.add('GET', '/connections/200/active_calls', json=calls_page(2), params=CALLS)
    result = run_module(sip_connection, api.module_args(name='acme-ip', type='ip', state='absent'))
    assert result['failed'] is True and result['changed'] is False
    assert result['msg'] == BUSY
    assert [c[:2] for c in api.calls] == [('GET', '/ip_connections'), ('GET', '/connections/200/active_calls')]


def test_check_mode_reports_the_calls_the_same_way(api):
    named(api, '/ip_connections', 'acme-ip', [IP_OBJ])
    api.add('GET', '/connections/200/active_calls', json=calls_page(2), params=CALLS)
    result = run_module(sip_connection, api.module_args(name='acme-ip', type='ip', state='absent'), check=True)
    assert result['failed'] is True and result['msg'] == BUSY and result['changed'] is False
    assert [c[0] for c in api.calls] == ['GET', 'GET']


def test_no_calls_the_calls_are_read_before_the_deletes(api):
    named(api, '/ip_connections', 'acme-ip', [IP_OBJ])
    api.add('GET', '/connections/200/active_calls', json=calls_page(0), params=CALLS)
    api.add('GET', '/ips', json=page(IPS), params=dict(LIST, **{'filter[connection_id]': '200'}))
    deleted(api, '/ips/201', IPS[0])
    deleted(api, '/ip_connections/200', IP_OBJ)
    result = run_module(sip_connection, api.module_args(name='acme-ip', type='ip', state='absent'))
    assert result['changed'] is True and not result.get('failed')
    assert [c[:2] for c in api.calls] == [('GET', '/ip_connections'), ('GET', '/connections/200/active_calls'), ('GET', '/ips'),
                                          ('DELETE', '/ips/201'), ('DELETE', '/ip_connections/200')]


def test_delete_with_active_calls_deletes_without_asking(api):
    named(api, '/credential_connections', 'acme-cred', [CRED_OBJ])
    deleted(api, '/credential_connections/100', CRED_OBJ)
    result = run_module(sip_connection, api.module_args(name='acme-cred', type='credentials', state='absent',
                                                        delete_with_active_calls=True))
    assert result['changed'] is True
    assert [c[:2] for c in api.calls] == [('GET', '/credential_connections'), ('DELETE', '/credential_connections/100')]


def test_an_error_of_the_calls_listing_fails_and_deletes_nothing(api):
    named(api, '/credential_connections', 'acme-cred', [CRED_OBJ])
    api.add_error('GET', '/connections/100/active_calls', 422, detail='Connection does not support listing calls.')
    result = run_module(sip_connection, api.module_args(name='acme-cred', type='credentials', state='absent'))
    assert result['failed'] is True and result['changed'] is False
    assert result['msg'].startswith('GET /connections/100/active_calls: HTTP 422') and 'Connection does not support listing calls.' in result['msg']
    assert [c[0] for c in api.calls] == ['GET', 'GET']


def test_calls_are_counted_page_by_page_when_telnyx_gives_no_total(api):
    api.add('GET', '/connections/7/active_calls', json=calls_page(250, total=False, after='v1:abc'), params=CALLS)
    api.add('GET', '/connections/7/active_calls', json=calls_page(3, total=False), params=dict(CALLS, **{'page[after]': 'v1:abc'}))
    assert _runner.active_calls(api.client(), '7') == 253
    assert [c[2] for c in api.calls] == [CALLS, dict(CALLS, **{'page[after]': 'v1:abc'})]


def bulk_account(api):
    old = dict(IP_OBJ)
    quiet = dict(CRED_OBJ, id='150', connection_name='acme-quiet', user_name='acmequiet')
    for path, items in (('/credential_connections', [CRED_OBJ, quiet]), ('/ip_connections', [old]), ('/fqdn_connections', []),
                        ('/ips', IPS), ('/fqdns', [])):
        api.add_list(path, copy.deepcopy(items))


def test_bulk_prune_and_state_absent_fail_the_busy_connections_and_delete_the_quiet_one(api):
    bulk_account(api)
    api.add('GET', '/connections/200/active_calls', json=calls_page(2), params=CALLS)
    api.add('GET', '/connections/100/active_calls', json=calls_page(1), params=CALLS)
    api.add('GET', '/connections/150/active_calls', json=calls_page(0), params=CALLS)
    deleted(api, '/credential_connections/150', CRED_OBJ)
    result = run_module(sip_connections, api.module_args(connections=[{'name': 'acme-cred', 'type': 'credentials', 'state': 'absent'}],
                                                         prune=True, prune_tags=['acme', 'prod']))
    assert result['failed'] is True
    statuses = dict((r['name'], (r['status'], r.get('error'))) for r in result['results'])
    assert statuses == {
        'acme-cred': ('failed', "connection 'acme-cred' (id 100) has 1 call(s) in progress; it was not deleted and nothing was "
                                "written for it. Delete it once the calls have ended, or set delete_with_active_calls: true to cut them"),
        'acme-ip': ('failed', BUSY),
        'acme-quiet': ('deleted', None),
    }
    assert "acme-ip: %s" % BUSY in result['msg'] and result['msg'].startswith('2 of 3 connections failed')
    assert [c[:2] for c in api.calls if c[0] != 'GET'] == [('DELETE', '/credential_connections/150')]
    assert result['summary']['deleted'] == 1 and result['summary']['failed'] == 2


def test_bulk_with_the_option_deletes_everything_without_asking(api):
    bulk_account(api)
    deleted(api, '/credential_connections/100', CRED_OBJ)
    deleted(api, '/credential_connections/150', CRED_OBJ)
    deleted(api, '/ips/201', IPS[0])
    deleted(api, '/ip_connections/200', IP_OBJ)
    result = run_module(sip_connections, api.module_args(connections=[{'name': 'acme-cred', 'type': 'credentials', 'state': 'absent'}],
                                                         prune=True, prune_tags=['acme', 'prod'], delete_with_active_calls=True))
    assert not result.get('failed'), result
    assert result['summary']['deleted'] == 3
    assert not [c for c in api.calls if 'active_calls' in c[1]]


def test_bulk_check_mode_reports_the_busy_connection(api):
    bulk_account(api)
    api.add('GET', '/connections/100/active_calls', json=calls_page(0), params=CALLS)
    api.add('GET', '/connections/200/active_calls', json=calls_page(2), params=CALLS)
    api.add('GET', '/connections/150/active_calls', json=calls_page(0), params=CALLS)
    result = run_module(sip_connections, api.module_args(connections=[{'name': 'acme-cred', 'type': 'credentials', 'state': 'absent'}],
                                                         prune=True, prune_tags=['acme', 'prod']), check=True)
    assert result['failed'] is True and result['msg'] == '1 of 3 connections failed: acme-ip: %s' % BUSY
    assert [r['status'] for r in result['results']] == ['deleted', 'failed', 'deleted']
    assert all(c[0] == 'GET' for c in api.calls)


UNKNOWN = ("calls in progress were not checked before deleting %s: %s. Telnyx lists the calls of a SIP connection only "
           "when it has a webhook URL (webhook_url); give the trunks one to have the active calls guard, or make sure their "
           "calls have ended.")


def test_a_connection_without_a_webhook_url_is_deleted_without_asking_and_the_run_warns(api):
    """Telnyx answers 422 to the calls listing of a SIP connection without a webhook URL: no request, one warning."""
    obj = dict(CRED_OBJ, webhook_event_url=None)
    named(api, '/credential_connections', 'acme-cred', [obj])
    named(api, '/credential_connections', 'acme-cred', [obj])
    deleted(api, '/credential_connections/100', obj)
    for check in (True, False):
        warnings = []
        result = run_module(sip_connection, api.module_args(name='acme-cred', type='credentials', state='absent'), check=check,
                            warnings=warnings)
        assert result['changed'] is True and not result.get('failed'), result
        assert warnings == [UNKNOWN % ("1 connection(s) without a webhook URL", "'acme-cred'")]
    assert [c[:2] for c in api.calls] == [('GET', '/credential_connections')] * 2 + [('DELETE', '/credential_connections/100')]


def test_bulk_asks_only_the_connections_with_a_webhook_url_and_names_the_others_once(api):
    old = dict(IP_OBJ)
    quiet = dict(CRED_OBJ, id='150', connection_name='acme-quiet', user_name='acmequiet', webhook_event_url='')
    plain = dict(CRED_OBJ, webhook_event_url=None)
    for path, items in (('/credential_connections', [plain, quiet]), ('/ip_connections', [old]), ('/fqdn_connections', []),
                        ('/ips', IPS), ('/fqdns', [])):
        api.add_list(path, copy.deepcopy(items))
    api.add('GET', '/connections/200/active_calls', json=calls_page(2), params=CALLS)
    deleted(api, '/credential_connections/100', plain)
    deleted(api, '/credential_connections/150', quiet)
    warnings = []
    result = run_module(sip_connections, api.module_args(connections=[{'name': 'acme-cred', 'type': 'credentials', 'state': 'absent'}],
                                                         prune=True, prune_tags=['acme', 'prod']), warnings=warnings)
    assert result['failed'] is True and result['msg'] == '1 of 3 connections failed: acme-ip: %s' % BUSY
    assert [(r['name'], r['status']) for r in result['results']] == [('acme-cred', 'deleted'), ('acme-ip', 'failed'), ('acme-quiet', 'deleted')]
    assert [c[1] for c in api.calls if 'active_calls' in c[1]] == ['/connections/200/active_calls']
    assert warnings == [UNKNOWN % ("2 connection(s) without a webhook URL", "'acme-cred', 'acme-quiet'")]


def test_the_warning_names_ten_connections_and_counts_the_rest():
    names = ['trunk-%02d' % n for n in range(12, 0, -1)]
    shown = ', '.join("'trunk-%02d'" % n for n in range(1, 11))
    assert _runner.calls_unknown_warning(names) == UNKNOWN % ("12 connection(s) without a webhook URL", shown + ' and 2 more')

# Copyright: contributors to byoc.carrier
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Calls in progress: POST /_emulator/active_calls sets them, GET /v2/connections/{id}/active_calls lists them with
Telnyx's cursor pagination; deleting the connection or resetting the emulator ends them. Telnyx lists the calls of
SIP connections with a webhook URL only (its API reference): the others get a 422."""
from __future__ import annotations

HOOK = 'https://hooks.example.com/byoc'
CRED = {'connection_name': 'calls-cred', 'user_name': 'callscred1', 'password': 'Secret-pass1', 'webhook_event_url': HOOK}


def set_calls(api, connection_id, count):
    return api.call('POST', api.root + '/_emulator/active_calls', {'connection_id': connection_id, 'count': count}, headers={})


def calls(api, connection_id, query=''):
    return api.call('GET', '/connections/%s/active_calls%s' % (connection_id, query))


def test_no_calls_is_an_empty_list(api):
    conn = api.create('/credential_connections', CRED)
    status, reply, _headers = calls(api, conn['id'])
    assert status == 200
    assert reply == {'data': [], 'meta': {'total_items': 0, 'cursors': {}}}


def test_calls_set_are_listed_then_cleared_with_zero(api):
    conn = api.create('/ip_connections', {'connection_name': 'calls-ip', 'webhook_event_url': HOOK})
    assert set_calls(api, conn['id'], 2)[0] == 200
    status, reply, _headers = calls(api, conn['id'])
    assert status == 200 and reply['meta']['total_items'] == 2 and len(reply['data']) == 2
    assert [c['record_type'] for c in reply['data']] == ['call', 'call']
    assert len(set(c['call_control_id'] for c in reply['data'])) == 2
    assert set_calls(api, conn['id'], 0)[0] == 200
    assert calls(api, conn['id'])[1]['meta']['total_items'] == 0


def test_cursor_pages_follow_next_and_previous(api):
    conn = api.create('/credential_connections', CRED)
    set_calls(api, conn['id'], 5)
    status, first, _headers = calls(api, conn['id'], '?page[size]=2')
    assert status == 200 and len(first['data']) == 2 and 'before' not in first['meta']['cursors']
    assert first['meta']['next'] == '/v2/connections/%s/active_calls?page[after]=%s' % (conn['id'], first['meta']['cursors']['after'])
    seen = [c['call_control_id'] for c in first['data']]
    page = first
    while 'next' in page['meta']:
        status, page, _headers = calls(api, conn['id'], '?page[size]=2&page[after]=%s' % page['meta']['cursors']['after'])
        assert status == 200 and page['meta']['total_items'] == 5
        seen += [c['call_control_id'] for c in page['data']]
    assert len(seen) == len(set(seen)) == 5
    status, back, _headers = calls(api, conn['id'], '?page[limit]=2&page[before]=%s' % page['meta']['cursors']['before'])
    assert status == 200 and [c['call_control_id'] for c in back['data']] == seen[2:4]


def test_bad_query_and_unknown_connection_are_refused(api):
    conn = api.create('/credential_connections', CRED)
    status, reply, _headers = calls(api, conn['id'], '?page[size]=251')
    assert status == 422 and reply['errors'][0]['source'] == {'parameter': 'page[size]'}
    status, reply, _headers = calls(api, conn['id'], '?filter[status]=x')
    assert status == 422 and reply['errors'][0]['source'] == {'parameter': 'filter[status]'}
    status, reply, _headers = calls(api, conn['id'], '?page[after]=nonsense')
    assert status == 422 and reply['errors'][0]['source'] == {'parameter': 'page[after]'}
    assert calls(api, '999')[0] == 404
    assert set_calls(api, '999', 1)[0] == 404
    assert set_calls(api, conn['id'], -1)[0] == 422
    assert api.call('POST', api.root + '/_emulator/active_calls', {'count': 1}, headers={})[0] == 422


def test_deleting_the_connection_or_a_reset_ends_its_calls(api):
    conn = api.create('/credential_connections', CRED)
    set_calls(api, conn['id'], 3)
    assert api.call('DELETE', '/credential_connections/%s' % conn['id'])[0] == 200
    again = api.create('/credential_connections', CRED)
    set_calls(api, again['id'], 1)
    api.reset(keep_state=True)
    assert calls(api, again['id'])[1]['meta']['total_items'] == 1, 'keep_state keeps the calls'
    stats = api.stats()
    assert stats['by_route'] == {'GET /v2/connections/{id}/active_calls': 1}, 'the control endpoint is not counted'
    api.reset()
    other = api.create('/credential_connections', CRED)
    assert calls(api, other['id'])[1]['meta']['total_items'] == 0


def test_a_connection_without_a_webhook_url_is_refused_until_it_has_one(api):
    conns = [api.create('/credential_connections', dict(CRED, webhook_event_url=None)),
             api.create('/ip_connections', {'connection_name': 'calls-ip2'}),
             api.create('/fqdn_connections', {'connection_name': 'calls-fqdn', 'webhook_event_url': ''})]
    for conn in conns:
        status, reply, _headers = calls(api, conn['id'])
        assert status == 422, reply
        assert reply['errors'][0]['source'] == {'parameter': 'connection_id'}
        assert 'webhook_url' in reply['errors'][0]['detail']
    api.call('PATCH', '/ip_connections/' + conns[1]['id'], {'webhook_event_url': HOOK})
    assert calls(api, conns[1]['id'])[0] == 200

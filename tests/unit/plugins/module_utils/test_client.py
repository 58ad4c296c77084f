# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the Telnyx API client: exact HTTP calls, retries, pagination, errors, threads."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.byoc.carrier.plugins.module_utils import _client
from ansible_collections.byoc.carrier.plugins.module_utils._client import (
    RateLimiter,
    TELNYX_ARGUMENT_SPEC,
    TelnyxClient,
    TelnyxError,
    client_from_module,
)
from ansible_collections.byoc.carrier.tests.contract import spec
from ansible_collections.byoc.carrier.tests.unit.plugins.fake_api import FakeAPI, error_body, page

LIST = {'page[number]': '1', 'page[size]': '250'}
CRED = '/credential_connections'
CONN = {'id': '1293384261075731499', 'record_type': 'credential_connection', 'connection_name': 'acme-fra1'}


def named(name, ident, record_type='credential_connection'):
    return {'id': ident, 'connection_name': name, 'record_type': record_type}


@pytest.fixture(name='api')
def fixture_api():
    fake = FakeAPI(validate=False)
    yield fake
    fake.assert_done()


class FakeModule:
    """The parts of AnsibleModule client_from_module uses."""

    class Failed(Exception):
        pass

    def __init__(self, params):
        self.params = params
        self.failure = None

    def fail_json(self, **kwargs):
        self.failure = kwargs
        raise self.Failed(kwargs['msg'])


# -- plain requests ---------------------------------------------------------------------------
def test_get_sends_auth_json_user_agent_and_returns_data(api):
    api.add('GET', CRED + '/42', json={'data': CONN})
    client = api.client(timeout=12, validate_certs=False)
    assert client.get(CRED + '/42') == CONN
    req = api.requests[0]
    assert req.call == ('GET', CRED + '/42', {}, None)
    assert req.url == 'https://api.telnyx.test/v2/credential_connections/42'
    assert req.headers == {'Authorization': 'Bearer ' + api.key, 'Accept': 'application/json',
                           'Content-Type': 'application/json', 'User-Agent': 'byoc.carrier/' + _client.COLLECTION_VERSION}
    assert (req.timeout, req.verify) == (12, False)
    assert api.sleeps == [] and client.retries == 0


def test_user_agent_version_is_the_collection_version():
    galaxy = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'galaxy.yml')
    if not os.path.exists(galaxy):
        pytest.skip('galaxy.yml is not in this copy of the collection')
    with open(galaxy, encoding='utf-8') as handle:
        versions = [line.split(':', 1)[1].strip() for line in handle if line.startswith('version:')]
    assert versions == [_client.COLLECTION_VERSION]


def test_query_values_are_strings_and_none_is_left_out(api):
    api.add('GET', '/ips', json=page([]))
    api.client().request('GET', '/ips', params={'filter[connection_id]': 7, 'x': None, 'flag': True})
    assert api.calls == [('GET', '/ips', {'filter[connection_id]': '7', 'flag': 'true'}, None)]


def test_patch_sends_body_and_returns_data(api):
    api.add('PATCH', '/ip_connections/9', json={'data': {'id': '9', 'active': False}})
    assert api.client().patch('/ip_connections/9', {'active': False}) == {'id': '9', 'active': False}
    assert api.calls == [('PATCH', '/ip_connections/9', {}, {'active': False})]


def test_empty_success_body_is_an_empty_dict(api):
    api.add('POST', '/ips/3/actions/noop', status=204)
    assert api.client().request('POST', '/ips/3/actions/noop') == {}


def test_get_missing_ok_gives_none_on_404_and_raises_otherwise(api):
    api.add_error('GET', CRED + '/1', 404, detail='Resource not found')
    api.add_error('GET', CRED + '/1', 404, detail='Resource not found')
    client = api.client()
    assert client.get(CRED + '/1', missing_ok=True) is None
    with pytest.raises(TelnyxError) as info:
        client.get(CRED + '/1')
    assert info.value.not_found and info.value.code == '10005'
    assert api.sleeps == []


# -- pagination and name lookup ----------------------------------------------------------------
def test_list_walks_every_page_until_total_pages(api):
    items = [named('c%d' % i, str(i)) for i in range(600)]
    api.add_list('/ips', items, params={'filter[connection_id]': '5'})
    assert api.client().list('/ips', {'filter[connection_id]': '5'}) == items
    assert api.calls == [('GET', '/ips', {'filter[connection_id]': '5', 'page[number]': str(n), 'page[size]': '250'}, None)
                         for n in (1, 2, 3)]


def test_list_parallel_reads_the_first_page_then_the_others_at_once_in_page_order(api):
    items = [named('acme-%03d' % n, str(n)) for n in range(5)]
    api.add_list(CRED, items, page_size=2)
    client = api.client()
    with ThreadPoolExecutor(max_workers=4) as pool:
        assert client.list_parallel(CRED, {'page[size]': 2}, pool) == items
    assert sorted(c[2]['page[number]'] for c in api.calls) == ['1', '2', '3']
    assert api.calls[0][2]['page[number]'] == '1'  # the page count comes from the first page


def test_list_parallel_without_executor_or_meta(api):
    api.add('GET', CRED, json={'data': [CONN]})
    assert api.client().list_parallel(CRED) == [CONN]


def test_list_without_meta_is_one_page(api):
    api.add('GET', '/outbound_voice_profiles', json={'data': [{'id': '1'}]})
    assert api.client().list('/outbound_voice_profiles') == [{'id': '1'}]
    assert api.calls == [('GET', '/outbound_voice_profiles', LIST, None)]


def test_find_connections_filters_on_server_and_keeps_exact_case_sensitive_matches(api):
    listing = [named('acme-fra1', '1'), named('ACME-FRA1', '2'), named('acme-fra1-old', '3'), named('acme-fra1', '4')]
    api.add('GET', CRED, json=page(listing))
    found = api.client().find_connections('credentials', 'acme-fra1')
    assert [c['id'] for c in found] == ['1', '4']
    assert api.calls == [('GET', CRED, dict(LIST, **{'filter[connection_name][contains]': 'acme-fra1'}), None)]


@pytest.mark.parametrize('kind, path', [('ip', '/ip_connections'), ('fqdn', '/fqdn_connections'), ('any', '/connections')])
def test_find_connections_path_per_kind(api, kind, path):
    api.add('GET', path, json=page([named('pbx', '8', 'ip_connection'), named('pbx2', '9')]))
    assert api.client().find_connections(kind, 'pbx') == [named('pbx', '8', 'ip_connection')]
    assert api.calls == [('GET', path, dict(LIST, **{'filter[connection_name][contains]': 'pbx'}), None)]


def test_find_connections_short_name_lists_everything_and_matches_locally(api):
    many = [named('n%d' % i, str(i)) for i in range(300)] + [named('ab', 'x'), named('AB', 'y')]
    api.add_list('/connections', many)
    assert api.client().find_connections('any', 'ab') == [named('ab', 'x')]
    assert [c[2] for c in api.calls] == [{'page[number]': '1', 'page[size]': '250'}, {'page[number]': '2', 'page[size]': '250'}]


def test_find_connections_of_any_kind_are_sip_trunks_only(api):
    """Telnyx's /connections lists every type: a TeXML or call control application named like the trunk is not it."""
    listing = [named('acme-fra1', '1', 'texml_application'), named('acme-fra1', '2', 'ip_connection'),
               named('acme-fra1', '3', 'call_control_application'), named('acme-fra1', '4', 'fqdn_connection')]
    api.add('GET', '/connections', json=page(listing))
    assert [c['id'] for c in api.client().find_connections('any', 'acme-fra1')] == ['2', '4']


def test_find_connections_rejects_unknown_kind(api):
    with pytest.raises(ValueError, match='credentials'):
        api.client().find_connections('credential', 'acme')
    assert api.calls == []


# -- retries ------------------------------------------------------------------------------------
def test_5xx_and_transport_errors_are_retried_with_exponential_backoff(api):
    api.add('GET', CRED + '/1', status=503, json=error_body('10010', 'Service unavailable'))
    api.add('GET', CRED + '/1', status=502, text='<html>bad gateway</html>')
    api.add('GET', CRED + '/1', raises='timeout')
    api.add('GET', CRED + '/1', status=500)
    api.add('GET', CRED + '/1', raises='reset')
    api.add('GET', CRED + '/1', status=504)
    api.add('GET', CRED + '/1', json={'data': CONN})
    client = api.client()
    assert client.get(CRED + '/1') == CONN
    assert api.sleeps == [0.5, 1.0, 2.0, 4.0, 8.0, 10.0]
    assert client.retries == 6 and len(api.calls) == 7


def test_jitter_shortens_waits_down_to_half(api):
    for dummy in range(3):
        api.add('GET', '/ips/1', status=503)
    api.add('GET', '/ips/1', json={'data': {}})
    api.client(rand=lambda: 0.0).get('/ips/1')
    assert api.sleeps == [0.25, 0.5, 1.0]


def test_retry_after_is_honoured_exactly(api):
    api.add('GET', '/ips/1', status=429, headers={'Retry-After': '3'}, json=error_body('10011', 'Too many requests'))
    api.add('GET', '/ips/1', status=503, headers={'Retry-After': '1.5'})
    api.add('GET', '/ips/1', json={'data': {'id': '1'}})
    assert api.client().get('/ips/1') == {'id': '1'}
    assert api.sleeps == [3.0, 1.5]


def test_retry_after_http_date():
    when = formatdate(time.time() + 30, usegmt=True)
    assert 28 <= _client._header_seconds(when) <= 30  # pylint: disable=protected-access
    assert _client._header_seconds('not a date') is None  # pylint: disable=protected-access


def test_429_waits_for_x_ratelimit_reset(api):
    api.add('GET', CRED, status=429, headers={'x-ratelimit-limit': '10', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '7'})
    api.add('GET', CRED, json=page([]))
    client = api.client()
    assert client.list(CRED) == []
    assert api.sleeps == [7.0] and client.retries == 1


def test_exhausted_window_pauses_the_next_request(api):
    api.add('GET', '/ips/1', json={'data': {}}, headers={'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '4'})
    api.add('GET', '/ips/2', json={'data': {}}, headers={'x-ratelimit-remaining': '9', 'x-ratelimit-reset': '4'})
    api.add('GET', '/ips/3', json={'data': {}})
    client = api.client()
    client.get('/ips/1')
    client.get('/ips/2')
    client.get('/ips/3')
    assert api.sleeps == [4.0] and client.retries == 0


def test_total_waiting_is_capped_by_retry_timeout(api):
    api.add('GET', '/ips/1', status=503, json=error_body('10010', 'Service unavailable', 'try later'), repeat=True)
    client = api.client(retry_timeout=60)
    with pytest.raises(TelnyxError) as info:
        client.get('/ips/1')
    assert api.sleeps == [0.5, 1.0, 2.0, 4.0, 8.0, 10.0, 10.0, 10.0, 10.0, 4.5]
    assert sum(api.sleeps) == 60 and len(api.calls) == 11
    assert str(info.value) == ('GET /ips/1: HTTP 503 [10010] Service unavailable: try later '
                               '(gave up after 10 retries, 60.0 s waited)')
    assert (info.value.retries, client.retries) == (10, 10)


def test_server_delay_beyond_the_budget_fails_at_once(api):
    api.add('GET', '/ips/1', status=429, headers={'Retry-After': '120'})
    with pytest.raises(TelnyxError) as info:
        api.client(retry_timeout=60).get('/ips/1')
    assert api.sleeps == [] and info.value.status == 429


def test_retry_timeout_zero_means_no_retries(api):
    api.add('GET', '/ips/1', status=429, headers={'x-ratelimit-reset': '1'})
    client = api.client(retry_timeout=0)
    with pytest.raises(TelnyxError):
        client.get('/ips/1')
    assert api.sleeps == [] and client.retries == 0 and len(api.calls) == 1


@pytest.mark.parametrize('status', [400, 401, 403, 404, 422])
def test_client_errors_are_not_retried(api, status):
    api.add_error('PATCH', '/ips/1', status)
    with pytest.raises(TelnyxError) as info:
        api.client().patch('/ips/1', {'port': 5061})
    assert info.value.status == status and api.sleeps == [] and len(api.calls) == 1


def test_plain_post_request_is_not_retried_after_5xx(api):
    api.add('POST', '/phone_numbers/jobs/update_phone_numbers', status=502)
    with pytest.raises(TelnyxError):
        api.client().request('POST', '/phone_numbers/jobs/update_phone_numbers', json={'phone_numbers': ['+15550100']})
    assert len(api.calls) == 1 and api.sleeps == []


def test_retry_false_sends_once(api):
    api.add('GET', '/ips/1', status=503)
    with pytest.raises(TelnyxError):
        api.client().request('GET', '/ips/1', retry=False)
    assert len(api.calls) == 1


# -- creates are never retried blindly -------------------------------------------------------
def finder(client, name):
    """The find() a module passes: the connection named ``name`` or None."""
    return lambda: next(iter(client.find_connections('credentials', name)), None)


BODY = {'connection_name': 'acme-fra1', 'user_name': 'acmefra1', 'password': 'Secretpass1'}
FIND_CALL = ('GET', CRED, dict(LIST, **{'filter[connection_name][contains]': 'acme-fra1'}), None)


def test_create_posts_once(api):
    api.add('POST', CRED, status=201, json={'data': CONN})
    assert api.client().create(CRED, BODY, find=lambda: pytest.fail('find() must not be called')) == CONN
    assert api.calls == [('POST', CRED, {}, BODY)]


@pytest.mark.parametrize('failure', [{'status': 503}, {'status': 500}, {'raises': 'timeout'}, {'raises': 'reset'}])
def test_failed_create_that_committed_is_found_not_posted_again(api, failure):
    api.add('POST', CRED, **failure)
    api.add('GET', CRED, json=page([CONN]))
    client = api.client()
    assert client.create(CRED, BODY, find=finder(client, 'acme-fra1')) == CONN
    assert api.calls == [('POST', CRED, {}, BODY), FIND_CALL]
    assert api.sleeps == [0.5] and client.retries == 1


def test_failed_create_that_did_not_commit_is_posted_again(api):
    api.add('POST', CRED, raises='reset')
    api.add('GET', CRED, json=page([named('acme-fra1-other', '5')]))
    api.add('POST', CRED, status=201, json={'data': CONN})
    client = api.client()
    assert client.create(CRED, BODY, find=finder(client, 'acme-fra1')) == CONN
    assert api.calls == [('POST', CRED, {}, BODY), FIND_CALL, ('POST', CRED, {}, BODY)]


def test_create_without_find_is_not_retried_after_5xx(api):
    api.add('POST', CRED, status=503)
    with pytest.raises(TelnyxError) as info:
        api.client().create(CRED, BODY)
    assert info.value.status == 503 and len(api.calls) == 1 and api.sleeps == []


def test_create_refused_with_429_is_posted_again_without_find(api):
    api.add('POST', CRED, status=429, headers={'Retry-After': '2'})
    api.add('POST', CRED, status=201, json={'data': CONN})
    client = api.client()
    assert client.create(CRED, BODY, find=lambda: pytest.fail('a 429 did nothing: no find() needed')) == CONN
    assert api.calls == [('POST', CRED, {}, BODY)] * 2 and api.sleeps == [2.0]


def test_create_validation_error_is_not_retried(api):
    api.add_error('POST', CRED, 422, detail='user_name is taken', pointer='/user_name')
    with pytest.raises(TelnyxError) as info:
        api.client().create(CRED, BODY, find=lambda: pytest.fail('no find() after a 422'))
    assert info.value.pointer == '/user_name' and len(api.calls) == 1


def test_create_retries_stay_within_the_budget(api):
    api.add('POST', CRED, status=503, repeat=True)
    api.add('GET', CRED, json=page([]), repeat=True)
    client = api.client(retry_timeout=5)
    with pytest.raises(TelnyxError) as info:
        client.create(CRED, BODY, find=finder(client, 'acme-fra1'))
    assert api.sleeps == [0.5, 1.0, 2.0, 1.5]
    assert [c[0] for c in api.calls] == ['POST', 'GET'] * 4 + ['POST']
    assert 'gave up after 4 retries' in str(info.value)


# -- delete ---------------------------------------------------------------------------------------
def test_delete_returns_the_deleted_object(api):
    api.add('DELETE', '/ips/1', json={'data': {'id': '1'}})
    assert api.client().delete('/ips/1') == {'id': '1'}


def test_delete_404_after_a_retry_means_it_worked(api):
    api.add('DELETE', '/ips/1', raises='timeout')
    api.add_error('DELETE', '/ips/1', 404)
    assert api.client().delete('/ips/1') is None
    assert api.calls == [('DELETE', '/ips/1', {}, None)] * 2


# -- errors ---------------------------------------------------------------------------------------
def test_error_message_names_every_field_of_every_error(api):
    body = {'errors': [
        {'code': '10015', 'title': 'Invalid value', 'detail': 'codec G729 is not allowed', 'source': {'pointer': '/inbound/codecs'}},
        {'code': '10015', 'title': 'Invalid value', 'detail': 'must be 1..120', 'source': {'pointer': '/inbound/timeout_1xx_secs'}},
    ]}
    api.add('PATCH', '/ip_connections/123', status=422, json=body)
    with pytest.raises(TelnyxError) as info:
        api.client().patch('/ip_connections/123', {'inbound': {'codecs': ['G729']}})
    err = info.value
    assert str(err) == ('PATCH /ip_connections/123: HTTP 422 [10015] Invalid value: codec G729 is not allowed '
                        '(field /inbound/codecs); [10015] Invalid value: must be 1..120 (field /inbound/timeout_1xx_secs)')
    assert (err.method, err.url, err.status) == ('PATCH', '/ip_connections/123', 422)
    assert (err.code, err.title, err.detail, err.pointer) == ('10015', 'Invalid value', 'codec G729 is not allowed', '/inbound/codecs')
    assert len(err.errors) == 2 and err.to_dict()['errors'] == err.errors


def test_error_without_envelope_shows_reason_and_body(api):
    api.add('GET', '/ips/1', status=502, text='<html>\n  upstream   broke</html>')
    with pytest.raises(TelnyxError) as info:
        api.client(retry_timeout=0).get('/ips/1')
    assert str(info.value) == 'GET /ips/1: HTTP 502 Bad Gateway: <html> upstream broke</html>'


def test_transport_error_has_no_status_and_names_the_reason(api):
    api.add('GET', '/ips/1', raises='refused')
    with pytest.raises(TelnyxError) as info:
        api.client(retry_timeout=0).get('/ips/1')
    assert info.value.status is None and info.value.errors == []
    assert str(info.value) == ('GET https://api.telnyx.test/v2/ips/1: connection refused - nothing listens there: check api_url '
                               '(byoc_telnyx_api_url) and that the API or emulator runs')
    assert info.value.refused is True and info.value.reason == 'ConnectionError: Failed to establish a new connection: Connection refused'


def test_success_that_is_not_json_is_an_error(api):
    api.add('GET', '/ips/1', text='<html>maintenance</html>')
    with pytest.raises(TelnyxError, match='answer is not JSON'):
        api.client().get('/ips/1')


def test_wrong_key_gives_authentication_error(api):
    api.add('GET', '/ips/1')
    client = TelnyxClient('wrong-key-0000', api_url=api.url, session=api, sleep=api.sleep, clock=api.clock)
    with pytest.raises(TelnyxError) as info:
        client.get('/ips/1')
    assert str(info.value) == ('GET https://api.telnyx.test/v2/ips/1: HTTP 401 [10009] Authentication failed: Could not understand '
                               'the provided credentials. - check the API key from the api_key option')


def test_api_key_never_appears_in_errors_or_reprs(api):
    echo = error_body('10009', 'Authentication failed for ' + api.key, 'key %s is revoked' % api.key, '/' + api.key)
    api.add('GET', '/ips/1', status=401, json=echo)
    api.add('GET', '/ips/2', status=500, text='internal error, request had Bearer ' + api.key)
    api.add('GET', '/ips/3', raises=OSError('socket closed while sending Bearer %s' % api.key))
    client = api.client(retry_timeout=0)
    errors = []
    for path in ('/ips/1', '/ips/2', '/ips/3'):
        with pytest.raises(TelnyxError) as info:
            client.get(path)
        errors.append(info.value)
    for err in errors:
        api.assert_secret_absent(err, err.args, err.to_dict(), err.reason)
        assert '********' in str(err)
    api.assert_secret_absent(client, client.limiter)
    assert client.scrub('x' + api.key + 'y') == 'x********y'


def test_missing_key_is_refused():
    with pytest.raises(ValueError):
        TelnyxClient('')


# -- rate limiter and threads --------------------------------------------------------------------
class FrozenClock:
    """A clock that sleeps record but do not advance: the limiter's schedule is then exact."""

    def __init__(self):
        self.now = 50.0
        self.waits = []
        self.lock = threading.Lock()

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        with self.lock:
            self.waits.append(seconds)


def run_threads(count, target):
    threads = [threading.Thread(target=target) for dummy in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert not any(thread.is_alive() for thread in threads)


def test_limiter_spaces_requests_from_many_threads():
    clock = FrozenClock()
    limiter = RateLimiter(10, sleep=clock.sleep, clock=clock)
    waits = []
    lock = threading.Lock()

    def worker():
        for dummy in range(10):
            wait = limiter.acquire()
            with lock:
                waits.append(wait)

    run_threads(8, worker)
    assert sorted(round(w, 6) for w in waits) == [round(i * 0.1, 6) for i in range(80)]
    assert sorted(clock.waits) == sorted(w for w in waits if w > 0)


def test_limiter_burst_and_refill():
    clock = FrozenClock()
    limiter = RateLimiter(2, burst=3, sleep=clock.sleep, clock=clock)
    assert [limiter.acquire() for dummy in range(5)] == [0.0, 0.0, 0.0, 0.5, 1.0]
    clock.now += 10
    assert [limiter.acquire() for dummy in range(4)] == [0.0, 0.0, 0.0, 0.5]


def test_limiter_pause_holds_every_sender():
    clock = FrozenClock()
    limiter = RateLimiter(None, sleep=clock.sleep, clock=clock)
    assert limiter.acquire() == 0.0
    limiter.pause(5)
    limiter.pause(2)
    assert limiter.acquire() == 5.0
    with pytest.raises(ValueError):
        RateLimiter(0)


def test_429_with_reset_pauses_other_threads(api):
    api.add('GET', '/ips/1', status=429, headers={'x-ratelimit-reset': '6'})
    api.add('GET', '/ips/2', json={'data': {'id': '2'}})
    api.add('GET', '/ips/1', json={'data': {'id': '1'}})
    waits = []
    client = None

    def sleep(seconds):
        waits.append((threading.current_thread().name, seconds))
        if len(waits) == 1:  # while the 429'd thread waits, another thread sends
            other = threading.Thread(target=client.get, args=('/ips/2',), name='other')
            other.start()
            other.join(10)
        api.sleep(seconds)

    client = api.client(sleep=sleep)
    assert client.get('/ips/1') == {'id': '1'}
    assert waits == [(threading.current_thread().name, 6.0), ('other', 6.0)]
    assert [c[1] for c in api.calls] == ['/ips/1', '/ips/2', '/ips/1']


def test_threads_share_the_client_with_one_session_each(api, monkeypatch):
    api.install(monkeypatch)
    sessions = []
    monkeypatch.setattr(_client, '_new_session', lambda pool_size: sessions.append(pool_size) or api)
    for dummy in range(5):
        api.add('GET', '/ips/1', status=503)
    api.add('GET', '/ips/1', json={'data': {'id': '1'}}, repeat=True)
    client = TelnyxClient(api.key, api_url=api.url, max_rps=1000)
    results = []

    def worker():
        for dummy in range(10):
            results.append(client.get('/ips/1'))

    run_threads(4, worker)
    assert results == [{'id': '1'}] * 40
    assert client.retries == 5 and client.requests_sent == 45 and len(api.calls) == 45
    assert sessions == [4] * 4
    client.close()
    assert api.closed == 4


# -- module glue ----------------------------------------------------------------------------------
def test_argument_spec_env_fallbacks_and_defaults(monkeypatch):
    monkeypatch.setenv('TELNYX_API_KEY', 'env-key-123456')
    monkeypatch.setenv('TELNYX_API_URL', 'http://127.0.0.1:9/v2')
    result = ArgumentSpecValidator(TELNYX_ARGUMENT_SPEC).validate({})
    assert result.error_messages == []
    assert result.validated_parameters == {'api_key': 'env-key-123456', 'api_url': 'http://127.0.0.1:9/v2',
                                           'validate_certs': True, 'api_timeout': 30, 'rate_limit_retry_timeout': 60}
    assert 'env-key-123456' in result._no_log_values  # pylint: disable=protected-access


def test_argument_spec_requires_a_key(monkeypatch):
    monkeypatch.delenv('TELNYX_API_KEY', raising=False)
    result = ArgumentSpecValidator(TELNYX_ARGUMENT_SPEC).validate({})
    assert result.error_messages == ['missing required arguments: api_key']


def test_client_from_module_uses_the_shared_options(api, monkeypatch):
    api.install(monkeypatch)
    api.add('GET', '/ips/1', status=503)
    api.add('GET', '/ips/1', json={'data': {}})
    params = api.module_args(validate_certs=False, api_timeout=7, rate_limit_retry_timeout=0)
    client = client_from_module(FakeModule(params))
    with pytest.raises(TelnyxError):
        client.get('/ips/1')
    assert (api.requests[0].timeout, api.requests[0].verify, client.api_url) == (7, False, api.url)
    client_from_module(FakeModule(api.module_args(rate_limit_retry_timeout=60))).get('/ips/1')
    assert api.sleeps == []


def test_client_from_module_fails_without_requests(monkeypatch):
    monkeypatch.setattr(_client, '_load_requests', lambda: (False, 'Traceback: No module named requests'))
    module = FakeModule({'api_key': 'k' * 12})
    with pytest.raises(FakeModule.Failed, match='requests'):
        client_from_module(module)
    assert module.failure['exception'] == 'Traceback: No module named requests'


def test_importing_the_client_does_not_import_requests():
    code = ('import sys; import ansible_collections.byoc.carrier.plugins.module_utils._client as c; '
            'print(c.HAS_REQUESTS, "requests" in sys.modules)')
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    out = subprocess.run([sys.executable, '-c', code], env=env, capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.split() == ['True', 'False']


# -- the fake itself -----------------------------------------------------------------------------
def test_fake_rejects_unexpected_requests_and_reports_unused_answers():
    api = FakeAPI(validate=False)
    api.add('GET', '/ips/1')
    with pytest.raises(AssertionError, match='unexpected request'):
        api.client().get('/ips/2')
    with pytest.raises(AssertionError, match='unexpected requests'):
        api.assert_done()
    with pytest.raises(AssertionError, match='leaked'):
        api.assert_secret_absent('Bearer ' + api.key)


def test_fake_checks_bodies_with_the_spec_hook():
    seen = []
    api = FakeAPI(validate=lambda method, path, body: seen.append((method, path, body)))
    api.add('POST', '/ips', status=201, handler=lambda req: (201, {'data': dict(req.json, id='77')}))
    assert api.client().create('/ips', {'ip_address': '192.0.2.1', 'port': 5060}) == {'ip_address': '192.0.2.1', 'port': 5060, 'id': '77'}
    assert seen == [('POST', '/ips', {'ip_address': '192.0.2.1', 'port': 5060})] and api.validated == 1


def test_fake_always_checks_bodies_with_the_contract_spec():
    api = FakeAPI()
    assert api.validate is spec.validate_request  # never silently off
    api.add('POST', '/ips', status=201, json={'data': {'id': '1'}})
    api.add('PATCH', '/ip_connections/5', json={'data': {'id': '5'}})
    client = api.client()
    client.create('/ips', {'ip_address': '192.0.2.1', 'port': 5060, 'connection_id': '5'})
    with pytest.raises(AssertionError, match='dtmf_type'):
        client.patch('/ip_connections/5', {'dtmf_type': 'RFC2833'})
    with pytest.raises(AssertionError, match='no such path'):
        client.get('/ip_connection/5')
    assert api.validated == 1
    # both violations are recorded (the unit-test teardown fails a test that leaves one): taken here, expected
    assert [(request.call[:2], 'dtmf_type' in message, 'no such path' in message) for request, message in api.take_violations()] == [
        (('PATCH', '/ip_connections/5'), True, False), (('GET', '/ip_connection/5'), False, True)]
    assert api.violations == []


def test_fake_without_the_spec_refuses_to_start(monkeypatch):
    monkeypatch.setattr(spec, 'spec_path', lambda: None)
    spec.load_spec.cache_clear()
    try:
        with pytest.raises(AssertionError, match='Telnyx OpenAPI spec not found'):
            FakeAPI()
    finally:
        spec.load_spec.cache_clear()


def test_a_swallowed_spec_violation_still_fails_the_test():
    """What tests/unit/conftest.py's teardown sees: a violation the code under test caught is still recorded."""
    api = FakeAPI()
    api.add('PATCH', '/ip_connections/5', json={'data': {'id': '5'}})
    try:
        api.client().patch('/ip_connections/5', {'dtmf_type': 'RFC2833'})
    except Exception:  # pylint: disable=broad-exception-caught
        pass  # like a bulk worker's per-entry except
    taken = api.take_violations()
    assert len(taken) == 1 and taken[0][0].call[:2] == ('PATCH', '/ip_connections/5')


# -- the real requests stack against a loopback HTTP server ---------------------------------------
class LoopbackHandler(BaseHTTPRequestHandler):
    """Answers from ``server.script[path]`` (a list of actions, the last one repeats)."""

    protocol_version = 'HTTP/1.1'

    def log_message(self, *args):  # pylint: disable=arguments-differ
        pass

    def _serve(self):
        server = self.server
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length) if length else b''
        with server.lock:
            server.seen.append((self.command, self.path, self.client_address[1], self.headers.get('Authorization'), body))
            actions = server.script[self.path.split('?')[0]]
            action = actions.pop(0) if len(actions) > 1 else actions[0]
        if action == 'drop':
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if action == 'slow':  # answers only once the test has seen its client time out (a condition, not a clock)
            server.release.wait(30)
            action = (200, {'data': 'late'})
        status, payload = action
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PATCH = do_DELETE = _serve


class LoopbackServer(ThreadingHTTPServer):
    """Quiet about clients that hang up or speak TLS to it (the tests do that on purpose)."""

    daemon_threads = True

    def handle_error(self, request, client_address):
        pass


@pytest.fixture(name='loopback')
def fixture_loopback():
    server = LoopbackServer(('127.0.0.1', 0), LoopbackHandler)
    server.script, server.seen, server.lock, server.release = {}, [], threading.Lock(), threading.Event()
    thread = threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.05})
    thread.start()
    try:
        yield server
    finally:
        server.release.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


def loopback_client(server, **kwargs):
    kwargs.setdefault('retry_timeout', 5)
    return TelnyxClient('loop-key-0123456789', api_url='http://127.0.0.1:%d/v2' % server.server_address[1],
                        rand=lambda: 0.0, sleep=lambda seconds: None, **kwargs)


def test_real_session_retries_and_reuses_one_connection_per_thread(loopback):
    loopback.script['/v2/ips/1'] = [(503, error_body('10010', 'busy')), (200, {'data': {'id': '1'}})]
    client = loopback_client(loopback)
    results = []

    def worker():
        for dummy in range(3):
            results.append(client.get('/ips/1'))

    run_threads(3, worker)
    client.close()
    assert results == [{'id': '1'}] * 9 and client.retries == 1
    assert len(loopback.seen) == 10
    assert {seen[3] for seen in loopback.seen} == {'Bearer loop-key-0123456789'}
    assert len({seen[2] for seen in loopback.seen}) == 3  # one kept-alive connection per thread


def test_real_dropped_connection_on_create_calls_find(loopback):
    loopback.script['/v2/ips'] = ['drop']
    client = loopback_client(loopback)
    found = {'id': '9', 'ip_address': '192.0.2.7'}
    assert client.create('/ips', {'ip_address': '192.0.2.7'}, find=lambda: found) == found
    assert [(seen[0], seen[1], json.loads(seen[4])) for seen in loopback.seen] == [('POST', '/v2/ips', {'ip_address': '192.0.2.7'})]


def test_real_timeout_and_refused_are_transport_errors(loopback):
    loopback.script['/v2/ips/2'] = ['slow']
    with pytest.raises(TelnyxError) as info:
        loopback_client(loopback, retry_timeout=0, timeout=0.2).get('/ips/2')
    assert info.value.status is None and 'timed out' in str(info.value)
    loopback.release.set()
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        free_port = probe.getsockname()[1]
    refused = TelnyxClient('loop-key-0123456789', api_url='http://127.0.0.1:%d/v2' % free_port, retry_timeout=0)
    with pytest.raises(TelnyxError) as info:
        refused.get('/ips/3')
    assert info.value.status is None and str(info.value) == (
        'GET http://127.0.0.1:%d/v2/ips/3: connection refused - nothing listens there: check api_url (byoc_telnyx_api_url) '
        'and that the API or emulator runs' % free_port)
    assert 'loop-key' not in str(info.value)


@pytest.mark.parametrize('url, reason', [('https://127.0.0.1:%d/v2', 'SSLError'), ('127.0.0.1:%d/v2', 'InvalidSchema')])
def test_real_tls_and_url_errors_are_not_retried(loopback, url, reason):
    slept = []
    client = TelnyxClient('loop-key-0123456789', api_url=url % loopback.server_address[1], sleep=slept.append, retry_timeout=30)
    with pytest.raises(TelnyxError) as info:
        client.get('/ips/1')
    assert info.value.status is None and not info.value.retryable and '(%s' % reason in str(info.value)
    assert slept == [] and client.retries == 0


# -- against the real emulator process (skipped where telnyx_emulator is not installed) -----------
def emulator_client(emu, **kwargs):
    kwargs.setdefault('retry_timeout', 60)
    return TelnyxClient(emu.api_key, api_url=emu.url, **kwargs)


def test_emulator_dropped_creates_are_found_never_duplicated():
    testing = pytest.importorskip('telnyx_emulator.testing')
    with testing.running_emulator('--drop-after-commit', '0.5', '--seed', '3') as emu:
        client = emulator_client(emu, rand=lambda: 0.0)
        created = []
        for number in range(12):
            name = 'drop-%02d' % number
            body = {'connection_name': name, 'user_name': 'dropuser%02d' % number, 'password': 'Passw0rd-%02d' % number}
            created.append(client.create(CRED, body, find=finder(client, name)))
        listing = client.list(CRED)
        stats = emu.stats()
    assert sorted(c['connection_name'] for c in listing) == ['drop-%02d' % n for n in range(12)]
    assert [c['connection_name'] for c in created] == ['drop-%02d' % n for n in range(12)]
    assert client.retries > 0
    assert stats['by_method']['POST'] == 12  # every dropped POST had committed: found, never sent again


@pytest.mark.parametrize('max_rps', [None, 20])
def test_emulator_rate_limit_from_many_threads_is_absorbed(max_rps):
    testing = pytest.importorskip('telnyx_emulator.testing')
    with testing.running_emulator('--rate-limit', '25') as emu:
        client = emulator_client(emu, max_rps=max_rps)
        emu.create('/ip_connections', {'connection_name': 'rl-target'})
        results = []

        def worker():
            for dummy in range(15):
                results.append(len(client.find_connections('ip', 'rl-target')))

        run_threads(4, worker)
        stats = emu.stats()
    assert results == [1] * 60
    assert stats['total'] == 1 + client.requests_sent and client.requests_sent == 60 + client.retries
    if max_rps:  # paced below the server's limit: no 429 at all
        assert client.retries == 0


def test_emulator_server_errors_are_retried_to_success():
    testing = pytest.importorskip('telnyx_emulator.testing')
    with testing.running_emulator('--error-rate', '0.4', '--seed', '5') as emu:
        client = emulator_client(emu, rand=lambda: 0.0)
        made = emu.call('POST', '/ip_connections', {'connection_name': 'err-target'})
        while made[0] != 201:
            made = emu.call('POST', '/ip_connections', {'connection_name': 'err-target'})
        path = '/ip_connections/%s' % made[1]['data']['id']
        for port in range(5):
            assert client.patch(path, {'dtmf_type': 'Inband', 'tags': ['p%d' % port]})['tags'] == ['p%d' % port]
        assert client.get(path)['dtmf_type'] == 'Inband'
        assert client.delete(path)['id'] == made[1]['data']['id']
        assert client.delete(path) is None
    assert client.retries > 0


def test_emulator_default_concurrency_reaches_past_the_old_fixed_8_without_a_429():
    """sip_connections' engine with its defaults (64 workers, no max_rps) against a 50 requests/s limit and 200 ms
    latency: requests in flight follow rate x round trip (about 13), and the client causes no 429."""
    testing = pytest.importorskip('telnyx_emulator.testing')
    from ansible_collections.byoc.carrier.plugins.module_utils import _bulk  # pylint: disable=import-outside-toplevel
    fleet = [{'name': 'adapt-cred-%03d' % n, 'type': 'credentials', 'username': 'adapt%03d' % n, 'password': 'Passw0rd-%03d' % n}
             for n in range(90)]
    fleet += [{'name': 'adapt-ip-%03d' % n, 'type': 'ip', 'ips': [{'address': '10.9.%d.%d' % (n, m)} for m in (1, 2)]}
              for n in range(20)]
    entries, problems, dummy = _bulk.validate_entries(fleet)
    assert problems == []
    with testing.running_emulator('--rate-limit', '50', '--latency-ms', '200') as emu:
        client = emulator_client(emu, pool_size=2, concurrency=_bulk.DEFAULT_WORKERS)
        reconciler = _bulk.Reconciler(client, entries)
        reconciler.read()
        results = reconciler.run()
        stats, sent = emu.stats(), client.requests_sent
        listed = client.list('/credential_connections') + client.list('/ip_connections')
    assert [r['status'] for r in results] == ['created'] * 110
    assert len(listed) == 110 and len(set(c['connection_name'] for c in listed)) == 110
    assert (client.throttled, client.retries) == (0, 0)
    assert stats['total'] == sent  # nothing refused and sent again
    assert stats['by_method']['POST'] == 150 and stats['by_method']['PATCH'] == 20
    controller = client.gate.controller
    assert 8 < controller.peak <= _bulk.DEFAULT_WORKERS  # more in flight than the old fixed default of 8
    assert controller.server_limit == 50 and controller.rate == 50.0

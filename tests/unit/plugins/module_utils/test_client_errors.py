# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""API errors that lead to the fix (issue #14): a refused connection fails in seconds, not after the whole retry
budget; the full URL where it may be wrong; a 404 from an API URL without /v2 says so; a 401/403 names where the
key came from, never the key."""

from __future__ import annotations

import re
import socket
import time

import pytest

from ansible_collections.byoc.carrier.plugins.module_utils import _client
from ansible_collections.byoc.carrier.plugins.module_utils._client import TelnyxClient, TelnyxError, client_from_module
from ansible_collections.byoc.carrier.tests.unit.plugins.fake_api import FakeAPI


class FakeModule:  # pylint: disable=too-few-public-methods
    """The parts of AnsibleModule client_from_module uses."""

    def __init__(self, params):
        self.params = params

    def fail_json(self, **kwargs):
        raise AssertionError(kwargs)


def free_port():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def test_a_refused_connection_fails_in_seconds_not_after_the_retry_budget():
    port = free_port()
    client = TelnyxClient('loop-key-0123456789', api_url='http://127.0.0.1:%d/v2' % port, retry_timeout=60)
    started = time.monotonic()
    with pytest.raises(TelnyxError) as info:
        client.get('/credential_connections')
    elapsed = time.monotonic() - started
    assert elapsed < 5, elapsed
    assert info.value.refused is True and info.value.waited <= _client.REFUSED_RETRY_BUDGET
    message = str(info.value)
    assert re.match(r'GET http://127\.0\.0\.1:%d/v2/credential_connections: connection refused \(gave up after \d retries, '
                    r'[0-2]\.\d s waited\) - nothing listens there: check api_url \(byoc_telnyx_api_url\) and that the API or '
                    r'emulator runs$' % port, message), message
    assert len(message) < 250 and 'HTTPConnectionPool' not in message and 'loop-key' not in message


def test_a_refused_connection_is_retried_briefly_then_reported_with_the_retries():
    api = FakeAPI(validate=False)
    for dummy in range(10):
        api.add('GET', '/ips/1', raises='refused')
    with pytest.raises(TelnyxError) as info:
        api.client(retry_timeout=60).get('/ips/1')
    assert sum(api.sleeps) <= _client.REFUSED_RETRY_BUDGET and 1 <= info.value.retries < 10
    assert str(info.value).startswith('GET https://api.telnyx.test/v2/ips/1: connection refused (gave up after %d retries'
                                      % info.value.retries)
    assert str(info.value).endswith(' - nothing listens there: check api_url (byoc_telnyx_api_url) and that the API or emulator runs')


def test_a_reset_connection_still_uses_the_whole_budget():
    api = FakeAPI(validate=False)
    api.add('GET', '/ips/1', raises='reset', repeat=True)
    with pytest.raises(TelnyxError) as info:
        api.client(retry_timeout=20).get('/ips/1')
    assert sum(api.sleeps) == pytest.approx(20) and info.value.refused is False
    assert str(info.value).startswith('GET https://api.telnyx.test/v2/ips/1: no HTTP answer (ConnectionError: Connection aborted')


def test_a_404_from_an_api_url_without_v2_hints_at_it():
    api = FakeAPI(validate=False, url='http://127.0.0.1:8900')
    api.add('GET', '/credential_connections', status=404, text='404 page not found', params={'page[number]': '1', 'page[size]': '250'})
    with pytest.raises(TelnyxError) as info:
        api.client().list('/credential_connections')
    assert str(info.value) == ('GET http://127.0.0.1:8900/credential_connections: HTTP 404 Not Found: 404 page not found - the API URL '
                               'http://127.0.0.1:8900 does not end in /v2 (Telnyx API v2: https://api.telnyx.com/v2; the '
                               'emulator: http://127.0.0.1:<port>/v2)')


def test_a_404_under_v2_shows_the_full_url_without_the_v2_hint():
    api = FakeAPI(validate=False)
    api.add_error('PATCH', '/ip_connections/7', 404, detail='Resource not found')
    with pytest.raises(TelnyxError) as info:
        api.client().patch('/ip_connections/7', {'active': True})
    assert str(info.value) == 'PATCH https://api.telnyx.test/v2/ip_connections/7: HTTP 404 [10005] Resource not found'


def test_a_422_stays_short_with_the_path():
    api = FakeAPI(validate=False)
    api.add_error('PATCH', '/ip_connections/7', 422, detail='Invalid dtmf_type', pointer='/dtmf_type', code='10015', title='Bad Request')
    with pytest.raises(TelnyxError) as info:
        api.client().patch('/ip_connections/7', {'dtmf_type': 'x'})
    assert str(info.value) == 'PATCH /ip_connections/7: HTTP 422 [10015] Bad Request: Invalid dtmf_type (field /dtmf_type)'


@pytest.mark.parametrize('from_env, source', [
    (True, 'the TELNYX_API_KEY environment variable'),
    (False, 'the api_key option (the roles set it from cpaas_api_key, by default the vault variable byoc_telnyx_api_key)'),
])
def test_a_401_names_where_the_key_came_from_never_the_key(monkeypatch, from_env, source):
    api = FakeAPI(validate=False)
    api.install(monkeypatch)
    api.add('GET', '/ips/1', status=401, json={'errors': [{'code': '10009', 'title': 'Authentication failed'}]})
    if from_env:
        monkeypatch.setenv('TELNYX_API_KEY', api.key)
    else:
        monkeypatch.delenv('TELNYX_API_KEY', raising=False)
    client = client_from_module(FakeModule(api.module_args(rate_limit_retry_timeout=0)))
    with pytest.raises(TelnyxError) as info:
        client.get('/ips/1')
    assert str(info.value) == ('GET https://api.telnyx.test/v2/ips/1: HTTP 401 [10009] Authentication failed - check the API '
                               'key from %s' % source)
    api.assert_secret_absent(info.value, info.value.args)

# Copyright: contributors to byoc.carrier
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fault flags (latency, rate limit, injected errors, drops after commit), stats and reset."""
from __future__ import annotations

import concurrent.futures
import random
import time

import pytest
import requests

from telnyx_emulator.testing import running_emulator

RATE_HEADERS = ('x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset')


def test_latency_is_added_to_every_v2_request():
    # a lower bound never flakes; the control endpoint is not delayed: asked while a delayed v2 request is in flight,
    # it answers before that one does (an order of events, not a wall-clock bound a busy machine could break)
    with running_emulator('--latency-ms', '1500') as emu:
        for path in ('/ip_connections', '/nowhere'):
            start = time.perf_counter()
            emu.call('GET', path)
            assert time.perf_counter() - start >= 1.5
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            delayed = pool.submit(emu.call, 'GET', '/ips')
            stats = emu.stats()
            assert not delayed.done(), 'the control endpoint answered after a v2 request delayed by 1.5 s'
            assert delayed.result()[0] == 200
        assert stats['by_route']['GET /v2/ip_connections'] == 1 and stats['by_route']['GET /v2/{unknown}'] == 1


def test_rate_limit_answers_429_with_headers_and_counts_them():
    with running_emulator('--rate-limit', '5') as emu:
        answers = [emu.call('GET', '/ip_connections') for _number in range(12)]
        statuses = [status for status, _body, _headers in answers]
        assert statuses[:5] == [200] * 5 and 429 in statuses
        for status, body, headers in answers:
            assert all(name in headers for name in RATE_HEADERS)
            assert headers['x-ratelimit-limit'] == '5'
            if status == 429:
                assert body['errors'][0]['code'] == '10011' and body['errors'][0]['title'] == 'Too many requests'
                assert headers['x-ratelimit-remaining'] == '0' and int(headers['x-ratelimit-reset']) >= 1
        assert [int(headers['x-ratelimit-remaining']) for _s, _b, headers in answers[:5]] == [4, 3, 2, 1, 0]
        assert emu.stats()['by_route'] == {'GET /v2/ip_connections': 12}
        time.sleep(1.1)
        assert emu.call('GET', '/ip_connections')[0] == 200


def test_no_rate_limit_headers_without_the_flag(api):
    assert not any(name in api.call('GET', '/ips')[2] for name in RATE_HEADERS)


def run_creates(emu, count):
    return [emu.call('POST', '/ip_connections', {'connection_name': 'try-%02d' % number})[0] for number in range(count)]


def test_error_rate_is_seeded_and_has_no_effect():
    with running_emulator('--error-rate', '0.4', '--seed', '7') as emu:
        first = run_creates(emu, 40)
        assert set(first) <= {201, 500, 502, 503} and first.count(201) < 40 and {500, 502, 503} & set(first)
        assert emu.stats()['total'] == 40
        # GETs roll the dice too: count successes until the list answers
        listed = None
        while listed is None:
            status, body, _headers = emu.call('GET', '/ip_connections')
            listed = body if status == 200 else None
        assert listed['meta']['total_results'] == first.count(201)
        emu.reset()
        assert run_creates(emu, 40) == first
    with running_emulator('--error-rate', '0.4', '--seed', '7') as emu:
        assert run_creates(emu, 40) == first


def test_drop_after_commit_commits_then_cuts_the_connection():
    with running_emulator('--drop-after-commit', '1') as emu:
        with pytest.raises(requests.exceptions.ConnectionError):
            requests.post(emu.url + '/ip_connections', json={'connection_name': 'ghost'}, headers=emu.headers, timeout=10)
        status, body, _headers = emu.call('GET', '/ip_connections')
        assert status == 200 and [item['connection_name'] for item in body['data']] == ['ghost']
        ident = body['data'][0]['id']
        with pytest.raises(requests.exceptions.ConnectionError):
            requests.patch(emu.url + '/ip_connections/' + ident, json={'active': False}, headers=emu.headers, timeout=10)
        assert emu.call('GET', '/ip_connections/' + ident)[1]['data']['active'] is False
        # a failed write has nothing committed and is answered normally
        assert emu.call('POST', '/ip_connections', {'transport_protocol': 'SCTP'})[0] == 422
        assert emu.stats()['by_method'] == {'POST': 2, 'GET': 2, 'PATCH': 1}


def test_drop_share_is_seeded():
    """The same seed drops the same writes in a second process; another seed drops others."""
    def outcomes(seed):
        with running_emulator('--drop-after-commit', '0.5', '--seed', str(seed)) as emu:
            result = []
            for number in range(20):
                try:
                    result.append(requests.post(emu.url + '/ips', json={'ip_address': '192.0.2.%d' % number}, headers=emu.headers, timeout=10).status_code)
                except requests.exceptions.ConnectionError:
                    result.append('dropped')
            assert emu.call('GET', '/ips')[1]['meta']['total_results'] == 20  # dropped after commit: all there
        return result

    first = outcomes(3)
    assert 4 <= first.count('dropped') <= 16 and first.count(201) + first.count('dropped') == 20, first
    assert outcomes(3) == first
    assert outcomes(4) != first


def test_stats_count_routes_methods_and_skip_control_endpoints(api):
    conn = api.create('/ip_connections', {'connection_name': 'counted'})
    ip = api.create('/ips', {'ip_address': '192.0.2.5', 'connection_id': conn['id']})
    api.call('GET', '/ips/' + ip['id'])
    api.call('GET', '/ips/nope')
    api.call('PATCH', '/ips/' + ip['id'], {'ip_address': '192.0.2.6'})
    api.call('DELETE', '/ips/' + ip['id'])
    api.call('GET', '/ips', headers={})
    api.stats()
    assert api.stats() == {
        'total': 7,
        'by_method': {'POST': 2, 'GET': 3, 'PATCH': 1, 'DELETE': 1},
        'by_route': {'POST /v2/ip_connections': 1, 'POST /v2/ips': 1, 'GET /v2/ips/{id}': 2, 'PATCH /v2/ips/{id}': 1,
                     'DELETE /v2/ips/{id}': 1, 'GET /v2/ips': 1},
    }


def test_reset_empties_state_unless_kept(api):
    api.create('/ip_connections', {'connection_name': 'kept'})
    assert api.reset(keep_state=True)['kept_state'] is True
    assert api.stats()['total'] == 0
    assert api.call('GET', '/ip_connections')[1]['meta']['total_results'] == 1
    api.reset()
    assert api.call('GET', '/ip_connections')[1]['meta']['total_results'] == 0
    assert api.stats() == {'total': 1, 'by_method': {'GET': 1}, 'by_route': {'GET /v2/ip_connections': 1}}


def test_jitter_adds_a_seeded_random_delay():
    """The delay each answer was given (the emulator says it: x-emulator-delay-ms) lies within 0..400 ms of jitter,
    the delays spread, the client's own clock saw at least that long, and a second process with the same seed gives
    the same requests exactly the same delays (a comparison of the two runs, not of two wall-clock measurements)."""
    def delays(emu):
        result = []
        for number in range(6):
            start = time.perf_counter()
            status, _reply, headers = emu.call('GET', '/ips?page[number]=%d' % (number + 1))
            measured = time.perf_counter() - start
            assert status == 200
            result.append((float(headers['x-emulator-delay-ms']) / 1000.0, measured))
        return result

    runs = []
    for _run in range(2):
        with running_emulator('--jitter-ms', '400', '--seed', '5') as emu:
            runs.append(delays(emu))
    for measured in runs:
        assert all(0 <= applied < 0.4 and seconds >= applied for applied, seconds in measured), measured
        applied = [a for a, _seconds in measured]
        assert max(applied) - min(applied) > 0.05, measured
    assert [a for a, _s in runs[0]] == [a for a, _s in runs[1]], runs


def test_seeded_faults_repeat_whatever_the_order_of_concurrent_clients():
    """The same 60 writes, sent by 6 threads in two different orders to two emulators with the same seed, meet
    the same injected errors: the dice are per request, not a sequence shared by whoever comes first."""
    names = ['order-%02d' % number for number in range(60)]

    def outcomes(order):
        with running_emulator('--error-rate', '0.3', '--seed', '11') as emu:
            with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
                statuses = list(pool.map(lambda name: emu.call('POST', '/ip_connections', {'connection_name': name})[0], order))
        return dict(zip(order, statuses))

    shuffled = list(names)
    random.Random(1).shuffle(shuffled)
    first, second = outcomes(names), outcomes(shuffled)
    assert set(first.values()) > {201} and first == second

# Copyright: contributors to byoc.carrier
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The test barrier (/_emulator/barrier): requests of a route are held until every party has sent one."""
from __future__ import annotations

import threading
import time

from telnyx_emulator.testing import running_emulator

ROUTE = 'POST /v2/ip_connections'


def barrier(emu, body=None):
    status, reply, _headers = emu.call('POST' if body else 'GET', emu.root + '/_emulator/barrier', body, headers={})
    assert status == 200, reply
    return reply['barriers']


def post_as(emu, key, name, results):
    headers = dict(emu.headers, Authorization='Bearer %s' % key)
    results[name] = emu.call('POST', '/ip_connections', {'connection_name': name}, headers=headers)[0]


def wait_until(condition, timeout=30):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, 'condition not met in %s s' % timeout
        time.sleep(0.02)


def test_a_route_is_held_until_every_party_has_arrived():
    with running_emulator(api_key=None) as emu:
        barrier(emu, {'route': ROUTE, 'parties': 2, 'timeout': 60})
        results = {}
        first = [threading.Thread(target=post_as, args=(emu, 'key-a', 'a-%d' % n, results)) for n in range(2)]
        for thread in first:
            thread.start()
        wait_until(lambda: barrier(emu)[0]['held'] == 2)  # both of party a's creates are waiting
        assert results == {} and emu.call('GET', '/ip_connections')[1]['data'] == []
        post_as(emu, 'key-b', 'b-0', results)  # the second party arrives: everyone goes on
        for thread in first:
            thread.join(30)
        assert results == {'a-0': 201, 'a-1': 201, 'b-0': 201}
        assert barrier(emu) == [{'route': ROUTE, 'parties': 2, 'arrived': 2, 'held': 2, 'released': True, 'timed_out': False}]
        post_as(emu, 'key-a', 'a-2', results)  # one shot: the route is free from then on
        assert results['a-2'] == 201


def test_a_barrier_nobody_else_reaches_times_out_and_says_so():
    with running_emulator(api_key=None) as emu:
        barrier(emu, {'route': ROUTE, 'parties': 2, 'timeout': 0.5})
        results = {}
        post_as(emu, 'key-a', 'alone', results)
        assert results == {'alone': 201}
        assert barrier(emu)[0]['timed_out'] is True and barrier(emu)[0]['arrived'] == 1
        assert emu.call('POST', emu.root + '/_emulator/barrier', {'parties': 2}, headers={})[0] == 422

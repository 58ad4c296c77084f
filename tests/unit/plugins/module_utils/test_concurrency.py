# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The adaptive concurrency of the API client (``_client.Concurrency`` and ``ConcurrencyGate``), on a fake clock.

The simulations drive the controller against a model server (a token bucket of ``rate`` a second holding one
second's worth, answering ``latency`` after each request with the ``x-ratelimit-*`` headers, as the bundled
emulator does, or a fixed window that only refills at its reset) and count what the server saw: 429s, requests
per second, requests in flight. No wall clock is read.
"""

from __future__ import annotations

import heapq
import math
import threading

import pytest

from ansible_collections.byoc.carrier.plugins.module_utils._client import Concurrency, ConcurrencyGate


def headers(limit, remaining, reset):
    return {'x-ratelimit-limit': str(limit), 'x-ratelimit-remaining': str(remaining), 'x-ratelimit-reset': str(reset)}


class Bucket:
    """The model server: ``rate`` tokens a second, ``rate`` at most; reset = seconds until full (the emulator's)."""

    def __init__(self, rate):
        self.rate = float(rate)
        self.tokens = self.rate
        self.stamp = 0.0

    def take(self, now):
        self.tokens = min(self.rate, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        allowed = self.tokens >= 1.0
        if allowed:
            self.tokens -= 1.0
            reset = int(math.ceil((self.rate - self.tokens) / self.rate))
        else:
            reset = max(1, int(math.ceil((1.0 - self.tokens) / self.rate)))
        return (200 if allowed else 429), headers(int(self.rate), int(self.tokens), reset)


class Window:
    """A fixed window: ``limit`` requests per ``length`` seconds; reset = seconds until the window ends."""

    def __init__(self, limit, length):
        self.limit, self.length, self.used, self.start = limit, length, 0, 0.0

    def take(self, now):
        while now >= self.start + self.length:
            self.start += self.length
            self.used = 0
        reset = max(1, int(math.ceil(self.start + self.length - now)))
        if self.used >= self.limit:
            return 429, headers(self.limit, 0, reset)
        self.used += 1
        return 200, headers(self.limit, self.limit - self.used, reset)


def simulate(server, requests, latency, ctl):
    """Send ``requests`` through ``ctl`` (as many senders as its ceiling) to ``server``; a 429 is sent again.

    Returns (finish time, statuses seen, peak in flight, send times of the successful requests)."""
    now, todo, statuses, events, done, ok_times, seq = 0.0, requests, [], [], 0, [], 0
    while done < requests:
        while todo and ctl.inflight < ctl.ceiling and ctl.wait(now) == 0.0:
            ctl.started()
            todo -= 1
            seq += 1
            status, head = server.take(now + latency)  # counted when it arrives, answered at once
            heapq.heappush(events, (now + latency, seq, now, status, head))
        delay = ctl.wait(now) if todo else None
        if events and (delay is None or events[0][0] <= now + delay or ctl.inflight >= ctl.ceiling):
            at, dummy, sent, status, head = heapq.heappop(events)
            now = max(now, at)
            ctl.finished(now, now - sent, status, head)
            statuses.append(status)
            if status == 429:
                todo += 1  # the client retries it (after the pause the controller sets)
            else:
                done += 1
                ok_times.append(sent)
        else:
            assert delay is not None, 'the controller waits for an answer while none is in flight'
            now += delay
    return now, statuses, ctl.peak, ok_times


@pytest.mark.parametrize('rate,latency', [(50, 0.05), (50, 0.2), (200, 0.05), (200, 0.2)])
def test_defaults_reach_the_rate_limit_without_any_429(rate, latency):
    ctl = Concurrency()
    finish, statuses, peak, dummy = simulate(Bucket(rate), 2000, latency, ctl)
    assert statuses.count(429) == 0
    # the first second's worth goes at once (the bucket starts full), then the rate: (2000 - rate) / rate s
    bound = (2000 - rate) / float(rate)
    assert finish <= 1.1 * bound + latency
    # in flight follows rate x round trip (Little's law), not the ceiling
    little = rate * latency * 1.25 + 1
    assert little - 1 <= ctl.limit <= little and peak <= little + 1


def test_ceiling_caps_what_is_in_flight():
    ctl = Concurrency(ceiling=8)
    finish, statuses, peak, dummy = simulate(Bucket(200), 1000, 0.2, ctl)
    assert peak == 8 and ctl.limit == 8 and statuses.count(429) == 0
    assert finish >= 1000 * 0.2 / 8  # latency-bound: 8 in flight at 200 ms


def test_max_rps_caps_the_rate_used_for_the_limit():
    ctl = Concurrency(max_rps=20)
    simulate(Bucket(200), 100, 0.2, ctl)
    assert ctl.limit == 6  # 20 a second x 0.2 s x 1.25 + 1, not 51


def test_floor_holds_at_low_rates():
    ctl = Concurrency(floor=3)
    finish, statuses, dummy, dummy2 = simulate(Bucket(5), 40, 0.05, ctl)
    assert ctl.limit == 3 and statuses.count(429) == 0


def test_mirror_never_sends_more_than_the_window_holds():
    ctl = Concurrency()
    ctl.started()
    ctl.finished(10.0, 0.1, 200, headers(50, 3, 1))
    assert ctl.rate == 50.0 and ctl.available(10.0) == 3
    ctl.started()
    assert ctl.wait(10.0) == 0.0  # 3 - 1 in flight = 2: one more, one left over
    ctl.started()
    assert ctl.wait(10.0) == pytest.approx(1.0 / 50)  # 3 - 2 = 1: wait for one refill
    assert ctl.wait(10.02) == 0.0


def test_429_halves_the_rate_pauses_everyone_and_then_trusts_only_the_reset():
    ctl = Concurrency()
    for dummy in range(4):
        ctl.started()
    ctl.finished(0.0, 0.1, 200, headers(100, 40, 1))
    ctl.finished(0.1, 0.1, 429, headers(100, 0, 3))
    assert (ctl.throttled, ctl.rate, ctl.refills) == (1, 50.0, False)
    assert ctl.wait(0.1) == pytest.approx(3.0)
    assert ctl.wait(3.1) == 0.0  # the window has reset: its count comes with the next answer
    ctl.finished(3.2, 0.1, 200, headers(100, 0, 2))  # an old answer: window used up, no steady refill assumed
    assert ctl.wait(3.2) == pytest.approx(2.0)
    assert ctl.window == 3.0 and ctl.rate == pytest.approx(100 / 3.0)  # the longest reset seen: 100 per 3 s at most
    ctl.rate = 20.0
    ctl.finished(3.3, 0.1, 200, headers(100, 99, 1))
    assert ctl.rate == pytest.approx(20.0 + 0.02 * 100 / 3.0)  # additive increase: one step per success


def test_a_fixed_window_server_costs_a_few_429s_then_none():
    ctl = Concurrency()
    dummy, statuses, dummy2, ok_times = simulate(Window(100, 10), 600, 0.05, ctl)
    first_429 = statuses.index(429)
    assert statuses.count(429) <= 5
    assert 429 not in statuses[first_429 + 5:]
    # never more than the window's 100 successes in any one window of 10 s
    per_window = {}
    for sent in ok_times:
        per_window[int((sent + 0.05) // 10)] = per_window.get(int((sent + 0.05) // 10), 0) + 1
    assert max(per_window.values()) <= 100


def test_without_rate_headers_slow_start_and_halving():
    ctl = Concurrency(floor=2, ceiling=10)
    for dummy in range(12):
        ctl.started()
        ctl.finished(1.0, 0.05, 200, {})
    assert ctl.limit == 10
    ctl.started()
    ctl.finished(1.0, 0.05, 429, {})
    assert ctl.limit == 5 and ctl.rate is None and ctl.paused_until is None


def test_window_used_up_without_a_limit_header_pauses_until_reset():
    ctl = Concurrency()
    ctl.started()
    ctl.finished(5.0, 0.1, 200, {'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '4'})
    assert ctl.wait(5.0) == 4.0 and ctl.wait(9.0) == 0.0


def test_pause_is_capped_by_the_retry_budget_and_zero_means_none():
    capped = Concurrency(max_pause=2)
    capped.started()
    capped.finished(0.0, 0.1, 429, headers(10, 0, 30))
    assert capped.wait(0.0) == 2.0
    never = Concurrency(max_pause=0)
    never.started()
    never.finished(0.0, 0.1, 429, headers(10, 0, 30))
    assert never.paused_until is None


def test_no_answer_frees_the_slot_and_teaches_nothing():
    ctl = Concurrency()
    ctl.started()
    ctl.finished(1.0, 30.0)
    assert (ctl.inflight, ctl.rtt, ctl.rate) == (0, None, None)


def test_gate_blocks_threads_beyond_the_limit_until_an_answer():
    clock = [100.0]
    gate = ConcurrencyGate(Concurrency(ceiling=2, floor=2), sleep=lambda s: None, clock=lambda: clock[0])
    first, second = gate.acquire(), gate.acquire()
    admitted = threading.Event()

    def third():
        gate.acquire()
        admitted.set()

    thread = threading.Thread(target=third)
    thread.start()
    assert not admitted.wait(0.3)  # two in flight: the third waits
    gate.release(first, 200, {})
    assert admitted.wait(5)
    thread.join(5)
    gate.release(second, 200, {})
    assert gate.controller.inflight == 1 and gate.controller.peak == 2


def test_gate_sleeps_through_a_pause_on_its_clock():
    clock = [0.0]
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        clock[0] += seconds

    gate = ConcurrencyGate(Concurrency(), sleep=sleep, clock=lambda: clock[0])
    gate.release(gate.acquire(), 429, headers(10, 0, 6))
    gate.acquire()
    assert slept == [6.0]

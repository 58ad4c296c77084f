# Copyright: contributors to byoc.carrier
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Request counters, the rate limiter and the seeded fault dice."""
from __future__ import annotations

import math
import random
import time


class Stats:
    """Counts of /v2 requests since start or reset: total, by method, by route template."""

    def __init__(self):
        self.total = 0
        self.by_method = {}
        self.by_route = {}

    def count(self, method, route):
        self.total += 1
        self.by_method[method] = self.by_method.get(method, 0) + 1
        key = '%s %s' % (method, route)
        self.by_route[key] = self.by_route.get(key, 0) + 1

    def as_dict(self):
        return {'total': self.total, 'by_method': dict(self.by_method), 'by_route': dict(self.by_route)}


class TokenBucket:
    """rate tokens a second, holding at most rate tokens (one second of burst)."""

    def __init__(self, rate, clock=time.monotonic):
        self.rate = float(rate)
        self.capacity = max(1.0, self.rate)
        self.clock = clock
        self.tokens = self.capacity
        self.stamp = clock()

    def refill(self):
        moment = self.clock()
        self.tokens = min(self.capacity, self.tokens + (moment - self.stamp) * self.rate)
        self.stamp = moment

    def take(self):
        """Return (allowed, headers) for one request; headers are the x-ratelimit-* ones."""
        self.refill()
        allowed = self.tokens >= 1.0
        if allowed:
            self.tokens -= 1.0
            reset = int(math.ceil((self.capacity - self.tokens) / self.rate))  # until the bucket is full again
        else:
            reset = max(1, int(math.ceil((1.0 - self.tokens) / self.rate)))  # until the next token, at least 1 s
        headers = {
            'x-ratelimit-limit': str(int(math.ceil(self.rate))),
            'x-ratelimit-remaining': str(int(self.tokens)),
            'x-ratelimit-reset': str(reset),
        }
        return allowed, headers

    def reset(self):
        self.tokens = self.capacity
        self.stamp = self.clock()


class Dice:
    """The seeded source of every random decision (latency jitter, injected errors, drops)."""

    ERRORS = ((500, '10007', 'Unexpected error', 'An unexpected error occurred (injected by the emulator).'),
              (502, '10007', 'Bad gateway', 'The upstream service answered badly (injected by the emulator).'),
              (503, '10007', 'Service unavailable', 'The service is temporarily unavailable (injected by the emulator).'))

    def __init__(self, seed=None, error_rate=0.0, drop_rate=0.0, jitter_ms=0):
        self.seed = seed
        self.error_rate = error_rate
        self.drop_rate = drop_rate
        self.jitter_ms = jitter_ms
        self.rng = random.Random(seed)
        self.seen = {}

    def reseed(self):
        self.rng = random.Random(self.seed)
        self.seen = {}

    def for_request(self, *key):
        """The dice of one request. With a seed: dice of its own, seeded by (seed, key, how many requests with this
        key came before), so that the same requests meet the same faults in whatever order concurrent clients
        (worker threads, parallel jobs) send them. Without a seed: these dice."""
        if self.seed is None:
            return self
        text = '\x1f'.join(str(part) for part in key)
        number = self.seen.get(text, 0)
        self.seen[text] = number + 1
        dice = Dice(None, self.error_rate, self.drop_rate, self.jitter_ms)
        dice.rng = random.Random('%s\x1f%s\x1f%d' % (self.seed, text, number))
        return dice

    def jitter(self):
        return self.rng.uniform(0, self.jitter_ms) if self.jitter_ms else 0.0

    def injected_error(self):
        """None, or (status, code, title, detail) of an error to answer instead of the request."""
        if self.error_rate and self.rng.random() < self.error_rate:
            return self.ERRORS[self.rng.randrange(len(self.ERRORS))]
        return None

    def drop(self):
        return bool(self.drop_rate) and self.rng.random() < self.drop_rate

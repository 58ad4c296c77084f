# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one Telnyx API v2 client of byoc.carrier.

Note that this module util is PRIVATE to the collection: its interface can change at any time.
The interface other code relies on is described in docs/dev/architecture.md ("The API client").

* ``TelnyxClient``: requests sessions (one per thread, connections reused), bearer auth, JSON,
  pagination, bounded jittered retries on 429/5xx/transport errors, creates that are never retried
  blindly (``create(path, body, find=...)``), a token-bucket rate limiter shared by threads.
* ``TelnyxError``: the one error type; ``str(err)`` is one line naming method, path, HTTP status and
  every Telnyx error (code, title, detail, field). The API key never appears in it. Where the fix is in the
  caller's settings it leads there (``_explain``): no answer, 401/403 and 404 show the full URL; a refused
  connection is said in two words and not retried for long (``REFUSED_RETRY_BUDGET``); a 404 from an API URL
  without ``/v2`` says so; a 401/403 names where the key came from (``key_source``), never the key.
* ``TELNYX_ARGUMENT_SPEC`` and ``client_from_module(module)``: the shared module options.

``requests`` is imported only when a real session is needed (a module call stays cheap).
"""

from __future__ import annotations

import importlib.util
import json as _json
import os
import random
import re
import threading
import time
import traceback

from ansible.module_utils.basic import env_fallback, missing_required_lib

COLLECTION_VERSION = '0.1.0'
USER_AGENT = 'byoc.carrier/%s' % COLLECTION_VERSION
DEFAULT_API_URL = 'https://api.telnyx.com/v2'
PAGE_SIZE = 250
RETRY_STATUSES = frozenset((429, 500, 502, 503, 504))
BACKOFF_BASE = 0.5
BACKOFF_MAX = 10.0
MASK = '********'
CONNECTION_PATHS = {
    'credentials': '/credential_connections',
    'ip': '/ip_connections',
    'fqdn': '/fqdn_connections',
    'any': '/connections',
}
# the SIP trunk kinds by record_type: Telnyx's GET /connections lists "your connections irrespective of type" (call
# control, TeXML, fax applications ...); a lookup of "any" kind keeps these only
RECORD_KINDS = {'credential_connection': 'credentials', 'ip_connection': 'ip', 'fqdn_connection': 'fqdn'}
NAME_FILTER = 'filter[connection_name][contains]'
NAME_FILTER_MIN = 3
# a refused connection means nothing listens at the API URL (wrong port, emulator not started): it is retried only
# this long (a restart in progress), not for the whole rate_limit_retry_timeout
REFUSED_RETRY_BUDGET = 2.0
KEY_FROM_ENV = 'the TELNYX_API_KEY environment variable'
KEY_FROM_OPTION = ('the api_key option (the roles set it from cpaas_api_key, by default the vault variable '
                   'byoc_telnyx_api_key)')
API_VERSION_PATH = '/v2'

HAS_REQUESTS = importlib.util.find_spec('requests') is not None
REQUESTS_IMPORT_ERROR = None if HAS_REQUESTS else 'No module named requests'

# Indirections used by the clients (tests replace them: see tests/unit/plugins/fake_api.py).
_sleep = time.sleep
_monotonic = time.monotonic
_random = random.random

TELNYX_ARGUMENT_SPEC = dict(
    api_key=dict(type='str', required=True, no_log=True, fallback=(env_fallback, ['TELNYX_API_KEY'])),
    api_url=dict(type='str', default=DEFAULT_API_URL, fallback=(env_fallback, ['TELNYX_API_URL'])),
    validate_certs=dict(type='bool', default=True),
    api_timeout=dict(type='int', default=30),
    rate_limit_retry_timeout=dict(type='int', default=60),
)


def _new_session(pool_size):
    """A requests.Session with a connection pool of ``pool_size`` per host."""
    import requests  # pylint: disable=import-outside-toplevel
    from requests.adapters import HTTPAdapter  # pylint: disable=import-outside-toplevel

    session = requests.Session()
    adapter = HTTPAdapter(pool_connections=pool_size, pool_maxsize=pool_size, max_retries=0)
    session.mount('https://', adapter)
    session.mount('http://', adapter)
    return session


def _transport_errors():
    """Exception types that mean "no HTTP answer" (timeout, refused, reset, TLS, bad URL...)."""
    if not HAS_REQUESTS:
        return (OSError,)
    import requests  # pylint: disable=import-outside-toplevel
    return (requests.exceptions.RequestException, OSError)


def _is_transient(exc):
    """True when trying again may work: timeouts, refused/reset connections; not TLS or URL errors."""
    if not HAS_REQUESTS:
        return True
    from requests import exceptions  # pylint: disable=import-outside-toplevel
    if isinstance(exc, (exceptions.SSLError, exceptions.InvalidURL, exceptions.InvalidHeader, exceptions.MissingSchema,
                        exceptions.InvalidSchema, exceptions.InvalidJSONError)):
        return False
    return isinstance(exc, (exceptions.ConnectionError, exceptions.Timeout, exceptions.ChunkedEncodingError, OSError))


def _load_requests():
    """(True, None) when requests imports, else (False, traceback)."""
    try:
        import requests  # pylint: disable=import-outside-toplevel,unused-import  # noqa: F401
    except ImportError:
        return False, traceback.format_exc()
    return True, None


def _scrub(text, secret):
    """``text`` (any type, made a string) with ``secret`` replaced by a mask."""
    text = '' if text is None else str(text)
    if secret:
        text = text.replace(secret, MASK)
    return text


class TelnyxError(Exception):
    """An API call that failed: HTTP error answer, or no answer at all (``status`` None).

    Attributes: ``method``, ``url`` (path below the API URL, no host, no query), ``status`` (int or
    None), ``errors`` (list of dicts ``code``/``title``/``detail``/``pointer``), ``reason`` (transport
    reason or HTTP reason phrase), ``retries`` (retries made for this call), ``waited`` (seconds),
    and ``code``/``title``/``detail``/``pointer`` of the first error. Set by the client when it gives up
    (``_explain``): ``full_url`` (API URL + path, on no answer, 401, 403, 404), ``hint`` (what leads to the fix) and,
    on no answer, ``refused``.
    """

    def __init__(self, method, url, status=None, errors=None, reason=None, retries=0, waited=0.0, transient=True):
        self.method = method
        self.url = url
        self.status = status
        self.errors = list(errors or [])
        self.reason = reason
        self.retries = retries
        self.waited = waited
        self.transient = transient
        first = self.errors[0] if self.errors else {}
        self.code = first.get('code')
        self.title = first.get('title')
        self.detail = first.get('detail')
        self.pointer = first.get('pointer')
        super().__init__(self.message())

    @property
    def not_found(self):
        """True for HTTP 404 (Telnyx code 10005)."""
        return self.status == 404

    @property
    def retryable(self):
        """True when trying again later may work (429, 5xx, a timeout or a dropped connection)."""
        return self.transient if self.status is None else self.status in RETRY_STATUSES

    def message(self):
        """One line: method, path (the full URL where it matters, see ``_explain``), status, every Telnyx error,
        retries, and the hint that leads to the fix."""
        where = getattr(self, 'full_url', None) or self.url
        if self.status is None and getattr(self, 'refused', False):
            head = '%s %s: connection refused' % (self.method, where)
        elif self.status is None:
            head = '%s %s: no HTTP answer (%s)' % (self.method, where, self.reason or 'transport error')
        else:
            head = '%s %s: HTTP %s' % (self.method, where, self.status)
            parts = [self._format_error(err) for err in self.errors]
            if not parts and self.reason:
                parts = [self.reason]
            if parts:
                head = '%s %s' % (head, '; '.join(parts))
        if self.retries:
            head = '%s (gave up after %d retries, %.1f s waited)' % (head, self.retries, self.waited)
        if getattr(self, 'hint', None):
            head = '%s - %s' % (head, self.hint)
        return head

    @staticmethod
    def _format_error(err):
        text = '[%s] %s' % (err.get('code') or '-', err.get('title') or 'Error')
        if err.get('detail') and err.get('detail') != err.get('title'):
            text = '%s: %s' % (text, err['detail'])
        if err.get('pointer'):
            text = '%s (field %s)' % (text, err['pointer'])
        return text

    def to_dict(self):
        """The structured fields, for ``fail_json(api_error=...)``."""
        return dict(method=self.method, url=self.url, status=self.status, errors=self.errors,
                    reason=self.reason, retries=self.retries)

    @classmethod
    def from_response(cls, method, url, status, reason, text, secret):
        """Parse Telnyx's error envelope (or any body) into a TelnyxError; ``secret`` is scrubbed."""
        errors = []
        try:
            body = _json.loads(text) if text else None
        except ValueError:
            body = None
        for item in (body.get('errors') if isinstance(body, dict) else None) or []:
            if not isinstance(item, dict):
                continue
            source = item.get('source') if isinstance(item.get('source'), dict) else {}
            pointer = source.get('pointer') or source.get('parameter')
            errors.append(dict(
                code=None if item.get('code') is None else _scrub(item.get('code'), secret),
                title=None if item.get('title') is None else _scrub(item.get('title'), secret),
                detail=None if item.get('detail') is None else _scrub(item.get('detail'), secret),
                pointer=None if pointer is None else _scrub(pointer, secret),
            ))
        if not errors and text:
            snippet = ' '.join(_scrub(text, secret).split())[:200]
            reason = '%s: %s' % (reason, snippet) if reason else snippet
        return cls(method, url, status, errors, reason=_scrub(reason, secret) or None)


class RateLimiter:
    """Token bucket (``rate`` requests per second, ``burst`` at once) shared by threads.

    ``acquire()`` blocks until the caller may send; ``pause(seconds)`` makes every thread wait (the
    server said the limit is reached). ``rate`` None means no client-side limit (pauses still apply).
    """

    def __init__(self, rate=None, burst=1, sleep=None, clock=None):
        if rate is not None and rate <= 0:
            raise ValueError('max_rps must be positive')
        self.interval = 1.0 / rate if rate else 0.0
        self.tolerance = self.interval * (max(1, int(burst)) - 1)
        self._sleep = sleep or _sleep
        self._clock = clock or _monotonic
        self._lock = threading.Lock()
        self._next = None
        self._blocked_until = None

    def acquire(self):
        """Wait for a token; returns the seconds waited."""
        with self._lock:
            now = self._clock()
            start = now if self._blocked_until is None else max(now, self._blocked_until)
            if self.interval:
                due = start if self._next is None else max(self._next, start)
                start = max(start, due - self.tolerance)
                self._next = due + self.interval
        wait = start - now
        if wait > 0:
            self._sleep(wait)
            return wait
        return 0.0

    def pause(self, seconds):
        """Hold every sender for ``seconds`` from now (extends, never shortens, a pause)."""
        with self._lock:
            until = self._clock() + seconds
            if self._blocked_until is None or until > self._blocked_until:
                self._blocked_until = until


class _Attempts:
    """The retry budget of one call: jittered exponential backoff, capped total waiting."""

    def __init__(self, budget, sleep, rand, on_retry):
        self.budget = budget
        self.sleep = sleep
        self.rand = rand
        self.on_retry = on_retry
        self.count = 0
        self.waited = 0.0

    def next_delay(self, response=None):
        """Seconds to wait before the next try, or None when the budget is spent."""
        remaining = self.budget - self.waited
        if remaining <= 0:
            return None
        told = _server_delay(response) if response is not None else None
        if told is not None:
            return told if told <= remaining else None
        delay = min(BACKOFF_MAX, BACKOFF_BASE * (2 ** self.count))
        delay *= 0.5 + 0.5 * self.rand()
        return min(delay, remaining)

    def wait(self, delay):
        """Sleep ``delay`` (counted against the budget and reported to ``on_retry``)."""
        self.sleep(delay)
        self.waited += delay
        self.count += 1
        self.on_retry()

    def fail(self, err):
        """``err`` annotated with the retries spent on this call."""
        err.retries = self.count
        err.waited = self.waited
        err.args = (err.message(),)
        return err


def _header_seconds(value):
    """Seconds from a Retry-After / x-ratelimit-reset value (number or HTTP date), else None."""
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except (TypeError, ValueError):
        pass
    from email.utils import parsedate_to_datetime  # pylint: disable=import-outside-toplevel

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - time.time())


def _server_delay(response):
    """The wait the server asked for: Retry-After, else (on 429) x-ratelimit-reset."""
    headers = response.headers
    told = _header_seconds(headers.get('Retry-After'))
    if told is None and response.status_code == 429:
        told = _header_seconds(headers.get('x-ratelimit-reset'))
    return told


# -- adaptive concurrency (requests in flight follow the server's rate x the round trip) -----------
CONCURRENCY_FLOOR = 2
CONCURRENCY_CEILING = 64
HEADROOM = 1.25  # in flight = rate x round trip x HEADROOM (+1): a little more than Little's law needs
RTT_WEIGHT = 0.2  # weight of the newest round trip in the moving average
RATE_STEP = 0.02  # additive increase after a 429: this share of the server's rate per answer
RESERVE = 1  # requests of the server's window left unused (its counts are rounded down)


def _header_int(headers, name):
    try:
        return int(float(headers.get(name)))
    except (TypeError, ValueError):
        return None


class Concurrency:
    """How many requests may be in flight, and when the next may go: the logic, without threads or clocks.

    Every answer tells the controller its round trip and Telnyx's ``x-ratelimit-limit`` (requests a window),
    ``x-ratelimit-remaining`` and ``x-ratelimit-reset`` (seconds until the window is full again):

    * the server's rate is ``limit / window``, the window being the longest ``reset`` seen (at least 1 s);
    * a mirror of the server's window: ``remaining`` at the last answer, refilled at that rate, less the
      requests still in flight (not counted yet when the answer left), never sends more than the server
      holds (``RESERVE`` left over), so the client itself causes no 429;
    * requests in flight (``limit``) follow Little's law, rate x round trip (x ``HEADROOM``, +1), between
      ``floor`` and ``ceiling``; ``max_rps`` caps the rate used;
    * AIMD: a 429 halves the rate, pauses every sender until ``reset``, and from then on the window is
      taken as refilled only at its reset; each success gives back ``RATE_STEP`` of the rate. Telnyx's
      rate-limiting page (developers.telnyx.com, API fundamentals, reliability, rate limiting) names the three
      headers, "remaining ... within the current time window" and "reset ... in seconds", a 429 with code
      10011, and advises exponential backoff; it publishes neither the limits nor how the window refills. The
      bundled emulator's bucket refills steadily; a server whose window refills only at its reset costs a few
      429s before the controller switches to that reading;
    * without any ``x-ratelimit-*`` header: slow start from ``floor`` (+1 a success), halved on a 429.

    ``wait(now)`` gives 0.0 (send now), seconds to wait, or None (wait for an answer); ``started()`` and
    ``finished(...)`` keep the count of requests in flight.
    """

    def __init__(self, ceiling=CONCURRENCY_CEILING, floor=CONCURRENCY_FLOOR, max_rps=None, max_pause=None):
        self.max_pause = max_pause
        self.ceiling = max(1, int(ceiling))
        self.floor = max(1, min(int(floor), self.ceiling))
        self.max_rps = max_rps or None
        self.limit = self.floor
        self.inflight = 0
        self.rtt = None
        self.server_limit = None
        self.window = None
        self.rate = None
        self.refills = True  # the window refills steadily (a token bucket) until a 429 shows otherwise
        self.remaining = None
        self.seen_at = None
        self.paused_until = None
        self.throttled = 0
        self.peak = 0

    # -- deciding ------------------------------------------------------------------------------
    def available(self, now):
        """Requests the server's window holds now for new requests (None: not known)."""
        if self.remaining is None:
            return None
        tokens = self.remaining
        if self.refills and self.rate:
            tokens = min(self.server_limit, tokens + self.rate * (now - self.seen_at))
        return tokens - self.inflight

    def wait(self, now):
        """0.0: one more request may go; a number: seconds to wait first; None: wait for an answer."""
        if self.paused_until is not None:
            if now < self.paused_until:
                return self.paused_until - now
            self.paused_until = None
            if not self.refills:
                self.remaining = None  # a new window: its count comes with the next answer
        if self.inflight >= self.limit:
            return None
        available = self.available(now)
        if available is None or available >= 1 + RESERVE - 1e-9:  # (less rounding errors of the refill)
            return 0.0
        if self.refills and self.rate:
            return (1 + RESERVE - available) / self.rate
        return None if self.inflight else 0.0

    def started(self):
        """A request goes now."""
        self.inflight += 1
        self.peak = max(self.peak, self.inflight)

    # -- learning -------------------------------------------------------------------------------
    def finished(self, now, rtt, status=None, headers=None):
        """The answer of one request (``status`` None: no answer) after ``rtt`` seconds."""
        self.inflight = max(0, self.inflight - 1)
        if status is None:
            return
        headers = headers or {}
        self.rtt = rtt if self.rtt is None else (1 - RTT_WEIGHT) * self.rtt + RTT_WEIGHT * rtt
        limit = _header_int(headers, 'x-ratelimit-limit')
        remaining = _header_int(headers, 'x-ratelimit-remaining')
        reset = _header_seconds(headers.get('x-ratelimit-reset'))
        if limit and limit > 0:
            self.server_limit = limit
            self.window = max(self.window or 1.0, reset or 0.0)
            full = limit / self.window
            if self.rate is None:
                self.rate = full
            elif status != 429:
                self.rate = min(full, self.rate + RATE_STEP * full)
        if status == 429:
            self.throttled += 1
            self.refills = False
            if self.rate:
                self.rate = self.rate / 2.0
            self.limit = max(self.floor, self.limit // 2)
            if reset:
                self._pause(now, reset)
        if remaining is not None:
            self.remaining = remaining
            self.seen_at = now
            if remaining <= 0 and reset and not (self.refills and self.rate):
                self._pause(now, reset)  # the window is used up
        self._adapt(status)

    def _pause(self, now, seconds):
        """Hold every sender ``seconds`` (at most ``max_pause``; 0: never) from now; never shortens a pause."""
        if self.max_pause is not None:
            seconds = min(seconds, self.max_pause)
        if seconds > 0:
            self.paused_until = max(self.paused_until or 0.0, now + seconds)

    def _adapt(self, status):
        rate = min(r for r in (self.rate, self.max_rps) if r) if (self.rate or self.max_rps) else None
        if rate and self.rtt is not None:
            target = int(rate * self.rtt * HEADROOM) + 1
            self.limit = max(self.floor, min(self.ceiling, target))
        elif status != 429:
            self.limit = min(self.ceiling, self.limit + 1)


class ConcurrencyGate:
    """``Concurrency`` shared by threads: ``acquire()`` blocks until a request may go, ``release(...)`` reports
    its answer. Waits for time go through ``sleep`` (a test's fake clock), waits for an answer through a
    condition variable."""

    def __init__(self, controller, sleep=None, clock=None):
        self.controller = controller
        self._sleep = sleep or _sleep
        self._clock = clock or _monotonic
        self._cond = threading.Condition()

    def acquire(self):
        """Wait until one more request may go; returns its start time (for ``release``)."""
        while True:
            with self._cond:
                delay = self.controller.wait(self._clock())
                if delay == 0.0:
                    self.controller.started()
                    return self._clock()
                if delay is None:
                    self._cond.wait(1.0)
                    continue
            self._sleep(delay)

    def release(self, started, status=None, headers=None):
        """The request that ``acquire`` returned ``started`` for was answered (``status`` None: it was not)."""
        with self._cond:
            now = self._clock()
            self.controller.finished(now, now - started, status, headers)
            self._cond.notify_all()


class TelnyxClient:
    """Telnyx API v2 client; thread-safe. See the module docstring and architecture.md."""

    def __init__(self, api_key, api_url=DEFAULT_API_URL, validate_certs=True, timeout=30,
                 retry_timeout=60, max_rps=None, sleep=None, clock=None, session=None,
                 pool_size=4, rand=None, concurrency=CONCURRENCY_CEILING, key_source=None):
        if not api_key:
            raise ValueError('api_key is required')
        self._api_key = api_key
        self.key_source = key_source  # where the key came from, for a 401/403 (see _explain); never the key
        self.api_url = (api_url or DEFAULT_API_URL).rstrip('/')
        self.validate_certs = validate_certs
        self.timeout = timeout
        self.retry_timeout = max(0, retry_timeout or 0)
        self.pool_size = pool_size
        self._sleep = sleep or _sleep
        self._clock = clock or _monotonic
        self.rand = rand or _random
        self.limiter = RateLimiter(max_rps, sleep=self._sleep, clock=self._clock)
        # requests in flight: adapted to the server's rate x the round trip, at most ``concurrency``
        self.gate = ConcurrencyGate(Concurrency(ceiling=concurrency, max_rps=max_rps, max_pause=self.retry_timeout),
                                    sleep=self._sleep, clock=self._clock)
        self._shared_session = session
        self._local = threading.local()
        self._sessions = []
        self._lock = threading.Lock()
        self.retries = 0
        self.requests_sent = 0
        self._headers = {
            'Authorization': 'Bearer %s' % api_key,
            'Accept': 'application/json',
            'Content-Type': 'application/json',
            'User-Agent': USER_AGENT,
        }

    def __repr__(self):
        return 'TelnyxClient(api_url=%r, retry_timeout=%r, retries=%r)' % (self.api_url, self.retry_timeout, self.retries)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        """Close every session this client opened (any thread)."""
        with self._lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()

    def _session(self):
        if self._shared_session is not None:
            return self._shared_session
        session = getattr(self._local, 'session', None)
        if session is None:
            session = _new_session(self.pool_size)
            self._local.session = session
            with self._lock:
                self._sessions.append(session)
        return session

    def _count_retry(self):
        with self._lock:
            self.retries += 1

    def scrub(self, text):
        """``text`` with the API key masked."""
        return _scrub(text, self._api_key)

    # -- one HTTP exchange -------------------------------------------------------------------
    def _send(self, method, path, params, body):
        """One request: (response, None) or (None, TelnyxError for a transport failure)."""
        self.limiter.acquire()
        started = self.gate.acquire()
        with self._lock:
            self.requests_sent += 1
        try:
            response = self._session().request(
                method, self.api_url + path, params=params, json=body, headers=self._headers,
                timeout=self.timeout, verify=self.validate_certs)
        except _transport_errors() as exc:
            self.gate.release(started)
            err = TelnyxError(method, path, None, reason=self.scrub(_short_reason(exc)), transient=_is_transient(exc))
            err.refused = _refused(exc)
            return None, err
        self.gate.release(started, response.status_code, response.headers)
        return response, None

    @property
    def throttled(self):
        """429 answers received (the server's limit was reached)."""
        return self.gate.controller.throttled

    def _parse(self, method, path, response):
        """The parsed body of a success answer, or raise TelnyxError for an error answer."""
        status = response.status_code
        text = response.text
        if status >= 400:
            raise TelnyxError.from_response(method, path, status, getattr(response, 'reason', None), text, self._api_key)
        if not text or not text.strip():
            return {}
        try:
            return _json.loads(text)
        except ValueError:
            raise TelnyxError(method, path, status, reason=self.scrub('answer is not JSON: %s' % text[:200])) from None

    @staticmethod
    def _params(params):
        """Query parameters as strings (booleans as true/false), None values left out."""
        result = {}
        for key, value in (params or {}).items():
            if value is None:
                continue
            if isinstance(value, bool):
                value = 'true' if value else 'false'
            result[key] = str(value)
        return result

    # -- public API --------------------------------------------------------------------------
    def _attempts(self):
        return _Attempts(self.retry_timeout, self._sleep, self.rand, self._count_retry)

    def _exchange(self, method, path, params, body):
        """One try: (parsed body, None, response) or (None, TelnyxError, response or None)."""
        response, err = self._send(method, path, params, body)
        if err is None:
            try:
                return self._parse(method, path, response), None, response
            except TelnyxError as exc:
                err = exc
        return None, err, response

    def _call(self, method, path, params, body, retry=True, find=None):
        """The retry loop of every call (see ``request`` and ``create``)."""
        attempts = self._attempts()
        while True:
            result, err, response = self._exchange(method, path, params, body)
            if err is None:
                return result
            # a POST answered 5xx (or not at all) may have committed: only find() may decide to send it again
            unsafe = method == 'POST' and err.status != 429
            delay = None
            if retry and err.retryable and (find is not None or not unsafe):
                delay = _refused_delay(err, attempts, attempts.next_delay(response))
            if delay is None:
                raise _explain(attempts.fail(err), self.api_url, self.key_source)
            attempts.wait(delay)
            if unsafe:
                found = find()
                if found is not None:
                    return {'data': found}

    def request(self, method, path, params=None, json=None, retry=True):
        """Send a request, retrying 429/5xx/transport errors while the budget lasts.

        Returns the parsed body (``{"data": ...}``, ``{}`` when empty); raises TelnyxError.
        ``retry=False`` sends exactly once. A POST is retried only after a 429 (see ``create``).
        """
        return self._call(method.upper(), path, self._params(params), json, retry=retry)

    def get(self, path, params=None, missing_ok=False):
        """The ``data`` of a GET; with ``missing_ok`` a 404 gives None."""
        try:
            return self.request('GET', path, params=params).get('data')
        except TelnyxError as err:
            if missing_ok and err.not_found:
                return None
            raise

    def list(self, path, params=None, totals=None):
        """Every item of a list endpoint: page[number] 1.. until meta.total_pages, page[size]=250.

        ``totals``: a list that gets each page's ``meta.total_results`` (None when absent), so a caller can tell
        whether the collection changed while it was paged (an item deleted between two pages shifts the next
        page's first item onto the page already read).
        """
        params = dict(params or {})
        params.setdefault('page[size]', PAGE_SIZE)
        items = []
        number = 1
        while True:
            params['page[number]'] = number
            body = self.request('GET', path, params=params)
            data = body.get('data') or []
            items.extend(data)
            meta = body.get('meta') or {}
            if totals is not None:
                totals.append(meta.get('total_results'))
            total = meta.get('total_pages') or 1
            if number >= total or not data:
                return items
            number += 1

    def list_parallel(self, path, params=None, executor=None):
        """Every item of a list endpoint, like ``list``: the first page, then (its ``meta.total_pages`` known) every
        other page at once through ``executor`` (a concurrent.futures executor; None: one after the other). The
        items come in page order. Requests in flight still pass the client's gate and rate limiter."""
        params = dict(params or {})
        params.setdefault('page[size]', PAGE_SIZE)
        first = self.request('GET', path, params=dict(params, **{'page[number]': 1}))
        items = list(first.get('data') or [])
        total = (first.get('meta') or {}).get('total_pages') or 1
        if total <= 1 or not items:
            return items

        def page(number):
            return self.request('GET', path, params=dict(params, **{'page[number]': number})).get('data') or []
        numbers = range(2, total + 1)
        pages = executor.map(page, numbers) if executor is not None else (page(n) for n in numbers)
        for data in pages:
            items.extend(data)
        return items

    def create(self, path, body, find=None):
        """POST ``body``; returns the created object's ``data``.

        A POST is never retried blindly: after a 5xx or an unanswered POST the create may have
        committed, so (after the backoff wait) ``find()`` is called; the object it returns is the
        result. Only when it returns None is the POST sent again, within the retry budget. Without
        ``find`` only a 429 (refused, nothing done) is retried.
        """
        return self._call('POST', path, {}, body, find=find).get('data')

    def patch(self, path, body):
        """PATCH ``body``; returns the updated object's ``data``."""
        return self.request('PATCH', path, json=body).get('data')

    def delete(self, path):
        """DELETE; returns the deleted object's ``data``, or None when it is already gone (404)."""
        try:
            return self.request('DELETE', path).get('data')
        except TelnyxError as err:
            if err.not_found:
                return None
            raise

    def find_connections(self, kind, name):
        """Connections of ``kind`` (credentials, ip, fqdn or any) named exactly ``name`` (case-sensitive); ``any`` means
        any SIP trunk kind: an application of another type with that name (call control, TeXML ...) is not one."""
        if kind not in CONNECTION_PATHS:
            raise ValueError('kind must be one of %s, not %r' % (', '.join(sorted(CONNECTION_PATHS)), kind))
        params = {NAME_FILTER: name} if len(name) >= NAME_FILTER_MIN else None
        return [item for item in self.list(CONNECTION_PATHS[kind], params)
                if item.get('connection_name') == name and (kind != 'any' or item.get('record_type') in RECORD_KINDS)]


def _short_reason(exc):
    """The reason of a transport error in a few words: requests wraps urllib3's (a pool, the URL, the object's
    address ...); the innermost reason is what matters."""
    inner = exc.args[0] if getattr(exc, 'args', None) else None
    reason = getattr(inner, 'reason', None)
    text = re.sub(r'<[^<>]*>: ', '', str(reason if reason is not None else exc))
    text = ' '.join(text.split())
    return '%s: %s' % (type(exc).__name__, text[:200]) if text else type(exc).__name__


def _refused(exc):
    """True when the connection was refused (nothing listens at the API URL's host and port)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, ConnectionRefusedError) or 'connection refused' in str(exc).lower():
            return True
        reason = getattr(exc, 'reason', None)
        exc = reason if isinstance(reason, BaseException) else (exc.__cause__ or exc.__context__)
    return False


def _refused_delay(err, attempts, delay):
    """``delay``, or None once a refused connection has been retried for ``REFUSED_RETRY_BUDGET`` seconds."""
    if delay is not None and getattr(err, 'refused', False) and attempts.waited + delay > REFUSED_RETRY_BUDGET:
        return None
    return delay


def _explain(err, api_url, key_source=None):
    """``err`` with what leads to the fix: the full URL when the API URL itself may be wrong (no answer, 401, 403,
    404), a hint for a refused connection, a 404 from an API URL without /v2, and a 401/403 (where the key came
    from, never the key)."""
    hints = []
    if err.status is None or err.status in (401, 403, 404):
        err.full_url = api_url + err.url
    if getattr(err, 'refused', False):
        hints.append('nothing listens there: check api_url (byoc_telnyx_api_url) and that the API or emulator runs')
    if err.status == 404 and not api_url.endswith(API_VERSION_PATH):
        hints.append('the API URL %s does not end in %s (Telnyx API v2: https://api.telnyx.com/v2; the emulator: '
                     'http://127.0.0.1:<port>/v2)' % (api_url, API_VERSION_PATH))
    if err.status in (401, 403):
        hints.append('check the API key from %s' % (key_source or 'the api_key option'))
    err.hint = '; '.join(hints) or None
    err.args = (err.message(),)
    return err


def _key_source(params):
    """Where the module's api_key came from: the TELNYX_API_KEY environment variable (its value is the key) or the
    api_key option."""
    env = os.environ.get('TELNYX_API_KEY')
    return KEY_FROM_ENV if env and env == params.get('api_key') else KEY_FROM_OPTION


def client_from_module(module, **kwargs):
    """A TelnyxClient from the shared options of an AnsibleModule (fails when requests is missing)."""
    ok, error = _load_requests()
    if not ok:
        module.fail_json(msg=missing_required_lib('requests'), exception=error)
    params = module.params
    return TelnyxClient(
        params['api_key'],
        api_url=params.get('api_url') or DEFAULT_API_URL,
        validate_certs=params.get('validate_certs', True),
        timeout=params.get('api_timeout') or 30,
        retry_timeout=params.get('rate_limit_retry_timeout', 60),
        **dict({'key_source': _key_source(params)}, **kwargs))

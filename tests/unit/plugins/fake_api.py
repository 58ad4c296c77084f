# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A fake Telnyx API transport for unit tests: script the answers, then assert the exact calls.

Quick start (module tests)::

    from ansible_collections.byoc.carrier.tests.unit.plugins.fake_api import FakeAPI, page, error_body

    def test_create(monkeypatch):
        api = FakeAPI()
        api.install(monkeypatch)       # every TelnyxClient made from now on talks to ``api``
        api.add('GET', '/credential_connections', json=page([]))
        api.add('POST', '/credential_connections', status=201, json={'data': {'id': '1', 'connection_name': 'acme'}})
        ... run the module with api_key=api.key (and api_url=api.url, or leave the default) ...
        assert api.calls == [
            ('GET', '/credential_connections',
             {'filter[connection_name][contains]': 'acme', 'page[number]': '1', 'page[size]': '250'}, None),
            ('POST', '/credential_connections', {}, {'connection_name': 'acme', ...}),
        ]
        api.assert_done()              # every scripted answer was used, nothing unexpected was asked

Client tests can skip ``install`` and use ``client = api.client(max_rps=5, ...)``.

Scripting answers, ``api.add(method, path, json=None, status=200, headers=None, params=None,
raises=None, repeat=False, handler=None)``:

* answers for the same (method, path) are used in the order they were added, each once (``repeat=True``
  keeps one for ever), so "first 503, then 200" is two ``add`` calls;
* ``params={...}`` makes an answer match only that exact query;
* ``raises='timeout'`` / ``'reset'`` / ``'refused'`` (or any exception instance) simulates no HTTP answer;
* ``handler=lambda request: (status, json)`` computes the answer from the ``Request`` (e.g. echo the body);
* ``api.add_list(path, items, page_size=250, params=None)`` scripts a paginated listing (one answer per page);
* helpers ``page(items, ...)`` and ``error_body(code, title, detail=None, pointer=None)`` build envelopes.

A request nothing matches raises AssertionError naming it (and ``assert_done()`` fails too).

What is recorded:

* ``api.calls``: ``(method, path, params, json)`` tuples; path is below the API URL, params are the
  query as a dict of strings, json is the body (None for none);
* ``api.requests``: full ``Request`` records (also ``headers``, ``timeout``, ``verify``, ``url``);
* ``api.sleeps``: every sleep of the client (its clock is ``api.now``, advanced by each sleep).
  Jitter is fixed (``jitter=1.0``: the longest backoff), so waits are exact.

Every request must carry ``Authorization: Bearer <api.key>`` (else the fake answers 401 like Telnyx);
``api.assert_secret_absent(*things)`` checks that the key appears in none of the given texts/objects.

Every request (its path, method and JSON body) is checked against Telnyx's OpenAPI spec with
``tests/contract/spec.py``'s ``validate_request(method, path, body)`` (``validate='auto'``, the default;
``api.validated`` counts the checks). The check is never silently off: without jsonschema or the spec
(``../shared/telnyx-api/`` or env BYOC_TELNYX_SPEC) ``FakeAPI()`` raises. ``validate=False`` turns it off,
a callable replaces it.

Every spec violation is also recorded in ``api.violations`` (the request is then answered with the
AssertionError, as before). Code that catches exceptions (a bulk worker's ``except Exception``) would turn it
into an ordinary per-entry failure, so tests/unit/conftest.py fails every test that leaves a violation
recorded in any FakeAPI it made; a test expecting violations takes them with ``api.take_violations()``.
"""

from __future__ import annotations

import copy
import threading
from urllib.parse import urlsplit

from ansible_collections.byoc.carrier.plugins.module_utils import _client

DEFAULT_KEY = 'KEYtest0123456789abcdefSECRET'
DEFAULT_URL = 'https://api.telnyx.test/v2'
REASONS = {200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content', 400: 'Bad Request', 401: 'Unauthorized',
           403: 'Forbidden', 404: 'Not Found', 422: 'Unprocessable Entity', 429: 'Too Many Requests',
           500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout'}
ERROR_CODES = {401: ('10009', 'Authentication failed'), 404: ('10005', 'Resource not found'),
               422: ('10015', 'Bad Request'), 400: ('10015', 'Bad Request'), 429: ('10011', 'Too many requests')}


def page(items, number=1, total_pages=1, size=250, total_results=None):
    """A list envelope ``{"data": items, "meta": {...}}``."""
    return {'data': list(items), 'meta': {'page_number': number, 'page_size': size, 'total_pages': total_pages,
                                          'total_results': len(items) if total_results is None else total_results}}


def calls_page(count, total=True, after=None):
    """A reply of GET /connections/{id}/active_calls: ``count`` calls (Telnyx's ActiveCall), cursor meta with
    ``total_items`` (``total=False``: without it), and ``after``, a cursor of a next page."""
    data = [{'record_type': 'call', 'call_control_id': 'v3:c%d' % n, 'call_leg_id': 'leg-%d' % n, 'call_session_id': 's-%d' % n,
             'client_state': '', 'call_duration': 10} for n in range(count)]
    meta = {'cursors': {'after': after} if after else {}}
    if after:
        meta['next'] = '/v2/connections/x/active_calls?page[after]=%s' % after
    if total:
        meta['total_items'] = count
    return {'data': data, 'meta': meta}


def error_body(code, title, detail=None, pointer=None):
    """A Telnyx error envelope with one error."""
    err = {'code': str(code), 'title': title}
    if detail is not None:
        err['detail'] = detail
    if pointer is not None:
        err['source'] = {'pointer': pointer}
    return {'errors': [err]}


def transport_error(kind):
    """The requests exception a dropped/refused/slow connection raises."""
    import requests  # pylint: disable=import-outside-toplevel

    errors = {
        'timeout': requests.exceptions.ReadTimeout('Read timed out. (read timeout=30)'),
        'reset': requests.exceptions.ConnectionError('Connection aborted: Connection reset by peer'),
        'refused': requests.exceptions.ConnectionError('Failed to establish a new connection: Connection refused'),
    }
    return errors[kind]


class Headers(dict):
    """Case-insensitive response headers (keys stored lower-case)."""

    def __init__(self, items=None):
        super().__init__((k.lower(), str(v)) for k, v in (items or {}).items())

    def get(self, key, default=None):
        return super().get(key.lower(), default)

    def __getitem__(self, key):
        return super().__getitem__(key.lower())

    def __contains__(self, key):
        return super().__contains__(key.lower())


class Response:
    """What the client reads of a requests.Response."""

    def __init__(self, status, json=None, headers=None, text=None):
        import json as _json  # pylint: disable=import-outside-toplevel

        self.status_code = status
        self.reason = REASONS.get(status, '')
        self.headers = Headers(headers)
        if text is None:
            text = '' if json is None else _json.dumps(json)
        self.text = text

    def json(self):
        """The body as JSON (like requests)."""
        import json as _json  # pylint: disable=import-outside-toplevel

        return _json.loads(self.text)


class Request:
    """One request the client sent."""

    def __init__(self, method, url, path, params, json, headers, timeout, verify):
        self.method = method
        self.url = url
        self.path = path
        self.params = params
        self.json = json
        self.headers = headers
        self.timeout = timeout
        self.verify = verify

    @property
    def call(self):
        """``(method, path, params, json)``."""
        return (self.method, self.path, self.params, self.json)

    def __repr__(self):
        return 'Request%r' % (self.call,)


class Route:
    """One scripted answer."""

    def __init__(self, method, path, status=200, json=None, headers=None, params=None, raises=None,
                 repeat=False, handler=None, text=None):
        self.method = method.upper()
        self.path = path
        self.status = status
        self.json = json
        self.headers = headers
        self.params = None if params is None else dict((k, str(v)) for k, v in params.items())
        self.raises = raises
        self.repeat = repeat
        self.handler = handler
        self.text = text
        self.used = 0

    def matches(self, request):
        """Same method and path (and query, when the route names one), and still available."""
        if self.used and not self.repeat:
            return False
        if (self.method, self.path) != (request.method, request.path):
            return False
        return self.params is None or self.params == request.params

    def answer(self, request):
        """The Response for ``request`` (or raise the scripted transport error)."""
        if self.raises is not None:
            raise transport_error(self.raises) if isinstance(self.raises, str) else self.raises
        if self.handler is not None:
            result = self.handler(request)
            if isinstance(result, Response):
                return result
            status, body = result
            return Response(status, body, self.headers)
        return Response(self.status, copy.deepcopy(self.json), self.headers, self.text)

    def __repr__(self):
        return 'Route(%s %s%s)' % (self.method, self.path, '' if self.params is None else ' %r' % self.params)


# every FakeAPI made, so that tests/unit/conftest.py can fail a test that left spec violations recorded
INSTANCES = []


def _spec_validator():
    """tests/contract/spec.py's validate_request; raises (ImportError, AssertionError) when it cannot check."""
    from ansible_collections.byoc.carrier.tests.contract import spec  # pylint: disable=import-outside-toplevel

    spec.load_spec()  # AssertionError(spec.MISSING) without the spec
    return spec.validate_request


class FakeAPI:
    """A scripted, recording stand-in for requests.Session (see the module docstring)."""

    def __init__(self, key=DEFAULT_KEY, url=DEFAULT_URL, validate='auto', jitter=1.0, start=1000.0):
        self.key = key
        self.url = url.rstrip('/')
        self.jitter = jitter
        self.now = start
        self.start = start
        self.routes = []
        self.requests = []
        self.sleeps = []
        self.unexpected = []
        self.closed = 0
        self._lock = threading.RLock()
        if validate == 'auto':
            validate = _spec_validator()
        self.validate = validate or None
        self.validated = 0
        self.violations = []
        INSTANCES.append(self)

    # -- scripting ----------------------------------------------------------------------------
    def add(self, method, path, json=None, status=200, headers=None, params=None, raises=None, repeat=False,
            handler=None, text=None):
        """Script one answer (see the module docstring); returns the Route."""
        route = Route(method, path, status=status, json=json, headers=headers, params=params, raises=raises,
                      repeat=repeat, handler=handler, text=text)
        with self._lock:
            self.routes.append(route)
        return route

    def add_error(self, method, path, status, detail=None, pointer=None, code=None, title=None, headers=None):
        """Script a Telnyx error answer (code/title default to Telnyx's for that status)."""
        default_code, default_title = ERROR_CODES.get(status, (str(status), REASONS.get(status, 'Error')))
        body = error_body(code or default_code, title or default_title, detail, pointer)
        return self.add(method, path, json=body, status=status, headers=headers)

    def add_list(self, path, items, page_size=250, params=None):
        """Script a listing of ``items`` as pages of ``page_size`` (each matched by its page[number])."""
        items = list(items)
        total = max(1, -(-len(items) // page_size))
        for number in range(1, total + 1):
            query = dict(params or {})
            query.update({'page[number]': number, 'page[size]': page_size})
            chunk = items[(number - 1) * page_size:number * page_size]
            self.add('GET', path, json=page(chunk, number, total, page_size, len(items)), params=query)

    # -- installing ---------------------------------------------------------------------------
    def install(self, monkeypatch):
        """Make every TelnyxClient created afterwards use this fake (session, sleep, clock, jitter)."""
        monkeypatch.setattr(_client, '_new_session', lambda pool_size: self)
        monkeypatch.setattr(_client, '_sleep', self.sleep)
        monkeypatch.setattr(_client, '_monotonic', self.clock)
        monkeypatch.setattr(_client, '_random', lambda: self.jitter)
        return self

    def client(self, **kwargs):
        """A TelnyxClient wired to this fake (kwargs go to TelnyxClient)."""
        kwargs.setdefault('api_url', self.url)
        kwargs.setdefault('session', self)
        kwargs.setdefault('sleep', self.sleep)
        kwargs.setdefault('clock', self.clock)
        kwargs.setdefault('rand', lambda: self.jitter)
        return _client.TelnyxClient(self.key, **kwargs)

    def module_args(self, **args):
        """The shared options pointing at this fake, plus ``args``."""
        result = {'api_key': self.key, 'api_url': self.url}
        result.update(args)
        return result

    # -- clock ----------------------------------------------------------------------------------
    def clock(self):
        """The fake monotonic clock."""
        with self._lock:
            return self.now

    def sleep(self, seconds):
        """Record a sleep and advance the clock."""
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds

    @property
    def elapsed(self):
        """Fake seconds slept since the start."""
        return self.now - self.start

    # -- the requests.Session surface --------------------------------------------------------
    def request(self, method, url, params=None, json=None, headers=None, timeout=None, verify=None):
        """Record the request and answer it from the script."""
        parts = urlsplit(url)
        base = urlsplit(self.url)
        if (parts.scheme, parts.netloc) != (base.scheme, base.netloc) or not parts.path.startswith(base.path):
            raise AssertionError('request to %s, outside the fake API URL %s' % (url, self.url))
        path = parts.path[len(base.path):] or '/'
        record = Request(method.upper(), url, path, dict(params or {}), copy.deepcopy(json), dict(headers or {}),
                         timeout, verify)
        with self._lock:
            self.requests.append(record)
        if self.validate is not None:
            try:
                self.validate(record.method, record.path, record.json)
            except AssertionError as exc:
                with self._lock:
                    self.violations.append((record, str(exc)))
                raise
        with self._lock:
            self.validated += self.validate is not None
            route = next((r for r in self.routes if r.matches(record)), None)
            if route is None:
                self.unexpected.append(record)
                raise AssertionError('unexpected request %r; scripted and unused: %r' % (record, self.pending()))
            route.used += 1
        if record.headers.get('Authorization') != 'Bearer %s' % self.key:
            return Response(401, error_body('10009', 'Authentication failed', 'Could not understand the provided credentials.'))
        return route.answer(record)

    def close(self):
        """Count closes (clients close their sessions)."""
        with self._lock:
            self.closed += 1

    # -- assertions ----------------------------------------------------------------------------
    @property
    def calls(self):
        """``[(method, path, params, json), ...]`` in the order sent."""
        with self._lock:
            return [r.call for r in self.requests]

    def pending(self):
        """Scripted answers not used yet (repeating ones excluded)."""
        with self._lock:
            return [r for r in self.routes if not r.used and not r.repeat]

    def assert_done(self):
        """Every scripted answer was used and no request was unexpected."""
        assert not self.unexpected, 'unexpected requests: %r' % self.unexpected
        assert not self.pending(), 'scripted answers never requested: %r' % self.pending()

    def take_violations(self):
        """The spec violations recorded so far, ``[(Request, message)]``; forgets them (they were expected)."""
        with self._lock:
            taken, self.violations = self.violations, []
        return taken

    def assert_secret_absent(self, *things):
        """The API key appears in none of ``things`` (str() and repr() of each are searched)."""
        for thing in things:
            for text in (str(thing), repr(thing)):
                assert self.key not in text, 'the API key leaked into: %s' % text.replace(self.key, '<KEY>')

# Copyright: contributors to byoc.carrier
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ASGI application (Starlette): routing, auth, faults, stats and the state file.

Order of work for each /v2 request: count it, wait --latency-ms (+ jitter), take a rate-limit
token (429 when none), roll for an injected 5xx (--error-rate), check the bearer key, then do
the request. With --seed every request rolls its own dice, seeded by the request (method, route,
query, body, and how many such requests came before), so concurrent clients meet the same faults in
any order. A write that succeeded may then be dropped (--drop-after-commit): the change stays
committed and the TCP connection is aborted without an answer.
"""
from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import os
import re

from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

from telnyx_emulator.active_calls import ActiveCalls
from telnyx_emulator.barrier import Barriers
from telnyx_emulator import voice
from telnyx_emulator.faults import Dice, Stats, TokenBucket
from telnyx_emulator.store import CONNECTION_KINDS, ApiError, State, dumps, error

WRITES = frozenset(('POST', 'PATCH', 'DELETE'))
SAVE_INTERVAL = 0.2


@dataclasses.dataclass
class Config:
    api_key: str | None = None
    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    rate_limit: float | None = None
    error_rate: float = 0.0
    drop_after_commit: float = 0.0
    seed: int | None = None
    state_file: str | None = None
    numbers: list | None = None
    mask_passwords: bool = False


def answer(status, payload, headers=None):
    """A JSON response; payload may be bytes already."""
    return Response(payload if isinstance(payload, bytes) else dumps(payload), status_code=status, headers=headers, media_type='application/json')


class DropResponse(Response):
    """Abort the client's TCP connection instead of answering."""

    def __init__(self):
        super().__init__(b'')

    async def __call__(self, scope, receive, send):
        transport = scope.get('telnyx_emulator.transport')
        if transport is not None:
            transport.abort()
            await asyncio.sleep(0)
            await asyncio.sleep(0)
            return
        # Unknown server: promise a body and send half of it, so the client still gets no answer.
        await send({'type': 'http.response.start', 'status': 200, 'headers': [(b'content-length', b'100')]})
        await send({'type': 'http.response.body', 'body': b'{"data":', 'more_body': False})


class Routes:
    """METHOD + /v2 path -> (template, handler name, path parameters)."""

    def __init__(self):
        self.table = []
        for kind in list(CONNECTION_KINDS) + ['ips', 'fqdns', 'outbound_voice_profiles']:
            self.add('/%s' % kind, GET='list', POST='create')
            self.add('/%s/{id}' % kind, GET='get', PATCH='update', DELETE='delete')
        self.add('/credential_connections/{id}/actions/check_registration_status', POST='registration')
        self.add('/fqdn_connections/{id}/fqdn_authentication', GET='fqdn_auth', PATCH='fqdn_auth_update')
        self.add('/connections', GET='list')
        self.add('/connections/{id}', GET='get')
        self.add('/connections/{id}/active_calls', GET='active_calls')
        self.add('/phone_numbers', GET='list')
        self.add('/phone_numbers/jobs/update_phone_numbers', POST='numbers_job')
        self.add('/phone_numbers/{id}', GET='get', PATCH='update', DELETE='delete')
        # a number's voice settings (telnyx_emulator.voice)
        self.add('/phone_numbers/{id}/voice', GET='voice', PATCH='voice_update')

    def add(self, template, **methods):
        kind = template.split('/')[1]
        pattern = re.compile('^/v2' + re.escape(template).replace(r'\{id\}', '(?P<id>[^/]+)') + '/?$')
        self.table.append((pattern, '/v2' + template, kind, methods))

    def match(self, path):
        for pattern, template, kind, methods in self.table:
            found = pattern.match(path)
            if found:
                return template, kind, methods, found.groupdict().get('id')
        return None


class Emulator:
    """One emulated Telnyx account plus its fault settings."""

    def __init__(self, config):
        self.config = config
        self.state = State(config.numbers)
        self.state.set_mask_passwords(config.mask_passwords)
        self.stats = Stats()
        self.routes = Routes()
        self.dice = Dice(config.seed, config.error_rate, config.drop_after_commit, config.jitter_ms)
        self.bucket = TokenBucket(config.rate_limit) if config.rate_limit else None
        self.barriers = Barriers()
        self.registrations = {}  # credential connection id -> registration status tests set (POST /_emulator/registration)
        self.active_calls = ActiveCalls()
        self.saved_version = None
        if config.state_file and os.path.exists(config.state_file):
            with open(config.state_file, encoding='utf-8') as handle:
                self.state.load(json.load(handle))
        self.saved_version = self.state.version

    # -- state file -----------------------------------------------------------------------------
    def save(self):
        if not self.config.state_file or self.saved_version == self.state.version:
            return
        tmp = '%s.tmp.%d' % (self.config.state_file, os.getpid())
        with open(tmp, 'w', encoding='utf-8') as handle:
            json.dump(self.state.dump(), handle, separators=(',', ':'))
        os.replace(tmp, self.config.state_file)
        self.saved_version = self.state.version

    async def saver(self):
        while True:
            await asyncio.sleep(SAVE_INTERVAL)
            self.save()

    @contextlib.asynccontextmanager
    async def lifespan(self, _app):
        task = asyncio.ensure_future(self.saver())
        try:
            yield
        finally:
            task.cancel()
            self.save()

    # -- control endpoints ------------------------------------------------------------------------
    async def stats_endpoint(self, _request):
        return answer(200, self.stats.as_dict())

    async def ignored_endpoint(self, _request):
        """Fields that requests sent and the emulator ignored (not in the spec's schema), by route, since the last reset."""
        return answer(200, self.state.ignored)

    async def config_endpoint(self, request):
        """GET: the switchable behaviours; POST {"mask_passwords": bool}: switch them."""
        if request.method == 'POST':
            body = json.loads(await request.body() or b'{}')
            if 'mask_passwords' in body:
                self.state.set_mask_passwords(body['mask_passwords'])
        return answer(200, {'mask_passwords': self.state.mask_passwords})

    async def barrier_endpoint(self, request):
        if request.method == 'POST':
            try:
                body = json.loads(await request.body() or b'{}')
                self.barriers.arm(body['route'], body.get('parties', 2), body.get('timeout', 120))
            except (ValueError, KeyError, TypeError):
                return answer(422, {'errors': [error('10015', 'Bad Request', 'Expected {"route": "METHOD /v2/...", "parties": N, "timeout": S}.')]})
        return answer(200, self.barriers.status())

    async def registration_endpoint(self, request):
        """POST {"connection_id": ID, "status": "Registered"|"Not Registered"|...}: what check_registration_status answers
        for that credential connection (tests play Telnyx's registrar); GET: every status set."""
        if request.method == 'POST':
            try:
                body = json.loads(await request.body() or b'{}')
                self.state.find('credential_connections', str(body['connection_id']))
                self.registrations[str(body['connection_id'])] = str(body['status'])
            except (ValueError, KeyError, TypeError):
                return answer(422, {'errors': [error('10015', 'Bad Request', 'Expected {"connection_id": "...", "status": "Registered"}.')]})
            except ApiError as exc:
                return answer(exc.status, {'errors': exc.errors})
        return answer(200, self.registrations)

    async def reset_endpoint(self, request):
        self.stats = Stats()
        self.state.ignored = {}
        self.registrations = {}
        if request.query_params.get('keep_state', 'false').lower() != 'true':
            self.state.clear()
            self.active_calls.clear()
            self.save()
        self.dice.reseed()
        self.state.set_mask_passwords(self.config.mask_passwords)
        if self.bucket:
            self.bucket.reset()
        return answer(200, {'reset': True, 'kept_state': request.query_params.get('keep_state', 'false').lower() == 'true'})

    async def applications_endpoint(self, request):
        """POST {"record_type": "texml_application", "connection_name": "..."}: a connection that is not a SIP trunk,
        listed by GET /v2/connections (as Telnyx lists every kind there) and by no kind's own list."""
        try:
            body = json.loads(await request.body() or b'{}')
            if not isinstance(body, dict):
                raise ValueError(body)
            obj = self.state.add_application(body.get('record_type'), body.get('connection_name'))
        except ValueError:
            return answer(422, {'errors': [error('10015', 'Bad Request', 'Expected {"record_type": "...", "connection_name": "..."}.')]})
        except ApiError as exc:
            return answer(exc.status, {'errors': exc.errors})
        self.save()
        return answer(200, {'data': obj})

    async def active_calls_endpoint(self, request):
        """POST {"connection_id": "...", "count": N}: N calls in progress on that connection (0 ends them)."""
        try:
            body = json.loads(await request.body() or b'{}')
            ident, count = str(body['connection_id']), body['count']
            if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                raise ValueError(count)
            self.state.find_connection(ident)
        except (ValueError, KeyError, TypeError):
            return answer(422, {'errors': [error('10015', 'Bad Request', 'Expected {"connection_id": "<id>", "count": N} with N >= 0.')]})
        except ApiError as exc:
            return answer(exc.status, {'errors': exc.errors})
        self.active_calls.set(ident, count)
        return answer(200, {'connection_id': ident, 'count': count})

    # -- /v2 --------------------------------------------------------------------------------------
    async def v2(self, request):
        method = request.method
        found = self.routes.match(request.url.path)
        self.stats.count(method, found[0] if found else '/v2/{unknown}')
        body = await request.body() if method in ('POST', 'PATCH') else b''
        dice = self.dice.for_request(method, found[0] if found else request.url.path, request.url.query, body)
        delay = self.config.latency_ms + dice.jitter()
        # the delay this answer was given (latency + jitter), so that a test compares two seeded runs exactly and
        # checks its own clock against it, rather than two wall-clock measurements against each other
        headers = {'x-emulator-delay-ms': '%.3f' % delay}
        if delay:
            await asyncio.sleep(delay / 1000.0)
        if self.bucket:
            allowed, limits = self.bucket.take()
            headers.update(limits)
            if not allowed:
                detail = 'Rate limit exceeded: at most %s requests a second.' % headers['x-ratelimit-limit']
                return answer(429, {'errors': [error('10011', 'Too many requests', detail)]}, headers)
        injected = dice.injected_error()
        if injected:
            status, code, title, detail = injected
            return answer(status, {'errors': [error(code, title, detail)]}, headers)
        if not self.authorized(request.headers.get('authorization', '')):
            return answer(401, {'errors': [error('10009', 'Authentication failed',
                                                 'The required authentication headers were either invalid or not included in the request.')]},
                          headers)
        await self.barriers.wait('%s %s' % (method, found[0] if found else '/v2/{unknown}'), request.headers.get('authorization', ''))
        try:
            status, payload = await self.dispatch(request, found)
        except ApiError as exc:
            return answer(exc.status, {'errors': exc.errors}, dict(headers, **exc.headers))
        if method in WRITES and dice.drop():
            return DropResponse()
        return answer(status, payload, headers)

    def authorized(self, header):
        scheme, _sep, token = header.partition(' ')
        if scheme.lower() != 'bearer' or not token.strip():
            return False
        return self.config.api_key is None or token.strip() == self.config.api_key

    async def dispatch(self, request, found):
        if not found:
            raise ApiError(404, [error('10005', 'Resource not found', 'The requested resource or URL could not be found.', pointer='/')])
        _template, kind, methods, ident = found
        action = methods.get(request.method)
        if action is None:
            exc = ApiError(405, [error('10015', 'Method not allowed', '%s is not allowed on %s.' % (request.method, request.url.path))])
            exc.headers['allow'] = ', '.join(method for method in ('GET', 'POST', 'PATCH', 'DELETE') if method in methods)
            raise exc
        body = None
        if request.method in ('POST', 'PATCH') and action not in ('registration',):
            raw = await request.body()
            media = request.headers.get('content-type', '').split(';', 1)[0].strip().lower()
            if raw and not (media == 'application/json' or media.endswith('+json')):
                raise ApiError(415, [error('10015', 'Unsupported Media Type', 'The request body must be JSON (Content-Type: application/json), got %s.'
                                           % (media or 'no Content-Type'), pointer='/')])
            try:
                body = json.loads(raw or b'null')
            except ValueError:
                raise ApiError(422, [error('10015', 'Bad Request', 'The request body is not valid JSON.', pointer='/')]) from None
        return getattr(self, 'do_' + action)(kind, ident, body, request.query_params)

    def do_list(self, kind, _ident, _body, query):
        items, meta = self.state.list(kind, query)
        return 200, b'{"data":[' + b','.join(items) + b'],"meta":' + dumps(meta) + b'}'

    def do_get(self, kind, ident, _body, _query):
        if kind == 'connections':
            app = self.state.applications.get(ident)
            return 200, {'data': self.state.view('connections', app if app is not None else self.state.find_connection(ident)[1])}
        return 200, {'data': self.state.view(kind, self.state.find(kind, ident))}

    def do_create(self, kind, _ident, body, _query):
        obj = self.state.create(kind, body)
        return (200 if kind == 'outbound_voice_profiles' else 201), {'data': self.state.view(kind, obj, reveal=True)}

    def do_update(self, kind, ident, body, _query):
        before = self.state.find(kind, ident).get('password')
        changed = isinstance(body, dict) and body.get('password') not in (None, before)
        return 200, {'data': self.state.view(kind, self.state.update(kind, ident, body), reveal=changed)}

    def do_fqdn_auth(self, _kind, ident, _body, _query):
        return 200, {'data': self.state.fqdn_auth(ident)}

    def do_fqdn_auth_update(self, _kind, ident, body, _query):
        return 200, {'data': self.state.update_fqdn_auth(ident, body)}

    def do_delete(self, kind, ident, _body, _query):
        view = self.state.delete(kind, ident)
        if kind in CONNECTION_KINDS:
            self.active_calls.set(ident, 0)  # deleting a connection cuts its calls
        if kind == 'phone_numbers':
            view = self.state.deleted_number_view(view)
        return 200, {'data': view}

    def do_active_calls(self, _kind, ident, _body, query):
        _found, conn = self.state.find_connection(ident)
        self.active_calls.check_listable(conn)
        return 200, self.active_calls.page(ident, query)

    def do_registration(self, _kind, ident, _body, _query):
        conn = self.state.find('credential_connections', ident)
        status = self.registrations.get(ident, 'Not Registered')
        return 200, {'data': {'record_type': 'registration_status', 'status': status, 'sip_username': conn['user_name'],
                              'ip_address': '', 'port': 0, 'transport': '', 'user_agent': '', 'last_registration': ''}}

    def do_numbers_job(self, _kind, _ident, body, _query):
        return self.state.numbers_job(body)

    # -- a number's voice settings (telnyx_emulator.voice) ------------------------------------------------
    def do_voice(self, _kind, ident, _body, _query):
        return 200, {'data': voice.view(self.state, ident)}

    def do_voice_update(self, _kind, ident, body, _query):
        return 200, {'data': voice.update(self.state, ident, body)}


def create_app(config=None):
    """Build the Starlette app; the Emulator instance is app.state.emulator."""
    emulator = Emulator(config or Config())
    routes = [
        Route('/_emulator/stats', emulator.stats_endpoint, methods=['GET']),
        Route('/_emulator/reset', emulator.reset_endpoint, methods=['POST']),
        Route('/_emulator/ignored', emulator.ignored_endpoint, methods=['GET']),
        Route('/_emulator/config', emulator.config_endpoint, methods=['GET', 'POST']),
        Route('/_emulator/barrier', emulator.barrier_endpoint, methods=['GET', 'POST']),
        Route('/_emulator/registration', emulator.registration_endpoint, methods=['GET', 'POST']),
        Route('/_emulator/active_calls', emulator.active_calls_endpoint, methods=['POST']),
        Route('/_emulator/applications', emulator.applications_endpoint, methods=['POST']),
        Route('/v2/{rest:path}', emulator.v2, methods=['GET', 'POST', 'PATCH', 'DELETE', 'PUT', 'OPTIONS', 'TRACE']),
    ]

    async def not_found(_request, _exc):
        """A path no route matches (e.g. one with a newline in it): Telnyx's JSON 404, not Starlette's text."""
        return answer(404, {'errors': [error('10005', 'Resource not found', 'The requested resource or URL could not be found.', pointer='/')]})

    app = Starlette(routes=routes, lifespan=emulator.lifespan, exception_handlers={404: not_found})
    app.state.emulator = emulator

    async def asgi(scope, receive, send):
        if scope['type'] == 'http':
            scope['telnyx_emulator.transport'] = getattr(getattr(send, '__self__', None), 'transport', None)
        await app(scope, receive, send)

    asgi.emulator = emulator
    return asgi

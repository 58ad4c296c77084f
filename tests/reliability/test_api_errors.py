# -*- coding: utf-8 -*-
# Copyright: byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""API errors seen through real modules: a bad key (401), an object deleted between read and write (404),
a rule only Telnyx knows (422 with detail and pointer)."""

from __future__ import annotations

import http.server
import json
import threading
import urllib.error
import urllib.request

import pytest

from .harness import api_defaults, dump_task, failures_of, writes

GOOD_KEY = 'KEYgood-0123456789abcdef'
BAD_KEY = 'KEYwrong-s3cr3t-9876543210'


def _run(runner, emu, tasks, names, defaults=None, args=()):
    results = runner.workdir / 'results.json'
    code, out = runner.run([{'hosts': 'localhost', 'gather_facts': False, 'connection': 'local',
                             'module_defaults': defaults or api_defaults(emu, rate_limit_retry_timeout=2),
                             'tasks': tasks + [dump_task(names, results)]}], args=args)
    assert results.exists(), 'rc %s: %s' % (code, failures_of(out))
    return json.loads(results.read_text()), out


def test_bad_key_is_a_clear_401_without_the_key(emulators, runner, report):
    emu = emulators(api_key=GOOD_KEY)
    defaults = {'group/byoc.carrier.telnyx': {'api_key': BAD_KEY, 'api_url': emu.url}}
    tasks = [
        {'byoc.carrier.sip_connection_info': {'name': 'acme'}, 'register': 'info', 'ignore_errors': True},
        {'byoc.carrier.sip_connection': {'name': 'acme-401', 'type': 'credentials', 'username': 'acme401', 'password': 'Passw0rd-401'},
         'register': 'conn', 'ignore_errors': True},
        {'byoc.carrier.sip_connections': {'connections': [{'name': 'acme-401b', 'type': 'ip'}]}, 'register': 'bulk', 'ignore_errors': True},
    ]
    results, out = _run(runner, emu, tasks, ['info', 'conn', 'bulk'], defaults=defaults, args=['-vvv'])
    for name, result in results.items():
        assert result['failed'] is True, name
        assert 'HTTP 401' in result['msg'] and 'Authentication failed' in result['msg'], (name, result['msg'])
        assert 'gave up' not in result['msg'], 'a 401 must not be retried: %s' % result['msg']
    assert BAD_KEY not in json.dumps(results) and BAD_KEY not in out
    assert writes(emu.stats()) == 0
    report.add('api errors', bad_key_message=results['conn']['msg'])


class _DeletingProxy(http.server.ThreadingHTTPServer):
    """Forwards to the emulator; before the first PATCH of a connection it deletes that connection first."""

    daemon_threads = True

    def __init__(self, emu):
        super().__init__(('127.0.0.1', 0), _ProxyHandler)
        self.emu = emu
        self.deleted = []


class _ProxyHandler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):  # pylint: disable=arguments-differ
        pass

    def _forward(self):
        server = self.server
        body = self.rfile.read(int(self.headers.get('Content-Length') or 0)) or None
        path = self.path.split('/v2', 1)[1]
        if self.command == 'PATCH' and path.split('/')[1].endswith('_connections') and not server.deleted:
            server.deleted.append(path)
            server.emu.call('DELETE', path)
        request = urllib.request.Request(server.emu.url + path, data=body, method=self.command,
                                         headers=dict((k, v) for k, v in self.headers.items() if k.lower() not in ('host', 'content-length')))
        try:
            with urllib.request.urlopen(request, timeout=30) as reply:
                status, raw = reply.status, reply.read()
        except urllib.error.HTTPError as err:
            status, raw = err.code, err.read()
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    do_GET = do_POST = do_PATCH = do_DELETE = _forward


@pytest.fixture(name='deleting_proxy')
def _deleting_proxy_fixture(emulators):
    emu = emulators()
    proxy = _DeletingProxy(emu)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    try:
        yield emu, proxy, 'http://127.0.0.1:%d/v2' % proxy.server_address[1]
    finally:
        proxy.shutdown()
        proxy.server_close()
        thread.join(10)


@pytest.mark.parametrize('module, options', [
    ('sip_inbound', {'connection': 'gone-ip', 'codecs': ['G711A']}),
    ('sip_connection', {'name': 'gone-ip', 'type': 'ip', 'dtmf_type': 'Inband'}),
    ('sip_connections', {'connections': [{'name': 'gone-ip', 'type': 'ip', 'dtmf_type': 'Inband'}]}),
])
def test_deleted_between_read_and_write(deleting_proxy, runner, report, module, options):
    """The connection disappears after the module read it: the module fails naming the 404; it never recreates it."""
    emu, proxy, url = deleting_proxy
    emu.create('/ip_connections', {'connection_name': 'gone-ip'})
    emu.reset(keep_state=True)
    task = {'byoc.carrier.%s' % module: options, 'register': 'result', 'ignore_errors': True}
    results, _out = _run(runner, emu, [task], ['result'], defaults={'group/byoc.carrier.telnyx': {'api_key': emu.api_key, 'api_url': url}})
    result = results['result']
    assert proxy.deleted, 'the module never sent a PATCH'
    assert result['failed'] is True
    assert 'HTTP 404' in result['msg'] and proxy.deleted[0] in result['msg'], result['msg']
    stats = emu.stats()['by_method']
    assert stats.get('POST', 0) == 0, 'the module recreated the deleted connection: %s' % stats
    report.add('api errors', **{'deleted_between_read_and_write_%s' % module: result['msg'][:300]})


def test_422_shows_telnyx_detail_and_pointer(emulators, runner, report):
    """A rule the collection cannot check itself (a username already taken): Telnyx's detail and pointer are shown."""
    emu = emulators()
    emu.create('/credential_connections', {'connection_name': 'first-owner', 'user_name': 'takenuser1', 'password': 'Passw0rd-one'})
    task = {'byoc.carrier.sip_connection': {'name': 'second-owner', 'type': 'credentials', 'username': 'takenuser1', 'password': 'Passw0rd-two'},
            'register': 'conn', 'ignore_errors': True}
    results, _out = _run(runner, emu, [task], ['conn'])
    conn = results['conn']
    assert conn['failed'] is True
    assert 'HTTP 422' in conn['msg']
    assert 'user_name takenuser1 has already been taken' in conn['msg']
    assert '/user_name' in conn['msg']
    assert conn['api_error']['errors'][0]['pointer'] == '/user_name'
    assert 'Passw0rd-two' not in json.dumps(conn)
    report.add('api errors', unprocessable_message=conn['msg'])

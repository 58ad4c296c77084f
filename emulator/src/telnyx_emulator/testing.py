# Copyright: contributors to byoc.carrier
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Start a real emulator process for tests, and always stop it.

    from telnyx_emulator.testing import running_emulator

    with running_emulator('--rate-limit', '20', api_key='k') as emu:
        emu.url          # http://127.0.0.1:PORT/v2
        emu.api_key      # 'k' (the process only accepts this key)
        emu.stats()      # {"total": ..., "by_method": {...}, "by_route": {...}}
        emu.reset(keep_state=False)
        emu.call('POST', '/ip_connections', {'connection_name': 'x'})   # (status, parsed body, headers)

A pytest fixture in one line: ``emulator = emulator_fixture('--latency-ms', '5', scope='module')``.
The process gets a free port from the system (``--port 0``), is waited for until it answers, and
is stopped by its PID (SIGTERM, then SIGKILL) whatever happens in the block.

Its stderr goes to ``emu.log_path`` (in $BYOC_EMULATOR_LOG_DIR when set, where it is kept for scripts/test to
check, else a temporary file). ``running_emulator`` reads it after the stop and raises AssertionError when it
holds a Python traceback (an emulator crash is not an injected fault); the log is then kept.
"""
from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

DEFAULT_KEY = 'emulator-test-key'


class EmulatorProcess:
    """A started emulator: its URL, key, PID and helpers."""

    def __init__(self, process, url, api_key, log_path):
        self.process = process
        self.pid = process.pid
        self.url = url
        self.root = url[:-len('/v2')]
        self.port = int(self.root.rsplit(':', 1)[1])
        self.api_key = api_key
        self.log_path = log_path

    @property
    def headers(self):
        return {'Authorization': 'Bearer %s' % self.api_key, 'Content-Type': 'application/json', 'Accept': 'application/json'}

    def call(self, method, path, body=None, headers=None, timeout=30):
        """One request to /v2 + path (or an absolute URL): (status, parsed JSON body or None, headers)."""
        url = path if path.startswith('http') else self.url + path
        data = None if body is None else json.dumps(body).encode('utf-8')
        request = urllib.request.Request(url, data=data, method=method, headers=self.headers if headers is None else headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as reply:
                status, raw, reply_headers = reply.status, reply.read(), dict(reply.headers.items())
        except urllib.error.HTTPError as exc:
            status, raw, reply_headers = exc.code, exc.read(), dict(exc.headers.items())
        return status, (json.loads(raw) if raw else None), dict((key.lower(), value) for key, value in reply_headers.items())

    def create(self, path, body, status=201):
        """POST path, assert the answer's status, return its data."""
        code, reply, _headers = self.call('POST', path, body)
        assert code == status, 'POST %s: HTTP %s %s' % (path, code, reply)
        return reply['data']

    def stats(self):
        return self.call('GET', self.root + '/_emulator/stats', headers={})[1]

    def reset(self, keep_state=False):
        return self.call('POST', self.root + '/_emulator/reset' + ('?keep_state=true' if keep_state else ''), headers={})[1]

    def log(self):
        with open(self.log_path, encoding='utf-8', errors='replace') as handle:
            return handle.read()

    def traceback(self):
        """The part of the log from its first Python traceback on, or None."""
        if not os.path.exists(self.log_path):
            return None
        text = self.log()
        where = text.find('Traceback (most recent call last)')
        return None if where < 0 else text[where:where + 3000]

    def finish(self):
        """Stop; then fail when the log holds a traceback (log kept), else remove a temporary log."""
        self.stop()
        found = self.traceback()
        if found:
            raise AssertionError('the emulator (pid %s) logged a traceback; log kept at %s:\n%s' % (self.pid, self.log_path, found))
        if not os.environ.get('BYOC_EMULATOR_LOG_DIR') and os.path.exists(self.log_path):
            os.unlink(self.log_path)

    def stop(self, timeout=10):
        """SIGTERM by PID (the emulator then saves its --state file), SIGKILL if it does not exit."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
        if self.process.stdout:
            self.process.stdout.close()
        return self.process.returncode


def error_sources(reply):
    """[(source pointer or parameter, code), ...] of a Telnyx error reply."""
    return [(item.get('source', {}).get('pointer') or item.get('source', {}).get('parameter'), item['code']) for item in reply['errors']]


def _first_line(process, timeout):
    lines = []
    reader = threading.Thread(target=lambda: lines.append(process.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    return lines[0].decode('utf-8', 'replace').strip() if lines else ''


def start(*flags, api_key=DEFAULT_KEY, timeout=20, python=None):
    """Start an emulator with these extra command-line flags; return an EmulatorProcess once it answers."""
    folder = os.environ.get('BYOC_EMULATOR_LOG_DIR') or None
    if folder:
        os.makedirs(folder, exist_ok=True)
    log = tempfile.NamedTemporaryFile(prefix='telnyx-emulator-', suffix='.log', delete=False, dir=folder)
    log.close()
    command = [python or sys.executable, '-m', 'telnyx_emulator', '--port', '0']
    if api_key is not None:
        command += ['--api-key', api_key]
    command += [str(flag) for flag in flags]
    with open(log.name, 'wb') as errors:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, stdin=subprocess.DEVNULL)
    emulator = None
    try:
        line = _first_line(process, timeout)
        if 'listening on ' not in line:
            raise RuntimeError('telnyx-emulator did not start (%s): %s' % (' '.join(command), open(log.name, encoding='utf-8').read()))
        emulator = EmulatorProcess(process, line.split('listening on ', 1)[1], api_key, log.name)
        deadline = time.monotonic() + timeout
        while True:
            try:
                emulator.stats()
                return emulator
            except (OSError, ValueError):
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError('telnyx-emulator did not answer: %s' % emulator.log()) from None
                time.sleep(0.05)
    except BaseException:
        (emulator or EmulatorProcess(process, 'http://127.0.0.1:0/v2', api_key, log.name)).stop()
        os.unlink(log.name)
        raise


@contextlib.contextmanager
def running_emulator(*flags, api_key=DEFAULT_KEY, timeout=20):
    """Context manager: a running emulator (see start), stopped by PID on exit."""
    emulator = start(*flags, api_key=api_key, timeout=timeout)
    failed = True
    try:
        yield emulator
        failed = False
    finally:
        if failed:
            emulator.stop()  # the test's own error comes first; the log stays for a look
        else:
            emulator.finish()


def emulator_fixture(*flags, scope='function', api_key=DEFAULT_KEY):
    """A pytest fixture running one emulator with these flags for the given scope."""
    import pytest  # pylint: disable=import-outside-toplevel

    @pytest.fixture(scope=scope)
    def emulator():
        with running_emulator(*flags, api_key=api_key) as process:
            yield process
    return emulator

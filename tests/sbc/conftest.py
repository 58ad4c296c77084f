# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Harness of the SBC SIP tests: render with the sbc role, run Kamailio, sipp, rtpengine and tcpdump by PID.

Every party has its own loopback address: contact center 127.0.0.1 (caller and PBX), Telnyx stand-ins
127.0.0.2 (primary) and 127.0.0.3 (secondary), an unlisted source 127.0.0.9. Ports are not the SIP
defaults so that a Kamailio on 5060 elsewhere on the machine does not matter.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
SCENARIOS = HERE / 'scenarios'
CC, CARRIER1, CARRIER2, STRANGER = '127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.9'
SBC_PORT = 25060          # the tests' trunks take SBC_PORT, SBC_PORT + 2, ... as their explicit sbc_port
CARRIER_PORT = 25070      # the Telnyx stand-ins' SIP port
PBX_PORT = 25081
CALLER_PORT = 25080
RTPE_NG_PORT = 22223
RTP_PORTS = (31000, 31100)
TOKEN = 'ccbyoc-test-token-0001'
TECH_PREFIX = '1234'
USERNAME, PASSWORD = 'ccbyocuser', 's3cret:Pass-01'
TOOLS = ('kamailio', 'kamcmd', 'sipp')


def _tool(name):
    return shutil.which(name) or shutil.which(name, path='/usr/sbin:/usr/bin:/sbin:/bin')


def pytest_configure(config):
    # a private base directory: pytest's shared /tmp/pytest-of-<user> keeps only the last 3 runs of anyone
    if not config.option.basetemp:
        config.option.basetemp = tempfile.mkdtemp(prefix='byoc-sbc-tests-')


def pytest_collection_modifyitems(items):
    missing = [t for t in TOOLS if not _tool(t)]
    if missing:
        skip = pytest.mark.skip(reason='missing %s (scripts/setup installs them)' % ', '.join(missing))
        for item in items:
            item.add_marker(skip)


def ip_trunk(name, port, **extra):
    """An IP trunk of the test SBC: its explicit sbc_port, and Telnyx sending its calls to the SBC on that port
    (sbc_port + 1 with TLS), as the trunk model requires."""
    tls = 'TLS' in (extra.get('sbc_transport'), (extra.get('inbound') or {}).get('transport'))
    trunk = {'name': name, 'type': 'ip', 'sbc_port': port, 'ips': [{'address': CC, 'port': port + 1 if tls else port}]}
    trunk.update(extra)
    return trunk


def base_vars(config_dir, run_dir, trunks, **extra):
    """Role variables of a loopback test SBC."""
    data = {
        'sbc_config_dir': str(config_dir), 'sbc_run_dir': str(run_dir), 'sbc_manage_service': False,
        'sbc_listen_address': CC, 'sbc_listen_port': SBC_PORT, 'sbc_pbx_address': CC, 'sbc_pbx_port': PBX_PORT,
        'sbc_carrier_addresses': [{'address': CARRIER1, 'port': CARRIER_PORT}, {'address': CARRIER2, 'port': CARRIER_PORT}],
        'sbc_probing_mode': 2, 'sbc_ping_interval': 1, 'sbc_kamailio_children': 2, 'byoc_trunks': trunks,
        'sbc_rtpengine_ng_port': RTPE_NG_PORT, 'sbc_rtpengine_port_min': RTP_PORTS[0], 'sbc_rtpengine_port_max': RTP_PORTS[1],
    }
    data.update(extra)
    return data


def run_role(workdir, variables, name='render'):
    """Run the sbc role through ansible-playbook; return the CompletedProcess (output in workdir/<name>.log)."""
    workdir = Path(workdir)
    vars_file = workdir / ('%s-vars.json' % name)
    vars_file.write_text(json.dumps(variables))
    env = dict(os.environ, ANSIBLE_NOCOLOR='1', ANSIBLE_RETRY_FILES_ENABLED='0', ANSIBLE_LOCALHOST_WARNING='0',
               ANSIBLE_INVENTORY_UNPARSED_WARNING='0')
    if not env.get('ANSIBLE_COLLECTIONS_PATH'):
        # a checkout: its ansible.cfg finds the collection through the link scripts/setup makes
        env['ANSIBLE_CONFIG'] = str(REPO / 'ansible.cfg')
    playbook = Path(sys.executable).parent / 'ansible-playbook'
    proc = subprocess.run([str(playbook), str(HERE / 'render.yml'), '-i', 'localhost,', '-e', '@%s' % vars_file],
                          cwd=str(workdir), env=env, capture_output=True, text=True, timeout=300, check=False)
    (workdir / ('%s.log' % name)).write_text(proc.stdout + proc.stderr)
    return proc


def stop_pid(proc, first=signal.SIGTERM, grace=5.0):
    """Stop a child we started, by its PID: first signal, then SIGTERM/SIGKILL after grace seconds."""
    if proc is None or proc.poll() is not None:
        return
    for sig, wait in ((first, grace), (signal.SIGTERM, 3.0), (signal.SIGKILL, 3.0)):
        try:
            os.kill(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def wait_for(check, timeout, interval=0.1):
    """Poll check() until it returns a true value or timeout seconds pass; return the last value."""
    end = time.monotonic() + timeout
    value = check()
    while not value and time.monotonic() < end:
        time.sleep(interval)
        value = check()
    return value


def parse_trace(path):
    """Messages of a sipp -trace_msg file: list of (direction 'recv'|'sent', text)."""
    try:
        text = Path(path).read_text(errors='replace')
    except FileNotFoundError:
        return []
    out = []
    for chunk in re.split(r'^-{20,}[^\n]*\n', text, flags=re.M):
        head, _sep, body = chunk.partition('\n')
        if 'message received' in head:
            out.append(('recv', body.strip('\n')))
        elif 'message sent' in head:
            out.append(('sent', body.strip('\n')))
    return out


def header(message, name):
    """Value of the first header `name` in a SIP message text, or None."""
    m = re.search(r'^%s:[ \t]*(.*?)\r?$' % re.escape(name), message, flags=re.M | re.I)
    return m.group(1) if m else None


def digest_valid(message, method, username, password):
    """Check a (Proxy-)Authorization digest (RFC 2617, MD5, with or without qop) in a SIP request text."""
    value = header(message, 'Proxy-Authorization') or header(message, 'Authorization')
    if not value:
        return False
    p = dict(re.findall(r'(\w+)="?([^",]*)"?', value.split(' ', 1)[1]))

    def md5(text):
        return hashlib.md5(text.encode()).hexdigest()  # noqa: S324 - SIP digest is MD5 by definition
    ha1 = md5('%s:%s:%s' % (username, p.get('realm', ''), password))
    ha2 = md5('%s:%s' % (method, p.get('uri', '')))
    if 'qop' in p:
        expect = md5('%s:%s:%s:%s:%s:%s' % (ha1, p['nonce'], p['nc'], p['cnonce'], p['qop'], ha2))
    else:
        expect = md5('%s:%s:%s' % (ha1, p.get('nonce', ''), ha2))
    return p.get('username') == username and p.get('response') == expect


class Uas:
    """A sipp server (carrier or PBX stand-in) running in the background."""

    def __init__(self, proc, trace, out):
        self.proc, self.trace, self.out = proc, trace, out

    def messages(self, direction='recv'):
        return [text for d, text in parse_trace(self.trace) if d == direction]

    def requests(self, method):
        return [m for m in self.messages() if m.startswith(method + ' ')]

    def stop(self):
        # sipp's soft exit (SIGUSR1) can hang after it auto-answered an OPTIONS probe: stop_pid escalates
        stop_pid(self.proc, first=signal.SIGUSR1, grace=2.0)


class SipParties:
    """Starts sipp parties; every process is stopped by PID at teardown."""

    def __init__(self, logdir):
        self.logdir = Path(logdir)
        self.running = []
        self.count = 0

    def _files(self, name):
        self.count += 1
        stem = self.logdir / ('%02d-%s' % (self.count, name))
        return stem.with_suffix('.msg'), stem.with_suffix('.out')

    def uas(self, name, ip, port, scenario='uas_answer.xml', media_port=6002, transport='u1', extra=()):
        trace, out = self._files(name)
        cmd = ['sipp', '-sf', str(SCENARIOS / scenario), '-i', ip, '-p', str(port), '-mi', ip, '-mp', str(media_port),
               '-t', transport, '-aa', '-nostdin', '-trace_msg', '-message_file', str(trace)] + list(extra)
        with open(out, 'w') as fh:
            proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, cwd=str(self.logdir))
        uas = Uas(proc, trace, out)
        self.running.append(uas)
        if transport == 'u1':
            wait_for(lambda: _udp_bound(ip, port), 5)
        else:
            wait_for(lambda: _tcp_listening(ip, port), 5)
        return uas

    def uac(self, name, service, sbc_port, ip=CC, port=CALLER_PORT, scenario='uac_cc.xml', media_port=6001, extra=(), timeout=20,
            calls=1, rate=1):
        """Place calls (one by default) through the SBC; return (sipp rc, messages the caller received)."""
        trace, out = self._files(name)
        cmd = ['sipp', '%s:%d' % (CC, sbc_port), '-sf', str(SCENARIOS / scenario), '-s', service, '-i', ip, '-p', str(port),
               '-mi', ip, '-mp', str(media_port), '-t', 'u1', '-m', str(calls), '-r', str(rate), '-l', '1', '-timeout', '%ds' % timeout,
               '-timeout_error', '-nostdin', '-trace_msg', '-message_file', str(trace)] + list(extra)
        with open(out, 'w') as fh:
            proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, cwd=str(self.logdir))
        try:
            rc = proc.wait(timeout=timeout + 10)
        except subprocess.TimeoutExpired:
            stop_pid(proc)
            rc = -1
        return rc, [text for d, text in parse_trace(trace) if d == 'recv']

    def stop_all(self):
        for uas in self.running:
            uas.stop()
        self.running = []


def _udp_bound(ip, port):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.bind((ip, port))
        except OSError:
            return True
    return False


def _tcp_listening(ip, port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex((ip, port)) == 0


class Kamailio:
    """Kamailio in the foreground (-DD -E) from a role-rendered config directory, stopped by PID."""

    def __init__(self, config_dir, run_dir, log):
        self.config_dir, self.run_dir, self.log = Path(config_dir), Path(run_dir), Path(log)
        self.proc = None

    def start(self):
        self.run_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log, 'a') as fh:
            self.proc = subprocess.Popen([_tool('kamailio'), '-DD', '-E', '-f', str(self.config_dir / 'kamailio.cfg'), '-Y',
                                          str(self.run_dir), '-m', '64', '-M', '8'], stdout=fh, stderr=subprocess.STDOUT)
        if not wait_for(lambda: self.proc.poll() is not None or self.rpc_ok('core.version'), 30):
            self.stop()
            raise RuntimeError('Kamailio did not answer on its ctl socket, see %s' % self.log)
        if self.proc.poll() is not None:
            raise RuntimeError('Kamailio exited with %s, see %s' % (self.proc.returncode, self.log))
        return self

    @property
    def pid(self):
        return self.proc.pid

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def kamcmd(self, *args):
        try:
            proc = subprocess.run([_tool('kamcmd'), '-s', 'unix:%s/kamailio_ctl' % self.run_dir] + list(args),
                                  capture_output=True, text=True, timeout=10, check=False)
        except subprocess.TimeoutExpired:
            return 'error: kamcmd timed out'
        return proc.stdout + proc.stderr

    def rpc_ok(self, *args):
        out = self.kamcmd(*args)
        return bool(out) and not out.startswith('error') and 'connect' not in out.lower()

    def dispatcher_flags(self, set_id):
        """{uri: flags} of one dispatcher set as Kamailio holds it now."""
        out = self.kamcmd('dispatcher.list')
        flags, current_set = {}, None
        uri = None
        for line in out.splitlines():
            line = line.strip()
            if line.startswith('ID:'):
                current_set = int(line.split(':', 1)[1])
            elif line.startswith('URI:'):
                uri = line.split(':', 1)[1].strip()
            elif line.startswith('FLAGS:') and current_set == set_id:
                flags[uri] = line.split(':', 1)[1].strip()
        return flags

    def stop(self):
        stop_pid(self.proc)


class SbcBed:
    """One role-rendered SBC with its Kamailio and the sipp parties of a test module."""

    def __init__(self, workdir, trunks, **extra):
        self.workdir = Path(workdir)
        self.config_dir = self.workdir / 'etc'
        self.run_dir = self.workdir / 'run'
        self.trunks = trunks
        self.extra = extra
        self.kamailio = Kamailio(self.config_dir, self.run_dir, self.workdir / 'kamailio.log')
        self.sip = SipParties(self.workdir)
        self.renders = 0

    def variables(self, **override):
        data = base_vars(self.config_dir, self.run_dir, self.trunks, **self.extra)
        data.update(override)
        return data

    def render(self, **override):
        self.renders += 1
        return run_role(self.workdir, self.variables(**override), name='render%d' % self.renders)

    def trunk_port(self, index):
        """The SBC port of trunk number index of this bed: its sbc_port (never derived from its position)."""
        return self.trunks[index]['sbc_port']

    def log_lines(self, pattern):
        return [line for line in self.kamailio.log.read_text(errors='replace').splitlines() if re.search(pattern, line)]


def make_bed(tmp_path_factory, name, trunks, **extra):
    bed = SbcBed(tmp_path_factory.mktemp(name), trunks, **extra)
    proc = bed.render()
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    return bed


def serve(bed):
    """Generator body of a module's bed fixture: run its Kamailio, then stop every process by PID."""
    try:
        bed.kamailio.start()
        yield bed
    finally:
        bed.sip.stop_all()
        bed.kamailio.stop()


@pytest.fixture
def parties(request):
    """The module's bed; sipp parties started in a test are stopped (by PID) when it ends."""
    bed = request.getfixturevalue('bed')
    yield bed.sip
    bed.sip.stop_all()

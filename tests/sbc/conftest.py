# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Harness of the SBC SIP tests: render with the sbc role, run Kamailio, sipp, rtpengine and tcpdump by PID.

Every party has its own loopback address: contact center 127.0.0.1 (caller and PBX), Telnyx stand-ins
127.0.0.2 (primary) and 127.0.0.3 (secondary), an unlisted source 127.0.0.9. Ports are not the SIP
defaults so that a Kamailio on 5060 elsewhere on the machine does not matter.
"""

from __future__ import annotations

import fcntl
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

from siptools import make_pki

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
SCENARIOS = HERE / 'scenarios'
CC, CARRIER1, CARRIER2, STRANGER = '127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.9'
PORT_BLOCK = 40          # the block of SIP ports of a session, from SBC_PORT (see _port_base)
TOKEN = 'ccbyoc-test-token-0001'
TECH_PREFIX = '1234'
USERNAME, PASSWORD = 'ccbyocuser', 's3cret:Pass-01'
TOOLS = ('kamailio', 'kamcmd', 'sipp')


def _free(address, port, kinds=(socket.SOCK_DGRAM, socket.SOCK_STREAM)):
    """True when nothing holds address:port for UDP nor TCP (a bind test, as Kamailio and sipp bind)."""
    for kind in kinds:
        with socket.socket(socket.AF_INET, kind) as s:
            if kind == socket.SOCK_STREAM:  # what the servers set too: a TIME_WAIT left by an earlier run is no owner
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind((address, port))
            except OSError:
                return False
    return True


def _pick(preferred, size, candidates, addresses, kinds=(socket.SOCK_DGRAM, socket.SOCK_STREAM)):
    """The first base port (preferred, then candidates) whose `size` ports are free on every address."""
    for base in [preferred] + list(candidates):
        if all(_free(a, p, kinds) for p in range(base, base + size) for a in addresses):
            return base
    raise RuntimeError('no %d free ports on %s in %d..%d' % (size, addresses, min(candidates), max(candidates) + size))


def _port_base():
    """The session's SIP ports: a block of PORT_BLOCK ports free on every test address (127.0.0.1-22). The usual block
    (25060...) when it is free, else the next free one; tests write a port as SBC_PORT + k, never as a number."""
    return _pick(25060, PORT_BLOCK, range(20000, 29900, 100), ['127.0.0.%d' % i for i in range(1, 23)])


SBC_PORT = _port_base()        # the tests' trunks take SBC_PORT, SBC_PORT + 2, ... as their explicit sbc_port
CARRIER_PORT = SBC_PORT + 10   # the Telnyx stand-ins' SIP port
CARRIER_TLS_PORT = CARRIER_PORT + 1   # ... and their TLS port (tls_bed)
CALLER_PORT = SBC_PORT + 20
PBX_PORT = SBC_PORT + 21       # SBC_PORT + 22 ... + 39: ports of the tests' own
RTPE_NG_PORT = _pick(22223, 1, range(22300, 23000, 7), (CC,), (socket.SOCK_DGRAM,))
_RTP_BASE = _pick(31000, 101, range(31200, 39000, 200), (CC,), (socket.SOCK_DGRAM,))
RTP_PORTS = (_RTP_BASE, _RTP_BASE + 100)
# the RTP ports of the sipp parties (-mp MEDIA_PORT + k; sipp binds k and k + 2) and baresip's range, free on every
# address that binds them; tests write MEDIA_PORT + k, never a number
MEDIA_PORT = _pick(6000, 20, range(6020, 9000, 20), (CC, CARRIER1, CARRIER2), (socket.SOCK_DGRAM,))
_UA_RTP_BASE = _pick(_RTP_BASE + 500, 100, range(39000, 40000, 100), (CARRIER1,), (socket.SOCK_DGRAM,))
UA_RTP_PORTS = (_UA_RTP_BASE, _UA_RTP_BASE + 99)   # never inside RTP_PORTS (rtpengine's)


def _tool(name):
    return shutil.which(name) or shutil.which(name, path='/usr/sbin:/usr/bin:/sbin:/bin')


_OWN_BASETEMP = []


def pytest_configure(config):
    # a private base directory: pytest's shared /tmp/pytest-of-<user> keeps only the last 3 runs of anyone
    if not config.option.basetemp:
        config.option.basetemp = tempfile.mkdtemp(prefix='byoc-sbc-tests-')
        _OWN_BASETEMP.append(config.option.basetemp)


def pytest_sessionfinish(session, exitstatus):
    """The private base directory goes after a run that passed (every fixture, Kamailio included, is stopped by
    then); after a failure it stays for a look, and its path is printed."""
    for path in _OWN_BASETEMP:
        if exitstatus == 0:
            shutil.rmtree(path, ignore_errors=True)
        else:
            session.config.get_terminal_writer().line('sbc test files kept in %s' % path)


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


def run_role(workdir, variables, name='render', extra_env=None):
    """Run the sbc role through ansible-playbook; return the CompletedProcess (output in workdir/<name>.log).
    extra_env: more environment of the run (e.g. the systemctl stand-in's, see ServiceHost)."""
    workdir = Path(workdir)
    vars_file = workdir / ('%s-vars.json' % name)
    vars_file.write_text(json.dumps(variables))
    env = dict(os.environ, ANSIBLE_NOCOLOR='1', ANSIBLE_RETRY_FILES_ENABLED='0', ANSIBLE_LOCALHOST_WARNING='0',
               ANSIBLE_INVENTORY_UNPARSED_WARNING='0')
    env.update(extra_env or {})
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

    def uas(self, name, ip, port, scenario='uas_answer.xml', media_port=MEDIA_PORT + 2, transport='u1', extra=()):
        trace, out = self._files(name)
        cmd = ['sipp', '-sf', str(SCENARIOS / scenario), '-i', ip, '-p', str(port), '-mi', ip, '-mp', str(media_port),
               '-t', transport, '-aa', '-nostdin', '-trace_msg', '-message_file', str(trace)] + list(extra)
        with open(out, 'w') as fh:
            proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, cwd=str(self.logdir))
        uas = Uas(proc, trace, out)
        self.running.append(uas)
        try:
            wait_owned(proc, 'udp' if transport == 'u1' else 'tcp', ip, port, 'sipp %s' % name)
        except RuntimeError:
            uas.stop()
            raise
        return uas

    def uac(self, name, service, sbc_port, ip=CC, port=CALLER_PORT, scenario='uac_cc.xml', media_port=MEDIA_PORT + 1, extra=(), timeout=20,
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


def _socket_inodes(kind, ip, port):
    """Inodes of the sockets bound to ip:port (kind 'udp'; 'tcp': listening ones only), from /proc/net."""
    local = '%s:%04X' % (socket.inet_aton(ip)[::-1].hex().upper(), port)
    inodes = set()
    with open('/proc/net/%s' % kind, encoding='ascii') as fh:
        for line in fh.readlines()[1:]:
            fields = line.split()
            if fields[1] == local and (kind == 'udp' or fields[3] == '0A'):
                inodes.add(fields[9])
    return inodes


def _family(pid):
    """pid and its child processes (Kamailio's workers share the sockets its main process opened)."""
    pids = [pid]
    for entry in os.listdir('/proc'):
        if entry.isdigit():
            try:
                stat = Path('/proc/%s/stat' % entry).read_text(errors='replace')
            except OSError:
                continue
            if int(stat.rsplit(')', 1)[1].split()[1]) == pid:
                pids.append(int(entry))
    return pids


def owns_socket(pid, kind, ip, port):
    """True when the socket bound (UDP) or listening (TCP) on ip:port belongs to process pid or its children: the
    process we started is the one on the port, not any other that happens to hold it."""
    inodes = {'socket:[%s]' % i for i in _socket_inodes(kind, ip, port)}
    if not inodes:
        return False
    for member in _family(pid):
        try:
            fds = os.listdir('/proc/%d/fd' % member)
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink('/proc/%d/fd/%s' % (member, fd)) in inodes:
                    return True
            except OSError:
                continue
    return False


def wait_owned(proc, kind, ip, port, what, timeout=5):
    """Wait until proc (a Popen) owns its socket on ip:port; fail naming who holds the port otherwise."""
    if not wait_for(lambda: proc.poll() is not None or owns_socket(proc.pid, kind, ip, port), timeout) or proc.poll() is not None:
        raise RuntimeError('%s (PID %d, %s) is not on %s %s:%d: port taken by another process, or it did not start' % (
            what, proc.pid, 'exited %s' % proc.returncode if proc.poll() is not None else 'running', kind, ip, port))


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
        # the ctl socket is this run's own; its SIP ports must be too (not another process's on the same port)
        for kind, address, port in self.listens():
            try:
                wait_owned(self.proc, kind, address, port, 'Kamailio')
            except RuntimeError:
                self.stop()
                raise
        return self

    def listens(self):
        """(socket kind 'udp'|'tcp', address, port) of every listen=udp|tcp|tls:... of its kamailio.cfg."""
        text = (self.config_dir / 'kamailio.cfg').read_text()
        return [('udp' if proto == 'udp' else 'tcp', a, int(p))
                for proto, a, p in re.findall(r'^listen=(udp|tcp|tls):([0-9.]+):(\d+)', text, flags=re.M)]

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
        self.env = None  # more environment of the role's runs (ServiceBed: the systemctl stand-in's)

    def variables(self, **override):
        data = base_vars(self.config_dir, self.run_dir, self.trunks, **self.extra)
        data.update(override)
        return data

    def render(self, **override):
        self.renders += 1
        return run_role(self.workdir, self.variables(**override), name='render%d' % self.renders, extra_env=self.env)

    def trunk_port(self, index):
        """The SBC port of trunk number index of this bed: its sbc_port (never derived from its position)."""
        return self.trunks[index]['sbc_port']

    def log_lines(self, pattern):
        return [line for line in self.kamailio.log.read_text(errors='replace').splitlines() if re.search(pattern, line)]


SYSTEMCTL_DIR = REPO / 'tests' / 'lib' / 'systemd'
ETC_DEFAULT_KAMAILIO = Path('/etc/default/kamailio')
# Debian's kamailio.service (the kamailio package, /lib/systemd/system) with this bed's paths: the run directory
# under the stand-in's runtime root instead of /run, Kamailio's log on stderr (-E: the stand-in keeps it), run as
# the caller (User/Group dropped: the test files sit under the caller's temporary directory)
KAMAILIO_UNIT = """[Unit]
Description=Kamailio - the Open Source SIP Server (test bed)

[Service]
Type=forking
Environment='CFGFILE=/etc/kamailio/kamailio.cfg'
Environment='SHM_MEMORY=64'
Environment='PKG_MEMORY=8'
EnvironmentFile=-/etc/default/kamailio
PIDFile={run}/kamailio.pid
ExecStart={kamailio} -P {run}/kamailio.pid -f $CFGFILE -m $SHM_MEMORY -M $PKG_MEMORY -Y {run} -E
Restart=on-failure
RuntimeDirectory=kamailio
TimeoutStopSec=20

[Install]
WantedBy=multi-user.target
"""
# apt without any source and with its own lists and cache: the sbc role's package task (cache_valid_time) updates
# nothing from the network and finds the installed kamailio in the machine's dpkg database
APT_OFFLINE = """Dir::Etc::sourcelist "/dev/null";
Dir::Etc::sourceparts "{root}/sources.list.d";
Dir::State::lists "{root}/lists";
Dir::Cache "{root}/cache";
"""


class ServiceBed(SbcBed):
    """An SBC whose Kamailio the sbc role itself runs (sbc_manage_service: true) on this machine without systemd.

    The role's runs get tests/lib/systemd first on PATH: its systemctl stand-in starts, restarts and stops the
    real Kamailio from a copy of Debian's unit (KAMAILIO_UNIT) by the PID in its PIDFile, so the role's service
    tasks and its restart handler run unchanged. The role's install tasks run too: apt offline (APT_OFFLINE), and
    the line CFGFILE=... in /etc/default/kamailio, which the unit reads as Debian's does; the file is put back
    as it was when the bed closes (a lock file keeps two beds from sharing it). close() stops Kamailio through the
    stand-in and kills what is left by PID.
    """

    def __init__(self, workdir, trunks, **extra):
        super().__init__(workdir, trunks, **extra)
        self.runtime = self.workdir / 'rt'
        self.run_dir = self.runtime / 'kamailio'
        self.units, self.state = self.workdir / 'units', self.workdir / 'systemd'
        self.log = self.state / 'kamailio.service.log'
        self.kamailio = Kamailio(self.config_dir, self.run_dir, self.log)  # its kamcmd; started by the stand-in only
        apt = self.workdir / 'apt'
        for folder in (self.units, self.state, apt / 'sources.list.d', apt / 'lists' / 'partial', apt / 'cache' / 'archives' / 'partial'):
            folder.mkdir(parents=True, exist_ok=True)
        (self.units / 'kamailio.service').write_text(KAMAILIO_UNIT.format(run=self.run_dir, kamailio=_tool('kamailio')))
        (apt / 'apt.conf').write_text(APT_OFFLINE.format(root=apt))
        self.env = {'PATH': '%s:%s' % (SYSTEMCTL_DIR, os.environ['PATH']), 'BYOC_SYSTEMD_UNIT_DIR': str(self.units),
                    'BYOC_SYSTEMD_STATE_DIR': str(self.state), 'BYOC_SYSTEMD_RUNTIME_DIR': str(self.runtime),
                    'APT_CONFIG': str(apt / 'apt.conf')}
        self._lock = open('/tmp/byoc-etc-default-kamailio.lock', 'w')  # pylint: disable=consider-using-with
        fcntl.flock(self._lock, fcntl.LOCK_EX)
        self._etc_default = ETC_DEFAULT_KAMAILIO.read_bytes() if ETC_DEFAULT_KAMAILIO.exists() else None

    def variables(self, **override):
        data = super().variables(sbc_manage_service=True, sbc_run_dir=str(self.run_dir))
        data.update(override)
        return data

    def systemctl(self, *args):
        """Run the stand-in as the role does; return the CompletedProcess."""
        return subprocess.run([str(SYSTEMCTL_DIR / 'systemctl')] + list(args), env=dict(os.environ, **self.env),
                              capture_output=True, text=True, timeout=120, check=False)

    def main_pid(self):
        """Kamailio's main PID from the unit's PIDFile when that process lives (not a zombie), else 0."""
        try:
            pid = int((self.run_dir / 'kamailio.pid').read_text().strip())
        except (OSError, ValueError):
            return 0
        return pid if pid_alive(pid) else 0

    def journal(self):
        """The stand-in's journal: [(monotonic ns, unit, event, pid)]."""
        path = self.state / 'journal'
        rows = path.read_text().split('\n') if path.exists() else []
        return [(int(r.split()[0]), r.split()[1], r.split()[2], int(r.split()[3])) for r in rows if r]

    def close(self):
        try:
            pid = self.main_pid()
            self.systemctl('stop', 'kamailio')
            if pid and pid_alive(pid):
                os.kill(pid, signal.SIGKILL)
        finally:
            if self._etc_default is None:
                ETC_DEFAULT_KAMAILIO.unlink(missing_ok=True)
            else:
                ETC_DEFAULT_KAMAILIO.write_bytes(self._etc_default)
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()


def pid_alive(pid):
    """True while process pid exists and is not a zombie (daemons orphaned here may never be reaped)."""
    try:
        stat = Path('/proc/%d/stat' % pid).read_text(errors='replace')
    except OSError:
        return False
    return stat.rsplit(')', 1)[1].split()[0] not in ('Z', 'X')


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


def tls_bed(tmp_path_factory, name, trunks, rtpengine=False):
    """A rendered SBC that reaches both Telnyx stand-ins over TLS on CARRIER_TLS_PORT (their SIP probes: OPTIONS
    only), trusting a test CA the role pins (bed.ca; the carriers' certificate for sip.telnyx.com and its key:
    bed.cert, bed.key; the SBC serves the same one). rtpengine: media anchored by rtpengine (serve it with
    serve_with_rtpengine)."""
    ca, cert, key = make_pki(tmp_path_factory.mktemp('certs'))
    carriers = [{'address': a, 'port': CARRIER_PORT, 'tls_port': CARRIER_TLS_PORT} for a in (CARRIER1, CARRIER2)]
    extra = {'sbc_rtpengine': True} if rtpengine else {}
    bed = make_bed(tmp_path_factory, name, trunks, sbc_tls_certificate=str(cert), sbc_tls_private_key=str(key),
                   sbc_tls_ca_list=str(ca), sbc_carrier_addresses=carriers, sbc_probing_mode=1, **extra)
    bed.ca, bed.cert, bed.key = ca, cert, key
    return bed


def _ng_ping():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(0.3)
        try:
            s.sendto(b'42 d7:command4:pinge', ('127.0.0.1', RTPE_NG_PORT))
            return b'pong' in s.recv(200)
        except OSError:
            return False


def serve_with_rtpengine(bed):
    """Generator body of a bed fixture: rtpengine (from the role's rtpengine.conf) and Kamailio, stopped by PID."""
    with open(bed.workdir / 'rtpengine.log', 'w') as log:
        bed.rtpengine = subprocess.Popen([shutil.which('rtpengine'), '--config-file=%s' % (bed.config_dir / 'rtpengine.conf'),
                                          '--foreground', '--log-stderr'], stdout=log, stderr=subprocess.STDOUT)
    try:
        # the answer must come from the rtpengine started here (its PID on the NG socket), not any process on the port
        assert wait_for(lambda: _ng_ping() and owns_socket(bed.rtpengine.pid, 'udp', '127.0.0.1', RTPE_NG_PORT), 15), \
            'rtpengine did not answer on its NG socket'
        yield from serve(bed)
    finally:
        stop_pid(bed.rtpengine)


@pytest.fixture
def parties(request):
    """The module's bed; sipp parties started in a test are stopped (by PID) when it ends."""
    bed = request.getfixturevalue('bed')
    yield bed.sip
    bed.sip.stop_all()

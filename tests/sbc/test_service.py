# -*- coding: utf-8 -*-
# Copyright: byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sbc role's own service path (sbc_manage_service: true), on a real Kamailio, through a systemctl stand-in.

The role installs (apt offline), writes, validates, enables and starts Kamailio; an unchanged re-run leaves it
alone; a kamailio.cfg change under call load (sipp, RATE calls/s) goes through the role's restart handler and its
"answers after the restart" check, and the calls see the restart as a short gap (measured with OPTIONS probes
every PROBE_MS ms, written to <OUT>/sbc-service.json); a configuration kamailio -c rejects leaves the running
Kamailio and its PID alone. See ServiceBed in conftest.py for the stand-in.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import threading
import time
import uuid
from pathlib import Path

import pytest

from conftest import (CALLER_PORT, CARRIER1, CARRIER_PORT, CC, MEDIA_PORT, REPO, SBC_PORT, SCENARIOS, TOKEN, ServiceBed, _tool, ip_trunk, owns_socket,
                      parse_trace, pid_alive, stop_pid, wait_for)
from siptools import Endpoint, request

TRUNKS = [ip_trunk('acme-token', SBC_PORT, ip_auth_method='token', token=TOKEN)]
NEW_TRUNK = ip_trunk('acme-prefix', SBC_PORT + 2, ip_auth_method='tech_prefix', tech_prefix='4321')
RATE = 5                 # calls per second of the load
MIN_LOAD_SECONDS = 8     # the load runs at least this long, and 2 s past the change
PROBE_MS = 10            # one OPTIONS probe every PROBE_MS ms while the role changes the SBC
# Issue 15: a cfg change through the role's handler under call load loses no call, and no call needs more
# than one retransmission (sipp's INVITE/BYE timer T1 is 500 ms: a restart gap well under that costs at most one)
MAX_FAILED_CALLS = 0
MAX_RETRANSMISSIONS_PER_CALL = 1
MAX_RESTART_GAP_MS = 500
FIGURES = {}


@pytest.fixture(scope='module')
def bed(tmp_path_factory):
    bed = ServiceBed(tmp_path_factory.mktemp('svc'), list(TRUNKS), sbc_reload_lists=True)
    try:
        yield bed
    finally:
        bed.sip.stop_all()
        bed.close()
        out = Path(os.environ.get('OUT') or REPO / 'tests' / 'output')
        out.mkdir(parents=True, exist_ok=True)
        (out / 'sbc-service.json').write_text(json.dumps({'rate_cps': RATE, 'probe_ms': PROBE_MS, 'cases': FIGURES}, indent=2) + '\n')


@pytest.fixture(scope='module')
def first_run(bed):
    """The role on a host where Kamailio is not running yet: it installs, writes, enables and starts it."""
    assert bed.main_pid() == 0
    proc = bed.render()
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    return proc


def _recap(proc):
    """{'ok': n, 'changed': n, 'failed': n} of localhost in the PLAY RECAP."""
    line = [li for li in proc.stdout.splitlines() if li.startswith('localhost') and 'ok=' in li][-1]
    return {k: int(v) for k, v in (pair.split('=') for pair in line.split(':', 1)[1].split())}


def _task_status(proc, task, kind='TASK'):
    """The status word ('ok', 'changed', 'skipping', 'fatal', ...) Ansible printed under TASK [... : task] (or RUNNING
    HANDLER [...] with kind='RUNNING HANDLER'), or None when it did not run."""
    lines = proc.stdout.splitlines()
    for i, line in enumerate(lines):
        if line.startswith(kind + ' [') and line.split(' : ', 1)[-1].startswith(task + ']'):
            for after in lines[i + 1:]:
                if after.startswith(('TASK [', 'RUNNING HANDLER [', 'PLAY RECAP')):
                    return None
                if after.split(':', 1)[0] in ('ok', 'changed', 'skipping', 'fatal', 'failed'):
                    return after.split(':', 1)[0]
    return None


def _handler_ran(proc, handler):
    """True when the handler ran and did not skip."""
    return _task_status(proc, handler, kind='RUNNING HANDLER') in ('ok', 'changed')


def test_the_role_starts_kamailio_as_a_service(bed, first_run):
    pid = bed.main_pid()
    assert pid, bed.log.read_text(errors='replace')[-2000:]
    assert os.readlink('/proc/%d/exe' % pid) == os.path.realpath(_tool('kamailio'))
    cmdline = Path('/proc/%d/cmdline' % pid).read_bytes().split(b'\0')
    # the unit took the configuration path from /etc/default/kamailio, where the role's install task put it
    assert cmdline[cmdline.index(b'-f') + 1].decode() == str(bed.config_dir / 'kamailio.cfg')
    assert 'CFGFILE=%s/kamailio.cfg' % bed.config_dir in Path('/etc/default/kamailio').read_text().splitlines()
    assert _task_status(first_run, 'Install the Kamailio packages') == 'ok'
    assert _task_status(first_run, 'Enable and start Kamailio') == 'changed'
    assert _handler_ran(first_run, 'Restart kamailio') and _handler_ran(first_run, 'Check that Kamailio answers after the restart')
    assert bed.kamailio.rpc_ok('core.version') and owns_socket(pid, 'udp', CC, SBC_PORT)
    status = bed.systemctl('status', 'kamailio')
    assert status.returncode == 0 and 'Active: active (running)' in status.stdout and 'Main PID: %d (kamailio)' % pid in status.stdout
    assert bed.systemctl('is-enabled', 'kamailio').stdout == 'enabled\n'
    # started by the service task, restarted once by the handler (the first run writes kamailio.cfg)
    assert [event for _t, _u, event, _p in bed.journal()] == ['starting', 'started', 'stopping', 'stopped', 'starting', 'started']
    assert bed.journal()[-1][3] == pid


def test_an_unchanged_run_leaves_the_service_alone(bed, first_run):
    pid, events = bed.main_pid(), len(bed.journal())
    proc = bed.render()
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert _recap(proc)['changed'] == 0, proc.stdout[-4000:]
    assert not _handler_ran(proc, 'Restart kamailio')
    assert bed.main_pid() == pid and len(bed.journal()) == events


class Prober:
    """OPTIONS keepalives to the SBC every PROBE_MS ms from its own loopback port; answered send times by Call-ID."""

    def __init__(self, port):
        self.endpoint = Endpoint(CC)
        self.target = (CC, port)
        self.sent = {}
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        src = self.endpoint.address
        while not self.stopped.is_set():
            call_id = '%s@probe' % uuid.uuid4().hex
            self.sent[call_id] = time.monotonic()
            self.endpoint.send(request('OPTIONS', 'sip:%s:%d' % self.target, src, self.target, call_id=call_id), self.target)
            self.stopped.wait(PROBE_MS / 1000.0)

    def stop(self):
        self.stopped.set()
        self.thread.join(5)
        time.sleep(0.3)  # the last answers
        self.endpoint.close()

    def silence_during(self, start, end):
        """The longest time without an answer that overlaps [start, end] (time.monotonic() values): from an answered
        probe to the next answered one (PROBE_MS resolution)."""
        answered = set()
        for _t, _peer, text in self.endpoint.received:
            if text.startswith('SIP/2.0 200 '):
                answered.add(text.split('Call-ID:', 1)[1].split('\r\n', 1)[0].strip())
        times = sorted(t for cid, t in self.sent.items() if cid in answered)
        gaps = [b - a for a, b in zip(times, times[1:]) if b >= start and a <= end]
        assert gaps, 'no answered probe around the restart'
        return max(gaps)


class TracedLoad:
    """sipp placing short calls at RATE calls/s through trunk 0, every message traced; stopped by PID."""

    def __init__(self, bed, name):
        self.stats, self.trace = bed.workdir / ('%s-stats.csv' % name), bed.workdir / ('%s-msgs.log' % name)
        cmd = ['sipp', '%s:%d' % (CC, bed.trunk_port(0)), '-sf', str(SCENARIOS / 'uac_cc.xml'), '-s', '+18005551234',
               '-i', CC, '-p', str(CALLER_PORT), '-mi', CC, '-mp', str(MEDIA_PORT + 1), '-t', 'u1', '-r', str(RATE), '-rp', '1000',
               '-m', '1000', '-l', '1000', '-recv_timeout', '10000', '-timeout', '120s', '-nostdin',
               '-trace_stat', '-stf', str(self.stats), '-fd', '1', '-trace_msg', '-message_file', str(self.trace)]
        with open(bed.workdir / ('%s-load.out' % name), 'w') as fh:
            self.proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, cwd=str(bed.workdir))
        self.started = time.monotonic()

    def finish(self):
        """Stop placing calls (SIGUSR1: the running ones finish); sipp's last figures and the retransmissions per call."""
        time.sleep(max(2.0, MIN_LOAD_SECONDS - (time.monotonic() - self.started)))
        stop_pid(self.proc, first=signal.SIGUSR1, grace=15.0)
        with open(self.stats) as fh:
            last = list(csv.DictReader(fh, delimiter=';'))[-1]
        per_call = retransmissions_per_call(self.trace)
        return {'attempted': int(last['TotalCallCreated']), 'succeeded': int(last['SuccessfulCall(C)']),
                'failed': int(last['FailedCall(C)']), 'retransmissions': int(last['Retransmissions(C)']),
                'calls_traced': len(per_call), 'max_retransmissions_per_call': max(per_call.values()) if per_call else 0,
                'calls_with_retransmissions': sum(1 for n in per_call.values() if n), 'load_seconds': round(time.monotonic() - self.started, 1)}


def retransmissions_per_call(trace):
    """{Call-ID: retransmissions} of the calls a sipp party sent messages of (-trace_msg file): a message sent again
    (same Call-ID, CSeq and first line: a request, or a response such as the carrier's 200 OK repeated until the ACK)
    counts once per repeat. Only the calls' own messages (INVITE, ACK, BYE transactions), not OPTIONS probes."""
    sent = {}
    for direction, text in parse_trace(trace):
        if direction == 'sent':
            lines = text.splitlines()
            head = {line.split(':', 1)[0].lower(): line.split(':', 1)[1].strip() for line in lines[1:] if ':' in line}
            if head.get('cseq', '').split()[-1:] in (['INVITE'], ['ACK'], ['BYE']):
                key = (head['call-id'], head['cseq'], lines[0].strip())
                sent[key] = sent.get(key, 0) + 1
    per_call = {}
    for (call_id, _cseq, _first), count in sent.items():
        per_call[call_id] = per_call.get(call_id, 0) + count - 1
    return per_call


def _traced(direction, first, call_id, cseq):
    """One message of a sipp -trace_msg file, as sipp writes it."""
    return ('----------------------------------------------- 2026-11-30 12:00:00.000000\n'
            'UDP message %s (100 bytes):\n\n%s\nCall-ID: %s\nCSeq: %s\nContent-Length: 0\n\n' % (direction, first, call_id, cseq))


def test_retransmissions_are_counted_per_message_and_call(tmp_path):
    """The counter the restart test asserts with: a repeat of one message counts, a 180 and a 200 of the same CSeq
    do not, nor what the party received or its answers to OPTIONS probes."""
    trace = tmp_path / 'party.msg'
    trace.write_text(''.join([
        _traced('received', 'INVITE sip:+18005551234@sip.telnyx.com SIP/2.0', 'a', '1 INVITE'),
        _traced('sent', 'SIP/2.0 180 Ringing', 'a', '1 INVITE'),
        _traced('sent', 'SIP/2.0 200 OK', 'a', '1 INVITE'),
        _traced('sent', 'SIP/2.0 200 OK', 'a', '1 INVITE'),        # the ACK was lost: 200 OK again
        _traced('received', 'ACK sip:carrier@127.0.0.2 SIP/2.0', 'a', '1 ACK'),
        _traced('received', 'ACK sip:carrier@127.0.0.2 SIP/2.0', 'a', '1 ACK'),
        _traced('sent', 'SIP/2.0 200 OK', 'a', '2 BYE'),
        _traced('sent', 'INVITE sip:+18005551234@127.0.0.1 SIP/2.0', 'b', '1 INVITE'),
        _traced('sent', 'INVITE sip:+18005551234@127.0.0.1 SIP/2.0', 'b', '1 INVITE'),
        _traced('sent', 'INVITE sip:+18005551234@127.0.0.1 SIP/2.0', 'b', '1 INVITE'),
        _traced('sent', 'ACK sip:carrier@127.0.0.2 SIP/2.0', 'b', '1 ACK'),
        _traced('sent', 'SIP/2.0 180 Ringing', 'c', '1 INVITE'),
        _traced('sent', 'SIP/2.0 200 OK', 'c', '1 INVITE'),
        _traced('sent', 'SIP/2.0 200 OK', 'probe', '10 OPTIONS'),
        _traced('sent', 'SIP/2.0 200 OK', 'probe', '10 OPTIONS'),
    ]))
    assert retransmissions_per_call(trace) == {'a': 1, 'b': 2, 'c': 0}


@pytest.fixture
def carrier(bed, parties):
    """The primary Telnyx stand-in answering every call of the load."""
    return parties.uas('carrier1', CARRIER1, CARRIER_PORT)


def test_cfg_change_under_load_restarts_through_the_role_handler(bed, first_run, carrier):
    pid, cfg, events = bed.main_pid(), (bed.config_dir / 'kamailio.cfg').read_bytes(), len(bed.journal())
    prober = Prober(bed.trunk_port(0))
    load = TracedLoad(bed, 'cfg-change')
    try:
        time.sleep(1)
        started = time.monotonic()
        proc = bed.render(byoc_trunks=TRUNKS + [NEW_TRUNK])
        role_seconds = time.monotonic() - started
        in_load = load.proc.poll() is None
        figures = load.finish()
    finally:
        stop_pid(load.proc)
        prober.stop()
    assert proc.returncode == 0, proc.stdout[-4000:]
    bed.trunks = TRUNKS + [NEW_TRUNK]
    assert in_load, 'the load ended before the role did'
    assert (bed.config_dir / 'kamailio.cfg').read_bytes() != cfg
    assert _task_status(proc, 'Install the validated kamailio.cfg') == 'changed'
    assert _handler_ran(proc, 'Restart kamailio') and _handler_ran(proc, 'Check that Kamailio answers after the restart')
    assert _task_status(proc, 'Reload the dispatcher list', kind='RUNNING HANDLER') == 'skipping'  # the restart supersedes it
    new_pid = bed.main_pid()
    assert new_pid and new_pid != pid and not pid_alive(pid)
    assert [(e, p) for _t, _u, e, p in bed.journal()[events:]] == [('stopping', pid), ('stopped', pid), ('starting', 0), ('started', new_pid)]
    stamps = {e: t / 1e9 for t, _u, e, _p in bed.journal()[events:]}  # CLOCK_MONOTONIC, as time.monotonic()
    gap = prober.silence_during(stamps['stopping'], stamps['started'])
    carrier_side = retransmissions_per_call(carrier.trace)  # Telnyx's side: e.g. a 200 OK repeated for an ACK lost in the gap
    figures.update(role_seconds=round(role_seconds, 2), restart_gap_ms=round(gap * 1000),
                   systemctl_restart_ms=round((stamps['started'] - stamps['stopping']) * 1000), old_pid=pid, new_pid=new_pid,
                   carrier_calls_traced=len(carrier_side), carrier_retransmissions=sum(carrier_side.values()),
                   carrier_max_retransmissions_per_call=max(carrier_side.values()) if carrier_side else 0)
    FIGURES['cfg-change'] = figures
    print('cfg change through the role handler under load: %s' % json.dumps(figures, sort_keys=True))
    assert bed.kamailio.rpc_ok('core.version') and 'acme-prefix' in (bed.config_dir / 'kamailio.cfg').read_text()
    # the new Kamailio (the PID in the PIDFile) is the one on both trunks' ports, the new trunk's included
    assert owns_socket(new_pid, 'udp', CC, bed.trunk_port(0)) and owns_socket(new_pid, 'udp', CC, bed.trunk_port(1))
    assert figures['attempted'] >= RATE * MIN_LOAD_SECONDS // 2 and figures['calls_traced'] == figures['attempted'], figures
    assert figures['failed'] <= MAX_FAILED_CALLS and figures['succeeded'] == figures['attempted'], figures
    assert figures['max_retransmissions_per_call'] <= MAX_RETRANSMISSIONS_PER_CALL, figures
    assert figures['carrier_calls_traced'] >= figures['succeeded'], figures
    assert figures['carrier_max_retransmissions_per_call'] <= MAX_RETRANSMISSIONS_PER_CALL, figures
    # the probes saw the restart (at least one probe went unanswered: answered ones are PROBE_MS apart), and it was
    # shorter than sipp's T1
    assert 1.5 * PROBE_MS < figures['restart_gap_ms'] < MAX_RESTART_GAP_MS, figures
    assert len(carrier.requests('INVITE')) >= figures['succeeded']


def test_a_cfg_kamailio_rejects_leaves_the_running_kamailio_alone(bed, first_run):
    pid, cfg, events = bed.main_pid(), (bed.config_dir / 'kamailio.cfg').read_bytes(), len(bed.journal())
    assert pid
    proc = bed.render(sbc_kamailio_mpath='/nonexistent/kamailio/modules')
    assert proc.returncode != 0
    assert 'sbc role: kamailio -c rejected the generated configuration' in proc.stdout and 'kamailio.cfg was not replaced' in proc.stdout
    assert _task_status(proc, 'Install the validated kamailio.cfg') is None and not _handler_ran(proc, 'Restart kamailio')
    assert (bed.config_dir / 'kamailio.cfg').read_bytes() == cfg
    assert bed.main_pid() == pid and len(bed.journal()) == events and bed.kamailio.rpc_ok('core.version')


def test_the_stand_in_reloads_stops_and_starts_like_systemctl(bed, first_run):
    pid = bed.main_pid()
    reload = bed.systemctl('reload', 'kamailio')  # Debian's unit has no ExecReload
    assert reload.returncode == 1 and reload.stderr == (
        'Failed to reload kamailio.service: Job type reload is not applicable for unit kamailio.service.\n')
    assert bed.main_pid() == pid
    assert bed.systemctl('stop', 'kamailio').returncode == 0
    assert bed.main_pid() == 0 and not pid_alive(pid)
    assert not bed.run_dir.exists()
    inactive = bed.systemctl('is-active', 'kamailio')
    assert (inactive.returncode, inactive.stdout) == (3, 'inactive\n')
    assert bed.systemctl('status', 'kamailio').returncode == 3
    assert bed.systemctl('start', 'kamailio').returncode == 0
    assert wait_for(lambda: bed.kamailio.rpc_ok('core.version'), 10) and bed.main_pid() not in (0, pid)

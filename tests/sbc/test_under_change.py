# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The SBC under change: the role re-configures a Kamailio while sipp places 5 calls/s for 20 s.

A list change is hot-reloaded (same PID, 0 failed calls). A broken input fails the role and leaves the running
Kamailio alone. Figures go to <OUT>/sbc-under-change.json. A kamailio.cfg change needs a restart: that runs
through the role's own restart handler, under call load, in test_service.py (sbc_manage_service: true); no test
here restarts Kamailio in the role's place.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import (CALLER_PORT, CARRIER1, CARRIER2, CARRIER_PORT, CC, MEDIA_PORT, REPO, SBC_PORT, SCENARIOS, TOKEN, ip_trunk, make_bed, serve,
                      stop_pid)

TRUNKS = [ip_trunk('acme-token', SBC_PORT, ip_auth_method='token', token=TOKEN)]
NEW_CARRIER = '127.0.0.4'
RATE, SECONDS = 5, 20
CALLS = RATE * SECONDS
MAX_SECONDS = 90
MAX_CALLS = RATE * MAX_SECONDS
FIGURES = {}


@pytest.fixture(scope='module')
def bed(tmp_path_factory):
    yield from serve(make_bed(tmp_path_factory, 'under-change', TRUNKS))
    out = Path(os.environ.get('OUT') or REPO / 'tests' / 'output')
    out.mkdir(parents=True, exist_ok=True)
    (out / 'sbc-under-change.json').write_text(json.dumps({'rate_cps': RATE, 'seconds': SECONDS, 'cases': FIGURES}, indent=2) + '\n')


def _carriers(*addresses):
    return [{'address': a, 'port': CARRIER_PORT} for a in addresses]


class Load:
    """sipp placing short calls at RATE calls/s through trunk 0 for at least SECONDS s; stopped by PID.

    The role alone can take 20 s on a busy machine, so the load runs until the change is done and 2 s more
    (at least SECONDS s), then sipp is asked to stop (SIGUSR1: no new call, the running ones finish).
    """

    def __init__(self, bed, name):
        self.stats = bed.workdir / ('%s-stats.csv' % name)
        self.out = bed.workdir / ('%s-load.out' % name)
        cmd = ['sipp', '%s:%d' % (CC, bed.trunk_port(0)), '-sf', str(SCENARIOS / 'uac_cc.xml'), '-s', '+18005551234',
               '-i', CC, '-p', str(CALLER_PORT), '-mi', CC, '-mp', str(MEDIA_PORT + 1), '-t', 'u1', '-r', str(RATE), '-rp', '1000',
               '-m', str(MAX_CALLS), '-l', str(MAX_CALLS), '-recv_timeout', '10000', '-timeout', '%ds' % MAX_SECONDS,
               '-nostdin', '-trace_stat', '-stf', str(self.stats), '-fd', '1']
        with open(self.out, 'w') as fh:
            self.proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, cwd=str(bed.workdir))
        self.started = time.monotonic()

    def running(self):
        return self.proc.poll() is None

    def finish(self):
        """Let the load run SECONDS s + 1 (and 2 s past now), stop it, return the figures of sipp's last statistics line."""
        time.sleep(max(2.0, SECONDS + 1 - (time.monotonic() - self.started)))
        stop_pid(self.proc, first=signal.SIGUSR1, grace=15.0)
        with open(self.stats) as fh:
            last = list(csv.DictReader(fh, delimiter=';'))[-1]
        return {'attempted': int(last['TotalCallCreated']), 'succeeded': int(last['SuccessfulCall(C)']),
                'failed': int(last['FailedCall(C)']), 'retransmissions': int(last['Retransmissions(C)']),
                'load_seconds': round(time.monotonic() - self.started, 1)}


@pytest.fixture
def carrier(bed, parties):
    """The primary Telnyx stand-in answering every call of the load."""
    return parties.uas('carrier1', CARRIER1, CARRIER_PORT)


def _under_load(bed, name, change):
    """Start the load, run change() 1 s in (it returns extra figures), wait for the load; record the figures."""
    pid = bed.kamailio.pid
    load = Load(bed, name)
    try:
        time.sleep(1)
        extra = change(load)
        figures = dict(load.finish(), **extra)
    finally:
        stop_pid(load.proc)
    figures['same_pid'] = bed.kamailio.pid == pid
    FIGURES[name] = figures
    return figures


def test_list_change_under_load_loses_no_call(bed, carrier):
    def change(load):
        start = time.monotonic()
        proc = bed.render(sbc_reload_lists=True, sbc_carrier_addresses=_carriers(CARRIER1, CARRIER2, NEW_CARRIER))
        assert load.running(), 'the role ran longer than the load'
        assert proc.returncode == 0, proc.stdout[-3000:]
        assert 'Reload the dispatcher list' in proc.stdout and 'Reload the permissions list' in proc.stdout
        return {'role_seconds': round(time.monotonic() - start, 2)}

    figures = _under_load(bed, 'list-change', change)
    assert figures['attempted'] >= CALLS and figures['failed'] == 0 and figures['succeeded'] == figures['attempted'], figures
    assert figures['same_pid'] and bed.kamailio.alive()
    assert NEW_CARRIER in bed.kamailio.kamcmd('permissions.addressDump')
    assert len(carrier.requests('INVITE')) >= figures['attempted']


def test_broken_input_under_load_leaves_kamailio_alone(bed, carrier):
    cfg = (bed.config_dir / 'kamailio.cfg').read_bytes()

    def change(load):
        assert load.running()
        proc = bed.render(sbc_reload_lists=True, sbc_carrier_addresses=_carriers(CARRIER1, '127.0.0.300'))
        assert proc.returncode != 0 and "host '127.0.0.300' is not an IP literal" in proc.stdout
        return {}

    figures = _under_load(bed, 'broken-input', change)
    assert figures['attempted'] >= CALLS and figures['failed'] == 0 and figures['succeeded'] == figures['attempted'], figures
    assert figures['same_pid'] and (bed.config_dir / 'kamailio.cfg').read_bytes() == cfg
    assert len(carrier.requests('INVITE')) >= figures['attempted']

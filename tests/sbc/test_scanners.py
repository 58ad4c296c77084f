# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What SIPVicious (svmap, svwar, svcrack) learns from the SBC: a refusal, nothing else. Loopback only, bounded.

SIPVicious sends from 127.0.0.1 whatever -b says in some modes, so this SBC listens on 127.0.0.1 and its PBX is
127.0.0.7: the scanner is an unlisted source."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CARRIER1, CARRIER2, CARRIER_PORT, SBC_PORT, TOKEN, ip_trunk, make_bed, serve

TRUNKS = [ip_trunk('acme-token', SBC_PORT, ip_auth_method='token', token=TOKEN)]
SCANNER = '127.0.0.1'
PBX = '127.0.0.7'
TOOLS = Path(sys.executable).parent

pytestmark = pytest.mark.skipif(not (TOOLS / 'sipvicious_svmap').exists(), reason='sipvicious is needed (requirements-dev.txt)')


@pytest.fixture(scope='module')
def bed(tmp_path_factory):
    yield from serve(make_bed(tmp_path_factory, 'scanners', TRUNKS, sbc_pbx_address=PBX, sbc_ban_threshold=16, sbc_ban_window=2,
                              sbc_carrier_addresses=[{'address': a, 'port': CARRIER_PORT} for a in (CARRIER1, CARRIER2)]))


def _run(bed, tool, *args):
    """Run one SIPVicious tool against the SBC on loopback, bounded in time; return its output."""
    home = bed.workdir / 'sipvicious-home'
    home.mkdir(exist_ok=True)
    cmd = [str(TOOLS / tool)] + list(args) + ['-b', SCANNER, '-x', SCANNER, '-p', str(SBC_PORT), SCANNER]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=90, check=False, cwd=str(home),
                          env=dict(os.environ, HOME=str(home)))
    out = proc.stdout + proc.stderr
    (bed.workdir / ('%s.out' % tool)).write_text(' '.join(cmd) + '\n' + out)
    return out


def _rows(output):
    """Data rows of SIPVicious' result table ('| a | b |' lines other than the header)."""
    return [line for line in output.splitlines()
            if line.startswith('|') and not re.search(r'SIP Device|Extension|Authentication', line)]


def _leaks(output):
    # what Kamailio's own signature says: 'kamailio (5.6.3 (x86_64/linux))'
    return re.search(r'kamailio|\b5\.6\.\d|x86_64/linux', output, flags=re.I)


def test_svmap_sees_a_refusal_without_software_or_version(bed):
    out = _run(bed, 'sipvicious_svmap', '-t', '0.2')
    assert bed.log_lines(r'rejecting OPTIONS from unlisted source %s' % re.escape(SCANNER)), out
    assert not _leaks(out), out


def test_svwar_and_svcrack_find_nothing_and_the_scanner_is_banned(bed):
    war = _run(bed, 'sipvicious_svwar', '-e100-119', '-m', 'REGISTER', '--maximumtime', '20')
    crack = _run(bed, 'sipvicious_svcrack', '-u', '100', '-r', '1000-1019', '--maximumtime', '20')
    # forced past the first 403: 200 extensions in a burst get the scanner banned
    forced = _run(bed, 'sipvicious_svwar', '-e100-299', '-m', 'INVITE', '--force', '--maximumtime', '20')
    for out in (war, crack, forced):
        assert not _rows(out), out
        assert not _leaks(out), out
    assert bed.log_lines(r'rejecting (REGISTER|INVITE) from unlisted source %s' % re.escape(SCANNER))
    assert bed.log_lines(r'SBC: banning %s ' % re.escape(SCANNER))
    # the PBX stand-in's address never saw a request (nothing was relayed anywhere)
    assert not bed.log_lines(r'inbound INVITE|outbound INVITE')


def test_svmap_gets_nothing_once_banned(bed):
    # the banned scanner is answered by silence only: svmap lists no device
    out = _run(bed, 'sipvicious_svmap', '-t', '0.2')
    assert not _rows(out) and not _leaks(out), out

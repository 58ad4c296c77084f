# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The SBC under abuse that is not a SIP flood: thousands of idle TCP connections from one address, and SIP
mutated by zzuf. Kamailio stays up (same PID) and TLS trunk calls go on. Everything on 127.0.0.0/8."""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import time

import pytest

from conftest import CARRIER1, CARRIER2, CARRIER_TLS_PORT, CC, MEDIA_PORT, PBX_PORT, SBC_PORT, TOKEN, ip_trunk, serve, tls_bed, wait_for
from siptools import Endpoint, TlsCarrier, request, sdp

TRUNKS = [
    ip_trunk('acme-tls', SBC_PORT, ip_auth_method='token', token=TOKEN, inbound={'transport': 'TLS'}),
    ip_trunk('acme-tcp', SBC_PORT + 2, ip_auth_method='token', token=TOKEN, inbound={'transport': 'TCP'}),
]
IDLER = '127.0.0.21'
IDLE_TCP, IDLE_TLS = 2100, 1100          # idle connections to the TCP trunk's port and to the TLS port
MAX_ALL, MAX_TLS = 2048, 1024            # the role's defaults (sbc_tcp_max_connections, sbc_tls_max_connections)
# zzuf flips this share of the bits: 0.01 breaks most messages somewhere, 0.001 leaves many parseable
ZZUF_SEEDS, ZZUF_RATIOS = range(150), (0.01, 0.001)

pytestmark = pytest.mark.skipif(not shutil.which('openssl'), reason='openssl is needed to make a test certificate')


@pytest.fixture(scope='module')
def bed(tmp_path_factory):
    yield from serve(tls_bed(tmp_path_factory, 'robustness', TRUNKS))


@pytest.fixture(scope='module')
def carrier(bed):
    """Telnyx on TLS (answers INVITEs with 200 and SDP), its connection from the SBC verified and in use."""
    tls = TlsCarrier(CARRIER1, CARRIER_TLS_PORT, str(bed.cert), str(bed.key), media_port=MEDIA_PORT + 2)
    try:
        assert wait_for(lambda: bed.log_lines(r'TLS connection \d+ to %s:%d verified' % (CARRIER1, CARRIER_TLS_PORT)), 15)
        assert wait_for(lambda: bed.kamailio.dispatcher_flags(10).get('sip:%s:%d;transport=tls' % (CARRIER1, CARRIER_TLS_PORT), '')
                        .startswith('A'), 15)
        yield tls
    finally:
        tls.stop()


def _tcp_info(bed):
    return {k: int(v) for k, v in re.findall(r'(\w+): (\d+)', bed.kamailio.kamcmd('core.tcp_info'))}


def _open_idle(port, count):
    """count TCP connections from IDLER to the SBC's port that never send anything."""
    socks = []
    for _i in range(count):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        socks.append(sock)
        sock.bind((IDLER, 0))
        sock.settimeout(5)
        sock.connect((CC, port))
    return socks


def _closed_by_peer(sock):
    sock.settimeout(0)
    try:
        return sock.recv(1) == b''
    except BlockingIOError:
        return False
    except OSError:
        return True


def _tls_calls(bed, parties, carrier, name, calls=5):
    def byes():
        return len([r for r in carrier.requests if r.startswith('BYE ')])
    invites, bye_count = len(carrier.invites()), byes()
    rc, _replies = parties.uac(name, '+18005551234', bed.trunk_port(0), calls=calls, rate=5)
    return rc, len(carrier.invites()) - invites, byes() - bye_count


def test_idle_connections_leave_tls_trunk_calls_working(bed, parties, carrier):
    pid = bed.kamailio.pid
    idle_tls, idle_tcp = [], []
    try:
        idle_tls = _open_idle(bed.trunk_port(0) + 1, IDLE_TLS)
        idle_tcp = _open_idle(bed.trunk_port(1), IDLE_TCP)
        full = wait_for(lambda: _tcp_info(bed).get('opened_connections', 0) >= MAX_ALL, 15)
        info = _tcp_info(bed)
        rc, invites, byes = _tls_calls(bed, parties, carrier, 'tls-during-idle')
        # the idle connections Kamailio accepted were still held when the calls were done
        still_open = sum(1 for s in idle_tls + idle_tcp if not _closed_by_peer(s))
    finally:
        for sock in idle_tls + idle_tcp:
            sock.close()
    figures = {'idle_connections': len(idle_tls) + len(idle_tcp), 'kamailio_opened': info.get('opened_connections'),
               'kamailio_opened_tls': info.get('opened_tls_connections'), 'tls_calls': 5, 'tls_calls_ok': byes,
               'idle_still_open_after_calls': still_open}
    (bed.workdir / 'idle-figures.json').write_text(json.dumps(figures))
    print('idle connection figures: %s' % figures)
    # the flood reached Kamailio's caps (it refused the rest) ...
    assert full and info['opened_connections'] == MAX_ALL, info
    assert info['opened_tls_connections'] <= MAX_TLS, info
    assert bed.log_lines(r'maximum number of (tls )?connections exceeded')
    # ... and every TLS trunk call went on over the verified connection to Telnyx
    assert (rc, invites, byes) == (0, 5, 5), figures
    # (every connection Kamailio held but its own to Telnyx)
    assert still_open == MAX_ALL - 1, figures
    assert bed.kamailio.alive() and bed.kamailio.pid == pid


def _zzuf(text, seed, ratio):
    proc = subprocess.run([shutil.which('zzuf'), '-s', str(seed), '-r', str(ratio)], input=text.encode(), capture_output=True,
                          timeout=10, check=True)
    return proc.stdout


def _seed_message(seed, source, sbc):
    """An INVITE with SDP (even seeds) or an OPTIONS (odd seeds) with its own Call-ID and branch, before mutation."""
    call_id = 'zzuf-%d-%s' % (seed, source[0])
    if seed % 2:
        return request('OPTIONS', 'sip:%s:%d' % sbc, source, sbc, call_id=call_id)
    return request('INVITE', 'sip:+1800555%04d@%s:%d' % ((seed,) + sbc), source, sbc, call_id=call_id, body=sdp(source[0], 6090))


@pytest.mark.skipif(not shutil.which('zzuf'), reason='zzuf is needed (scripts/setup installs it)')
def test_zzuf_mutated_sip_leaves_kamailio_up_and_calls_working(bed, parties, carrier):
    pid = bed.kamailio.pid
    sent = changed = 0
    replies = {}
    # the fuzz comes from Telnyx's and the PBX's addresses: they get past the source check to the parser and routing.
    # Telnyx's goes to the TLS trunk's port (toward the PBX), the PBX's to the TCP trunk's (toward a Telnyx address that
    # refuses TCP), so the verified TLS connection carries only the legitimate calls after
    with Endpoint(CARRIER2, SBC_PORT + 15) as telnyx, Endpoint(CC, SBC_PORT + 16) as pbx, Endpoint(CC, PBX_PORT):
        for ratio in ZZUF_RATIOS:
            before = len(telnyx.replies()) + len(pbx.replies())
            for seed in ZZUF_SEEDS:
                for sender, sbc in ((telnyx, (CC, bed.trunk_port(0))), (pbx, (CC, bed.trunk_port(1)))):
                    original = _seed_message(seed, sender.address, sbc)
                    mutated = _zzuf(original, seed, ratio)
                    changed += mutated != original.encode()
                    sender.send(mutated, sbc)
                    sent += 1
                    time.sleep(0.005)
            time.sleep(3)
            replies[str(ratio)] = len(telnyx.replies()) + len(pbx.replies()) - before
    alive_after = bed.kamailio.alive() and bed.kamailio.pid == pid and bed.kamailio.rpc_ok('core.version')
    # legitimate calls afterwards: TLS trunk calls out, and calls from Telnyx in to the PBX
    pbx_uas = parties.uas('pbx', CC, PBX_PORT, media_port=MEDIA_PORT + 11)
    assert wait_for(lambda: bed.kamailio.dispatcher_flags(1).get('sip:%s:%d' % (CC, PBX_PORT), '').startswith('A'), 15)
    rc_out, invites, byes = _tls_calls(bed, parties, carrier, 'tls-after-zzuf')
    rc_in, _r = parties.uac('in-after-zzuf', '+15551230000', bed.trunk_port(0), ip=CARRIER1, port=SBC_PORT + 30, media_port=MEDIA_PORT + 12,
                            calls=5, rate=5)
    figures = {'zzuf_seeds': '%d-%d' % (ZZUF_SEEDS[0], ZZUF_SEEDS[-1]), 'zzuf_ratios': ZZUF_RATIOS, 'mutated_sent': sent,
               'changed_by_zzuf': changed, 'replies_per_ratio': replies, 'same_pid': alive_after, 'calls_out_ok': byes,
               'calls_in_ok': len(pbx_uas.requests('BYE'))}
    (bed.workdir / 'zzuf-figures.json').write_text(json.dumps(figures))
    print('zzuf figures: %s' % figures)
    assert sent == 2 * len(ZZUF_SEEDS) * len(ZZUF_RATIOS) and changed >= sent * 0.8, figures
    assert alive_after, figures
    assert (rc_out, invites, byes) == (0, 5, 5), figures
    assert rc_in == 0 and figures['calls_in_ok'] == 5, figures

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The SBC on the internet (issue #11): no open relay, no software identification, strangers banned when they
flood while calls go on, oversized messages refused, outbound call rate capped. Everything on 127.0.0.0/8."""

from __future__ import annotations

import json
import threading
import time

import pytest

from conftest import CARRIER1, CARRIER2, CARRIER_PORT, CC, MEDIA_PORT, PBX_PORT, SBC_PORT, STRANGER, TECH_PREFIX, TOKEN, ip_trunk, make_bed, serve, wait_for
from siptools import Endpoint, request, sdp, status

TRUNKS = [
    ip_trunk('acme-token', SBC_PORT, ip_auth_method='token', token=TOKEN),
    ip_trunk('acme-prefix', SBC_PORT + 2, ip_auth_method='tech_prefix', tech_prefix=TECH_PREFIX),
]
CPS_LIMIT = 4
BAN = {'sbc_ban_threshold': 16, 'sbc_ban_window': 2, 'sbc_ban_time': 60}
OTHER_HOST = ('127.0.0.5', SBC_PORT + 39)  # an unrelated host an attacker would like the SBC to call
FLOODER, SCANNER = '127.0.0.21', '127.0.0.22'


@pytest.fixture(scope='module')
def bed(tmp_path_factory):
    yield from serve(make_bed(tmp_path_factory, 'security', TRUNKS, sbc_probing_mode=1, sbc_carrier_cps_limit=CPS_LIMIT, **BAN))


def _sbc(bed, trunk=0):
    return (CC, bed.trunk_port(trunk))


SOURCES = {'stranger': (STRANGER, SBC_PORT + 35), 'telnyx-address': (CARRIER2, SBC_PORT + 36), 'pbx': (CC, SBC_PORT + 37)}
TARGETS = {'pbx': 'sip:+15551230000@%s:%d' % (CC, PBX_PORT),
           'telnyx': 'sip:%s18005551234@%s:%d' % (TECH_PREFIX, CARRIER1, CARRIER_PORT),
           'other-host': 'sip:+18005551234@%s:%d' % OTHER_HOST}


@pytest.mark.parametrize('signature', ['none', 'forged'])
@pytest.mark.parametrize('target', sorted(TARGETS))
@pytest.mark.parametrize('source', sorted(SOURCES))
def test_forged_in_dialog_invite_is_not_relayed(bed, source, target, signature):
    """A forged To-tag and a Route naming the SBC (unsigned or with a made-up signature) relay nothing."""
    route = '<sip:%s:%d;lr%s>' % (CC, bed.trunk_port(1), ';byoc=0123456789abcdef0123456789abcdef' if signature == 'forged' else '')
    listeners = [Endpoint(CC, PBX_PORT), Endpoint(CARRIER1, CARRIER_PORT), Endpoint(*OTHER_HOST)]
    try:
        with Endpoint(*SOURCES[source]) as attacker:
            attacker.send(request('INVITE', TARGETS[target], attacker.address, _sbc(bed, 1), to_tag='forged-to-tag',
                                  route=route, body=sdp(attacker.address[0], 6090)), _sbc(bed, 1))
            final = attacker.wait(r'^SIP/2\.0 [3-6]\d\d', 3)
            time.sleep(0.5)
        # every source is refused with a final answer (a stranger's 403 carries nothing else)
        assert final and status(final[0]) == 403, attacker.received
        for listener in listeners:
            assert not [m for _t, _p, m in listener.received if m.startswith('INVITE ')], 'relayed to %s' % (listener.address,)
    finally:
        for listener in listeners:
            listener.close()


def test_initial_request_with_a_route_is_refused(bed):
    """A preloaded Route (no To-tag) from the PBX's address does not make the SBC go where it says."""
    with Endpoint(*OTHER_HOST) as other, Endpoint(CC, SBC_PORT + 38) as pbx:
        pbx.send(request('INVITE', 'sip:+18005551234@%s:%d' % (CC, bed.trunk_port(0)), pbx.address, _sbc(bed),
                         route='<sip:%s:%d;lr>' % OTHER_HOST, body=sdp(CC, 6090)), _sbc(bed))
        final = pbx.wait(r'^SIP/2\.0 [3-6]\d\d', 3)
        time.sleep(0.3)
    assert final and status(final[0]) == 403
    assert not other.received


def _identifies(message):
    lowered = message.lower()
    heads = message.split('\r\n\r\n', 1)[0].splitlines()
    names = {h.split(':', 1)[0].strip().lower() for h in heads[1:] if ':' in h}
    return 'kamailio' in lowered or bool(names & {'server', 'user-agent', 'warning'})


def test_scanner_learns_no_software_or_version(bed, parties):
    with Endpoint(SCANNER, SBC_PORT + 34) as scanner:
        for method in ('OPTIONS', 'REGISTER', 'INVITE'):
            scanner.send(request(method, 'sip:100@%s:%d' % _sbc(bed), scanner.address, _sbc(bed)), _sbc(bed))
        replies = scanner.wait(r'^SIP/2\.0 403', 3)
        time.sleep(0.3)
    assert len(scanner.replies()) == 3 and all(status(r) == 403 for r in scanner.replies()), scanner.received
    assert not [r for r in scanner.replies() if _identifies(r)], replies
    # a listed party sees no identification either: the keepalive answer and the SBC's own OPTIONS probes
    carrier = Endpoint(CARRIER1, CARRIER_PORT)
    try:
        with Endpoint(CARRIER2, SBC_PORT + 33) as telnyx:
            telnyx.send(request('OPTIONS', 'sip:%s:%d' % _sbc(bed), telnyx.address, _sbc(bed)), _sbc(bed))
            keepalive = telnyx.wait(r'^SIP/2\.0 200', 3)
        probes = wait_for(lambda: [m for _t, _p, m in carrier.received if m.startswith('OPTIONS ')], 5)
    finally:
        carrier.close()
    assert keepalive and not _identifies(keepalive[0])
    assert probes and not [p for p in probes if _identifies(p)]


def test_oversized_message_is_refused(bed):
    with Endpoint(CARRIER2, SBC_PORT + 32) as telnyx:
        telnyx.send(request('OPTIONS', 'sip:%s:%d' % _sbc(bed), telnyx.address, _sbc(bed), extra=['X-Pad: ' + 'a' * 9000]),
                    _sbc(bed))
        replies = telnyx.wait(r'^SIP/2\.0 ', 3)
    assert replies and status(replies[0]) == 513


def test_flood_is_cut_off_while_calls_go_on(bed, parties):
    carrier = parties.uas('carrier1', CARRIER1, CARRIER_PORT)
    pbx = parties.uas('pbx', CC, PBX_PORT, media_port=MEDIA_PORT + 11)
    carrier_uri = 'sip:%s:%d;transport=udp' % (CARRIER1, CARRIER_PORT)
    assert wait_for(lambda: bed.kamailio.dispatcher_flags(10).get(carrier_uri, '').startswith('A'), 10)
    sent, figures = [], {}
    flooder = Endpoint(FLOODER, SBC_PORT + 31)

    def flood(count=1500, seconds=3.0):
        start = time.monotonic()
        for i in range(count):
            flooder.send(request('OPTIONS', 'sip:%d@%s:%d' % (i, CC, bed.trunk_port(0)), flooder.address, _sbc(bed)), _sbc(bed))
            sent.append(time.monotonic())
            # spread over `seconds`, never longer (bounded in count and time)
            ahead = start + seconds * (i + 1) / count - time.monotonic()
            if ahead > 0:
                time.sleep(ahead)

    thread = threading.Thread(target=flood, daemon=True)
    try:
        thread.start()
        out_rc, _r = parties.uac('out-during', '+18005551234', bed.trunk_port(0), calls=5, rate=2)
        in_rc, _r = parties.uac('in-during', '+15551230000', bed.trunk_port(0), ip=CARRIER1, port=SBC_PORT + 30, media_port=MEDIA_PORT + 12,
                                calls=5, rate=2)
        thread.join(10)
        time.sleep(0.5)
        answered = len(flooder.replies())
        # after the cut-off: another 100 requests from the banned address get no answer at all
        for i in range(100):
            flooder.send(request('OPTIONS', 'sip:late%d@%s:%d' % (i, CC, bed.trunk_port(0)), flooder.address, _sbc(bed)), _sbc(bed))
        time.sleep(1.0)
        late = len(flooder.replies()) - answered
    finally:
        flooder.close()
    out_after, _r = parties.uac('out-after', '+18005551234', bed.trunk_port(0), calls=5, rate=2)
    in_after, _r = parties.uac('in-after', '+15551230000', bed.trunk_port(0), ip=CARRIER1, port=SBC_PORT + 30, media_port=MEDIA_PORT + 12,
                               calls=5, rate=2)
    figures = {'flood_sent': len(sent), 'flood_seconds': round(sent[-1] - sent[0], 2), 'answered_before_cutoff': answered,
               'answered_after_ban': late, 'calls_out_ok': len(carrier.requests('BYE')), 'calls_in_ok': len(pbx.requests('BYE'))}
    (bed.workdir / 'flood-figures.json').write_text(json.dumps(figures))
    print('flood figures: %s' % figures)
    assert len(sent) >= 1500 and figures['flood_seconds'] <= 5
    assert 1 <= answered <= 2 * BAN['sbc_ban_threshold'] + 4, figures
    assert late == 0, figures
    assert bed.log_lines(r'SBC: banning %s ' % FLOODER)
    assert (out_rc, in_rc, out_after, in_after) == (0, 0, 0, 0), figures
    assert figures['calls_out_ok'] == 10 and figures['calls_in_ok'] == 10, figures


def test_outbound_call_rate_is_capped(bed, parties):
    """A burst of 12 INVITEs from the PBX within a fraction of a second: at most the limit per second go to Telnyx."""
    carrier = parties.uas('carrier1', CARRIER1, CARRIER_PORT)
    carrier_uri = 'sip:%s:%d;transport=udp' % (CARRIER1, CARRIER_PORT)
    assert wait_for(lambda: bed.kamailio.dispatcher_flags(10).get(carrier_uri, '').startswith('A'), 10)
    with Endpoint(CC, SBC_PORT + 29) as pbx:
        for i in range(12):
            pbx.send(request('INVITE', 'sip:+1800555%04d@%s:%d' % (i, CC, bed.trunk_port(0)), pbx.address, _sbc(bed),
                             body=sdp(CC, 6090)), _sbc(bed))
        refused = wait_for(lambda: len(pbx.replies(r'^SIP/2\.0 503 Call Rate Limit')) >= 12 - 2 * CPS_LIMIT, 5)
        time.sleep(0.5)
        relayed = {m.split('Call-ID:', 1)[1].split('\n', 1)[0].strip() for m in carrier.requests('INVITE')}
    # the burst can straddle a second boundary: at most two windows' worth
    assert CPS_LIMIT <= len(relayed) <= 2 * CPS_LIMIT, relayed
    assert refused and len(pbx.replies(r'^SIP/2\.0 503 Call Rate Limit')) == 12 - len(relayed)

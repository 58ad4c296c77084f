# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sbc_rtpengine: media anchored by rtpengine (started from the role's rtpengine.conf), RTP or SRTP toward
the carrier per trunk, RFC 2833 events relayed; checked on the wire with tcpdump on lo."""

from __future__ import annotations

import re
import shutil
import signal
import socket
import struct
import subprocess
import time
from pathlib import Path

import pytest

from conftest import (CARRIER1, CARRIER_PORT, CARRIER_TLS_PORT, CC, MEDIA_PORT, PBX_PORT, RTP_PORTS, RTPE_NG_PORT, SBC_PORT, TOKEN, ip_trunk,
                      serve_with_rtpengine, stop_pid, tls_bed, wait_for)

from siptools import Endpoint, TlsCarrier, reply, request, sdp

TRUNKS = [
    ip_trunk('acme-rtp', SBC_PORT, ip_auth_method='token', token=TOKEN),
    # SRTP only over TLS (the SDES keys travel in the SIP body)
    ip_trunk('acme-srtp', SBC_PORT + 2, ip_auth_method='token', token=TOKEN,
             inbound={'transport': 'TLS', 'encrypted_media': 'SRTP'}, outbound={'encrypted_media': 'SRTP'}),
]
CC_MEDIA, CARRIER_MEDIA = MEDIA_PORT + 1, MEDIA_PORT + 2
SRTP_TAG = 10  # AES_CM_128_HMAC_SHA1_80 adds an 80-bit authentication tag to every packet

pytestmark = pytest.mark.skipif(not (shutil.which('rtpengine') and shutil.which('tcpdump')),
                                reason='rtpengine and tcpdump are needed (scripts/setup installs them)')


@pytest.fixture(scope='module')
def bed(tmp_path_factory):
    yield from serve_with_rtpengine(tls_bed(tmp_path_factory, 'media', TRUNKS, rtpengine=True))


def read_pcap(path):
    """(src, sport, dst, dport, payload) of every IPv4 UDP packet in a pcap file."""
    data = Path(path).read_bytes()
    if len(data) < 24:
        return []
    endian = '<' if data[:4] in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1') else '>'
    link_header = {0: 4, 1: 14, 113: 16, 276: 20}[struct.unpack(endian + 'I', data[20:24])[0]]
    pos, packets = 24, []
    while pos + 16 <= len(data):
        length = struct.unpack(endian + 'I', data[pos + 8:pos + 12])[0]
        ip = data[pos + 16 + link_header:pos + 16 + length]
        pos += 16 + length
        if len(ip) < 28 or ip[0] >> 4 != 4 or ip[9] != 17:
            continue
        ihl = (ip[0] & 15) * 4
        sport, dport = struct.unpack('!HH', ip[ihl:ihl + 4])
        packets.append((socket.inet_ntoa(ip[12:16]), sport, socket.inet_ntoa(ip[16:20]), dport, ip[ihl + 8:]))
    return packets


def _capture(workdir, name):
    pcap, log = workdir / ('%s.pcap' % name), workdir / ('%s-tcpdump.log' % name)
    with open(log, 'w') as fh:
        proc = subprocess.Popen([shutil.which('tcpdump'), '-i', 'lo', '-nn', '-U', '-w', str(pcap),
                                 'udp and (portrange %d-%d or port %d or port %d)' % (RTP_PORTS + (CC_MEDIA, CARRIER_MEDIA))],
                                stdout=fh, stderr=subprocess.STDOUT)
    wait_for(lambda: 'listening on' in log.read_text(), 10)
    return proc, pcap


def _relayed(port):
    return RTP_PORTS[0] <= port <= RTP_PORTS[1]


def _formats(sdp_text):
    m = re.search(r'^m=audio \d+ RTP/S?AVP ([0-9 ]+?)\r?$', sdp_text, flags=re.M)
    return m.group(1).split() if m else None


@pytest.mark.parametrize('trunk,srtp', [(0, False), (1, True)], ids=['rtp', 'srtp'])
def test_media_and_dtmf_flow_through_rtpengine(bed, parties, trunk, srtp):
    tcpdump, pcap = _capture(bed.workdir, TRUNKS[trunk]['name'])
    tls = None
    try:
        if srtp:
            tls = TlsCarrier(CARRIER1, CARRIER_TLS_PORT, str(bed.cert), str(bed.key), media_port=CARRIER_MEDIA)
            assert wait_for(lambda: bed.log_lines(r'TLS connection \d+ to %s:%d verified' % (CARRIER1, CARRIER_TLS_PORT)), 10)
            assert wait_for(lambda: bed.kamailio.dispatcher_flags(11).get('sip:%s:%d;transport=tls' % (CARRIER1, CARRIER_TLS_PORT), '')
                            .startswith('A'), 10)
        else:
            carrier = parties.uas('carrier1-media', CARRIER1, CARRIER_PORT, media_port=CARRIER_MEDIA, extra=['-rtp_echo'])
        rc, replies = parties.uac('media-call', '+18005551234', bed.trunk_port(trunk), media_port=CC_MEDIA,
                                  extra=['-set', 'media', 'true'])
    finally:
        stop_pid(tcpdump, first=signal.SIGINT)
        if tls:
            tls.stop()
    assert rc == 0
    offer = tls.invites()[0] if srtp else carrier.requests('INVITE')[0]
    answer = [r for r in replies if r.startswith('SIP/2.0 200') and 'm=audio' in r][0]
    # both legs see rtpengine, not each other
    for sdp_text in (offer, answer):
        assert 'c=IN IP4 127.0.0.1' in sdp_text
        assert _relayed(int(re.search(r'^m=audio (\d+)', sdp_text, flags=re.M).group(1)))
    assert ('RTP/SAVP' in offer and 'a=crypto:' in offer) == srtp
    assert 'RTP/AVP ' in answer and 'a=crypto' not in answer
    # the trunk is G.711-only: rtpengine's codec flags keep the caller's G.729 away from Telnyx
    assert _formats(offer) == ['0', '8', '101'] and 'G729' not in offer
    if srtp:
        # a suite every SDES stack decrypts comes first; no AEAD-GCM suite (baresip reads its keys wrongly)
        suites = re.findall(r'^a=crypto:\d+ (\S+) ', offer, flags=re.M)
        assert suites[0] == 'AES_CM_128_HMAC_SHA1_80' and not [x for x in suites if x.startswith('AEAD_')], suites

    packets = read_pcap(pcap)
    from_cc = [p[4] for p in packets if (p[0], p[1]) == (CC, CC_MEDIA) and _relayed(p[3])]
    to_carrier = [p[4] for p in packets if _relayed(p[1]) and (p[2], p[3]) == (CARRIER1, CARRIER_MEDIA)]
    echoed_to_cc = [p[4] for p in packets if _relayed(p[1]) and (p[2], p[3]) == (CC, CC_MEDIA)]
    assert len(from_cc) >= 40, 'the caller sent no audio to rtpengine'
    assert len(to_carrier) == len(from_cc)
    assert len(echoed_to_cc) >= 40, 'no media came back from the carrier through rtpengine'
    dtmf = [p for p in to_carrier if len(p) >= 12 and p[1] & 0x7F == 101]
    assert len(dtmf) >= 10, 'RFC 2833 telephone-event packets did not reach the carrier'
    tag = SRTP_TAG if srtp else 0
    assert sorted({len(p) for p in to_carrier}) == sorted({len(p) + tag for p in from_cc})


def _bencode(value):
    if isinstance(value, dict):
        return b'd' + b''.join(_bencode(k) + _bencode(v) for k, v in sorted(value.items())) + b'e'
    if isinstance(value, int):
        return b'i%de' % value
    value = value.encode()
    return b'%d:%s' % (len(value), value)


def _rtpengine_forgets(call_id):
    """Delete a call in rtpengine through its NG socket: the SBC's rtpengine_answer for it then fails."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(2)
        # at once: rtpengine otherwise keeps a deleted call for delete-delay (30 s) and would still take the answer
        # (a fresh cookie: rtpengine answers a cookie it has seen with its cached reply)
        s.sendto(b'%s ' % call_id[:8].encode() + _bencode({'command': 'delete', 'call-id': call_id, 'delete-delay': 0}),
                 ('127.0.0.1', RTPE_NG_PORT))
        return b'ok' in s.recv(2000)


@pytest.mark.parametrize('answer_in', ['183', '200'])
def test_a_call_whose_answer_rtpengine_refuses_is_refused(bed, answer_in):
    """rtpengine accepts the offer but not the answer: the caller gets 503, the callee a CANCEL (answer in a 183) or an
    ACK and a BYE (answer in the 200); no SDP of the callee reaches the caller."""
    carrier = Endpoint(CARRIER1, CARRIER_PORT, answer_options=True)
    try:
        assert wait_for(lambda: bed.kamailio.dispatcher_flags(10).get('sip:%s:%d;transport=udp' % (CARRIER1, CARRIER_PORT), '')
                        .startswith('A'), 10)
        with Endpoint(CC, SBC_PORT + 25) as caller:
            invite = request('INVITE', 'sip:+18005551234@%s:%d' % (CC, bed.trunk_port(0)), caller.address, (CC, bed.trunk_port(0)),
                             body=sdp(CC, 6090, formats=((8, 'PCMA/8000'),)))
            call_id = re.search(r'^Call-ID: (\S+)', invite, flags=re.M).group(1)
            caller.send(invite, (CC, bed.trunk_port(0)))
            relayed = wait_for(lambda: carrier.requests('INVITE'), 5)
            assert relayed, 'the offer did not reach Telnyx'
            assert _rtpengine_forgets(call_id)
            answer = sdp(CARRIER1, CARRIER_MEDIA, formats=((8, 'PCMA/8000'),))
            contact = ['Contact: <sip:carrier@%s:%d>' % (CARRIER1, CARRIER_PORT)]
            sbc = (CC, bed.trunk_port(0))
            if answer_in == '183':
                carrier.send(reply(relayed[0], '183 Session Progress', contact, answer, to_tag='carrier1'), sbc)
                cancel = wait_for(lambda: carrier.requests('CANCEL'), 5)
                if cancel:
                    carrier.send(reply(cancel[0], '200 OK', to_tag='carrier1'), sbc)
                    carrier.send(reply(relayed[0], '487 Request Terminated', to_tag='carrier1'), sbc)
            else:
                carrier.send(reply(relayed[0], '180 Ringing', contact, to_tag='carrier1'), sbc)
                time.sleep(0.2)
                for _i in range(3):     # a UAS repeats its 200 until the ACK
                    carrier.send(reply(relayed[0], '200 OK', contact, answer, to_tag='carrier1'), sbc)
                    if wait_for(lambda: carrier.requests('ACK'), 0.5):
                        break
                bye = wait_for(lambda: carrier.requests('BYE'), 5)
                if bye:
                    carrier.send(reply(bye[0], '200 OK'), sbc)
            final = caller.wait(r'^SIP/2\.0 [2-6]\d\d', 10)
            time.sleep(0.5)
            everything = [m for _t, _p, m in caller.received]
    finally:
        carrier.close()
    assert final and final[0].startswith('SIP/2.0 503 Media Relay Unavailable'), everything
    assert not [m for m in everything if m.startswith('SIP/2.0 2')], everything
    assert not [m for m in everything if 'c=IN IP4 %s' % CARRIER1 in m], everything
    if answer_in == '183':
        assert len(carrier.requests('CANCEL')) >= 1 and not carrier.requests('BYE')
    else:
        assert carrier.requests('ACK') and carrier.requests('BYE'), carrier.received
        bye = carrier.requests('BYE')[0]
        assert 'tag=carrier1' in bye and re.search(r'^CSeq: 2 BYE', bye, flags=re.M), bye
    assert bed.log_lines(r'rtpengine refused the answer in %s' % answer_in)


def test_calls_are_refused_when_rtpengine_is_down(bed, parties):
    """Last in this module: rtpengine stops; calls either way are refused, none goes on unanchored."""
    stop_pid(bed.rtpengine)
    carrier = parties.uas('carrier1-norelay', CARRIER1, CARRIER_PORT, media_port=CARRIER_MEDIA)
    pbx = parties.uas('pbx-norelay', CC, PBX_PORT, media_port=MEDIA_PORT + 11)
    assert wait_for(lambda: bed.kamailio.dispatcher_flags(10).get('sip:%s:%d;transport=udp' % (CARRIER1, CARRIER_PORT), '')
                    .startswith('A'), 10)
    # the PBX too: its probes went unanswered while no PBX ran (an inactive PBX gets 503 Contact Center Unavailable)
    assert wait_for(lambda: bed.kamailio.dispatcher_flags(1).get('sip:%s:%d' % (CC, PBX_PORT), '').startswith('A'), 10)
    finals = {}
    for direction, source, port in (('outbound', CC, SBC_PORT + 27), ('inbound', CARRIER1, SBC_PORT + 26)):
        with Endpoint(source, port) as caller:
            caller.send(request('INVITE', 'sip:+18005551234@%s:%d' % (CC, bed.trunk_port(0)), caller.address,
                                (CC, bed.trunk_port(0)), body=sdp(source, 6090)), (CC, bed.trunk_port(0)))
            finals[direction] = caller.wait(r'^SIP/2\.0 [3-6]\d\d', 20)
    for direction, final in finals.items():
        assert final and final[0].startswith('SIP/2.0 503 Media Relay Unavailable'), (direction, final)
    assert not carrier.requests('INVITE') and not pbx.requests('INVITE')

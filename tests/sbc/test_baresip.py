# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An SRTP call to a real SIP user agent: baresip plays Telnyx on a TLS + SRTP trunk, the SBC anchors the media in
rtpengine (SDES toward baresip, plain RTP toward the PBX). Both directions must be decryptable: baresip decodes the
caller's audio (its sndfile module writes what it decoded), and rtpengine decrypts baresip's SRTP into plain RTP that
reaches the PBX side (tcpdump on lo). Everything on 127.0.0.0/8, every process stopped by PID."""

from __future__ import annotations

import json
import math
import re
import shutil
import signal
import struct
import subprocess
import wave

import pytest

from conftest import (CARRIER1, CARRIER_PORT, CARRIER_TLS_PORT, CC, MEDIA_PORT, RTP_PORTS, SBC_PORT, TOKEN, UA_RTP_PORTS, ip_trunk,
                      owns_socket, serve_with_rtpengine, stop_pid, tls_bed, wait_for)
from test_media import read_pcap

# baresip plays Telnyx: it listens for SIP on CARRIER_PORT and for TLS on CARRIER_TLS_PORT (the next port)
TRUNKS = [ip_trunk('acme-srtp', SBC_PORT, ip_auth_method='token', token=TOKEN,
                   inbound={'transport': 'TLS', 'encrypted_media': 'SRTP'}, outbound={'encrypted_media': 'SRTP'})]
CC_MEDIA = MEDIA_PORT + 1
NUMBER = '+18005551234'
BARESIP_RTP = UA_RTP_PORTS
TONE_SECONDS = 6

pytestmark = pytest.mark.skipif(not all(shutil.which(t) for t in ('baresip', 'rtpengine', 'tcpdump', 'openssl')),
                                reason='baresip, rtpengine, tcpdump and openssl are needed (scripts/setup installs them)')


def _tone(path, seconds, hz=440):
    """An 8 kHz 16-bit mono sine: what baresip sends toward the caller."""
    with wave.open(str(path), 'wb') as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b''.join(struct.pack('<h', int(12000 * math.sin(2 * math.pi * hz * i / 8000))) for i in range(8000 * seconds)))


def _baresip_dir(workdir, cert, key, ca):
    conf = workdir / 'baresip'
    (conf / 'dumps').mkdir(parents=True)
    (conf / 'cert-and-key.pem').write_bytes(cert.read_bytes() + key.read_bytes())
    _tone(conf / 'tone.wav', TONE_SECONDS)
    (conf / 'config').write_text('\n'.join([
        'poll_method epoll',
        'sip_listen %s:%d' % (CARRIER1, CARRIER_PORT),
        'sip_certificate %s' % (conf / 'cert-and-key.pem'),
        'sip_cafile %s' % ca,
        'audio_source aufile,%s' % (conf / 'tone.wav'),
        'audio_player aubridge,nowhere',
        'ausrc_srate 8000',
        'auplay_srate 8000',
        'rtp_ports %d-%d' % BARESIP_RTP,
        'net_interface %s' % CARRIER1,
        'rtp_stats yes',
        'snd_path %s' % (conf / 'dumps'),
        'module_path /usr/lib/baresip/modules',
        'module g711.so', 'module aufile.so', 'module aubridge.so', 'module srtp.so', 'module sndfile.so',
        'module_app account.so', 'module_app menu.so', '']))
    # Telnyx's side: the dialled number's account (baresip 1.0 finds the account by the request's user) answers
    # automatically, SRTP (SDES) mandatory (a call without it is refused), G.711 A-law
    (conf / 'accounts').write_text('<sip:%s@%s:%d;transport=tls>;regint=0;answermode=auto;mediaenc=srtp-mand;audio_codecs=PCMA\n'
                                   % (NUMBER, CARRIER1, CARRIER_TLS_PORT))
    (conf / 'contacts').write_text('')
    return conf


@pytest.fixture(scope='module')
def bed(tmp_path_factory):
    bed = tls_bed(tmp_path_factory, 'baresip', TRUNKS, rtpengine=True)
    bed.baresip_dir = _baresip_dir(bed.workdir, bed.cert, bed.key, bed.ca)
    yield from serve_with_rtpengine(bed)


def _alaw_pcm(payload):
    """G.711 A-law bytes decoded to 16-bit little-endian PCM (ITU-T G.711, as every decoder does it)."""
    samples = []
    for byte in payload:
        byte ^= 0x55
        value, segment = (byte & 0x0F) << 4, (byte & 0x70) >> 4
        value = value + 8 if segment == 0 else (value + 0x108 if segment == 1 else (value + 0x108) << (segment - 1))
        samples.append(value if byte & 0x80 else -value)
    return struct.pack('<%dh' % len(samples), *samples)


def _relayed(port):
    return RTP_PORTS[0] <= port <= RTP_PORTS[1]


def test_srtp_call_to_baresip_has_media_decrypted_both_ways(bed, parties):
    log = bed.workdir / 'baresip.log'
    pcap, tcpdump_log = bed.workdir / 'baresip-call.pcap', bed.workdir / 'tcpdump.log'
    with open(tcpdump_log, 'w') as fh:
        tcpdump = subprocess.Popen([shutil.which('tcpdump'), '-i', 'lo', '-nn', '-U', '-w', str(pcap),
                                    'udp and (portrange %d-%d or portrange %d-%d)' % (RTP_PORTS + BARESIP_RTP)],
                                   stdout=fh, stderr=subprocess.STDOUT)
    with open(log, 'w') as fh:
        baresip = subprocess.Popen([shutil.which('baresip'), '-f', str(bed.baresip_dir)], stdout=fh, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
    try:
        assert wait_for(lambda: 'listening on' in tcpdump_log.read_text(), 10)
        # the TLS port Kamailio calls is the baresip started here (its PID owns the listening socket), no other process
        assert wait_for(lambda: baresip.poll() is not None or owns_socket(baresip.pid, 'tcp', CARRIER1, CARRIER_TLS_PORT), 10) \
            and baresip.poll() is None, log.read_text()[-3000:]
        # the SBC's probe verifies baresip's certificate (sip.telnyx.com from the pinned test CA) before any call
        assert wait_for(lambda: bed.log_lines(r'TLS connection \d+ to %s:%d verified as sip\.telnyx\.com' % (CARRIER1, CARRIER_TLS_PORT)), 20), \
            log.read_text()[-3000:]
        assert wait_for(lambda: bed.kamailio.dispatcher_flags(10).get('sip:%s:%d;transport=tls' % (CARRIER1, CARRIER_TLS_PORT), '')
                        .startswith('A'), 10)
        # the caller (PBX side, plain RTP) plays A-law audio and RFC 2833 digits for about 3 s, then hangs up
        rc, replies = parties.uac('baresip-call', NUMBER, bed.trunk_port(0), media_port=CC_MEDIA,
                                  extra=['-set', 'media', 'true'], timeout=30)
    finally:
        stop_pid(baresip, first=signal.SIGTERM)
        stop_pid(tcpdump, first=signal.SIGINT)
    text = log.read_text(errors='replace')
    assert rc == 0, text[-3000:]
    answer = [r for r in replies if r.startswith('SIP/2.0 200') and 'm=audio' in r][0]
    assert 'a=crypto' not in answer and 'RTP/AVP' in answer    # the PBX side stays plain RTP
    # baresip's own count at hang-up: the RTP packets it took in after SRTP decryption (a packet that fails
    # decryption never reaches the stream) and the errors among them
    stats = re.search(r'audio\s+Transmit:\s+Receive:\s*\npackets:\s+(\d+)\s+(\d+)\s*\n.*?errors:\s+(\d+)\s+(\d+)', text, flags=re.S)
    assert stats, text[-3000:]
    sent_by_baresip, decrypted_by_baresip, _tx_errors, rx_errors = (int(x) for x in stats.groups())

    # direction 1: caller -> rtpengine (encrypts) -> baresip, which decrypts and decodes: its sndfile dump of the
    # decoded stream holds, sample for sample, the A-law packets the caller sent
    packets = read_pcap(pcap)
    caller_pcma = [p[4][12:] for p in packets if (p[0], p[1]) == (CC, CC_MEDIA) and _relayed(p[3]) and p[4][1] & 0x7F == 8]
    decoded = sorted((bed.baresip_dir / 'dumps').glob('*dec.wav'))
    assert decoded, sorted((bed.baresip_dir / 'dumps').iterdir())
    with wave.open(str(decoded[0])) as dump:
        pcm = dump.readframes(dump.getnframes())
    found = sum(1 for payload in caller_pcma if pcm.find(_alaw_pcm(payload)) >= 0)
    # direction 2: baresip's SRTP -> rtpengine (decrypts) -> plain A-law RTP to the caller, baresip's 440 Hz tone
    srtp_in = [p[4] for p in packets if BARESIP_RTP[0] <= p[1] <= BARESIP_RTP[1] and _relayed(p[3]) and p[4][1] & 0x7F == 8]
    plain_out = [p[4] for p in packets if _relayed(p[1]) and (p[2], p[3]) == (CC, CC_MEDIA) and p[4][1] & 0x7F == 8]
    tone_out = [p for p in plain_out if len(p) == 12 + 160 and max(abs(x) for x in struct.unpack('<160h', _alaw_pcm(p[12:]))) > 8000]
    figures = {'baresip_decrypted_packets': decrypted_by_baresip, 'baresip_rx_errors': rx_errors, 'baresip_sent_packets': sent_by_baresip,
               'caller_packets': len(caller_pcma), 'caller_packets_found_decoded_by_baresip': found,
               'srtp_packets_from_baresip': len(srtp_in), 'plain_tone_packets_to_caller': len(tone_out)}
    (bed.workdir / 'baresip-figures.json').write_text(json.dumps(figures))
    print('baresip figures: %s' % figures)
    # the caller sends about 1 s of A-law in 30 ms packets, then RFC 2833 events (as in test_media, >= 40 packets)
    assert decrypted_by_baresip >= 30 and rx_errors == 0, figures
    assert len(caller_pcma) >= 25 and found >= len(caller_pcma) // 2, figures
    # SRTP adds an authentication tag to baresip's 20 ms packets; what reached the caller is plain 172-byte A-law RTP
    # carrying the tone, about as many as baresip sent (give or take the packets around set-up and hang-up)
    assert len(srtp_in) >= 60 and all(len(p) > 12 + 160 for p in srtp_in), figures
    assert len(tone_out) >= 0.9 * len(srtp_in), figures
    # rtpengine dropped no SRTP packet of baresip's (it logs "Discarded invalid SRTP packet" for each). baresip 1.0's
    # first SRTCP packet fails authentication at rtpengine (and between two baresips too): RTCP only, counted here
    rtpengine_log = (bed.workdir / 'rtpengine.log').read_text(errors='replace')
    assert not re.search(r'Discarded invalid SRTP packet', rtpengine_log)
    print('SRTCP packets rtpengine discarded: %d' % len(re.findall(r'Discarded invalid SRTCP packet', rtpengine_log)))

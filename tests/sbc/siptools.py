# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hand-made SIP over UDP for the security tests: forged requests, floods and listeners on 127.0.0.0/8 only."""

from __future__ import annotations

import ipaddress
import re
import socket
import threading
import time
import uuid


def loopback(address):
    if not ipaddress.ip_address(address).is_loopback:
        raise ValueError('%s is not a loopback address: the SBC tests never send elsewhere' % address)
    return address


def request(method, ruri, src, dst, to_tag=None, route=None, call_id=None, extra=(), body='', cseq=1):
    """Text of a SIP request sent from src (ip, port) to dst (ip, port)."""
    call_id = call_id or '%s@%s' % (uuid.uuid4().hex, src[0])
    lines = [
        '%s %s SIP/2.0' % (method, ruri),
        'Via: SIP/2.0/UDP %s:%d;branch=z9hG4bK%s;rport' % (src[0], src[1], uuid.uuid4().hex[:16]),
        'Max-Forwards: 70',
        'From: <sip:probe@%s:%d>;tag=%s' % (src[0], src[1], uuid.uuid4().hex[:10]),
        'To: <%s>%s' % (ruri, ';tag=%s' % to_tag if to_tag else ''),
        'Call-ID: %s' % call_id,
        'CSeq: %d %s' % (cseq, method),
        'Contact: <sip:probe@%s:%d>' % src,
    ]
    if route:
        lines.append('Route: %s' % route)
    lines += list(extra)
    if body:
        lines.append('Content-Type: application/sdp')
    lines.append('Content-Length: %d' % len(body.encode()))
    return '\r\n'.join(lines) + '\r\n\r\n' + body


def sdp(ip, port, formats=((0, 'PCMU/8000'), (8, 'PCMA/8000'), (18, 'G729/8000'), (101, 'telephone-event/8000'))):
    return ('v=0\r\no=probe 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\nm=audio %d RTP/AVP %s\r\n' % (
        ip, ip, port, ' '.join(str(pt) for pt, _name in formats))
        + ''.join('a=rtpmap:%d %s\r\n' % f for f in formats))


class Endpoint:
    """A UDP socket on a loopback address that records everything it receives."""

    def __init__(self, ip, port=0):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((loopback(ip), port))
        self.sock.settimeout(0.1)
        self.address = self.sock.getsockname()
        self.received = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            try:
                data, peer = self.sock.recvfrom(65535)
            except socket.timeout:
                continue
            except OSError:
                return
            self.received.append((time.monotonic(), peer, data.decode(errors='replace')))

    def send(self, text, dst):
        self.sock.sendto(text.encode() if isinstance(text, str) else text, (loopback(dst[0]), dst[1]))

    def replies(self, pattern=r'^SIP/2\.0 '):
        return [m for _t, _p, m in self.received if re.match(pattern, m)]

    def wait(self, pattern, timeout=3.0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            found = self.replies(pattern)
            if found:
                return found
            time.sleep(0.02)
        return self.replies(pattern)

    def close(self):
        self._stop.set()
        self._thread.join(2)
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def status(reply):
    return int(reply.split(' ', 2)[1])

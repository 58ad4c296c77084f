# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hand-made SIP over UDP for the security tests: forged requests, floods and listeners on 127.0.0.0/8 only."""

from __future__ import annotations

import ipaddress
import re
import socket
import ssl
import subprocess
import threading
import time
import uuid


def receive_loop(sock, stopped, handle):
    """Receive datagrams on sock (which has a timeout) until stopped is set or the socket closes; call
    handle(data, peer) for each."""
    while not stopped.is_set():
        try:
            data, peer = sock.recvfrom(65535)
        except socket.timeout:
            continue
        except OSError:
            return
        handle(data, peer)


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

    def __init__(self, ip, port=0, answer_options=False):
        self.answer_options = answer_options
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((loopback(ip), port))
        self.sock.settimeout(0.1)
        self.address = self.sock.getsockname()
        self.received = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=receive_loop, args=(self.sock, self._stop, self._record), daemon=True)
        self._thread.start()

    def _record(self, data, peer):
        text = data.decode(errors='replace')
        self.received.append((time.monotonic(), peer, text))
        if self.answer_options and text.startswith('OPTIONS '):
            self.sock.sendto(reply(text, '200 OK').encode(), peer)

    def requests(self, method):
        return [m for _t, _p, m in self.received if m.startswith(method + ' ')]

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


def status(reply_text):
    return int(reply_text.split(' ', 2)[1])


def reply(request_text, code, extra=(), body='', to_tag='uas'):
    """Text of a reply ('200 OK', ...) to a request: its Via, From, Call-ID, CSeq and Record-Route, its To with a tag."""
    lines = request_text.split('\r\n\r\n', 1)[0].split('\r\n')
    keep = [line for line in lines[1:] if re.match(r'^(Via|From|Call-ID|CSeq|Record-Route):', line, flags=re.I)]
    to = [line for line in lines if line.lower().startswith('to:')][0]
    if ';tag=' not in to:
        to += ';tag=' + to_tag
    head = ['SIP/2.0 ' + code] + keep + [to] + list(extra)
    if body:
        head.append('Content-Type: application/sdp')
    return '\r\n'.join(head + ['Content-Length: %d' % len(body.encode()), '', '']) + body


def _sip_request_complete(data):
    head, sep, body = data.partition(b'\r\n\r\n')
    if not sep:
        return False
    m = re.search(rb'^(?:Content-Length|l):\s*(\d+)', head, flags=re.M | re.I)
    return len(body) >= (int(m.group(1)) if m else 0)


class TlsCarrier:
    """Telnyx stand-in on TLS: records each request (head and body) and answers OPTIONS probes and BYE with 200.
    INVITEs get 403 (no failover on 403), or with media_port an SRTP answer that reuses the offered
    AES_CM_128_HMAC_SHA1_80 key while a UDP socket on media_port echoes what it receives (like sipp -rtp_echo)."""

    def __init__(self, address, port, cert, key, media_port=None):
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.minimum_version = ssl.TLSVersion.TLSv1_2
        self.context.load_cert_chain(cert, key)
        self.address, self.port = loopback(address), port
        self.listener = socket.create_server((address, port))
        self.listener.settimeout(0.2)
        self.requests, self.versions = [], []
        self.stopped = threading.Event()
        self.echo = None
        if media_port:
            self.echo = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.echo.bind((address, media_port))
            self.echo.settimeout(0.2)
            threading.Thread(target=receive_loop, args=(self.echo, self.stopped, self.echo.sendto), daemon=True).start()
        self.media_port = media_port
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stopped.is_set():
            try:
                conn, _peer = self.listener.accept()
            except socket.timeout:
                continue
            with conn:
                conn.settimeout(5)
                try:
                    with self.context.wrap_socket(conn, server_side=True) as tls:
                        self.versions.append(tls.version())
                        self._talk(tls)
                except (OSError, ssl.SSLError, IndexError, ValueError):
                    continue

    def _talk(self, tls):
        data = b''
        while not self.stopped.is_set():
            chunk = tls.recv(65535)
            if not chunk:
                return
            data += chunk
            while _sip_request_complete(data):
                head, _sep, rest = data.partition(b'\r\n\r\n')
                m = re.search(rb'^(?:Content-Length|l):\s*(\d+)', head, flags=re.M | re.I)
                size = int(m.group(1)) if m else 0
                body, data = rest[:size], rest[size:]
                text = (head + b'\r\n\r\n' + body).decode(errors='replace')
                self.requests.append(text)
                method = text.split(' ', 1)[0]
                if method == 'INVITE':
                    tls.sendall(self._answer(text) if self.media_port else self._reply(text, '403 Forbidden'))
                elif method in ('OPTIONS', 'BYE'):
                    tls.sendall(self._reply(text, '200 OK'))

    def _reply(self, request, code, extra=(), body=''):
        return reply(request, code, extra, body, to_tag='tlscarrier').encode()

    def _answer(self, offer):
        crypto = re.search(r'^a=crypto:(\d+) AES_CM_128_HMAC_SHA1_80 (inline:\S+)', offer, flags=re.M)
        media = 'RTP/SAVP' if crypto else 'RTP/AVP'
        body = ('v=0\r\no=carrier 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\nm=audio %d %s 0 101\r\n'
                'a=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n'
                % (self.address, self.address, self.media_port, media))
        if crypto:
            body += 'a=crypto:%s AES_CM_128_HMAC_SHA1_80 %s\r\n' % crypto.groups()
        contact = 'Contact: <sip:carrier@%s:%d;transport=tls>' % (self.address, self.port)
        return self._reply(offer, '200 OK', extra=[contact], body=body)

    def invites(self):
        return [r for r in self.requests if r.startswith('INVITE ')]

    def stop(self):
        self.stopped.set()
        self.thread.join(5)
        self.listener.close()
        if self.echo:
            self.echo.close()


def _openssl(*args):
    subprocess.run(['openssl'] + list(args), check=True, capture_output=True, timeout=60)


class _Pki:
    """A test CA in a directory (ca.pem, ca.key) and certificates it signs."""

    def __call__(self, certs, name='sip.telnyx.com'):
        """Create the CA in `certs`; return (CA file, certificate for `name`, its key)."""
        ca, ca_key = certs / 'ca.pem', certs / 'ca.key'
        _openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=byoc test CA',
                 '-keyout', str(ca_key), '-out', str(ca))
        return (ca,) + self.leaf(certs, name)

    @staticmethod
    def leaf(certs, name):
        """A certificate for `name` (CN and DNS subjectAltName) signed by the CA in `certs`: (cert, key)."""
        key, csr, cert, ext = (certs / ('%s.%s' % (name, s)) for s in ('key', 'csr', 'pem', 'ext'))
        ext.write_text('subjectAltName=DNS:%s\n' % name)
        _openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=%s' % name, '-keyout', str(key), '-out', str(csr))
        _openssl('x509', '-req', '-in', str(csr), '-CA', str(certs / 'ca.pem'), '-CAkey', str(certs / 'ca.key'),
                 '-CAcreateserial', '-days', '2', '-extfile', str(ext), '-out', str(cert))
        return cert, key


make_pki = _Pki()

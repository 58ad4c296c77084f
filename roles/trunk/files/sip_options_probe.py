# -*- coding: utf-8 -*-
# Copyright: byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Send SIP OPTIONS over UDP to each ADDRESS:PORT and print, as JSON, who answered.

Standard library only, so it runs with any Python 3 on an SBC host:
    python3 sip_options_probe.py [--timeout S] [--source IP] 192.0.2.10:5060 192.0.2.11:5060
Any SIP response (200, 404, 483, ...) means the address answers; silence until the timeout does not.
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
import time
import uuid


def options_request(target_host, target_port, local_host, local_port, call_id, branch):
    """One SIP OPTIONS request (RFC 3261 section 11) as bytes."""
    lines = [
        'OPTIONS sip:%s:%d SIP/2.0' % (target_host, target_port),
        'Via: SIP/2.0/UDP %s:%d;branch=z9hG4bK%s;rport' % (local_host, local_port, branch),
        'Max-Forwards: 70',
        'From: <sip:byoc-verify@%s>;tag=%s' % (local_host, branch[:10]),
        'To: <sip:%s:%d>' % (target_host, target_port),
        'Call-ID: %s' % call_id,
        'CSeq: 1 OPTIONS',
        'Contact: <sip:byoc-verify@%s:%d>' % (local_host, local_port),
        'Accept: application/sdp',
        'User-Agent: byoc.carrier verify',
        'Content-Length: 0',
        '', '',
    ]
    return '\r\n'.join(lines).encode('ascii')


def probe(target, timeout=2.0, source='0.0.0.0'):
    """{target, ok, status, detail} for one ADDRESS:PORT."""
    host, _sep, port = target.rpartition(':')
    if not host:
        host, port = target, '5060'
    result = {'target': '%s:%s' % (host, port), 'ok': False, 'status': None, 'detail': ''}
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.bind((source, 0))
        sock.settimeout(timeout)
        local_host, local_port = sock.getsockname()
        if local_host == '0.0.0.0':
            local_host = '127.0.0.1' if host.startswith('127.') else socket.gethostbyname(socket.gethostname())
        call_id = uuid.uuid4().hex
        started = time.monotonic()
        sock.sendto(options_request(host, int(port), local_host, local_port, call_id, uuid.uuid4().hex), (host, int(port)))
        while True:
            data = sock.recv(65535).decode('utf-8', 'replace')
            if call_id not in data:
                continue  # a stray packet, not our answer
            first = data.split('\r\n', 1)[0]
            parts = first.split(' ', 2)
            if len(parts) >= 2 and parts[0] == 'SIP/2.0' and parts[1].isdigit():
                result.update(ok=True, status=int(parts[1]),
                              detail='%s in %d ms' % (first[8:], (time.monotonic() - started) * 1000))
                return result
    except socket.timeout:
        result['detail'] = 'no answer within %s s' % timeout
    except (OSError, ValueError) as exc:
        result['detail'] = str(exc)
    finally:
        sock.close()
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--timeout', type=float, default=2.0)
    parser.add_argument('--source', default='0.0.0.0', help='local address to send from')
    parser.add_argument('targets', nargs='*', metavar='ADDRESS:PORT')
    args = parser.parse_args(argv)
    print(json.dumps([probe(t, args.timeout, args.source) for t in args.targets]))
    return 0


if __name__ == '__main__':
    sys.exit(main())

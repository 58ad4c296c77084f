# Copyright: contributors to byoc.carrier
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""telnyx-emulator: serve the emulated Telnyx API v2 on http://127.0.0.1:PORT/v2 (never beyond 127.0.0.1).

Once listening it prints one line, ``telnyx-emulator listening on http://127.0.0.1:PORT/v2``, so
``--port 0`` (a free port chosen by the system) can be used by scripts and tests.
"""
from __future__ import annotations

import argparse
import socket
import sys

from telnyx_emulator.numbers import load_numbers

HOST = '127.0.0.1'


def share(text):
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError('must be between 0 and 1, got %s' % text)
    return value


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog='telnyx-emulator', description=__doc__.splitlines()[0])
    parser.add_argument('--port', type=int, required=True, help='TCP port on 127.0.0.1 (0: any free port)')
    parser.add_argument('--api-key', help='the only bearer key accepted (default: any non-empty key)')
    parser.add_argument('--latency-ms', type=float, default=0.0, help='delay added to every /v2 request')
    parser.add_argument('--jitter-ms', type=float, default=0.0, help='random extra delay, 0 to N ms (seeded)')
    parser.add_argument('--rate-limit', type=float, metavar='RPS', help='token bucket: RPS requests a second, then 429')
    parser.add_argument('--error-rate', type=share, default=0.0, metavar='F', help='share of requests answered 500/502/503, with no effect')
    parser.add_argument('--drop-after-commit', type=share, default=0.0, metavar='F',
                        help='share of successful writes committed, then the connection aborted without an answer')
    parser.add_argument('--seed', type=int, help='seed of every random decision (reproducible faults)')
    parser.add_argument('--state', metavar='FILE', help='load the account from FILE if present; save it there on change and on exit')
    parser.add_argument('--numbers', metavar='FILE', help='phone numbers the account owns (one E.164 a line, or a JSON list)')
    parser.add_argument('--mask-passwords', action='store_true',
                        help='return passwords as ******** (Telnyx accounts created from 2026-09-08); POST /_emulator/config switches it')
    parser.add_argument('--log-level', default='warning', choices=('critical', 'error', 'warning', 'info', 'debug'))
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    # imported after parsing, so --help and bad flags answer fast
    import uvicorn  # pylint: disable=import-outside-toplevel
    from telnyx_emulator.app import Config, create_app  # pylint: disable=import-outside-toplevel
    numbers = load_numbers(args.numbers) if args.numbers else None
    config = Config(api_key=args.api_key, latency_ms=args.latency_ms, jitter_ms=args.jitter_ms, rate_limit=args.rate_limit,
                    error_rate=args.error_rate, drop_after_commit=args.drop_after_commit, seed=args.seed, state_file=args.state,
                    numbers=numbers, mask_passwords=args.mask_passwords)
    app = create_app(config)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, args.port))
    server = uvicorn.Server(uvicorn.Config(app, log_level=args.log_level, access_log=False, lifespan='on', backlog=1024,
                                           timeout_keep_alive=30))
    print('telnyx-emulator listening on http://%s:%d/v2' % (HOST, sock.getsockname()[1]), flush=True)
    server.run(sockets=[sock])
    return 0


if __name__ == '__main__':
    sys.exit(main())

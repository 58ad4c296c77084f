# Copyright: contributors to byoc.carrier
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The emulator process: concurrency, 127.0.0.1-only bind, command line, --state and --numbers files."""
from __future__ import annotations

import concurrent.futures
import json
import os
import socket
import subprocess
import sys
import time

import pytest
import requests

from telnyx_emulator.testing import emulator_fixture, running_emulator


def test_fifty_parallel_creates_get_fifty_distinct_ids(api):
    def create(number):
        with requests.Session() as session:
            reply = session.post(api.url + '/credential_connections', headers=api.headers, timeout=30,
                                 json={'connection_name': 'par-%02d' % number, 'user_name': 'par%04d' % number, 'password': 'Secret-pass1'})
            listed = session.get(api.url + '/connections?page[size]=250', headers=api.headers, timeout=30)
        return reply.status_code, reply.json()['data']['id'], listed.status_code

    with concurrent.futures.ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(create, range(50)))
    assert [status for status, _ident, _listed in results] == [201] * 50
    assert all(listed == 200 for _status, _ident, listed in results)
    ids = set(ident for _status, ident, _listed in results)
    assert len(ids) == 50
    body = api.call('GET', '/credential_connections')[1]
    assert set(item['id'] for item in body['data']) == ids
    assert api.stats() == {'total': 101, 'by_method': {'POST': 50, 'GET': 51},
                           'by_route': {'POST /v2/credential_connections': 50, 'GET /v2/connections': 50, 'GET /v2/credential_connections': 1}}


def test_slow_requests_are_served_concurrently():
    """40 clients at once against 1 s of latency: done in far less than 40 x 1 s (serial), with room for a busy machine."""
    with running_emulator('--latency-ms', '1000') as emu:
        def fetch(_number):
            return requests.get(emu.url + '/ips', headers=emu.headers, timeout=30).status_code
        start = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(max_workers=40) as pool:
            statuses = list(pool.map(fetch, range(40)))
        assert statuses == [200] * 40 and time.monotonic() - start < 20.0
        assert emu.stats()['total'] == 40


def test_binds_127_0_0_1_only(emu):
    with socket.create_connection(('127.0.0.1', emu.port), timeout=5):
        pass
    with pytest.raises(OSError):
        socket.create_connection(('127.0.0.2', emu.port), timeout=5).close()
    listening = open('/proc/net/tcp', encoding='ascii').read().splitlines()[1:]
    local = [line.split()[1] for line in listening if line.split()[3] == '0A']
    assert '0100007F:%04X' % emu.port in local
    assert '00000000:%04X' % emu.port not in local


def run_cli(*args):
    return subprocess.run([sys.executable, '-m', 'telnyx_emulator'] + list(args), capture_output=True, text=True, timeout=30, check=False)


def test_command_line_help_and_bad_flags():
    helped = run_cli('--help')
    assert helped.returncode == 0
    for flag in ('--port', '--api-key', '--latency-ms', '--rate-limit', '--error-rate', '--drop-after-commit', '--seed', '--state', '--numbers'):
        assert flag in helped.stdout
    assert run_cli('--port', '0', '--error-rate', '1.5').returncode == 2
    assert run_cli('--api-key', 'k').returncode == 2


def test_state_file_round_trip(tmp_path):
    state = str(tmp_path / 'state.json')
    with running_emulator('--state', state) as emu:
        ovp = emu.create('/outbound_voice_profiles', {'name': 'saved-ovp'}, status=200)
        conn = emu.create('/ip_connections', {'connection_name': 'saved', 'outbound': {'outbound_voice_profile_id': ovp['id']}})
        emu.create('/ips', {'ip_address': '192.0.2.44', 'connection_id': conn['id']})
        number = emu.call('GET', '/phone_numbers?filter[phone_number]=%2B4930123456')[1]['data'][0]
        emu.call('PATCH', '/phone_numbers/' + number['id'], {'connection_id': conn['id']})
        paths = ('/connections', '/ip_connections', '/ips', '/outbound_voice_profiles', '/phone_numbers?page[size]=250')
        before = dict((path, emu.call('GET', path)[1]) for path in paths)
    assert json.load(open(state, encoding='utf-8'))['data']['ip_connections'][conn['id']]['connection_name'] == 'saved'
    with running_emulator('--state', state) as emu:
        after = dict((path, emu.call('GET', path)[1]) for path in before)
        assert after == before
        # ids stay unique after a reload
        assert emu.create('/ip_connections', {'connection_name': 'next'})['id'] not in json.dumps(before)
        emu.reset()
    with running_emulator('--state', state) as emu:
        assert emu.call('GET', '/connections')[1]['meta']['total_results'] == 0


def test_state_is_saved_on_change_while_running(tmp_path):
    state = str(tmp_path / 'live.json')
    with running_emulator('--state', state) as emu:
        emu.create('/ip_connections', {'connection_name': 'live'})
        for _attempt in range(50):
            if os.path.exists(state) and 'live' in open(state, encoding='utf-8').read():
                break
            time.sleep(0.1)
        assert 'live' in open(state, encoding='utf-8').read()


def test_numbers_file_replaces_the_seed(tmp_path):
    numbers = tmp_path / 'numbers.txt'
    numbers.write_text('# demo numbers\n+4930555000\n+14155550100  # SF\n', encoding='utf-8')
    with running_emulator('--numbers', str(numbers)) as emu:
        body = emu.call('GET', '/phone_numbers')[1]
        assert sorted(item['phone_number'] for item in body['data']) == ['+14155550100', '+4930555000']
        assert [item['country_iso_alpha2'] for item in body['data']] == ['US', 'DE']  # newest first (the spec's default order)
    numbers.write_text(json.dumps(['+4930555000', 'not-a-number']), encoding='utf-8')
    failed = run_cli('--port', '0', '--numbers', str(numbers))
    assert failed.returncode != 0 and 'not-a-number' in failed.stderr


def test_shell_helper_starts_and_stops_by_pid():
    helper = os.path.join(os.path.dirname(__file__), '..', '..', 'scripts', 'lib', 'emulator.sh')
    script = ('source "$1"; emulator_start --api-key shell-key || exit 1; echo "$EMULATOR_PID $EMULATOR_URL"; '
              'python3 -c "import sys, urllib.request as u; r = u.Request(sys.argv[1] + \'/ips\', headers={\'Authorization\': \'Bearer shell-key\'}); '
              'print(u.urlopen(r).status)" "$EMULATOR_URL"; pid=$EMULATOR_PID; emulator_stop; emulator_stop; kill -0 $pid 2>/dev/null && echo alive; exit 0')
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get('PATH', ''))
    done = subprocess.run(['bash', '-c', script, 'test', helper], capture_output=True, text=True, timeout=60, check=True, env=env)
    pid, url = done.stdout.split()[:2]
    assert url.startswith('http://127.0.0.1:') and url.endswith('/v2') and int(pid) > 0
    assert done.stdout.split()[2] == '200' and 'alive' not in done.stdout


fixture_emulator = emulator_fixture('--latency-ms', '1', api_key='fixture-key')


def test_the_ready_made_pytest_fixture(fixture_emulator):  # pylint: disable=redefined-outer-name
    assert fixture_emulator.api_key == 'fixture-key'
    assert fixture_emulator.call('GET', '/ips')[0] == 200
    assert fixture_emulator.call('GET', '/ips', headers={'Authorization': 'Bearer emulator-test-key'})[0] == 401
    assert os.path.exists('/proc/%d' % fixture_emulator.pid)

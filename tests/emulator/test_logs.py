# Copyright: contributors to byoc.carrier
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An emulator crash is not an injected fault: its log is read when it stops, kept, and a Python traceback in it
fails (running_emulator in Python, emulator_stop in bash; scripts/test checks the logs kept per stage).

The crash is a real one: an emulator whose --state file cannot be written (its folder is a file) fails to save
on shutdown, and uvicorn logs the traceback."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from telnyx_emulator.testing import running_emulator

HELPER = os.path.join(os.path.dirname(__file__), '..', '..', 'scripts', 'lib', 'emulator.sh')


def unwritable_state(tmp_path):
    (tmp_path / 'a-file').write_text('')
    return str(tmp_path / 'a-file' / 'state.json')


def test_a_traceback_in_the_log_fails_the_block_and_the_log_is_kept(tmp_path, monkeypatch):
    monkeypatch.delenv('BYOC_EMULATOR_LOG_DIR', raising=False)
    with pytest.raises(AssertionError) as info:
        with running_emulator('--state', unwritable_state(tmp_path)) as emu:
            assert emu.create('/ip_connections', {'connection_name': 'crash'})['connection_name'] == 'crash'
            log = emu.log_path
    message = str(info.value)
    assert message.startswith('the emulator (pid %d) logged a traceback; log kept at %s:\nTraceback (most recent call last)' % (emu.pid, log))
    assert 'NotADirectoryError' in message
    assert os.path.exists(log)
    os.unlink(log)


def test_a_clean_log_is_removed_or_kept_in_the_stage_folder(tmp_path, monkeypatch):
    monkeypatch.delenv('BYOC_EMULATOR_LOG_DIR', raising=False)
    with running_emulator() as emu:
        log = emu.log_path
    assert not os.path.exists(log)
    monkeypatch.setenv('BYOC_EMULATOR_LOG_DIR', str(tmp_path / 'logs'))
    with running_emulator() as emu:
        assert os.path.dirname(emu.log_path) == str(tmp_path / 'logs')
    assert os.path.exists(emu.log_path) and 'Traceback' not in open(emu.log_path, encoding='utf-8').read()


def test_emulator_stop_in_bash_returns_1_shows_the_traceback_and_keeps_the_log(tmp_path):
    create = tmp_path / 'create.py'
    create.write_text('import sys, urllib.request as u\n'
                      'u.urlopen(u.Request(sys.argv[1] + "/ip_connections", data=b\'{"connection_name": "c"}\', '
                      'headers={"Content-Type": "application/json", "Authorization": "Bearer k"}))\n')
    script = ('source "$1"; emulator_start --api-key k --state "$2" || exit 9; log=$EMULATOR_LOG; python3 "$3" "$EMULATOR_URL" || exit 8; '
              'emulator_stop; echo "status=$? log=$log"; [ -f "$log" ] && echo kept')
    env = dict((k, v) for k, v in os.environ.items() if k != 'BYOC_EMULATOR_LOG_DIR')
    env['PATH'] = os.path.dirname(sys.executable) + os.pathsep + env.get('PATH', '')
    done = subprocess.run(['bash', '-c', script, 'test', HELPER, unwritable_state(tmp_path), str(create)], capture_output=True, text=True, timeout=60,
                          check=False, env=env)
    lines = done.stdout.splitlines()
    assert done.returncode == 0 and lines[0].startswith('status=1 log=') and lines[1:] == ['kept'], done.stdout + done.stderr
    log = lines[0].split('log=', 1)[1]
    assert done.stderr.startswith('emulator_stop: the emulator logged a traceback (log kept at %s):\nERROR:    Traceback' % log), done.stderr
    assert 'NotADirectoryError' in done.stderr
    os.unlink(log)

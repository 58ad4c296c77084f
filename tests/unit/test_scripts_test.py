# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""scripts/test itself, run in a small stand-in checkout: its own copy of scripts/test and stage_report.py, a set-up
that does nothing, stages written by the test, a git repository (scripts/test copies what git lists)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
SCRIPTS = HERE.parent.parent / 'scripts'


@pytest.fixture
def checkout(tmp_path):
    repo = tmp_path / 'repo'
    (repo / 'scripts' / 'lib').mkdir(parents=True)
    shutil.copy(SCRIPTS / 'test', repo / 'scripts' / 'test')
    shutil.copy(SCRIPTS / 'lib' / 'stage_report.py', repo / 'scripts' / 'lib' / 'stage_report.py')
    (repo / 'scripts' / 'setup').write_text('#!/usr/bin/env bash\nexit 0\n')
    (repo / 'scripts' / 'setup').chmod(0o755)
    (repo / '.venv' / 'bin').mkdir(parents=True)
    (repo / '.venv' / 'bin' / 'python').write_text('#!/bin/sh\nexec %s "$@"\n' % sys.executable)  # this test's Python (yaml)
    (repo / '.venv' / 'bin' / 'python').chmod(0o755)
    (repo / 'tests' / 'stages').mkdir(parents=True)
    (repo / 'tests' / 'skips.yml').write_text('[]\n')
    (repo / '.gitignore').write_text('.venv/\ntests/output/\n')
    (tmp_path / 'spec.json').write_text('{}')
    return repo


def stage(repo, name, text):
    (repo / 'tests' / 'stages' / ('%s.sh' % name)).write_text('#!/usr/bin/env bash\nset -euo pipefail\n' + text)


def run(repo, *args, **env):
    for cmd in (['init', '-q'], ['add', '-A'], ['-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-q', '--allow-empty', '-m', 'x']):
        subprocess.run(['git'] + cmd, cwd=str(repo), check=True, capture_output=True)
    # not what an outer scripts/test (running this test) exported
    environ = dict((k, v) for k, v in os.environ.items() if k not in ('BYOC_REPEAT', 'BYOC_VENV', 'BYOC_PYTHON', 'OUT', 'COLL', 'REPO'))
    environ.update(BYOC_TELNYX_SPEC=str(repo.parent / 'spec.json'), **env)
    proc = subprocess.run(['bash', str(repo / 'scripts' / 'test')] + list(args), cwd=str(repo), env=environ,
                          capture_output=True, text=True, timeout=300, check=False)
    return proc.returncode, proc.stdout + proc.stderr


def test_repeat_runs_each_chosen_stage_n_times_and_fails_when_one_repetition_fails(checkout):
    # fails on its second run only (a counter beside the checkout)
    stage(checkout, '10-flaky', 'n=$(( $(cat "$REPO/../count" 2>/dev/null || echo 0) + 1 )); echo $n >"$REPO/../count"; [ $n -ne 2 ]\n')
    stage(checkout, '20-other', 'exit 0\n')
    code, out = run(checkout, '--repeat', '3', 'flaky')
    assert code == 1, out
    rows = [line.split()[:2] for line in out.splitlines() if line.startswith('10-flaky')]
    assert rows == [['10-flaky#1', 'PASS'], ['10-flaky#2', 'FAIL'], ['10-flaky#3', 'PASS']], out
    assert re.fullmatch(r'2 passed, 0 skipped, 1 failed in \d+ s \(stages: 2 passed, 1 failed\)', out.splitlines()[-1]), out
    assert '20-other' not in out


def test_byoc_repeat_from_the_environment_and_a_bad_count(checkout):
    stage(checkout, '10-ok', 'exit 0\n')
    code, out = run(checkout, 'ok', BYOC_REPEAT='2')
    assert code == 0 and [line.split()[0] for line in out.splitlines() if line.startswith('10-ok')] == ['10-ok#1', '10-ok#2'], out
    code, out = run(checkout, '--repeat', '0', 'ok')
    assert code == 2 and "the repeat count must be a whole number >= 1, not '0'" in out


def test_a_failing_prime_tool_fails_the_run_before_any_stage(checkout):
    stage(checkout, '10-ok', 'touch "$REPO/../stage-ran"\n')
    tools = checkout.parent / 'shared' / 'tools'
    tools.mkdir(parents=True)
    (tools / 'prime-ansible-test').write_text('exit 3\n')
    code, out = run(checkout)
    assert code == 1 and 'priming ansible-test failed (%s/prime-ansible-test)' % tools in out.replace('/repo/../', '/'), out
    assert not (checkout.parent / 'stage-ran').exists()
    (tools / 'prime-ansible-test').write_text('exit 0\n')
    assert run(checkout)[0] == 0


def test_without_the_prime_tool_the_run_goes_on_and_says_so(checkout):
    stage(checkout, '10-ok', 'exit 0\n')
    code, out = run(checkout)
    assert code == 0 and 'note: no %s/../shared/tools/prime-ansible-test on this machine' % checkout in out, out


def test_only_the_newest_runs_are_kept(checkout):
    stage(checkout, '10-ok', 'exit 0\n')
    output = checkout / 'tests' / 'output'
    old = []
    for number in range(7):  # run1 oldest ... run7 newest; none of these processes is a scripts/test
        folder = output / ('run%d' % (900000 + number))
        folder.mkdir(parents=True)
        stamp = time.time() - 1000 + number
        os.utime(folder, (stamp, stamp))
        old.append(folder.name)
    code, out = run(checkout)
    assert code == 0, out
    kept = sorted(p.name for p in output.iterdir() if p.name.startswith('run'))
    this_run = os.readlink(output / 'latest')
    assert kept == sorted(old[-4:] + [this_run])


def test_a_stage_asking_for_repetitions_runs_that_often_in_a_row_each_its_own_row(checkout):
    """"# stage-repeat: 3" (as 95-trust has): three rows in a row, each with its label exported, any failing one
    fails the run; with --repeat 2 as well, six (name#run.repetition)."""
    stage(checkout, '10-ok', 'exit 0\n')
    stage(checkout, '95-thrice', '# stage-repeat: 3\necho "$BYOC_STAGE_LABEL" >>"$REPO/../labels"\n[ "$BYOC_STAGE_LABEL" != 95-thrice#2 ]\n')
    code, out = run(checkout)
    assert code == 1, out
    rows = [line.split()[:2] for line in out.splitlines() if line.startswith(('10-ok', '95-thrice'))]
    assert rows == [['10-ok', 'PASS'], ['95-thrice#1', 'PASS'], ['95-thrice#2', 'FAIL'], ['95-thrice#3', 'PASS']], out
    assert re.fullmatch(r'3 passed, 0 skipped, 1 failed in \d+ s \(stages: 3 passed, 1 failed\)', out.splitlines()[-1]), out
    assert (checkout.parent / 'labels').read_text().split() == ['95-thrice#1', '95-thrice#2', '95-thrice#3']
    (checkout.parent / 'labels').unlink()
    code, out = run(checkout, '--repeat', '2', 'thrice')
    assert (checkout.parent / 'labels').read_text().split() == ['95-thrice#1.1', '95-thrice#1.2', '95-thrice#1.3',
                                                                '95-thrice#2.1', '95-thrice#2.2', '95-thrice#2.3']
    assert code == 0 and [line.split()[1] for line in out.splitlines() if line.startswith('95-thrice#')] == ['PASS'] * 6, out


def test_a_traceback_in_a_kept_emulator_log_fails_a_stage_whose_script_passed(checkout):
    stage(checkout, '10-crash', 'printf "ERROR:    Traceback (most recent call last):\\nKeyError: 1\\n" >"$BYOC_EMULATOR_LOG_DIR/telnyx-emulator-x.log"\n')
    code, out = run(checkout)
    assert code == 1, out
    assert '[10-crash] the emulator log %s/tests/output/' % checkout in out and 'holds a traceback' in out and 'KeyError: 1' in out
    assert [line.split()[:5] for line in out.splitlines() if line.startswith('10-crash')] == [['10-crash', 'FAIL', '0', '0', '1']], out


def test_a_file_that_cannot_be_copied_fails_the_run_before_any_stage(checkout):
    """The copy of the checkout scripts/test makes must be whole: here one file's path in the copy is longer than
    the system allows (PATH_MAX), though it is fine in the checkout, so copying it fails; no stage runs."""
    stage(checkout, '10-ok', 'touch "$REPO/../stage-ran"\n')
    # relative to the checkout 4,068 characters; under the copy's root (/tmp/byoc-test.XXXXXX/ansible_
    # collections/byoc/carrier/, 51 characters) over 4,096. Made one directory at a time (the absolute path is too long)
    parts = ['d%03d' % n + 'x' * 198 for n in range(20)]
    folder = os.open(str(checkout), os.O_RDONLY)
    try:
        for part in parts:
            os.mkdir(part, dir_fd=folder)
            inner = os.open(part, os.O_RDONLY, dir_fd=folder)
            os.close(folder)
            folder = inner
        os.close(os.open('long.txt', os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=folder))
    finally:
        os.close(folder)
    relative = '/'.join(parts) + '/long.txt'
    assert len(relative) == 4068
    code, out = run(checkout)
    assert code == 1, out
    assert re.search(r'^copying %s to /tmp/byoc-test\.\w+/ansible_collections/byoc/carrier failed$' % re.escape(relative), out, re.M), out[-2000:]
    assert not (checkout.parent / 'stage-ran').exists() and '=== stage' not in out

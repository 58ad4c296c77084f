# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""scripts/setup fails when it cannot install what the tests need: a Debian package it may not or cannot install,
or a pip install that fails (pip's own error shown, the stamp that makes the next run skip the install not written).

It runs in a stand-in checkout (its own copy of scripts/setup) with stand-ins first on PATH for what it asks the
system: dpkg-query (which packages are installed: all but $MISSING), id -u ($FAKE_UID), apt-get (exits
$APT_STATUS, logs its calls) and python3.11 (this test's Python); HOME is the test's, so no pyenv Python is found.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SETUP = Path(__file__).resolve().parent.parent.parent / 'scripts' / 'setup'
TOOLS = {
    'dpkg-query': '#!/bin/sh\nfor p in $MISSING; do [ "$p" = "$3" ] && exit 1; done\nprintf "install ok installed"\n',
    'id': '#!/bin/sh\necho "$FAKE_UID"\n',
    'apt-get': '#!/bin/sh\necho "apt-get $*" >>"$CALLS"\n[ "$APT_STATUS" = 0 ] || echo "E: Unable to locate package $MISSING"\n'
               'exit "$APT_STATUS"\n',
    'python3.11': '#!/bin/sh\nexec %s "$@"\n' % sys.executable,
}


@pytest.fixture(name='checkout')
def fixture_checkout(tmp_path):
    repo = tmp_path / 'repo'
    (repo / 'scripts').mkdir(parents=True)
    shutil.copy(SETUP, repo / 'scripts' / 'setup')
    (repo / 'requirements.txt').write_text('requests\n')
    (repo / 'requirements-dev.txt').write_text('pytest\n')
    fake = tmp_path / 'bin'
    fake.mkdir()
    for name, text in TOOLS.items():
        (fake / name).write_text(text)
        (fake / name).chmod(0o755)
    return repo


def run(repo, **env):
    environ = dict((k, v) for k, v in os.environ.items() if k not in ('BYOC_VENV', 'BYOC_PYTHON'))
    environ.update(PATH='%s:%s' % (repo.parent / 'bin', os.environ['PATH']), HOME=str(repo.parent), CALLS=str(repo.parent / 'calls'),
                   MISSING='', FAKE_UID='0', APT_STATUS='0')
    environ.update(env)
    proc = subprocess.run(['bash', str(repo / 'scripts' / 'setup')], cwd=str(repo), env=environ, capture_output=True, text=True,
                          timeout=120, check=False)
    return proc.returncode, proc.stdout, proc.stderr


def apt_calls(repo):
    calls = repo.parent / 'calls'
    return calls.read_text().splitlines() if calls.exists() else []


def test_a_missing_package_without_root_fails_before_anything_else(checkout):
    code, out, err = run(checkout, MISSING='baresip', FAKE_UID='1000')
    assert code == 1, out + err
    assert err == '[setup] ERROR: missing Debian packages: baresip (run scripts/setup as root, or install them by hand)\n'
    assert apt_calls(checkout) == [] and not (checkout / '.venv').exists()


def test_a_package_apt_get_cannot_install_fails_with_apt_gets_words(checkout):
    code, out, err = run(checkout, MISSING='zzuf', APT_STATUS='100')
    assert code == 1, out + err
    assert out == '[setup] installing Debian packages: zzuf\n'
    assert 'E: Unable to locate package zzuf' in err and err.endswith('[setup] ERROR: apt-get could not install: zzuf\n'), err
    assert apt_calls(checkout) == ['apt-get update -q'] and not (checkout / '.venv').exists()


def test_a_package_still_missing_after_apt_get_fails(checkout):
    code, out, err = run(checkout, MISSING='sip-tester')
    assert code == 1, out + err
    assert apt_calls(checkout) == ['apt-get update -q', 'apt-get install -y -q --no-install-recommends sip-tester']
    assert err == '[setup] ERROR: Debian package sip-tester is still not installed\n'


def test_a_failing_pip_shows_its_error_fails_and_leaves_no_stamp(checkout):
    """A venv whose pip fails (it answers everything else with this test's Python): the stale stamp of an earlier
    set-up is removed first, pip's error line is shown, the run fails naming what it installed."""
    venv = checkout / 'venv'
    (venv / 'bin').mkdir(parents=True)
    (venv / 'bin' / 'python').write_text(
        '#!/bin/bash\nif [ "$1" = -m ] && [ "$2" = pip ]; then echo "WARNING: Location x"; '
        'echo "ERROR: No matching distribution found for ${*: -1}"; exit 1; fi\nexec %s "$@"\n' % sys.executable)
    (venv / 'bin' / 'python').chmod(0o755)
    (venv / '.byoc-setup').write_text('an earlier set-up\n')
    code, out, err = run(checkout, BYOC_VENV='venv')
    assert code == 1, out + err
    assert out.splitlines()[-1].startswith('[setup] installing Python requirements (ansible-core>=2.'), out
    assert err == ('ERROR: No matching distribution found for pip\n'
                   '[setup] ERROR: pip install --upgrade pip failed (exit 1)\n'), err
    assert not (venv / '.byoc-setup').exists()
    assert not (checkout / '.ansible').exists()  # the collection link is made only after a set-up that succeeded

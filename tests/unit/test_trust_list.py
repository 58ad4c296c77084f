# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The list of stage 95-trust (tests/stages/95-trust.list) cannot rot: every test it names exists, and
scripts/lib/trust_list.py, which the stage reads it with, refuses what is not a test."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LIST = os.path.join(ROOT, 'tests', 'stages', '95-trust.list')
SCRIPT = os.path.join(ROOT, 'scripts', 'lib', 'trust_list.py')
_LOADER = importlib.util.spec_from_file_location('byoc_trust_list', SCRIPT)
trust = importlib.util.module_from_spec(_LOADER)
_LOADER.loader.exec_module(trust)


def test_every_listed_test_exists():
    entries = trust.read(LIST)
    assert [(entry.node_id, why) for entry, why in trust.missing(entries, ROOT)] == []


def test_the_list_covers_the_points_of_issue_15_it_is_for():
    """Every point, 1 to 7, and the "done when" round trip has a test."""
    points = set(entry.point for entry in trust.read(LIST))
    assert points == {'1', '2', '3', '4', '5', '6', '7', 'done'}, points
    assert [e.node_id for e in trust.read(LIST) if e.mode == 'serial'] == [
        'tests/roles/test_awx_slicing.py', 'tests/sbc/test_service.py', 'tests/reliability/test_overlap.py',
        'tests/reliability/test_bad_input.py', 'tests/reliability/test_faults.py::test_retry_budget_bounds_the_wait']


def write(tmp_path, text, tests='def test_a():\n    pass\n\nclass TestB:\n    def test_c(self):\n        pass\n\ndef helper():\n    pass\n'):
    (tmp_path / 'tests').mkdir(exist_ok=True)
    (tmp_path / 'tests' / 'test_x.py').write_text(tests)
    (tmp_path / 'tests' / 'test_y.py').write_text('')
    (tmp_path / 'list').write_text(text)
    return str(tmp_path / 'list')


def problems(tmp_path, text):
    return [why for _entry, why in trust.missing(trust.read(write(tmp_path, text)), str(tmp_path))]


@pytest.mark.parametrize('line, why', [
    ('1 parallel tests/test_x.py::test_gone', 'no test_gone in tests/test_x.py'),
    ('1 parallel tests/test_x.py::TestB::test_gone', 'no TestB::test_gone in tests/test_x.py'),
    ('1 parallel tests/test_x.py::test_c', 'no test_c in tests/test_x.py'),  # a method is named through its class
    ('1 parallel tests/test_x.py::helper', 'helper is not a test'),
    ('1 parallel tests/test_gone.py', 'no test file tests/test_gone.py'),
    ('1 parallel tests/conftest.py', 'no test file tests/conftest.py'),
])
def test_a_test_that_does_not_exist_is_named(tmp_path, line, why):
    assert problems(tmp_path, line + '\n') == [why]


def test_existing_tests_pass_and_a_file_is_listed_once_in_one_mode(tmp_path):
    assert problems(tmp_path, '# a comment\n\n1 parallel tests/test_x.py::test_a  # why\n2 parallel tests/test_x.py::TestB::test_c\n'
                              'done serial tests/test_y.py\n') == []
    assert problems(tmp_path, '1 parallel tests/test_x.py\n1 parallel tests/test_x.py::test_a\n') == ['tests/test_x.py is also listed whole']
    assert problems(tmp_path, '1 parallel tests/test_x.py::test_a\n1 serial tests/test_x.py::TestB::test_c\n') == [
        'tests/test_x.py is listed both parallel and serial'] * 2


@pytest.mark.parametrize('line, message', [
    ('8 parallel tests/test_x.py', 'list:1: expected "<point: 1|2|3|4|5|6|7|done> <mode: parallel|serial> <test>"'),
    ('1 fast tests/test_x.py', 'expected "<point'),
    ('1 parallel', 'expected "<point'),
    ('1 parallel tests/test_x.py::test_a[one]', 'list:1: tests/test_x.py::test_a[one]: name a test without its parameters'),
])
def test_a_line_that_is_not_point_mode_test_is_refused(tmp_path, line, message):
    with pytest.raises(ValueError) as info:
        trust.read(write(tmp_path, line + '\n'))
    assert message in str(info.value)


def test_the_command_line_the_stage_uses(tmp_path):
    path = write(tmp_path, '1 parallel tests/test_x.py::test_a\n2 serial tests/test_y.py\n4 parallel tests/test_x.py::TestB::test_c\n')

    def run(*args):
        proc = subprocess.run([sys.executable, SCRIPT] + list(args) + [path], capture_output=True, text=True, check=False, timeout=60)
        return proc.returncode, proc.stdout.splitlines(), proc.stderr
    assert run('ids', '--mode', 'parallel') == (0, ['tests/test_x.py::test_a', 'tests/test_x.py::TestB::test_c'], '')
    assert run('files', '--mode', 'serial') == (0, ['tests/test_y.py'], '')
    assert run('ids', '--mode', 'serial', '--file', 'tests/test_y.py') == (0, ['tests/test_y.py'], '')
    assert run('check', '--root', str(tmp_path)) == (0, [], '')
    (tmp_path / 'tests' / 'test_y.py').unlink()
    code, _out, err = run('check', '--root', str(tmp_path))
    assert code == 1 and err == '%s:2: no test file tests/test_y.py\n' % path
    (tmp_path / 'list').write_text('1 parallel\n')
    code, out, err = run('ids', '--mode', 'parallel')
    assert code == 1 and out == [] and err.startswith('%s:1: expected' % path)

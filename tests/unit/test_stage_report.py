# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""scripts/lib/stage_report.py: the counts, the skip allow-list, the emulator-log check and the summary of scripts/test."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys

import pytest

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'scripts', 'lib', 'stage_report.py')
_LOADER = importlib.util.spec_from_file_location('byoc_stage_report', SCRIPT)
report = importlib.util.module_from_spec(_LOADER)
_LOADER.loader.exec_module(report)

JUNIT = '''<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest">
<testcase classname="tests.unit.test_a" name="test_ok" />
<testcase classname="tests.unit.test_a.TestGroup" name="test_in_class[x]" />
<testcase classname="tests.unit.test_a" name="test_skipped"><skipped type="pytest.skip" message="no kamailio here" /></testcase>
<testcase classname="tests.unit.test_a" name="test_known_bug"><skipped type="pytest.xfail" message="bug 12" /></testcase>
<testcase classname="tests.unit.test_a" name="test_bad"><failure message="assert 1 == 2" /></testcase>
<testcase classname="" name="tests.unit.test_b"><skipped type="pytest.skip" message="module skipped" /></testcase>
</testsuite></testsuites>'''


def write_tree(tmp_path, junit=JUNIT, rules='[]', log=None):
    (tmp_path / 'tests' / 'unit').mkdir(parents=True)
    (tmp_path / 'tests' / 'unit' / 'test_a.py').write_text('')
    (tmp_path / 'junit').mkdir()
    (tmp_path / 'junit' / 'one.xml').write_text(junit)
    (tmp_path / 'skips.yml').write_text(rules)
    (tmp_path / 'logs').mkdir()
    if log is not None:
        (tmp_path / 'logs' / 'telnyx-emulator-1.log').write_text(log)


def run(tmp_path, *args):
    proc = subprocess.run([sys.executable, SCRIPT] + list(args), capture_output=True, text=True, check=False, timeout=60)
    return proc.returncode, proc.stdout


def stage(tmp_path, name='10-unit', status=0):
    return run(tmp_path, 'stage', '--name', name, '--status', str(status), '--seconds', '7', '--root', str(tmp_path),
               '--skips', str(tmp_path / 'skips.yml'), '--junit', str(tmp_path / 'junit'), '--emulator-logs', str(tmp_path / 'logs'),
               '--record', str(tmp_path / 'stages.jsonl'))


def records(tmp_path):
    return [json.loads(line) for line in (tmp_path / 'stages.jsonl').read_text().splitlines()]


def test_node_ids_are_pytest_node_ids(tmp_path):
    write_tree(tmp_path)
    files, cases = report.read_junit([str(tmp_path / 'junit')], str(tmp_path))
    assert len(files) == 1
    assert cases == [
        ('tests/unit/test_a.py::test_ok', 'passed', ''),
        ('tests/unit/test_a.py::TestGroup::test_in_class[x]', 'passed', ''),
        ('tests/unit/test_a.py::test_skipped', 'skipped', 'no kamailio here'),
        ('tests/unit/test_a.py::test_known_bug', 'xfailed', 'bug 12'),
        ('tests/unit/test_a.py::test_bad', 'failed', 'assert 1 == 2'),
        ('tests/unit/test_b.py', 'skipped', 'module skipped'),
    ]
    # ansible-test units names the classes from the collection root
    assert report.node_id('ansible_collections.byoc.carrier.tests.unit.test_a', 'test_ok', str(tmp_path)) == 'tests/unit/test_a.py::test_ok'


def test_an_unexpected_skip_fails_the_stage_and_is_named(tmp_path):
    write_tree(tmp_path, junit=JUNIT.replace('<testcase classname="tests.unit.test_a" name="test_bad"><failure message="assert 1 == 2" /></testcase>', ''))
    code, out = stage(tmp_path)
    assert code == 1
    assert '[10-unit] unexpected skip (not in skips.yml): tests/unit/test_a.py::test_skipped: no kamailio here' in out
    assert '[10-unit] unexpected skip (not in skips.yml): tests/unit/test_b.py: module skipped' in out
    assert records(tmp_path) == [{'stage': '10-unit', 'status': 'FAIL', 'passed': 2, 'skipped': 2, 'failed': 1, 'xfailed': 1,
                                  'seconds': 7, 'junit_files': 1, 'problems': 2}]


def test_allowed_skips_pass_only_in_their_stage_and_with_their_message(tmp_path):
    rules = '''
- {stage: "1*-unit", test: "tests/unit/test_a.py::test_s*", message: "^no kamailio", reason: "r1"}
- {stage: "10-unit", test: "tests/unit/test_b.py", reason: "r2"}
'''
    write_tree(tmp_path, junit=JUNIT.replace('<testcase classname="tests.unit.test_a" name="test_bad"><failure message="assert 1 == 2" /></testcase>', ''),
               rules=rules)
    assert stage(tmp_path)[0] == 0
    assert stage(tmp_path, name='21-units')[0] == 1  # the same skips in another stage are not allowed
    rules_list = report.load_rules(str(tmp_path / 'skips.yml'))
    assert report.allowed('10-unit', 'tests/unit/test_a.py::test_skipped', 'kamailio missing', rules_list) is None


def test_an_entry_without_a_reason_is_refused(tmp_path):
    write_tree(tmp_path, rules='- {stage: "*", test: "*"}\n')
    code, _out = stage(tmp_path)
    assert code != 0 and not (tmp_path / 'stages.jsonl').exists()


def test_a_traceback_in_an_emulator_log_fails_the_stage(tmp_path):
    write_tree(tmp_path, junit='<testsuite />', log='INFO started\nTraceback (most recent call last):\n  File "app.py"\nKeyError: 1\n')
    code, out = stage(tmp_path)
    assert code == 1 and 'holds a traceback' in out and 'KeyError: 1' in out


@pytest.mark.parametrize('status, expected', [(0, (1, 0, 'PASS')), (2, (0, 1, 'FAIL'))])
def test_a_stage_without_junit_counts_as_one_test(tmp_path, status, expected):
    write_tree(tmp_path)
    os.unlink(tmp_path / 'junit' / 'one.xml')
    assert stage(tmp_path, name='30-lint', status=status)[0] == (0 if status == 0 else 1)
    rec = records(tmp_path)[0]
    assert (rec['passed'], rec['failed'], rec['status']) == expected


def test_summary_table_and_pytest_style_last_line(tmp_path):
    lines = [{'stage': '10-unit', 'status': 'PASS', 'passed': 400, 'skipped': 0, 'failed': 0, 'xfailed': 0, 'seconds': 30},
             {'stage': '21-units', 'status': 'PASS', 'passed': 270, 'skipped': 4, 'failed': 0, 'xfailed': 0, 'seconds': 20},
             {'stage': '80-reliability', 'status': 'FAIL', 'passed': 90, 'skipped': 0, 'failed': 2, 'xfailed': 3, 'seconds': 600}]
    (tmp_path / 'stages.jsonl').write_text(''.join(json.dumps(line) + '\n' for line in lines))
    code, out = run(tmp_path, 'summary', '--record', str(tmp_path / 'stages.jsonl'), '--out', str(tmp_path / 'summary'))
    assert code == 1
    assert out.splitlines()[-1] == '760 passed, 4 skipped, 2 failed in 650 s (stages: 2 passed, 1 failed)'
    assert out.splitlines()[3].split() == ['80-reliability', 'FAIL', '90', '0', '2', '3', '600']
    assert (tmp_path / 'summary').read_text() == out


def test_a_repetition_is_its_own_row_and_its_skips_are_checked_by_the_stage_name(tmp_path):
    write_tree(tmp_path, junit=JUNIT.replace('<testcase classname="tests.unit.test_a" name="test_bad"><failure message="assert 1 == 2" /></testcase>', ''),
               rules='- {stage: "10-unit", test: "tests/unit/test_*", reason: "r"}\n')
    code, out = run(tmp_path, 'stage', '--name', '10-unit', '--label', '10-unit#2', '--status', '0', '--seconds', '3', '--root', str(tmp_path),
                    '--skips', str(tmp_path / 'skips.yml'), '--junit', str(tmp_path / 'junit'), '--record', str(tmp_path / 'stages.jsonl'))
    assert code == 0, out
    assert out.splitlines()[-1] == '[10-unit#2] PASS: 2 passed, 2 skipped, 0 failed, 1 xfailed (1 JUnit file(s))'
    assert records(tmp_path)[0]['stage'] == '10-unit#2'

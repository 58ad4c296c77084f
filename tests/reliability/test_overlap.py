# -*- coding: utf-8 -*-
# Copyright: byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Two overlapping runs on the same fleet (two ansible-playbook processes at once, as when two AWX jobs overlap).

Telnyx has no idempotency keys: both runs can read "absent" and both create. The rule of issue 7: at the end
there are 0 duplicates; where a run finds a duplicate it created itself, it removes its own copy and keeps
the oldest.
"""

from __future__ import annotations

import json
import time

import pytest

from .harness import account, api_defaults, compare_fleet, dump_task, make_fleet

SIZE = 30


@pytest.fixture(scope='module', name='overlapped')
def _overlapped_fixture(tmp_path_factory, report):
    """Two runs started together, then a third one alone; the account after each step."""
    from telnyx_emulator.testing import running_emulator  # pylint: disable=import-outside-toplevel
    from .harness import Runner  # pylint: disable=import-outside-toplevel

    fleet = make_fleet(SIZE, 'overlap', profile=None)
    runner = Runner(tmp_path_factory.mktemp('overlap'))
    runner.write('fleet.yml', {'fleet': fleet})
    steps = {}
    go = runner.workdir / 'go'
    # latency, so that a run's reads happen while the other one writes
    with running_emulator('--latency-ms', '400', '--seed', '5') as emu:
        def play(label, barrier=False):
            tasks = [{'byoc.carrier.sip_connections': {'connections': '{{ fleet }}', 'workers': 4}, 'register': 'bulk', 'ignore_errors': True},
                     dump_task(['bulk'], runner.workdir / ('%s.json' % label))]
            if barrier:  # both jobs wait at the same line, then start their module within about a second
                tasks[:0] = [{'ansible.builtin.copy': {'content': 'ready', 'dest': str(runner.workdir / ('ready-' + label)), 'mode': '0600'}},
                             {'ansible.builtin.wait_for': {'path': str(go), 'timeout': 300, 'sleep': 1}}]
            return [{'hosts': 'localhost', 'gather_facts': False, 'connection': 'local', 'vars_files': ['fleet.yml'],
                     'module_defaults': api_defaults(emu), 'tasks': tasks}]
        jobs = [runner.start(play('job%d' % n, barrier=True)) for n in (1, 2)]
        deadline = time.monotonic() + 300
        while not all((runner.workdir / ('ready-job%d' % n)).exists() for n in (1, 2)) and time.monotonic() < deadline:
            time.sleep(0.2)
        go.write_text('go')
        for proc, log in jobs:
            runner.finish(proc, log)
        steps['overlap'] = [json.loads((runner.workdir / ('job%d.json' % n)).read_text())['bulk'] for n in (1, 2)]
        steps['overlap_state'] = compare_fleet(fleet, account(emu))
        runner.run(play('after'))
        steps['after'] = json.loads((runner.workdir / 'after.json').read_text())['bulk']
        steps['after_state'] = compare_fleet(fleet, account(emu))
    report.add('overlapping runs', connections=SIZE, duplicates_after_overlap=sum(n - 1 for n in steps['overlap_state'][0].values()),
               missing_after_overlap=len(steps['overlap_state'][1]), duplicates_after_next_run=sum(n - 1 for n in steps['after_state'][0].values()),
               summaries=[r.get('summary') for r in steps['overlap']] + [steps['after'].get('summary')])
    return steps


def test_overlapping_runs_lose_nothing(overlapped):
    _duplicates, missing, _mismatches, extra = overlapped['overlap_state']
    assert missing == [] and extra == []


def test_overlapping_runs_leave_no_duplicates(overlapped):
    duplicates = overlapped['overlap_state'][0]
    assert duplicates == {}, '%d names duplicated' % len(duplicates)


def test_next_run_removes_duplicates_keeping_the_oldest(overlapped):
    duplicates, missing, mismatches, _extra = overlapped['after_state']
    assert duplicates == {} and missing == [] and mismatches == []

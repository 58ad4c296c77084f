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
import sys
import time

import pytest

from .harness import account, api_defaults, compare_fleet, dump_task, list_all, make_fleet

SIZE = 30
PROFILE = 'overlap-ovp'
# sleep until the instant number argv[2] written in the file argv[1] (both jobs wait for the same instants)
SLEEP_UNTIL = 'import sys, time; time.sleep(max(0.0, float(open(sys.argv[1]).read().split()[int(sys.argv[2])]) - time.time()))'


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
            def start_together(instant):  # both jobs sleep until the same instant (written in the go file)
                return [{'ansible.builtin.command': {'argv': [sys.executable, '-c', SLEEP_UNTIL, str(go), str(instant)]},
                         'changed_when': False}] if barrier else []
            # then both create the same new outbound voice profile (as two AWX slices whose trunks name it)
            tasks = ([{'byoc.carrier.sip_connections': {'connections': '{{ fleet }}', 'workers': 4}, 'register': 'bulk', 'ignore_errors': True}]
                     + start_together(1)
                     + [{'byoc.carrier.outbound_voice_profile': {'name': PROFILE, 'concurrent_call_limit': 7}, 'register': 'ovp',
                         'ignore_errors': True},
                        dump_task(['bulk', 'ovp'], runner.workdir / ('%s.json' % label))])
            if barrier:  # both jobs wait at the same line, then start their module at the same instant
                tasks[:0] = [{'ansible.builtin.copy': {'content': 'ready', 'dest': str(runner.workdir / ('ready-' + label)), 'mode': '0600'}},
                             {'ansible.builtin.wait_for': {'path': str(go), 'timeout': 300, 'sleep': 1}}] + start_together(0)
            return [{'hosts': 'localhost', 'gather_facts': False, 'connection': 'local', 'vars_files': ['fleet.yml'],
                     'module_defaults': api_defaults(emu), 'tasks': tasks}]
        jobs = [runner.start(play('job%d' % n, barrier=True)) for n in (1, 2)]
        deadline = time.monotonic() + 300
        while not all((runner.workdir / ('ready-job%d' % n)).exists() for n in (1, 2)) and time.monotonic() < deadline:
            time.sleep(0.2)
        start = time.time() + 2.5
        go.write_text('%.3f %.3f' % (start, start + 40))  # the connections, then the profile 40 s later
        for proc, log in jobs:
            runner.finish(proc, log)
        dumps = [json.loads((runner.workdir / ('job%d.json' % n)).read_text()) for n in (1, 2)]
        steps['overlap'] = [d['bulk'] for d in dumps]
        steps['profiles'] = [d['ovp'] for d in dumps]
        steps['profiles_left'] = [p['id'] for p in list_all(emu, '/outbound_voice_profiles') if p.get('name') == PROFILE]
        steps['overlap_state'] = compare_fleet(fleet, account(emu))
        runner.run(play('after'))
        steps['after'] = json.loads((runner.workdir / 'after.json').read_text())['bulk']
        steps['after_state'] = compare_fleet(fleet, account(emu))
    report.add('overlapping runs', connections=SIZE, duplicates_after_overlap=sum(n - 1 for n in steps['overlap_state'][0].values()),
               missing_after_overlap=len(steps['overlap_state'][1]), duplicates_after_next_run=sum(n - 1 for n in steps['after_state'][0].values()),
               summaries=[r.get('summary') for r in steps['overlap']] + [steps['after'].get('summary')],
               connection_copies_given_way=sum(1 for r in steps['overlap'] for e in r.get('results') or [] if e.get('duplicate_removed')),
               profiles_left=len(steps['profiles_left']),
               profile_duplicates_removed=[p.get('duplicate_removed') for p in steps['profiles'] if p.get('duplicate_removed')])
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


def test_overlapping_runs_leave_one_profile_and_both_use_it(overlapped):
    """Both jobs create the same new outbound voice profile at once: one is left, and each job reports its id."""
    left = overlapped['profiles_left']
    assert len(left) == 1, left
    results = overlapped['profiles']
    assert all(not r.get('failed') for r in results), results
    assert [r['id'] for r in results] == left * 2

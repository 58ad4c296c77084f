# -*- coding: utf-8 -*-
# Copyright: byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Two overlapping runs on the same fleet (two ansible-playbook processes at once, as when two AWX jobs overlap).

Telnyx has no idempotency keys: both runs can read "absent" and both create. The rule of issue 7: at the end
there are 0 duplicates; where a run finds a duplicate it created itself, it removes its own copy and keeps
the oldest. The race is made certain by the emulator's test barrier: each create route is held until both
jobs (told apart by their API keys) have sent a create, so both have read those names as absent.
"""

from __future__ import annotations

import json

import pytest

from .harness import account, api_defaults, compare_fleet, dump_task, list_all, make_fleet

SIZE = 30
PROFILE = 'overlap-ovp'
KEYS = {'job1': 'KEYoverlap0job1', 'job2': 'KEYoverlap0job2', 'after': 'KEYoverlap0after'}
# the creates the two jobs must race on: each is held at the emulator until both jobs have sent one (a real
# barrier; /_emulator/barrier), i.e. until both have read the name as absent
RACED = ('POST /v2/credential_connections', 'POST /v2/ip_connections', 'POST /v2/fqdn_connections', 'POST /v2/outbound_voice_profiles')
CREATES = RACED[:3]


@pytest.fixture(scope='module', name='overlapped')
def _overlapped_fixture(tmp_path_factory, report):
    """Two runs started together, then a third one alone; the account after each step."""
    from telnyx_emulator.testing import running_emulator  # pylint: disable=import-outside-toplevel
    from .harness import Runner  # pylint: disable=import-outside-toplevel

    fleet = make_fleet(SIZE, 'overlap', profile=None)
    # Telnyx refuses a second connection with a SIP subdomain or an IP authentication token already taken (as it
    # refuses a taken user name): a job refused so adopts the first copy. The IP connections have neither here (no
    # extra IP authentication), so that they race and give way.
    for entry in fleet:
        if entry['type'] == 'ip':
            del entry['inbound']['sip_subdomain']
            del entry['token'], entry['ip_auth_method']
    runner = Runner(tmp_path_factory.mktemp('overlap'))
    runner.write('fleet.yml', {'fleet': fleet})
    steps = {}
    # no fixed key: each job has its own, so the barrier tells the jobs apart
    with running_emulator('--latency-ms', '100', '--seed', '5', api_key=None) as emu:
        def play(label):
            # the connections, then both create the same new outbound voice profile (as two AWX slices whose trunks name it)
            tasks = [{'byoc.carrier.sip_connections': {'connections': '{{ fleet }}', 'workers': 4}, 'register': 'bulk', 'ignore_errors': True},
                     {'byoc.carrier.outbound_voice_profile': {'name': PROFILE, 'concurrent_call_limit': 7}, 'register': 'ovp', 'ignore_errors': True},
                     dump_task(['bulk', 'ovp'], runner.workdir / ('%s.json' % label))]
            return [{'hosts': 'localhost', 'gather_facts': False, 'connection': 'local', 'vars_files': ['fleet.yml'],
                     'module_defaults': api_defaults(emu, api_key=KEYS[label]), 'tasks': tasks}]
        for route in RACED:
            assert emu.call('POST', emu.root + '/_emulator/barrier', {'route': route, 'parties': 2, 'timeout': 240}, headers={})[0] == 200
        jobs = [runner.start(play('job%d' % n)) for n in (1, 2)]
        for proc, log in jobs:
            runner.finish(proc, log)
        steps['barriers'] = emu.call('GET', emu.root + '/_emulator/barrier', headers={})[1]['barriers']
        steps['stats'] = emu.stats()
        dumps = [json.loads((runner.workdir / ('job%d.json' % n)).read_text()) for n in (1, 2)]
        steps['overlap'] = [d['bulk'] for d in dumps]
        steps['profiles'] = [d['ovp'] for d in dumps]
        steps['profiles_left'] = [p['id'] for p in list_all(emu, '/outbound_voice_profiles') if p.get('name') == PROFILE]
        steps['overlap_account'] = account(emu)
        steps['overlap_state'] = compare_fleet(fleet, steps['overlap_account'])
        runner.run(play('after'))
        steps['after'] = json.loads((runner.workdir / 'after.json').read_text())['bulk']
        steps['after_state'] = compare_fleet(fleet, account(emu))
    given_way = [e for r in steps['overlap'] for e in r.get('results') or [] if e.get('duplicate_removed')]
    steps['given_way'] = given_way
    report.add('overlapping runs', connections=SIZE, duplicates_after_overlap=sum(n - 1 for n in steps['overlap_state'][0].values()),
               missing_after_overlap=len(steps['overlap_state'][1]), duplicates_after_next_run=sum(n - 1 for n in steps['after_state'][0].values()),
               summaries=[r.get('summary') for r in steps['overlap']] + [steps['after'].get('summary')],
               connection_creates=sum(steps['stats']['by_route'].get(route, 0) for route in CREATES),
               connection_copies_given_way=len(given_way), barriers=steps['barriers'],
               profiles_left=len(steps['profiles_left']),
               profile_duplicates_removed=[p.get('duplicate_removed') for p in steps['profiles'] if p.get('duplicate_removed')])
    return steps


def test_the_two_runs_really_met_at_every_create(overlapped):
    """Not a wall-clock guess: the emulator held each create route until both jobs had sent a create."""
    assert sorted((b['route'], b['arrived'], b['released'], b['timed_out']) for b in overlapped['barriers']) == sorted(
        (route, 2, True, False) for route in RACED)


def test_overlapping_runs_lose_nothing(overlapped):
    _duplicates, missing, _mismatches, extra = overlapped['overlap_state']
    assert missing == [] and extra == []


def test_overlapping_runs_leave_no_duplicates(overlapped):
    duplicates = overlapped['overlap_state'][0]
    assert duplicates == {}, '%d names duplicated' % len(duplicates)


def test_next_run_removes_duplicates_keeping_the_oldest(overlapped):
    duplicates, missing, mismatches, _extra = overlapped['after_state']
    assert duplicates == {} and missing == [] and mismatches == []


def test_every_extra_copy_was_removed_once_and_the_oldest_survived(overlapped):
    """Counted at the emulator: every copy a job reports as given way is one DELETE, at least one name was raced
    (the barrier guarantees it), and the copy left of a raced name is the older one (the emulator numbers ids in
    creation order), which the other job reports as its own. (A second create of a credentials connection is
    refused by Telnyx, the username being taken: that job adopts the first copy, nothing to delete; so the
    creates counted are at least one per name plus one per copy given way.)"""
    stats, given_way = overlapped['stats'], overlapped['given_way']
    creates = sum(stats['by_route'].get(route, 0) for route in CREATES)
    deletes = sum(n for route, n in stats['by_route'].items() if route.startswith('DELETE /v2/') and route.split()[1].endswith('_connections/{id}'))
    assert len(given_way) >= 1 and creates >= SIZE + len(given_way) and deletes == len(given_way), (creates, deletes, given_way)
    left = overlapped['overlap_account']
    reported = dict(((n, e['name']), e) for n, r in enumerate(overlapped['overlap']) for e in r.get('results') or [])
    for entry in given_way:
        [kept] = left[entry['name']]
        assert int(kept['id']) < int(entry['duplicate_removed']), (kept['id'], entry)
        assert entry['id'] == kept['id']  # the job that gave way carries on with the older copy
        others = [e for (n, name), e in reported.items() if name == entry['name'] and e is not entry]
        assert [e['id'] for e in others] == [kept['id']] and not others[0].get('duplicate_removed')


def test_overlapping_runs_leave_one_profile_and_both_use_it(overlapped):
    """Both jobs create the same new outbound voice profile at once (both POSTs reached the emulator): one is left,
    the older one, the other job removed its own copy once, and each job reports the survivor's id."""
    left = overlapped['profiles_left']
    assert len(left) == 1, left
    results = overlapped['profiles']
    assert all(not r.get('failed') for r in results), results
    assert [r['id'] for r in results] == left * 2
    assert overlapped['stats']['by_route'].get('POST /v2/outbound_voice_profiles') == 2
    removed = [r['duplicate_removed'] for r in results if r.get('duplicate_removed')]
    assert len(removed) == 1 and int(left[0]) < int(removed[0]), (left, removed)
    assert overlapped['stats']['by_route'].get('DELETE /v2/outbound_voice_profiles/{id}') == 1

# -*- coding: utf-8 -*-
# Copyright: byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The bad-input table (bad_input.yml) run through the real modules and the real ``trunk`` role.

One playbook holds every module case (ignore_errors, registered results), then asks the emulator for its
counters, then runs the cases that must work; one ``playbooks/site.yml`` run covers every role case.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
import yaml

from .harness import ROOT, api_defaults, dump_task, writes

TABLE = yaml.safe_load((Path(__file__).parent / 'bad_input.yml').read_text(encoding='utf-8'))
PRECONDITIONS = (
    ('/credential_connections', {'connection_name': 'exists-cred', 'user_name': 'existscred1', 'password': 'Passw0rd-exists'}),
    ('/ip_connections', {'connection_name': 'exists-ip'}),
    ('/fqdn_connections', {'connection_name': 'exists-fqdn'}),
)


ID = '<id>'  # in a `message`: the Telnyx id of an object the case meets (it differs from run to run)


def _message_pattern(message):
    """The exact text of a case's message as a regular expression; only ``<id>`` stands for a Telnyx id."""
    return r'\d+'.join(re.escape(part) for part in message.split(ID))


def _ids(section):
    return [case['id'] for case in TABLE[section]]


def _cases(section):
    """The case numbers of a section, a case with ``xfail: <known bug, file>`` marked strict xfail."""
    return [pytest.param(number, id=case['id'], marks=[pytest.mark.xfail(strict=True, reason=case['xfail'])] if case.get('xfail') else [])
            for number, case in enumerate(TABLE[section])]


def test_every_case_has_its_exact_message_and_it_names_the_option():
    assert [case['id'] for case in TABLE['modules'] if not case.get('message')] == []
    # the option as a word of its own ("ips" is not in "relationships", "name" not in "names"); a sentence may start
    # with it ("Connection 'x' does not exist")
    word = r'(?<![A-Za-z0-9_])%s(?![A-Za-z0-9_])'
    assert [case['id'] for case in TABLE['modules'] if not re.search(word % re.escape(case['option']), case['message'], re.I)] == []


def test_an_id_in_a_message_stands_for_digits_only():
    pattern = _message_pattern("connection (id <id>); the type (can't) change")
    assert re.search(pattern, "connection (id 1000000007919317771); the type (can't) change")
    assert not re.search(pattern, "connection (id abc); the type (can't) change")
    assert not re.search(pattern, "connection (id 17); the type cannot change")


def test_table_is_big_enough():
    assert len(TABLE['modules']) + len(TABLE['role']) >= 40
    assert len(set(_ids('modules') + _ids('works') + _ids('role'))) == len(TABLE['modules']) + len(TABLE['works']) + len(TABLE['role'])


@pytest.fixture(scope='module', name='module_cases')
def _module_cases_fixture(tmp_path_factory, report):
    """Every module case in one playbook; the emulator's counters after them; the cases that must work, twice."""
    from telnyx_emulator.testing import running_emulator  # pylint: disable=import-outside-toplevel
    from .harness import Runner  # pylint: disable=import-outside-toplevel

    runner = Runner(tmp_path_factory.mktemp('bad-input'))
    results = runner.workdir / 'results.json'
    tasks, names = [], []
    # the cases of known bugs (xfail) run after the counters are read: what they write does not hide the others'
    ordered = sorted(enumerate(TABLE['modules']), key=lambda pair: bool(pair[1].get('xfail')))
    with running_emulator() as emu:
        stats_task = {'name': 'Counters after the bad cases', 'ansible.builtin.uri': {'url': emu.root + '/_emulator/stats'}, 'register': 'stats'}
        for number, case in ordered:
            if case.get('xfail') and 'stats' not in names:
                tasks.append(stats_task)
                names.append('stats')
            tasks.append({'name': case['id'], 'byoc.carrier.%s' % case['module']: case['args'], 'register': 'case_%d' % number, 'ignore_errors': True})
            names.append('case_%d' % number)
        if 'stats' not in names:
            tasks.append(stats_task)
            names.append('stats')
        for attempt in (1, 2):
            for number, case in enumerate(TABLE['works']):
                tasks.append({'name': '%s (run %d)' % (case['id'], attempt), 'byoc.carrier.%s' % case['module']: case['args'],
                              'register': 'works_%d_%d' % (number, attempt), 'ignore_errors': True})
                names.append('works_%d_%d' % (number, attempt))
        for path, body in PRECONDITIONS:
            emu.create(path, body)
        emu.reset(keep_state=True)
        started = time.monotonic()
        code, out = runner.run([{'hosts': 'localhost', 'gather_facts': False, 'connection': 'local',
                                 'module_defaults': api_defaults(emu, rate_limit_retry_timeout=5),
                                 'tasks': tasks + [dump_task(names, results)]}])
        assert results.exists(), 'rc %s:\n%s' % (code, out[-4000:])
        data = json.loads(results.read_text())
    report.add('bad input', module_cases=len(TABLE['modules']), module_cases_seconds=round(time.monotonic() - started, 1),
               writes_during_bad_cases=writes(data['stats']['json']), requests_during_bad_cases=data['stats']['json']['total'])
    return data


@pytest.mark.parametrize('number', _cases('modules'))
def test_module_case_fails_naming_the_option(module_cases, number):
    case = TABLE['modules'][number]
    result = module_cases['case_%d' % number]
    assert result.get('failed') is True, 'accepted: %s' % json.dumps(result)[:1500]
    msg = str(result.get('msg'))
    assert 'Traceback' not in msg and 'MODULE FAILURE' not in msg, msg[:1500]
    # the exact problem text: the option (or its path) and the reason
    assert re.search(_message_pattern(case['message']), msg), 'expected %r in: %s' % (case['message'], msg[:1500])


def test_module_cases_wrote_nothing(module_cases):
    stats = module_cases['stats']['json']
    assert writes(stats) == 0, stats['by_route']


@pytest.mark.parametrize('number', _cases('works'))
def test_short_names_work(module_cases, number):
    first, second = module_cases['works_%d_1' % number], module_cases['works_%d_2' % number]
    assert not first.get('failed'), first.get('msg')
    assert first['changed'] is True
    assert not second.get('failed'), second.get('msg')
    assert second['changed'] is False


# ------------------------------------------------------------------------------------------ the trunk role

@pytest.fixture(scope='module', name='role_run')
def _role_run_fixture(tmp_path_factory, report):
    """playbooks/site.yml on an inventory with one SBC host per role case; the API side is an emulator."""
    from telnyx_emulator.testing import running_emulator  # pylint: disable=import-outside-toplevel
    from .harness import Runner  # pylint: disable=import-outside-toplevel

    runner = Runner(tmp_path_factory.mktemp('bad-role'))
    hosts = {}
    for case in TABLE['role']:
        hosts[case['host']] = {'byoc_trunks': [case['trunk']] * (1 + case.get('extra_trunks', 0))}
    with running_emulator() as emu:
        group_vars = {'ansible_connection': 'local', 'ansible_python_interpreter': '{{ ansible_playbook_python }}',
                      'byoc_region': 'com', 'byoc_environment': 'rel', 'byoc_telnyx_api_url': emu.url, 'byoc_telnyx_api_key': emu.api_key,
                      'byoc_report_dir': str(runner.workdir / 'reports'), 'trunk_sbc': False, 'sbc_manage_service': False,
                      'sbc_config_dir': str(runner.workdir / 'sbc'), 'sbc_pbx_address': '127.0.0.1', 'sbc_listen_address': '127.0.0.1'}
        inventory = runner.write('hosts.yml', {'all': {'children': {'sbc': {'hosts': hosts, 'vars': group_vars}}}})
        started = time.monotonic()
        code, out = runner.run(str(ROOT / 'playbooks' / 'site.yml'), inventory=inventory)
        stats = emu.stats()
    report.add('bad input', role_cases=len(TABLE['role']), role_run_seconds=round(time.monotonic() - started, 1),
               requests_during_role_cases=stats['total'])
    return code, out, stats


def test_role_run_stops_before_any_request(role_run):
    code, out, stats = role_run
    assert code != 0, out[-3000:]
    assert stats['total'] == 0, stats['by_route']
    assert 'nothing was sent' in out


@pytest.mark.parametrize('number', _cases('role'))
def test_role_case_names_host_trunk_and_field(role_run, number):
    case = TABLE['role'][number]
    out = role_run[1]
    line = '%s / %s / %s' % (case['host'], case['trunk']['name'], case['field'])
    assert re.search(re.escape(line) + r'\b', out) or line in out, 'no line %r in:\n%s' % (line, _failure(out))


def _failure(out):
    start = out.find('error(s) in the inventory model')
    return out[max(0, start - 200):start + 4000] if start >= 0 else out[-3000:]

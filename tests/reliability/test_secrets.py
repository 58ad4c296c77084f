# -*- coding: utf-8 -*-
# Copyright: byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""No secret in anything a run leaves: the demo fleet (inventories/demo) converged with -vvvv, diff mode and
ANSIBLE_LOG_PATH, then audited (check mode + diff) through ansible-runner; every output, log, report and
runner artifact is searched for every secret value (API key, passwords, tokens).

Left out of the search: the Kamailio configuration the sbc role writes (``<BYOC_DEMO_DIR>/<host>/``), which must
hold the trunk credentials to work (its files must not be world-readable), and ansible-runner's copies of the job's
own input (``env/``, ``artifacts/<id>/command``: the environment the job was given, as AWX injects credentials).
"""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest
import yaml

from .harness import ROOT, failures_of

API_KEY = 'KEYrel-secret-0f3a9c1e77d24b6b'


def demo_secrets():
    """Every password and token of the demo inventory (read from its group_vars)."""
    found = set()
    for path in sorted((ROOT / 'inventories' / 'demo' / 'group_vars').glob('*.yml')):
        for trunk in (yaml.safe_load(path.read_text(encoding='utf-8')) or {}).get('byoc_trunks', []):
            found.update(str(trunk[k]) for k in ('password', 'token') if trunk.get(k))
    return sorted(found) + [API_KEY]


def _files(*roots, skip=()):
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if os.path.join(dirpath, d) not in skip]
            for name in filenames:
                if not _runner_input(dirpath, name):
                    yield Path(dirpath) / name


def _runner_input(dirpath, name):
    """ansible-runner's copies of what it was given: env/envvars and artifacts/<id>/command (the job's environment,
    where AWX's credential injection puts the key too). They are inputs of the job, not something the collection wrote."""
    return os.path.basename(dirpath) == 'env' or (name == 'command' and os.path.basename(os.path.dirname(dirpath)) == 'artifacts')


@pytest.fixture(scope='module', name='demo_runs')
def _demo_runs_fixture(tmp_path_factory, report):
    """The two runs; returns (secrets, the directories holding everything they left, SBC config dirs)."""
    from telnyx_emulator.testing import running_emulator  # pylint: disable=import-outside-toplevel
    from .harness import Runner  # pylint: disable=import-outside-toplevel
    import ansible_runner  # pylint: disable=import-outside-toplevel

    work = tmp_path_factory.mktemp('secrets')
    runner = Runner(work / 'work')
    demo_dir = work / 'demo'
    hosts = [h for group in ('demo_com', 'demo_eu', 'demo_ca')
             for h in yaml.safe_load((ROOT / 'inventories' / 'demo' / 'hosts.yml').read_text())['all']['children']['sbc']['children'][group]['hosts']]
    inventory = str(ROOT / 'inventories' / 'demo' / 'hosts.yml')
    timings = {}
    with running_emulator(api_key=API_KEY) as emu:
        env = {'BYOC_DEMO_DIR': str(demo_dir), 'BYOC_DEMO_API_URL': emu.url, 'BYOC_DEMO_API_KEY': API_KEY,
               'ANSIBLE_LOG_PATH': str(work / 'logs' / 'ansible.log')}
        (work / 'logs').mkdir()
        started = time.monotonic()
        code, out = runner.run(str(ROOT / 'playbooks' / 'site.yml'), args=['-vvvv', '--diff'], inventory=inventory, env=env)
        timings['converge_seconds'] = round(time.monotonic() - started, 1)
        assert code == 0, failures_of(out)
        # the audit (check mode + diff) through ansible-runner, as AWX runs it: artifacts, job events, stdout
        private = work / 'runner'
        (private / 'env').mkdir(parents=True)
        started = time.monotonic()
        result = ansible_runner.run(private_data_dir=str(private), playbook=str(ROOT / 'playbooks' / 'audit.yml'), inventory=inventory,
                                    envvars=dict(runner.env(**env), ANSIBLE_LOG_PATH=str(work / 'logs' / 'runner.log')),
                                    cmdline='-vvvv --diff --check', quiet=True, timeout=400)
        timings['audit_via_runner_seconds'] = round(time.monotonic() - started, 1)
        assert result.rc == 0, failures_of(result.stdout.read())
    report.add('secrets', **timings)
    sbc_dirs = [str(demo_dir / h) for h in hosts]
    return demo_secrets(), [str(runner.workdir), str(work / 'logs'), str(private), str(demo_dir)], sbc_dirs


def test_no_secret_in_outputs_logs_reports_or_artifacts(demo_runs, report):
    secrets, roots, sbc_dirs = demo_runs
    assert len(secrets) >= 5
    searched, hits = 0, []
    for path in _files(*roots, skip=sbc_dirs):
        data = path.read_bytes()
        searched += 1
        hits.extend('%s: %s...' % (path, s[:4]) for s in secrets if s.encode() in data)
    report.add('secrets', secret_values=len(secrets), files_searched=searched, occurrences=len(hits))
    assert searched >= 10
    assert any('job_events' in str(p) for p in _files(*roots))
    assert any(p.name.startswith('handoff-') for p in _files(*roots)) and any(p.name.startswith('drift-') for p in _files(*roots))
    assert hits == []


def test_sbc_config_with_credentials_is_not_world_readable(demo_runs):
    secrets, _roots, sbc_dirs = demo_runs
    holders = [p for p in _files(*sbc_dirs) if any(s.encode() in p.read_bytes() for s in secrets)]
    assert holders, 'the sbc role wrote no credentials at all (the search above would then prove nothing about them)'
    loose = [(str(p), oct(p.stat().st_mode & 0o777)) for p in holders if p.stat().st_mode & stat.S_IROTH]
    assert loose == []

# -*- coding: utf-8 -*-
# Copyright: byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures of the reliability tests: emulators stopped by PID, a playbook runner, the session's report."""

from __future__ import annotations

import fcntl
import json
import tempfile
import time

import pytest

from telnyx_emulator.testing import start as start_emulator

from .harness import Runner, output_dir


def pytest_configure(config):
    # a private base directory: other pytest sessions on this machine prune the shared /tmp/pytest-of-<user>,
    # which would delete the work directories of a long test while it runs
    if not config.option.basetemp and not hasattr(config, 'workerinput'):
        config.option.basetemp = tempfile.mkdtemp(prefix='byoc-reliability-')


@pytest.fixture
def emulators():
    """Factory: ``emulators(*flags, api_key=...)`` starts an emulator; every one is stopped by PID after the test."""
    started = []

    def factory(*flags, **kwargs):
        emu = start_emulator(*flags, **kwargs)
        started.append(emu)
        return emu
    yield factory
    crashed = []
    for emu in started:
        try:
            emu.finish()  # stops it; AssertionError when its log holds a traceback
        except AssertionError as exc:
            crashed.append(str(exc))
    assert not crashed, '\n'.join(crashed)


@pytest.fixture
def runner(tmp_path):
    return Runner(tmp_path / 'work')


class Report:
    """Figures of the run, per section; written as JSON and Markdown at the end of the session."""

    def __init__(self):
        self.sections = {}

    def add(self, section, **figures):
        self.sections.setdefault(section, {}).update(figures)

    def write(self):
        """Merge into the report files (pytest-xdist workers each hold a part; the stage removes old files first)."""
        out = output_dir()
        path = out / 'reliability-report.json'
        with open(out / '.reliability-report.lock', 'w', encoding='utf-8') as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            sections = json.loads(path.read_text(encoding='utf-8'))['sections'] if path.exists() else {}
            for name, figures in self.sections.items():
                sections.setdefault(name, {}).update(figures)
            doc = {'generated_at': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime()), 'sections': sections}
            path.write_text(json.dumps(doc, indent=2, sort_keys=True) + '\n', encoding='utf-8')
            (out / 'reliability-report.md').write_text(_markdown(doc), encoding='utf-8')


def _markdown(doc):
    lines = ['# Reliability report', '', 'Generated %s by `tests/stages/80-reliability.sh` (tests/reliability).' % doc['generated_at'], '']
    for section in sorted(doc['sections']):
        lines += ['## %s' % section, '', '| figure | value |', '|---|---|']
        lines += ['| %s | %s |' % (k, json.dumps(v) if isinstance(v, (dict, list)) else v) for k, v in sorted(doc['sections'][section].items())]
        lines.append('')
    return '\n'.join(lines)


@pytest.fixture(scope='session')
def report():
    rep = Report()
    yield rep
    rep.write()

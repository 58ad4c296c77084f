# -*- coding: utf-8 -*-
# Copyright: byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""pytest plugin loaded by scripts/test into every pytest run of a stage (PYTEST_PLUGINS=byoc_pytest_stage).

When BYOC_JUNIT_DIR is set, every pytest session that was not given ``--junitxml`` writes one to
``$BYOC_JUNIT_DIR/pytest-<pid>-<n>.xml``. scripts/test then reads them (scripts/lib/stage_report.py): the
counts of the stage, and its skips, each of which must be allowed by tests/skips.yml. Nothing else changes.
"""

from __future__ import annotations

import itertools
import os

import pytest

_COUNTER = itertools.count()


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    folder = os.environ.get('BYOC_JUNIT_DIR')
    if not folder or hasattr(config, 'workerinput') or getattr(config.option, 'xmlpath', None):
        return
    os.makedirs(folder, exist_ok=True)
    config.option.xmlpath = os.path.join(folder, 'pytest-%d-%d.xml' % (os.getpid(), next(_COUNTER)))

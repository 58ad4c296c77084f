# -*- coding: utf-8 -*-
# Copyright: byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Make ``ansible_collections.byoc.carrier`` importable: from the test copy or from the checkout's link; keep each
test's call report on its item (``item.byoc_call_report``: test_playbooks.py's explicit order reads it)."""

from __future__ import annotations

import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def _collections_parent():
    path = ROOT
    while path != os.path.dirname(path):
        if os.path.basename(path) == 'ansible_collections':
            return os.path.dirname(path)
        path = os.path.dirname(path)
    return os.path.join(ROOT, '.ansible', 'collections')


if _collections_parent() not in sys.path:
    sys.path.insert(0, _collections_parent())


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if call.when == 'call':
        item.byoc_call_report = report
    return report

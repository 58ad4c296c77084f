# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plain ``python -m pytest tests/unit`` without PYTHONPATH: make ``ansible_collections.byoc.carrier`` importable;
fail every test that leaves a Telnyx spec violation recorded in a FakeAPI (see fake_api.py).

From a copy at .../ansible_collections/byoc/carrier (what scripts/test runs) the directory above
``ansible_collections`` is used, from the checkout its ``.ansible/collections`` link. Under ansible-test
units the path is already there and nothing changes.
"""

from __future__ import annotations

import os
import sys

import pytest

_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_PARTS = _ROOT.split(os.sep)
_PARENT = os.sep.join(_PARTS[:-3]) if _PARTS[-3] == 'ansible_collections' else os.path.join(_ROOT, '.ansible', 'collections')
if _PARENT not in sys.path:
    sys.path.append(_PARENT)


@pytest.fixture(autouse=True)
def _no_spec_violation_left():
    """A request body the spec rejects fails the test, even when the code under test caught the AssertionError."""
    from ansible_collections.byoc.carrier.tests.unit.plugins import fake_api  # pylint: disable=import-outside-toplevel

    del fake_api.INSTANCES[:]
    yield
    left = [(request, message) for api in fake_api.INSTANCES for request, message in api.take_violations()]
    del fake_api.INSTANCES[:]
    assert not left, 'request(s) the Telnyx spec rejects (caught by the code under test?):\n' + '\n'.join(
        '%r: %s' % (request, message) for request, message in left)

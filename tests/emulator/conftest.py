# Copyright: contributors to byoc.carrier
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures of the emulator tests: one real emulator process per test module, emptied before each test."""
from __future__ import annotations

import pytest

from telnyx_emulator.testing import running_emulator


@pytest.fixture(scope='module')
def emu():
    with running_emulator() as process:
        yield process


@pytest.fixture
def api(emu):  # pylint: disable=redefined-outer-name
    """The module's emulator, reset (state emptied, counters zeroed) before the test."""
    emu.reset()
    return emu

# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shared E.164 pattern: its bounds, and that the modules, the settings table and the trunk model use it."""

from __future__ import annotations

import os
import re

import pytest

from ansible_collections.byoc.carrier.plugins.module_utils import _common, _settings, _trunk
from ansible_collections.byoc.carrier.plugins.modules import outbound_voice_profile, phone_number

PLUGINS = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'plugins')
OWN_COPIES_ALLOWED = {'_common.py'}


@pytest.mark.parametrize('number, ok', [
    ('+13125550100', True), ('+4930123456', True), ('+683400', True), ('+123456789012345', True),
    ('+1234567890123456', False), ('+12345', False), ('+0123456789', False), ('4930123456', False), ('+49 30 123456', False),
])
def test_e164_bounds(number, ok):
    assert bool(_common.E164.match(number)) is ok


def test_every_user_of_e164_shares_the_one_pattern():
    assert phone_number.E164 is _common.E164
    assert outbound_voice_profile.E164 is _common.E164
    assert _trunk.E164 is _common.E164
    assert _settings.validate('outbound', 'ip', {'caller_id_override': '+12345'}) == [
        'caller_id_override: must be an E.164 number such as +13125550100']
    assert _settings.validate('outbound', 'ip', {'caller_id_override': '+123456'}) == []


def test_no_other_copy_of_the_pattern_in_plugins():
    copies = []
    for root, _dirs, files in os.walk(PLUGINS):
        for name in files:
            if name.endswith('.py') and name not in OWN_COPIES_ALLOWED:
                with open(os.path.join(root, name), encoding='utf-8') as handle:
                    if re.search(r'\\\+\[1-9\]', handle.read()):
                        copies.append(name)
    assert copies == []

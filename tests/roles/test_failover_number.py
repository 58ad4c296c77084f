# -*- coding: utf-8 -*-
# Copyright: byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Trunk field failover_number through site.yml (demo inventory, EU SBC, Telnyx side, real emulator): the cpaas role
forwards the trunk's numbers on failure, the handoff sheet shows it, a second run writes nothing, "" turns it off,
and audit.yml reports a number whose forwarding drifted."""

from __future__ import annotations

import json
import os
import shutil

import pytest
from telnyx_emulator.testing import running_emulator

from .helpers import DEMO, ansible_env, run_playbook, writes

EU = 'cc-initech-eu-demo'
NUMBERS = ('+4930123456', '+49301234560')
FAILOVER = '+4930123457'
NO_SBC = ('--limit', EU, '-e', 'trunk_sbc=false')


@pytest.fixture(scope='module')
def emulator():
    with running_emulator(api_key='KEYfailover00000000000000000') as emu:
        yield emu


def _inventory(tmp_path, failover):
    inventory = tmp_path / 'inventory'
    if inventory.exists():
        shutil.rmtree(inventory)
    shutil.copytree(DEMO, inventory)
    eu = inventory / 'group_vars' / 'demo_eu.yml'
    text = eu.read_text()
    anchor = '    numbers: ["+4930123456", "+49301234560"]\n'
    assert anchor in text
    eu.write_text(text.replace(anchor, anchor + '    failover_number: %s\n' % json.dumps(failover), 1))
    return str(inventory)


def _forwarding(emulator):
    out = {}
    for number in NUMBERS:
        status, body, _h = emulator.call('GET', '/phone_numbers?filter[phone_number]=%s' % number[1:])
        assert status == 200
        ident = [n for n in body['data'] if n['phone_number'] == number][0]['id']
        out[number] = emulator.call('GET', '/phone_numbers/%s/voice' % ident)[1]['data']['call_forwarding']
    return out


def test_failover_number_set_kept_audited_and_cleared(emulator, tmp_path):
    env = ansible_env(emulator, tmp_path / 'work')
    inventory = _inventory(tmp_path, FAILOVER)
    rc, out, _recap = run_playbook('site', env, *NO_SBC, inventory=inventory)
    assert rc == 0, out[-3000:]
    on = {'call_forwarding_enabled': True, 'forwarding_type': 'on-failure', 'forwards_to': FAILOVER}
    assert _forwarding(emulator) == {n: on for n in NUMBERS}
    sheet = open(os.path.join(env['BYOC_DEMO_DIR'], 'reports', 'handoff-eu-demo.md'), encoding='utf-8').read()
    assert '| +4930123456, +49301234560 (on failure forwarded to %s) | present |' % FAILOVER in sheet

    emulator.reset(keep_state=True)
    rc, out, recap = run_playbook('site', env, *NO_SBC, inventory=inventory)
    assert rc == 0 and recap[EU]['changed'] == 0, out[-3000:]
    assert writes(emulator.stats()) == 0

    # someone turns forwarding off in the portal: audit.yml reports it, writes nothing
    # Telnyx's filter[phone_number] matches digits anywhere (+49301234560 too): take the exact number
    found = emulator.call('GET', '/phone_numbers?filter[phone_number]=%s' % NUMBERS[0][1:])[1]['data']
    ident = next(n['id'] for n in found if n['phone_number'] == NUMBERS[0])
    assert emulator.call('PATCH', '/phone_numbers/%s/voice' % ident, {'call_forwarding': {'call_forwarding_enabled': False}})[0] == 200
    emulator.reset(keep_state=True)
    rc, out, _recap = run_playbook('audit', env, '--limit', EU, inventory=inventory)
    assert rc == 0, out[-3000:]
    assert writes(emulator.stats()) == 0
    drift = json.load(open(os.path.join(env['BYOC_DEMO_DIR'], 'reports', 'drift-eu-demo.json'), encoding='utf-8'))
    rows = drift['hosts'][EU]['initech-eu-demo-cred']
    assert {'module': 'phone_number', 'setting': 'forward_on_failure.%s' % NUMBERS[0], 'wanted': FAILOVER, 'found': '', 'updated_at': None} in rows

    rc, out, _recap = run_playbook('site', env, *NO_SBC, inventory=_inventory(tmp_path, ''))
    assert rc == 0, out[-3000:]
    # the number the portal turned off already forwards nothing (left as it is), the other is turned off
    assert _forwarding(emulator) == {
        NUMBERS[0]: {'call_forwarding_enabled': False, 'forwarding_type': 'on-failure', 'forwards_to': FAILOVER},
        NUMBERS[1]: {'call_forwarding_enabled': False, 'forwarding_type': 'on-failure', 'forwards_to': ''}}
    sheet = open(os.path.join(env['BYOC_DEMO_DIR'], 'reports', 'handoff-eu-demo.md'), encoding='utf-8').read()
    assert 'on failure forwarded' not in sheet

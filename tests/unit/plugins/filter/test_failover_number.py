# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The trunk field failover_number: its rule (one place, shared with phone_number's forward_on_failure), the voice
settings body, the reading of Telnyx's forwarding, and the handoff sheet."""

from __future__ import annotations

from ansible_collections.byoc.carrier.plugins.filter import reports
from ansible_collections.byoc.carrier.plugins.module_utils import _trunk as T

TRUNK = {'name': 'acme-cred', 'type': 'credentials', 'username': 'acmecred1', 'password': 'Secret-pass1', 'sbc_port': 5062,
         'numbers': ['+4930123456', '+4930123457'], 'failover_number': '+4930999000'}


def test_a_trunk_with_a_failover_number_is_valid_and_the_entry_leaves_it_behind():
    assert T.trunk_problems(TRUNK) == []
    assert T.trunk_problems(dict(TRUNK, failover_number='')) == []
    assert 'failover_number' not in T.entry(TRUNK, 'eu')


def test_rules_name_the_field():
    assert T.trunk_problems(dict(TRUNK, failover_number='0049 30 999')) == [
        ('failover_number', 'must be an E.164 number (+ then 6-15 digits, no spaces) such as +4930123457, or "" to turn forwarding off, '
                            "got '0049 30 999'")]
    assert T.trunk_problems(dict(TRUNK, failover_number='+4930123457')) == [
        ('failover_number', '+4930123457 is one of the numbers it would forward, a loop; choose a number outside the trunk')]
    assert T.trunk_problems(dict(TRUNK, numbers=[])) == [('failover_number', 'the trunk has no numbers to forward (numbers)')]


def test_voice_settings_body_and_reading():
    assert T.forwarding_body('+4930999000') == {
        'call_forwarding': {'call_forwarding_enabled': True, 'forwarding_type': 'on-failure', 'forwards_to': '+4930999000'}}
    assert T.forwarding_body('') == {'call_forwarding': {'call_forwarding_enabled': False, 'forwards_to': ''}}
    assert T.forwarding_of({'call_forwarding': {'call_forwarding_enabled': True}}) == ''
    assert T.forwarding_of({'call_forwarding': T.forwarding_body('+4930999000')['call_forwarding']}) == '+4930999000'
    assert T.forwarding_of({'call_forwarding': {'call_forwarding_enabled': False, 'forwarding_type': 'on-failure', 'forwards_to': '+1'}}) == ''
    assert T.forwarding_of({'call_forwarding': {'forwarding_type': 'always', 'forwards_to': '+4930999000'}}) == '(always to +4930999000)'


def test_the_handoff_sheet_shows_it():
    results = {'results': [{'item': {'name': 'acme-cred'}, 'connection': {'id': '11', 'sip_uri': 'acmecred1@sip.telnyx.eu'}}]}
    facts = reports.trunk_facts([TRUNK, dict(TRUNK, name='acme-two', failover_number='')], results, 'eu')
    assert facts[0]['failover_number'] == '+4930999000' and 'failover_number' not in facts[1]
    text = reports.handoff_markdown({'region': 'eu', 'environment': 'prod', 'hosts': {'sbc1': {'trunks': facts, 'drift': [], 'verify': {}}}})
    assert ('| sbc1 | acme-cred | credentials | 11 | acmecred1@sip.telnyx.eu | +4930123456, +4930123457 '
            '(on failure forwarded to +4930999000) | present |') in text
    assert '| sbc1 | acme-two | credentials | (not created yet) | acmecred1@sip.telnyx.eu | +4930123456, +4930123457 | present |' in text

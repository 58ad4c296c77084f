# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The handoff sheet after a teardown (issue #14): a removed trunk says ``deleted``, not "(not created yet)", and
offers no SIP URI to paste."""

from __future__ import annotations

from ansible_collections.byoc.carrier.plugins.filter import reports

TRUNKS = [
    {'name': 'acme-ca-cred', 'type': 'credentials', 'username': 'acmeca01', 'numbers': ['+14165550100']},
    {'name': 'acme-ca-new', 'type': 'credentials', 'username': 'acmeca02'},
]


def sheet(results, state=None):
    facts = reports.trunk_facts(TRUNKS, {'results': results}, 'ca', state=state)
    return reports.handoff_markdown({'region': 'ca', 'environment': 'prod', 'hosts': {
        'sbc-yul1': {'trunks': facts, 'drift': [], 'verify': {}}}})


def test_torn_down_trunks_are_marked_deleted_without_a_sip_uri():
    text = sheet([], state='absent')
    assert '| sbc-yul1 | acme-ca-cred | credentials | deleted | - | +14165550100 | deleted |' in text
    assert '| sbc-yul1 | acme-ca-new | credentials | deleted | - | - | deleted |' in text
    assert '(not created yet)' not in text and 'acmeca01@sip.telnyx.ca' not in text


def test_a_removed_trunk_still_at_telnyx_says_so_and_a_new_one_is_not_created_yet():
    text = sheet([{'item': {'name': 'acme-ca-cred'}, 'connection': {'id': '77', 'sip_uri': 'acmeca01@sip.telnyx.ca'}}],
                 state='absent')
    assert '| sbc-yul1 | acme-ca-cred | credentials | 77 | acmeca01@sip.telnyx.ca | +14165550100 | absent (still at Telnyx) |' in text
    text = sheet([])
    assert '| sbc-yul1 | acme-ca-new | credentials | (not created yet) | acmeca02@sip.telnyx.ca | - | present |' in text

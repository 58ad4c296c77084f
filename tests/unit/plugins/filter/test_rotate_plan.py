# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plan of playbooks/rotate.yml: which secret of which trunk, given or generated values checked by the table's rules."""

from __future__ import annotations

import re

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.byoc.carrier.plugins.filter import rotate
from ansible_collections.byoc.carrier.plugins.module_utils._common import TOKEN_PATTERN

CRED = {'name': 'cred', 'type': 'credentials', 'username': 'credone1', 'password': 'Old-pass-1', 'sbc_port': 5060}
TOKEN = {'name': 'tok', 'type': 'ip', 'ip_auth_method': 'token', 'token': 'old-token-000001', 'sbc_port': 5062}
PREFIX = {'name': 'pre', 'type': 'ip', 'ip_auth_method': 'tech_prefix', 'tech_prefix': '1234', 'sbc_port': 5064}
FQDN = {'name': 'fq', 'type': 'fqdn', 'username': 'fqdnuser1', 'password': 'Old-pass-2', 'sbc_port': 5066}
HOSTVARS = {'sbc1': {'byoc_region': 'eu', 'byoc_trunks': [CRED, TOKEN, PREFIX]}, 'sbc2': {'byoc_region': 'com', 'byoc_trunks': [FQDN]}}


def test_given_values_per_host_and_region():
    plan = rotate.rotate_plan(HOSTVARS, ['sbc1', 'sbc2'], ['cred', 'tok', 'fq'],
                              {'cred': 'New-pass-123', 'tok': 'new-token-0000002', 'fq': 'New-pass-456'})
    assert plan['problems'] == []
    assert plan['hosts'] == {
        'sbc1': [{'name': 'cred', 'type': 'credentials', 'field': 'password', 'username': 'credone1', 'region': 'eu'},
                 {'name': 'tok', 'type': 'ip', 'field': 'token', 'username': None, 'region': 'eu'}],
        'sbc2': [{'name': 'fq', 'type': 'fqdn', 'field': 'password', 'username': 'fqdnuser1', 'region': 'com'}]}
    assert plan['values'] == {'cred': 'New-pass-123', 'tok': 'new-token-0000002', 'fq': 'New-pass-456'}
    assert plan['regions'] == {'eu': ['cred', 'tok'], 'com': ['fq']}


def test_generated_values_follow_the_rules_and_differ():
    plan = rotate.rotate_plan(HOSTVARS, ['sbc1'], ['cred', 'tok'], generated=True)
    assert plan['problems'] == []
    password, token = plan['values']['cred'], plan['values']['tok']
    assert re.match(r'^[A-Za-z0-9]{32}$', password) and re.match(TOKEN_PATTERN, token) and len(token) == 40
    again = rotate.rotate_plan(HOSTVARS, ['sbc1'], ['cred', 'tok'], generated=True)['values']
    assert again['cred'] != password and again['tok'] != token


@pytest.mark.parametrize('trunks, secrets, generated, problem', [
    (['cred'], {'cred': 'short'}, False, 'cred: new password: must be 8 to 128 characters long, got 5'),
    (['tok'], {'tok': 'bad token!'}, False, 'tok: new token: must be 12 to 48 letters, digits or hyphens'),
    (['pre'], {'pre': 'x' * 12}, False, 'pre: a ip trunk without credentials or a token has no secret to rotate'),
    (['nope'], {'nope': 'New-pass-123'}, False, "nope: no trunk of this name in the play's hosts"),
    (['cred'], {'cred': 'Old-pass-1'}, False, 'cred: the new password is the one the trunk has'),
    (['cred'], {'cred': 'New-pass-123'}, True, 'give the new values either in rotate_secrets'),
    (['cred'], {}, False, 'give the new values either in rotate_secrets'),
    (['cred'], {'cred': 'New-pass-123', 'tok': 'new-token-0000002'}, False, 'rotate_secrets: tok is not in rotate_trunks'),
    ([], {}, True, 'rotate_trunks: a non-empty list of trunk names is required'),
])
def test_problems_name_the_trunk_and_never_the_value(trunks, secrets, generated, problem):
    plan = rotate.rotate_plan(HOSTVARS, ['sbc1', 'sbc2'], trunks, secrets, generated)
    assert any(p.startswith(problem) for p in plan['problems']), plan['problems']
    for value in secrets.values():
        assert not any(value in p for p in plan['problems'] if len(value) > 5)


def test_a_trunk_on_two_hosts_is_refused():
    hostvars = dict(HOSTVARS, sbc3={'byoc_region': 'eu', 'byoc_trunks': [CRED]})
    plan = rotate.rotate_plan(hostvars, ['sbc1', 'sbc3'], ['cred'], {'cred': 'New-pass-123'})
    assert plan['problems'] == ['cred: declared by more than one host (sbc1, sbc3)'] and plan['hosts'] == {}


def test_with_secret_replaces_one_field_of_one_trunk():
    out = rotate.with_secret([CRED, TOKEN], 'tok', 'token', 'new-token-0000002')
    assert out == [CRED, dict(TOKEN, token='new-token-0000002')]
    assert TOKEN['token'] == 'old-token-000001'
    with pytest.raises(AnsibleFilterError, match='no trunk named other'):
        rotate.with_secret([CRED], 'other', 'password', 'x')

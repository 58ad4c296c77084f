# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""phone_number forward_on_failure: the exact voice-settings calls, idempotence, check/diff mode, clearing, refusals."""

from __future__ import annotations

from ansible_collections.byoc.carrier.plugins.modules import phone_number
from ansible_collections.byoc.carrier.tests.unit.plugins.modules.module_runner import fixture_api, run_module  # pylint: disable=unused-import # noqa: F401
from ansible_collections.byoc.carrier.tests.unit.plugins.modules.test_phone_number import CONNECTION, CONNECTIONS, A, B, connection, number, query

BACKUP = '+4930999000'
ON_FAILURE = {'call_forwarding': {'call_forwarding_enabled': True, 'forwarding_type': 'on-failure', 'forwards_to': BACKUP}}
OFF = {'call_forwarding': {'call_forwarding_enabled': False, 'forwards_to': ''}}


def voice(api, phone, forwarding):
    data = {'id': 'n' + phone[1:], 'record_type': 'voice_settings', 'call_forwarding': forwarding}
    api.add('GET', '/phone_numbers/n%s/voice' % phone[1:], json={'data': data})


def voice_patch(api, phone):
    api.add('PATCH', '/phone_numbers/n%s/voice' % phone[1:], handler=lambda request: (200, {'data': dict(request.json, id='n' + phone[1:])}))


def run(api, check=False, diff=False, **args):
    return run_module(phone_number, api.module_args(**args), check=check, diff=diff)


def test_sets_forwarding_where_it_differs_with_the_exact_body(api):
    connection(api, CONNECTION)
    number(api, A, connection_id='7')
    number(api, B, connection_id='7')
    voice(api, A, {'call_forwarding_enabled': True})
    voice(api, B, ON_FAILURE['call_forwarding'])
    voice_patch(api, A)
    result = run(api, diff=True, connection='acme-fra1', numbers=[A, B], forward_on_failure=BACKUP)
    assert api.calls == [
        ('GET', '/connections', CONNECTIONS, None),
        ('GET', '/phone_numbers', query(A), None),
        ('GET', '/phone_numbers', query(B), None),
        ('GET', '/phone_numbers/n4930123456/voice', {}, None),
        ('PATCH', '/phone_numbers/n4930123456/voice', {}, ON_FAILURE),
        ('GET', '/phone_numbers/n4930123457/voice', {}, None),
    ]
    assert result['changed'] is True
    assert [(n['phone_number'], n['changed'], n['forward_on_failure']) for n in result['numbers']] == [(A, True, BACKUP), (B, False, BACKUP)]
    assert result['diff']['before']['forward_on_failure'] == {A: '', B: BACKUP}
    assert result['diff']['after']['forward_on_failure'] == {A: BACKUP, B: BACKUP}


def test_nothing_to_do_writes_nothing(api):
    connection(api, CONNECTION)
    number(api, A, connection_id='7')
    voice(api, A, ON_FAILURE['call_forwarding'])
    result = run(api, connection='acme-fra1', numbers=[A], forward_on_failure=BACKUP)
    assert result['changed'] is False
    assert [c[0] for c in api.calls] == ['GET', 'GET', 'GET']


def test_clearing_turns_off_any_forwarding_also_always(api):
    connection(api, CONNECTION)
    number(api, A, connection_id='7')
    number(api, B, connection_id='7')
    voice(api, A, {'call_forwarding_enabled': True, 'forwarding_type': 'always', 'forwards_to': BACKUP})
    voice(api, B, {'call_forwarding_enabled': False, 'forwarding_type': 'on-failure', 'forwards_to': BACKUP})
    voice_patch(api, A)
    result = run(api, diff=True, connection='acme-fra1', numbers=[A, B], forward_on_failure='')
    assert [c for c in api.calls if c[0] == 'PATCH'] == [('PATCH', '/phone_numbers/n4930123456/voice', {}, OFF)]
    assert result['diff']['before']['forward_on_failure'] == {A: '(always to %s)' % BACKUP, B: ''}
    assert [n['changed'] for n in result['numbers']] == [True, False]


def test_check_mode_reads_and_never_writes(api):
    connection(api, CONNECTION)
    number(api, A, connection_id='7')
    voice(api, A, {'call_forwarding_enabled': True})
    result = run(api, check=True, connection='acme-fra1', numbers=[A], forward_on_failure=BACKUP)
    assert result['changed'] is True and result['numbers'][0]['changed'] is True
    assert [c[0] for c in api.calls] == ['GET', 'GET', 'GET']


def test_refused_before_any_request(api):
    result = run(api, connection='acme-fra1', numbers=[A], forward_on_failure='030 999')
    assert result['failed'] and result['msg'].startswith('forward_on_failure: must be an E.164 number')
    result = run(api, connection='acme-fra1', numbers=[A, B], forward_on_failure=B)
    assert result['msg'] == 'forward_on_failure: %s is one of the numbers it would forward, a loop; choose a number outside the trunk' % B
    result = run(api, numbers=[A], state='absent', forward_on_failure=BACKUP)
    assert 'forward_on_failure: only with state present' in result['msg']
    assert api.calls == []


def test_an_api_refusal_names_the_field(api):
    connection(api, CONNECTION)
    number(api, A, connection_id='7')
    voice(api, A, {'call_forwarding_enabled': True})
    api.add_error('PATCH', '/phone_numbers/n4930123456/voice', 422, detail='forwards_to must be a +E.164-formatted phone number',
                  pointer='/call_forwarding/forwards_to')
    result = run(api, connection='acme-fra1', numbers=[A], forward_on_failure=BACKUP)
    assert result['failed']
    assert 'PATCH /phone_numbers/n4930123456/voice: HTTP 422' in result['msg']
    assert 'forwards_to must be a +E.164-formatted phone number' in result['msg'] and '/call_forwarding/forwards_to' in result['msg']

# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""phone_number: the exact HTTP calls of assigning and unassigning numbers, check/diff mode and failures."""

from __future__ import annotations

from ansible_collections.byoc.carrier.plugins.modules import phone_number
from ansible_collections.byoc.carrier.tests.unit.plugins.fake_api import page
from ansible_collections.byoc.carrier.tests.unit.plugins.modules.module_runner import fixture_api, run_module  # pylint: disable=unused-import # noqa: F401

CONNECTIONS = {'filter[connection_name][contains]': 'acme-fra1', 'page[size]': '250', 'page[number]': '1'}
CONNECTION = {'id': '7', 'record_type': 'credential_connection', 'connection_name': 'acme-fra1'}
A, B, C = '+4930123456', '+4930123457', '+13125550100'


def query(number):
    return {'filter[phone_number]': number[1:], 'page[size]': '250', 'page[number]': '1'}


def connection(api, *found):
    api.add('GET', '/connections', json=page(list(found)), params=CONNECTIONS)


def number(api, phone, connection_id=None, extra=()):
    """Script the lookup of ``phone`` (id ``n<digits>``), plus numbers that merely contain it."""
    obj = {'id': 'n' + phone[1:], 'record_type': 'phone_number', 'phone_number': phone, 'connection_id': connection_id}
    others = [{'id': 'n' + o[1:], 'record_type': 'phone_number', 'phone_number': o, 'connection_id': None} for o in extra]
    api.add('GET', '/phone_numbers', json=page(others + [obj]), params=query(phone))
    return obj


def patched(api, phone):
    def handler(request):
        return 200, {'data': {'id': 'n' + phone[1:], 'phone_number': phone, 'connection_id': request.json['connection_id'] or None}}
    api.add('PATCH', '/phone_numbers/n' + phone[1:], handler=handler)


def run(api, check=False, diff=False, **args):
    return run_module(phone_number, api.module_args(**args), check=check, diff=diff)


def test_assign_patches_only_numbers_on_another_connection(api):
    connection(api, CONNECTION)
    number(api, A, connection_id='7')
    number(api, B, connection_id='99', extra=[B + '0'])
    number(api, C)
    patched(api, B)
    patched(api, C)
    result = run(api, diff=True, connection='acme-fra1', numbers=[A, B, C, A])
    assert api.calls == [
        ('GET', '/connections', CONNECTIONS, None),
        ('GET', '/phone_numbers', query(A), None),
        ('GET', '/phone_numbers', query(B), None),
        ('GET', '/phone_numbers', query(C), None),
        ('PATCH', '/phone_numbers/n4930123457', {}, {'connection_id': '7'}),
        ('PATCH', '/phone_numbers/n13125550100', {}, {'connection_id': '7'}),
    ]
    assert result['changed'] is True and result['connection_id'] == '7'
    assert result['numbers'] == [
        {'phone_number': A, 'id': 'n4930123456', 'connection_id': '7', 'changed': False},
        {'phone_number': B, 'id': 'n4930123457', 'connection_id': '7', 'changed': True},
        {'phone_number': C, 'id': 'n13125550100', 'connection_id': '7', 'changed': True},
    ]
    assert result['diff'] == {'before': {'numbers': {A: '7', B: '99', C: None}}, 'after': {'numbers': {A: '7', B: '7', C: '7'}}}


def test_assigned_numbers_are_not_written(api):
    connection(api, CONNECTION)
    number(api, A, connection_id='7')
    result = run(api, connection='acme-fra1', numbers=[A])
    assert result['changed'] is False and len(api.calls) == 2


def test_check_mode_reads_but_never_writes(api):
    connection(api, CONNECTION)
    number(api, A)
    result = run(api, check=True, connection='acme-fra1', numbers=[A])
    assert result['changed'] is True and [c[0] for c in api.calls] == ['GET', 'GET']
    assert result['numbers'] == [{'phone_number': A, 'id': 'n4930123456', 'connection_id': '7', 'changed': True}]


def test_numbers_not_in_the_account_fail_naming_all_before_any_write(api):
    connection(api, CONNECTION)
    api.add('GET', '/phone_numbers', json=page([]), params=query(A))
    number(api, B)
    api.add('GET', '/phone_numbers', json=page([{'id': 'x', 'phone_number': C + '9'}]), params=query(C))
    result = run(api, connection='acme-fra1', numbers=[A, B, C])
    assert result['failed'] and [c[0] for c in api.calls] == ['GET'] * 4
    assert result['msg'] == 'numbers not in this Telnyx account: +4930123456, +13125550100'
    assert result['missing'] == [A, C]


def test_invalid_numbers_fail_before_any_request(api):
    result = run(api, connection='acme-fra1', numbers=['+49 30 123456', A, '004930123456', '+0123456789', '+12345'])
    assert result['failed'] and api.calls == []
    assert result['msg'] == 'numbers: not E.164 (+ then 6-15 digits, no spaces): +49 30 123456, 004930123456, +0123456789, +12345'


def test_missing_connection_fails_in_a_real_run(api):
    connection(api)
    result = run(api, connection='acme-fra1', numbers=[A])
    assert result['failed'] and len(api.calls) == 1
    assert result['msg'] == "connection 'acme-fra1' does not exist; create it first (byoc.carrier.sip_connection)"


def test_missing_connection_in_check_mode_is_a_change_with_a_note(api):
    connection(api)
    number(api, A, connection_id='99')
    result = run(api, check=True, diff=True, connection='acme-fra1', numbers=[A])
    assert result['changed'] is True and len(api.calls) == 2 and 'connection_id' not in result
    assert "connection 'acme-fra1' does not exist yet" in result['msg']
    assert result['numbers'] == [{'phone_number': A, 'id': 'n4930123456', 'connection_id': None, 'changed': True}]
    assert result['diff']['after'] == {'numbers': {A: '(connection acme-fra1, to be created)'}}


def test_duplicate_connection_names_fail_listing_ids(api):
    connection(api, CONNECTION, dict(CONNECTION, id='8', record_type='ip_connection'))
    result = run(api, connection='acme-fra1', numbers=[A])
    assert result['failed'] and len(api.calls) == 1
    assert '7 (credentials), 8 (ip)' in result['msg']


def test_absent_unassigns_only_numbers_of_that_connection(api):
    connection(api, CONNECTION)
    number(api, A, connection_id='7')
    number(api, B, connection_id='99')
    number(api, C)
    patched(api, A)
    result = run(api, diff=True, connection='acme-fra1', numbers=[A, B, C], state='absent')
    assert api.calls[4:] == [('PATCH', '/phone_numbers/n4930123456', {}, {'connection_id': ''})]
    assert len(api.calls) == 5
    assert [(n['connection_id'], n['changed']) for n in result['numbers']] == [(None, True), ('99', False), (None, False)]
    assert result['diff'] == {'before': {'numbers': {A: '7', B: '99', C: None}}, 'after': {'numbers': {A: None, B: '99', C: None}}}


def test_absent_without_connection_unassigns_from_any(api):
    number(api, A, connection_id='7')
    number(api, B, connection_id='')
    patched(api, A)
    result = run(api, numbers=[A, B], state='absent')
    assert [c[0] for c in api.calls] == ['GET', 'GET', 'PATCH'] and api.calls[2][3] == {'connection_id': ''}
    assert [n['changed'] for n in result['numbers']] == [True, False]


def test_absent_with_a_connection_that_is_gone_does_nothing(api):
    connection(api)
    result = run(api, connection='acme-fra1', numbers=[A], state='absent')
    assert result['changed'] is False and result['numbers'] == [] and len(api.calls) == 1


def test_present_needs_a_connection(api):
    result = run(api, numbers=[A])
    assert result['failed'] and api.calls == []
    assert result['msg'] == 'state is present but all of the following are missing: connection'


def test_api_error_names_call_and_keeps_the_key_out(api):
    connection(api, CONNECTION)
    number(api, A)
    api.add_error('PATCH', '/phone_numbers/n4930123456', 422, detail='Number is not active', pointer='/connection_id')
    result = run(api, connection='acme-fra1', numbers=[A])
    assert result['failed']
    assert result['msg'] == 'PATCH /phone_numbers/n4930123456: HTTP 422 [10015] Bad Request: Number is not active (field /connection_id)'
    api.assert_secret_absent(result)


def test_a_failure_partway_reports_what_was_already_changed(api):
    connection(api, CONNECTION)
    for phone in (A, B, C):
        number(api, phone)
    patched(api, A)
    patched(api, B)
    api.add('PATCH', '/phone_numbers/n13125550100', status=422,
            json={'errors': [{'code': '10015', 'title': 'Invalid value', 'detail': 'number is being ported'}]})
    result = run(api, connection='acme-fra1', numbers=[A, B, C])
    assert result['failed'] is True and result['changed'] is True
    assert 'PATCH /phone_numbers/n13125550100: HTTP 422' in result['msg']
    assert [(n['phone_number'], n['changed']) for n in result['numbers']] == [(A, True), (B, True)]
    assert result['api_error']['status'] == 422

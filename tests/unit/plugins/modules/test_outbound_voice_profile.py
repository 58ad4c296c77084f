# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""outbound_voice_profile: the exact HTTP calls of create, no-op, update, delete, check/diff mode and failures."""

from __future__ import annotations

import json

import pytest

from ansible_collections.byoc.carrier.plugins.modules import outbound_voice_profile
from ansible_collections.byoc.carrier.tests.unit.plugins.fake_api import page
from ansible_collections.byoc.carrier.tests.unit.plugins.modules.module_runner import fixture_api, run_module  # pylint: disable=unused-import # noqa: F401

LISTING = {'filter[name][contains]': 'acme-eu', 'page[size]': '250', 'page[number]': '1'}
PROFILE = {'id': '42', 'record_type': 'outbound_voice_profile', 'name': 'acme-eu', 'enabled': True,
           'traffic_type': 'conversational', 'service_plan': 'global', 'usage_payment_method': 'rate-deck',
           'concurrent_call_limit': 10, 'whitelisted_destinations': ['US', 'CA'], 'daily_spend_limit': '100.00',
           'daily_spend_limit_enabled': False, 'max_destination_rate': 0.5, 'billing_group_id': None, 'tags': ['b', 'a'],
           'call_recording': {'call_recording_type': 'none', 'call_recording_caller_phone_numbers': [],
                              'call_recording_channels': 'single', 'call_recording_format': 'wav'},
           'connections_count': 0}


def listing(api, *profiles):
    api.add('GET', '/outbound_voice_profiles', json=page(list(profiles)), params=LISTING)


def echo(api, method, path, base=None):
    """Answer ``method path`` with ``base`` updated by the request body (what Telnyx returns)."""
    def handler(request):
        return 200, {'data': dict(base or {'id': '42', 'record_type': 'outbound_voice_profile'}, **request.json)}
    api.add(method, path, handler=handler)


def run(api, check=False, diff=False, **args):
    return run_module(outbound_voice_profile, api.module_args(name='acme-eu', **args), check=check, diff=diff)


def test_create_sends_every_set_option_once(api):
    listing(api)
    echo(api, 'POST', '/outbound_voice_profiles')
    listing(api, dict(PROFILE, id='42'))  # the overlap check: this run's copy is the only one
    result = run(api, diff=True, traffic_type='conversational', service_plan='global', concurrent_call_limit=20,
                 allowed_destinations=['de', 'FR'], enabled=True, tags=['acme'], daily_spend_limit='250',
                 daily_spend_limit_enabled=True, max_destination_rate=0.25, billing_group_id='',
                 call_recording={'type': 'all', 'format': 'mp3'})
    assert api.calls == [
        ('GET', '/outbound_voice_profiles', LISTING, None),
        ('POST', '/outbound_voice_profiles', {}, {
            'name': 'acme-eu', 'traffic_type': 'conversational', 'service_plan': 'global', 'concurrent_call_limit': 20,
            'whitelisted_destinations': ['DE', 'FR'], 'enabled': True, 'tags': ['acme'], 'daily_spend_limit': '250.00',
            'daily_spend_limit_enabled': True, 'max_destination_rate': 0.25, 'billing_group_id': None,
            'call_recording': {'call_recording_type': 'all', 'call_recording_format': 'mp3'}}),
        ('GET', '/outbound_voice_profiles', LISTING, None),
    ]
    assert result['changed'] is True and result['id'] == '42' and result['profile']['id'] == '42'
    assert result['diff']['before'] == {}
    assert result['diff']['after'] == {
        'name': 'acme-eu', 'traffic_type': 'conversational', 'service_plan': 'global', 'concurrent_call_limit': 20,
        'allowed_destinations': ['DE', 'FR'], 'enabled': True, 'tags': ['acme'], 'daily_spend_limit': '250.00',
        'daily_spend_limit_enabled': True, 'max_destination_rate': 0.25, 'billing_group_id': None,
        'call_recording': {'type': 'all', 'format': 'mp3'}}


def test_create_in_check_mode_only_reads(api):
    listing(api)
    result = run(api, check=True, concurrent_call_limit=5)
    assert api.calls == [('GET', '/outbound_voice_profiles', LISTING, None)]
    assert result['changed'] is True and 'id' not in result
    assert result['profile'] == {'name': 'acme-eu', 'concurrent_call_limit': 5}
    assert result['changed_fields'] == ['concurrent_call_limit', 'name']


def test_similar_names_do_not_count_as_the_profile(api):
    similar = (dict(PROFILE, id='1', name='acme-eu-old', created_at='2020-01-01T00:00:00Z'),
               dict(PROFILE, id='2', name='ACME-EU', created_at='2020-01-01T00:00:00Z'))
    listing(api, *similar)
    echo(api, 'POST', '/outbound_voice_profiles')
    listing(api, *(similar + (dict(PROFILE, id='42', created_at='2026-01-01T00:00:00Z'),)))  # older, but not the name
    result = run(api)
    assert 'duplicate_removed' not in result and result['id'] == '42'
    assert api.calls[1] == ('POST', '/outbound_voice_profiles', {}, {'name': 'acme-eu'})
    assert result['changed'] is True


def test_same_values_in_another_form_are_not_written(api):
    listing(api, PROFILE)
    result = run(api, diff=True, allowed_destinations=['ca', 'us'], daily_spend_limit='100', tags=['a', 'b'],
                 max_destination_rate=0.5, concurrent_call_limit=10, enabled=True, billing_group_id='',
                 call_recording={'type': 'none', 'channels': 'single'})
    assert len(api.calls) == 1
    assert result['changed'] is False and result['changed_fields'] == [] and result['id'] == '42'
    assert result['diff']['before'] == result['diff']['after']


def test_update_patches_only_the_differences(api):
    listing(api, PROFILE)
    echo(api, 'PATCH', '/outbound_voice_profiles/42', PROFILE)
    result = run(api, diff=True, concurrent_call_limit=0, allowed_destinations=['US', 'CA', 'DE'], enabled=True,
                 tags=['a', 'b'], call_recording={'type': 'all', 'channels': 'single'})
    assert api.calls[1] == ('PATCH', '/outbound_voice_profiles/42', {}, {
        'name': 'acme-eu', 'concurrent_call_limit': None, 'whitelisted_destinations': ['US', 'CA', 'DE'],
        'call_recording': {'call_recording_type': 'all', 'call_recording_caller_phone_numbers': [],
                           'call_recording_channels': 'single', 'call_recording_format': 'wav'}})
    assert len(api.calls) == 2
    assert result['changed'] is True
    assert result['changed_fields'] == ['call_recording', 'concurrent_call_limit', 'whitelisted_destinations']
    assert result['profile']['whitelisted_destinations'] == ['US', 'CA', 'DE']
    before, after = result['diff']['before'], result['diff']['after']
    assert (before['concurrent_call_limit'], after['concurrent_call_limit']) == (10, 0)
    assert (before['allowed_destinations'], after['allowed_destinations']) == (['CA', 'US'], ['CA', 'DE', 'US'])
    assert before['call_recording'] == {'type': 'none', 'channels': 'single'}
    assert after['call_recording'] == {'type': 'all', 'channels': 'single'}
    assert before['tags'] == after['tags'] == ['a', 'b']


def test_update_in_check_mode_reports_without_writing(api):
    listing(api, PROFILE)
    result = run(api, check=True, daily_spend_limit='99.5', daily_spend_limit_enabled=True)
    assert len(api.calls) == 1
    assert result['changed'] is True
    assert result['changed_fields'] == ['daily_spend_limit', 'daily_spend_limit_enabled']


def test_delete_then_delete_again(api):
    listing(api, PROFILE)
    api.add('DELETE', '/outbound_voice_profiles/42', json={'data': PROFILE})
    result = run(api, diff=True, state='absent')
    assert api.calls[1] == ('DELETE', '/outbound_voice_profiles/42', {}, None)
    assert result['changed'] is True and result['id'] == '42'
    assert result['diff']['after'] == {} and result['diff']['before']['name'] == 'acme-eu'
    assert result['diff']['before']['concurrent_call_limit'] == 10
    listing(api)
    result = run(api, state='absent')
    assert result['changed'] is False and result['profile'] == {} and len(api.calls) == 3


def test_delete_in_check_mode_only_reads(api):
    listing(api, PROFILE)
    result = run(api, check=True, state='absent')
    assert result['changed'] is True and len(api.calls) == 1


def test_two_profiles_with_the_name_fail_listing_ids(api):
    listing(api, dict(PROFILE, id='41'), dict(PROFILE, id='43'))
    result = run(api, enabled=False)
    assert result['failed'] and len(api.calls) == 1
    assert "2 outbound voice profiles are named 'acme-eu': 41, 43" in result['msg']
    assert result['ids'] == ['41', '43']


def test_bad_values_fail_before_any_request_naming_each_option(api):
    result = run_module(outbound_voice_profile, api.module_args(
        name='ab', concurrent_call_limit=-1, allowed_destinations=['DE', 'Germany', 'U1'], daily_spend_limit='12.345',
        max_destination_rate=-0.1, call_recording={'type': 'by_caller_phone_number', 'caller_phone_numbers': ['+4930', '030 123']}))
    assert result['failed'] and api.calls == []
    assert result['problems'] == [
        "name: must have at least 3 characters, got 'ab'",
        'concurrent_call_limit: must be 0 or more, got -1',
        'max_destination_rate: must be 0 or more, got -0.1',
        'allowed_destinations: not ISO 3166-1 alpha-2 country codes: Germany, U1',
        "daily_spend_limit: must be an amount in USD >= 0 with at most 2 decimals, got '12.345'",
        'call_recording.caller_phone_numbers: not E.164 numbers (+ then 6-15 digits, no spaces): +4930, 030 123',
    ]


@pytest.mark.parametrize('money', ['abc', 'NaN', '-1', 'Infinity'])
def test_daily_spend_limit_must_be_a_usd_amount(api, money):
    result = run(api, daily_spend_limit=money)
    assert result['failed'] and api.calls == []
    assert result['msg'].startswith('Invalid options: daily_spend_limit: ')


def test_api_error_is_reported_with_telnyx_detail_and_no_key(api):
    listing(api, PROFILE)
    api.add_error('PATCH', '/outbound_voice_profiles/42', 422, detail='Limit above account limit',
                  pointer='/concurrent_call_limit')
    result = run(api, concurrent_call_limit=100000)
    assert result['failed']
    assert result['msg'] == ('PATCH /outbound_voice_profiles/42: HTTP 422 [10015] Bad Request: Limit above account limit '
                             '(field /concurrent_call_limit)')
    api.assert_secret_absent(json.dumps(result))


def test_create_that_committed_without_answer_is_found_not_repeated(api):
    listing(api)
    api.add('POST', '/outbound_voice_profiles', raises='reset')
    listing(api, PROFILE)
    listing(api, PROFILE)
    result = run(api)
    assert [c[0] for c in api.calls] == ['GET', 'POST', 'GET', 'GET']
    assert result['changed'] is True and result['id'] == '42'


def test_a_profile_created_by_an_overlapping_run_first_is_kept_and_this_runs_copy_deleted(api):
    """Two AWX slices name the same new profile: the run whose copy is newer deletes it and updates the older one."""
    older = dict(PROFILE, id='41', created_at='2026-01-01T10:00:00.000Z', concurrent_call_limit=10)
    listing(api)
    echo(api, 'POST', '/outbound_voice_profiles', dict(PROFILE, id='43', created_at='2026-01-01T10:00:00.200Z'))
    listing(api, older, dict(PROFILE, id='43', created_at='2026-01-01T10:00:00.200Z'))
    api.add('DELETE', '/outbound_voice_profiles/43', json={'data': {'id': '43'}})
    echo(api, 'PATCH', '/outbound_voice_profiles/41', older)
    result = run(api, concurrent_call_limit=20)
    assert [c[:2] for c in api.calls] == [
        ('GET', '/outbound_voice_profiles'), ('POST', '/outbound_voice_profiles'), ('GET', '/outbound_voice_profiles'),
        ('DELETE', '/outbound_voice_profiles/43'), ('PATCH', '/outbound_voice_profiles/41')]
    assert api.calls[4][3] == {'name': 'acme-eu', 'concurrent_call_limit': 20}
    assert (result['changed'], result['id'], result['duplicate_removed']) == (True, '41', '43')
    assert result['changed_fields'] == ['concurrent_call_limit']
    api.assert_done()


def test_the_oldest_copy_is_kept_by_the_run_that_made_it(api):
    """This run's copy is the oldest (same created_at, lower id): kept; the newer one is left to the run that made it."""
    stamp = '2026-01-01T10:00:00.000Z'
    listing(api)
    echo(api, 'POST', '/outbound_voice_profiles', dict(PROFILE, id='41', created_at=stamp))
    listing(api, dict(PROFILE, id='41', created_at=stamp), dict(PROFILE, id='42', created_at=stamp))
    result = run(api)
    assert [c[0] for c in api.calls] == ['GET', 'POST', 'GET']
    assert result['id'] == '41' and 'duplicate_removed' not in result
    api.assert_done()


def test_a_failure_after_the_create_reports_the_created_profile_as_a_change(api):
    """The relisting after the create fails: the profile exists now, so the failure says changed and gives its id."""
    listing(api)
    echo(api, 'POST', '/outbound_voice_profiles')
    api.add('GET', '/outbound_voice_profiles', status=403, json={'errors': [{'code': '10010', 'title': 'Forbidden'}]}, params=LISTING)
    result = run(api)
    assert result['failed'] is True
    assert result['msg'].startswith('GET https://api.telnyx.test/v2/outbound_voice_profiles: HTTP 403 [10010] Forbidden - check the API key from ')
    assert (result['changed'], result['id']) == (True, '42')

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: outbound_voice_profile
short_description: Find, create, update or delete a Telnyx outbound voice profile
version_added: 0.1.0
description:
  - Manages the Telnyx outbound voice profile (OVP) that a SIP connection needs for outbound calls
    (without one, calls fail with Telnyx error D38). Link a connection to it with
    M(byoc.carrier.sip_outbound)'s O(byoc.carrier.sip_outbound#module:outbound_voice_profile) option.
  - The profile is found by its exact O(name). Telnyx only offers a case-insensitive substring filter,
    so the module filters on the server and then matches the name exactly. Two profiles with that name
    make the module fail and list their ids; it never guesses.
  - Only the options you set are compared and sent. An update sends one PATCH holding just the
    fields that differ (plus C(name), which Telnyx's update schema requires); nothing differs means no
    write and RV(ignore:changed=false).
  - Every value is validated before any request is sent; a bad value fails naming the option.
author:
  - byoc.carrier contributors (!UNKNOWN)
extends_documentation_fragment:
  - byoc.carrier.telnyx
  - byoc.carrier.telnyx.attributes
options:
  name:
    description:
      - Exact name of the profile (at least 3 characters).
    type: str
    required: true
  state:
    description:
      - V(present) creates the profile when missing and updates the options you set.
      - V(absent) deletes it. Telnyx keeps the link only on connections
        (C(outbound.outbound_voice_profile_id)), so unlink them first with M(byoc.carrier.sip_outbound).
    type: str
    choices: [present, absent]
    default: present
  traffic_type:
    description:
      - Type of traffic allowed. Telnyx offers only V(conversational).
    type: str
    choices: [conversational]
  service_plan:
    description:
      - Coverage of the termination regions. Telnyx offers only V(global).
    type: str
    choices: [global]
  concurrent_call_limit:
    description:
      - Most calls at once through this profile; must not exceed your account's global limit.
      - V(0) removes the limit (sent as C(null)).
    type: int
  allowed_destinations:
    description:
      - Countries that may be called, as ISO 3166-1 alpha-2 codes (Telnyx field C(whitelisted_destinations)).
      - Compared as a set; lower case is accepted and sent upper case.
      - Telnyx's default on create is V(US) and V(CA).
    type: list
    elements: str
  enabled:
    description:
      - Whether the profile may be used. A disabled profile blocks outbound calls of every connection that uses it.
    type: bool
  tags:
    description:
      - Tags of the profile, compared as a set.
    type: list
    elements: str
  daily_spend_limit:
    description:
      - Most usage charges per day, in USD, as a decimal number with at most two decimals, for example V(100) or V(99.50).
      - Enforced only with O(daily_spend_limit_enabled=true).
    type: str
  daily_spend_limit_enabled:
    description:
      - Whether Telnyx enforces O(daily_spend_limit).
    type: bool
  max_destination_rate:
    description:
      - Highest price per minute of a destination that may be called.
    type: float
  billing_group_id:
    description:
      - Id (UUID) of the billing group of the profile. An empty string removes the billing group (sent as C(null)).
    type: str
  call_recording:
    description:
      - Recording of the outbound calls of this profile. Only the suboptions you set are compared;
        the C(call_recording) object is sent whole (merged with the current one) when it changes.
    type: dict
    suboptions:
      type:
        description:
          - Which calls are recorded (Telnyx C(call_recording_type)).
        type: str
        choices: [all, none, by_caller_phone_number]
      caller_phone_numbers:
        description:
          - With O(call_recording.type=by_caller_phone_number), the E.164 caller numbers whose calls are recorded. Compared as a set.
        type: list
        elements: str
      channels:
        description:
          - V(single) (mono) or V(dual) (stereo, one leg per channel).
        type: str
        choices: [single, dual]
      format:
        description:
          - Audio format of the recordings.
        type: str
        choices: [wav, mp3]
notes:
  - The profile's C(calling_window) (beta) and C(usage_payment_method) (one value, C(rate-deck)) are not managed.
  - "Overlapping runs (two AWX job slices whose trunks name the same new profile): Telnyx has no idempotency keys
    and no unique profile names, so both runs may create it. After a create the module lists the name again;
    when an older profile with the name exists (C(created_at), then id), it deletes the copy it just created
    (RV(duplicate_removed)), updates the older one like an existing profile and returns it. A duplicate found
    before the create fails, listing the ids (never guessed)."
seealso:
  - module: byoc.carrier.sip_outbound
  - name: Telnyx outbound voice profiles API
    description: Reference of the API this module calls.
    link: https://developers.telnyx.com/api/outbound-voice-profiles/create-voice-profile
"""

EXAMPLES = r"""
- name: Outbound voice profile for the EU trunks
  byoc.carrier.outbound_voice_profile:
    api_key: "{{ vault_telnyx_api_key }}"
    name: acme-eu
    traffic_type: conversational
    service_plan: global
    concurrent_call_limit: 20
    allowed_destinations: [DE, FR, GB, NL]
    daily_spend_limit: "250.00"
    daily_spend_limit_enabled: true
    tags: [acme, eu]
  register: ovp

- name: Link a connection to it
  byoc.carrier.sip_outbound:
    api_key: "{{ vault_telnyx_api_key }}"
    connection: acme-eu-prod-fra1
    outbound_voice_profile: "{{ ovp.id }}"

- name: Record every call of the profile in stereo MP3
  byoc.carrier.outbound_voice_profile:
    name: acme-eu
    call_recording:
      type: all
      channels: dual
      format: mp3

- name: Remove the profile
  byoc.carrier.outbound_voice_profile:
    name: acme-eu
    state: absent
"""

RETURN = r"""
duplicate_removed:
  description:
    - The id of the profile this run created and deleted because an older profile with the same name appeared
      meanwhile (an overlapping run); RV(id) and RV(profile) then describe the kept, older profile.
  returned: when an overlapping run had created the name first
  type: str
  sample: "1293384261075731500"
id:
  description:
    - Id of the profile. Absent when a profile would be created in check mode, or when none exists with O(state=absent).
  returned: when the profile exists (or existed before O(state=absent) deleted it)
  type: str
  sample: "1293384261075731499"
profile:
  description:
    - The profile as Telnyx returns it after the change (before it, for a deletion).
    - In check mode a profile that would be created is shown as the request body, without C(id).
    - Empty when O(state=absent) finds no profile.
  returned: always
  type: dict
  contains:
    id:
      description: Id of the profile.
      type: str
      sample: "1293384261075731499"
    record_type:
      description: Always C(outbound_voice_profile).
      type: str
      sample: outbound_voice_profile
    name:
      description: Name of the profile.
      type: str
      sample: acme-eu
    enabled:
      description: Whether the profile may be used.
      type: bool
      sample: true
    traffic_type:
      description: Type of traffic allowed.
      type: str
      sample: conversational
    service_plan:
      description: Coverage of the termination regions.
      type: str
      sample: global
    usage_payment_method:
      description: How costs are calculated.
      type: str
      sample: rate-deck
    concurrent_call_limit:
      description: Most calls at once, C(null) for no limit.
      type: int
      sample: 20
    whitelisted_destinations:
      description: Countries that may be called (ISO 3166-1 alpha-2), O(allowed_destinations).
      type: list
      elements: str
      sample: [DE, FR, GB, NL]
    daily_spend_limit:
      description: Daily spend limit in USD, a decimal string.
      type: str
      sample: "250.00"
    daily_spend_limit_enabled:
      description: Whether the daily spend limit is enforced.
      type: bool
      sample: true
    max_destination_rate:
      description: Highest price per minute of a destination that may be called.
      type: float
      sample: 0.5
    billing_group_id:
      description: Billing group of the profile, or C(null).
      type: str
      sample: 6a09cdc3-8948-47f0-aa62-74ac943d6c58
    call_recording:
      description: Call recording settings (C(call_recording_type), C(call_recording_caller_phone_numbers),
        C(call_recording_channels), C(call_recording_format)).
      type: dict
      sample: {call_recording_type: all, call_recording_channels: dual, call_recording_format: mp3, call_recording_caller_phone_numbers: []}
    tags:
      description: Tags of the profile.
      type: list
      elements: str
      sample: [acme, eu]
    connections_count:
      description: How many connections use the profile.
      type: int
      sample: 2
    created_at:
      description: ISO 8601 creation time.
      type: str
      sample: "2026-11-26T03:00:00.000Z"
    updated_at:
      description: ISO 8601 time of the last update.
      type: str
      sample: "2026-11-26T03:00:00.000Z"
changed_fields:
  description: Telnyx fields that differ (sent in the PATCH, or in the POST of a creation).
  returned: always
  type: list
  elements: str
  sample: [concurrent_call_limit, whitelisted_destinations]
"""

import re
from decimal import Decimal, InvalidOperation

from ansible_collections.byoc.carrier.plugins.module_utils._common import E164, E164_RULE
from ansible_collections.byoc.carrier.plugins.module_utils._runner import (
    api_errors,
    diff_views,
    find_by_name,
    get_client,
    list_named,
    new_module,
    older_copy,
)

PATH = '/outbound_voice_profiles'
ALPHA2 = re.compile(r'^[A-Z]{2}$')
CENTS = Decimal('0.01')
# call_recording suboption -> Telnyx field inside call_recording
RECORDING = {'type': 'call_recording_type', 'caller_phone_numbers': 'call_recording_caller_phone_numbers',
             'channels': 'call_recording_channels', 'format': 'call_recording_format'}


def _same(value):
    return value


def _as_set(values):
    return sorted(set(values or []))


def _upper_list(values):
    return [value.upper() for value in values]


def _money(value):
    return None if value in (None, '') else str(Decimal(str(value)).quantize(CENTS))


def _rate(value):
    return None if value is None else float(value)


def _limit_to_api(value):
    return value or None


def _limit_from_api(value):
    return value or 0


def _empty_is_null(value):
    return value or None


def _recording_to_api(value):
    return dict((RECORDING[key], item) for key, item in value.items() if item is not None)


def _recording_from_api(value):
    view = dict((key, (value or {}).get(field)) for key, field in RECORDING.items())
    view['caller_phone_numbers'] = _as_set(view['caller_phone_numbers'])
    return view


# option -> (Telnyx field, option value -> request value, API value -> comparable view)
FIELDS = {
    'traffic_type': ('traffic_type', _same, _same),
    'service_plan': ('service_plan', _same, _same),
    'concurrent_call_limit': ('concurrent_call_limit', _limit_to_api, _limit_from_api),
    'allowed_destinations': ('whitelisted_destinations', _upper_list, _as_set),
    'enabled': ('enabled', _same, _same),
    'tags': ('tags', _same, _as_set),
    'daily_spend_limit': ('daily_spend_limit', _money, _money),
    'daily_spend_limit_enabled': ('daily_spend_limit_enabled', _same, _same),
    'max_destination_rate': ('max_destination_rate', _same, _rate),
    'billing_group_id': ('billing_group_id', _empty_is_null, _same),
    'call_recording': ('call_recording', _recording_to_api, _recording_from_api),
}

ARGUMENT_SPEC = dict(
    name=dict(type='str', required=True),
    state=dict(type='str', choices=['present', 'absent'], default='present'),
    traffic_type=dict(type='str', choices=['conversational']),
    service_plan=dict(type='str', choices=['global']),
    concurrent_call_limit=dict(type='int'),
    allowed_destinations=dict(type='list', elements='str'),
    enabled=dict(type='bool'),
    tags=dict(type='list', elements='str', no_log=False),
    daily_spend_limit=dict(type='str'),
    daily_spend_limit_enabled=dict(type='bool'),
    max_destination_rate=dict(type='float'),
    billing_group_id=dict(type='str'),
    call_recording=dict(type='dict', options=dict(
        type=dict(type='str', choices=['all', 'none', 'by_caller_phone_number']),
        caller_phone_numbers=dict(type='list', elements='str'),
        channels=dict(type='str', choices=['single', 'dual']),
        format=dict(type='str', choices=['wav', 'mp3']),
    )),
)


def _is_money(value):
    """Whether ``value`` is an amount in USD: a finite decimal >= 0 with at most 2 decimals."""
    try:
        amount = Decimal(value)
    except InvalidOperation:
        return False
    return amount.is_finite() and amount >= 0 and amount == amount.quantize(CENTS)


def validate(params):
    """Every problem with the options, each naming its option (empty list when all is well)."""
    problems = []
    if len(params['name'].strip()) < 3:
        problems.append('name: must have at least 3 characters, got %r' % params['name'])
    for option in ('concurrent_call_limit', 'max_destination_rate'):
        if (params[option] or 0) < 0:
            problems.append('%s: must be 0 or more, got %s' % (option, params[option]))
    bad = [c for c in params['allowed_destinations'] or [] if not ALPHA2.match(c.upper())]
    if bad:
        problems.append('allowed_destinations: not ISO 3166-1 alpha-2 country codes: %s' % ', '.join(bad))
    if params['daily_spend_limit'] is not None and not _is_money(params['daily_spend_limit']):
        problems.append('daily_spend_limit: must be an amount in USD >= 0 with at most 2 decimals, got %r' % params['daily_spend_limit'])
    bad = [n for n in (params['call_recording'] or {}).get('caller_phone_numbers') or [] if not E164.match(n)]
    if bad:
        problems.append('call_recording.caller_phone_numbers: not E.164 numbers (%s): %s' % (E164_RULE, ', '.join(bad)))
    return problems


def wanted(params):
    """Request values of the options that are set, keyed by option."""
    return dict((option, to_api(params[option])) for option, (dummy, to_api, dummy2) in FIELDS.items()
                if params[option] is not None)


def view(params, obj):
    """Comparable view, keyed by option, of a Telnyx object (or request body) for the options that are set
    (every option when ``params`` is None)."""
    result = {}
    for option, (field, dummy, from_api) in FIELDS.items():
        if params is not None and params[option] is None:
            continue
        result[option] = from_api(obj.get(field))
        if option == 'call_recording' and params is not None:  # only the suboptions that are set count
            result[option] = dict((k, v) for k, v in result[option].items() if params[option][k] is not None)
    return result


def body_of(want, options, current=None):
    """Request body with the Telnyx fields of ``options``; call_recording is merged into the current one."""
    body = {}
    for option in options:
        field = FIELDS[option][0]
        body[field] = want[option]
        if option == 'call_recording':
            body[field] = dict((current or {}).get(field) or {}, **want[option])
    return body


def find_profile(module, client, name):
    """The one profile named exactly ``name``, or None; several fail listing their ids."""
    return find_by_name(module, client, PATH, name, 'outbound voice profiles')


def update(module, client, params, want, after, current, result):
    """PATCH the options of ``current`` that differ (one request); returns its view before."""
    name = params['name']
    before = dict(view(params, current), name=name)
    changed = sorted(o for o in want if before[o] != after[o])
    result.update(changed=result['changed'] or bool(changed), changed_fields=sorted(FIELDS[o][0] for o in changed))
    if changed and not module.check_mode:
        # Telnyx's update schema requires the name, so it goes along unchanged
        body = dict(name=name, **body_of(want, changed, current))
        result['profile'] = client.patch('%s/%s' % (PATH, current['id']), body)
    return before


def main():
    module = new_module(ARGUMENT_SPEC)
    params = module.params
    problems = validate(params)
    if problems:
        module.fail_json(msg='Invalid options: ' + '; '.join(problems), problems=problems)
    name = params['name']
    want = wanted(params)
    after = dict(view(params, body_of(want, want)), name=name)
    result = dict(changed=False, profile={}, changed_fields=[])
    client = get_client(module)
    written = {}  # what a failure reports besides the starting result: the create done before it, if any
    with api_errors(module, written, **result):
        current = find_profile(module, client, name)
        if current is not None:
            result.update(profile=current, id=current['id'])
        if params['state'] == 'absent':
            result['changed'] = current is not None
            if current is not None and not module.check_mode:
                client.delete('%s/%s' % (PATH, current['id']))
            before, after = (None if current is None else dict(view(None, current), name=name)), None
        elif current is None:
            body = dict(name=name, **body_of(want, want))
            result.update(changed=True, profile=body, changed_fields=sorted(body))
            before = None
            if not module.check_mode:
                created = client.create(PATH, body, find=lambda: find_profile(module, client, name))
                result.update(profile=created, id=created['id'])
                written.update(changed=True, profile=created, id=created['id'])
                kept = older_copy(list_named(client, PATH, name), created)
                if kept is not None:
                    # an overlapping run (another AWX slice) created the name first: keep that one
                    client.delete('%s/%s' % (PATH, created['id']))
                    result.update(duplicate_removed=created['id'], profile=kept, id=kept['id'], changed_fields=[])
                    before = update(module, client, params, want, after, kept, result)
        else:
            before = update(module, client, params, want, after, current, result)
        if module._diff:
            result['diff'] = diff_views(before, after)
    module.exit_json(**result)


if __name__ == '__main__':
    main()

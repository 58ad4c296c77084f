#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: phone_number
short_description: Assign Telnyx phone numbers to a SIP connection
version_added: 0.1.0
description:
  - Assigns E.164 phone numbers of your Telnyx account to a SIP connection, for the vendor guide's
    E.164 transfer type, or unassigns them with O(state=absent).
  - Each number is looked up with C(GET /phone_numbers?filter[phone_number]=...) and matched exactly;
    an assignment is one C(PATCH /phone_numbers/{id}) per number whose connection differs.
  - All numbers are checked first. A number that is not valid E.164 fails before any request, and
    numbers that are not in the account fail the task, naming every one of them, before any write.
  - With O(forward_on_failure), each number's voice settings are read (C(GET /phone_numbers/{id}/voice)) and, where
    they differ, written with one C(PATCH /phone_numbers/{id}/voice) per number.
author:
  - byoc.carrier contributors (!UNKNOWN)
extends_documentation_fragment:
  - byoc.carrier.telnyx
  - byoc.carrier.telnyx.attributes
options:
  numbers:
    description:
      - Phone numbers in E.164 form (V(+) then 6 to 15 digits, for example V(+4930123456)).
      - A number listed twice counts once. An empty list does nothing.
    type: list
    elements: str
    required: true
  connection:
    description:
      - Exact name of the SIP connection (credentials, IP or FQDN) the numbers belong to.
      - Required with O(state=present). With O(state=absent) only numbers assigned to this connection
        are unassigned, and a connection that does not exist leaves nothing to do; without it every
        listed number is unassigned from whatever connection it has.
      - Two connections with this name make the module fail, listing their ids.
    type: str
  state:
    description:
      - V(present) assigns every number to O(connection).
      - V(absent) unassigns the numbers. Telnyx's request schema types C(connection_id) as a string
        (not nullable), so the module sends an empty C(connection_id) string, the form the Telnyx API documents
        for unassigning numbers; a number without connection reads back as C(null).
    type: str
    choices: [present, absent]
    default: present
  forward_on_failure:
    description:
      - An E.164 number Telnyx forwards the numbers' inbound calls to when they cannot be delivered to the connection
        (the SBC is down or does not answer), so that callers still reach someone, for example an answering service or a
        backup contact center. Telnyx's number voice setting C(call_forwarding) with C(forwarding_type) V(on-failure).
      - V("") turns forwarding off (C(call_forwarding_enabled) false, no C(forwards_to)); so does it replace any other
        forwarding Telnyx had for the number (an C(always) forwarding, which would keep calls from the trunk, shows in
        the diff as V((always to +N))).
      - Unset (the default) leaves the numbers' forwarding alone and reads nothing more. Only with O(state=present).
      - Must not be one of O(numbers) (a number forwarded to itself loops).
    type: str
notes:
  - In check mode, a connection that does not exist yet (for example one that an earlier task of the same
    check run would create) is not an error; every number is then reported as changed, with a note in RV(msg).
    In a real run it fails.
seealso:
  - module: byoc.carrier.sip_connection
  - name: Telnyx phone numbers API
    description: Reference of the API this module calls.
    link: https://developers.telnyx.com/api/numbers/update-phone-number
"""

EXAMPLES = r"""
- name: Route two numbers to the Frankfurt trunk
  byoc.carrier.phone_number:
    api_key: "{{ vault_telnyx_api_key }}"
    connection: acme-eu-prod-fra1
    numbers:
      - "+4930123456"
      - "+4930123457"
  register: assigned

- name: Show which numbers moved
  ansible.builtin.debug:
    msg: "{{ assigned.numbers | selectattr('changed') | map(attribute='phone_number') | list }}"

- name: Keep the numbers ringing at a backup contact center while the SBC is down
  byoc.carrier.phone_number:
    connection: acme-eu-prod-fra1
    numbers: ["+4930123456"]
    forward_on_failure: "+4930999000"

- name: Stop forwarding them
  byoc.carrier.phone_number:
    connection: acme-eu-prod-fra1
    numbers: ["+4930123456"]
    forward_on_failure: ""

- name: Take a number off the trunk
  byoc.carrier.phone_number:
    connection: acme-eu-prod-fra1
    numbers: ["+4930123457"]
    state: absent
"""

RETURN = r"""
numbers:
  description:
    - One entry per number, in the order of O(numbers).
    - When an API call fails partway, the failure result lists the numbers written before it (and C(changed) is V(true) if any was).
  returned: always
  type: list
  elements: dict
  contains:
    phone_number:
      description: The number, E.164.
      type: str
      sample: "+4930123456"
    id:
      description: Id of the phone number resource at Telnyx.
      type: str
      sample: "1293384261075731499"
    connection_id:
      description:
        - Id of the connection the number is assigned to after the task (what it would be, in check mode);
          C(null) when unassigned, or when the connection does not exist yet in check mode.
      type: str
      sample: "1293384261075731400"
    forward_on_failure:
      description:
        - What the number forwards to on failure after the task (V("") for none).
      returned: when O(forward_on_failure) is set
      type: str
      sample: "+4930999000"
    changed:
      description: Whether this number's assignment or forwarding changed (would change, in check mode).
      type: bool
      sample: true
connection_id:
  description: Id of O(connection), when it exists.
  returned: when O(connection) is set and exists
  type: str
  sample: "1293384261075731400"
msg:
  description: A note on the result, for example that the connection does not exist yet in check mode.
  returned: when there is something to say
  type: str
  sample: "check mode: connection 'acme-eu-prod-fra1' does not exist yet; every number would be assigned to it"
"""

from ansible_collections.byoc.carrier.plugins.module_utils._common import E164, E164_RULE
from ansible_collections.byoc.carrier.plugins.module_utils._trunk import failover_problems, forwarding_body, forwarding_of
from ansible_collections.byoc.carrier.plugins.module_utils._runner import (
    api_errors,
    diff_views,
    find_connection,
    get_client,
    new_module,
)

ARGUMENT_SPEC = dict(
    numbers=dict(type='list', elements='str', required=True),
    connection=dict(type='str'),
    state=dict(type='str', choices=['present', 'absent'], default='present'),
    forward_on_failure=dict(type='str'),
)


def unique(numbers):
    """``numbers`` without repeats, in their first order."""
    seen = set()
    return [n for n in numbers if not (n in seen or seen.add(n))]


def lookup(client, number):
    """The phone number object of ``number`` (exact match), or None.

    The filter is sent as digits only: the spec says non-numerical characters make it return nothing.
    """
    found = client.list('/phone_numbers', params={'filter[phone_number]': number.lstrip('+')})
    return next((obj for obj in found if obj.get('phone_number') == number), None)


def target_of(state, connection_id, current, connection_given):
    """Connection id a number should end with (None = unassigned)."""
    if state == 'present':
        return connection_id
    if connection_given and current != connection_id:
        return current  # assigned elsewhere (or nowhere): not ours to unassign
    return None


def main():
    module = new_module(ARGUMENT_SPEC, required_if=[('state', 'present', ['connection'])])
    params = module.params
    numbers = unique(params['numbers'])
    bad = [n for n in numbers if not E164.match(n)]
    if bad:
        module.fail_json(msg='numbers: not E.164 (%s): %s' % (E164_RULE, ', '.join(bad)), invalid=bad)
    state, name, forward = params['state'], params['connection'], params['forward_on_failure']
    problems = failover_problems(forward, numbers, option='forward_on_failure')
    if forward is not None and state == 'absent':
        problems.append('forward_on_failure: only with state present (an unassigned number has no trunk to fail)')
    if problems:
        module.fail_json(msg='; '.join(problems))
    result = dict(changed=False, numbers=[])
    client = get_client(module)
    with api_errors(module, result):
        connection_id = None
        if name is not None:
            connection = find_connection(module, client, name, full=False)
            if connection is not None:
                connection_id = result['connection_id'] = connection['id']
            elif state == 'present' and not module.check_mode:
                module.fail_json(msg='connection %r does not exist; create it first (byoc.carrier.sip_connection)' % name, **result)
            elif state == 'present':
                result['msg'] = 'check mode: connection %r does not exist yet; every number would be assigned to it' % name
            else:
                numbers = []  # nothing can be assigned to a connection that does not exist
        found = dict((n, lookup(client, n)) for n in numbers)
        missing = [n for n in numbers if found[n] is None]
        if missing:
            module.fail_json(msg='numbers not in this Telnyx account: %s' % ', '.join(missing), missing=missing, **result)
        before, after = {}, {}
        forward_before, forward_after = {}, {}
        pending = state == 'present' and connection_id is None  # check mode, connection not created yet
        for number in numbers:
            obj = found[number]
            current = obj.get('connection_id') or None
            target = target_of(state, connection_id, current, name is not None)
            changed = pending or current != target
            before[number] = current
            after[number] = '(connection %s, to be created)' % name if pending else target
            if changed and not module.check_mode:
                client.patch('/phone_numbers/%s' % obj['id'], {'connection_id': target or ''})
            entry = dict(phone_number=number, id=obj['id'], connection_id=target, changed=changed)
            result['numbers'].append(entry)
            result['changed'] = result['changed'] or changed
            if forward is not None:
                current = forwarding_of(client.get('/phone_numbers/%s/voice' % obj['id']))
                forward_before[number], forward_after[number] = current, forward
                if current != forward:
                    entry['changed'] = result['changed'] = True
                    if not module.check_mode:
                        client.patch('/phone_numbers/%s/voice' % obj['id'], forwarding_body(forward))
                entry['forward_on_failure'] = forward
        if module._diff:
            views = ({'numbers': before}, {'numbers': after})
            if forward is not None:
                views[0]['forward_on_failure'], views[1]['forward_on_failure'] = forward_before, forward_after
            result['diff'] = diff_views(*views)
    module.exit_json(**result)


if __name__ == '__main__':
    main()

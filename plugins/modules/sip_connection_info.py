#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: sip_connection_info
short_description: Read Telnyx SIP connections (credentials, IP, FQDN)
version_added: 0.1.0
description:
  - Lists the SIP connections of the Telnyx account, all of them or those matching the filters,
    with their secrets (C(password), C(ip_authentication_token)) redacted.
  - Filters combine (all must match). Name filters are sent to Telnyx (its substring filter, when the
    text has at least 3 characters) and then applied exactly by the module.
  - Each connection also gets its SIP URI and, for IP and FQDN connections, its addresses.
  - Reads only, so it runs unchanged in check mode. O(registration_status=true) calls Telnyx's
    C(check_registration_status) action, which only reads too.
author:
  - byoc.carrier contributors (!UNKNOWN)
extends_documentation_fragment:
  - byoc.carrier.telnyx
  - byoc.carrier.telnyx.attributes
attributes:
  check_mode:
    details: The module never changes anything, so check mode changes nothing either.
  diff_mode:
    support: N/A
    details: The module never changes anything.
options:
  name:
    description:
      - Only the connections named exactly this (case-sensitive). Usually one; names are not unique at Telnyx.
    type: str
  name_contains:
    description:
      - Only the connections whose name contains this text, ignoring case.
    type: str
  type:
    description:
      - Only connections of this kind. Default is all three kinds.
    type: str
    choices: [credentials, ip, fqdn]
  tags:
    description:
      - Only connections that carry every one of these tags.
    type: list
    elements: str
  region:
    description:
      - Telnyx region of the SIP URI returned for each connection (C(sip.telnyx.<region>)).
    type: str
    choices: [com, eu, ca]
    default: com
  addresses:
    description:
      - Add the C(ips) of IP connections and the C(fqdns) of FQDN connections (one list request per connection).
    type: bool
    default: true
  registration_status:
    description:
      - Add the registration status of each credentials connection (one request per connection).
    type: bool
    default: false
seealso:
  - module: byoc.carrier.sip_connection
"""

EXAMPLES = r"""
- name: Every connection of the EU production trunks
  byoc.carrier.sip_connection_info:
    api_key: "{{ vault_telnyx_api_key }}"
    name_contains: acme-eu-prod
    region: eu
  register: trunks

- name: SIP URIs to enter in Conversation Builder
  ansible.builtin.debug:
    msg: "{{ trunks.connections | map(attribute='sip_uri') | list }}"

- name: Is the Frankfurt credentials trunk registered?
  byoc.carrier.sip_connection_info:
    name: acme-eu-prod-fra1
    type: credentials
    registration_status: true
  register: fra1

- name: Fail unless it is
  ansible.builtin.assert:
    that: fra1.connections[0].registration_status.status == 'Registered'

- name: Connections tagged for the demo
  byoc.carrier.sip_connection_info:
    tags: [byoc, demo]
    addresses: false
"""

RETURN = r"""
connections:
  description:
    - The matching connections, sorted by name then id, as Telnyx returns them (all fields of the kind)
      with secrets replaced by C(VALUE_SPECIFIED_IN_NO_LOG_PARAMETER), plus the keys below.
    - Empty when nothing matches.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Id of the connection.
      type: str
      sample: "1293384261075731499"
    record_type:
      description: C(credential_connection), C(ip_connection) or C(fqdn_connection).
      type: str
      sample: credential_connection
    type:
      description: Kind of the connection, as in M(byoc.carrier.sip_connection)'s O(byoc.carrier.sip_connection#module:type).
      type: str
      sample: credentials
    connection_name:
      description: Name of the connection.
      type: str
      sample: acme-eu-prod-fra1
    active:
      description: Whether the connection is active.
      type: bool
      sample: true
    tags:
      description: Tags of the connection.
      type: list
      elements: str
      sample: [byoc, prod]
    user_name:
      description: SIP user name (credentials connections).
      type: str
      sample: acmefra1
    password:
      description: Always redacted.
      type: str
      sample: VALUE_SPECIFIED_IN_NO_LOG_PARAMETER
    inbound:
      description: Inbound settings as Telnyx returns them.
      type: dict
      sample: {codecs: [G711U, G711A], timeout_2xx_secs: 60}
    outbound:
      description: Outbound settings as Telnyx returns them (C(ip_authentication_token) redacted).
      type: dict
      sample: {outbound_voice_profile_id: "1293384261075731400", localization: DE}
    sip_uri:
      description:
        - C(<user name or SIP subdomain>@sip.telnyx.<region>); C(null) for an IP or FQDN connection without SIP subdomain.
      type: str
      sample: acmefra1@sip.telnyx.eu
    ips:
      description: The IP addresses of an IP connection, primary first (the connection's default routing order).
      returned: for IP connections, with O(addresses=true)
      type: list
      elements: dict
      contains:
        id:
          description: Id of the IP resource.
          type: str
        ip_address:
          description: The address.
          type: str
        port:
          description: SIP port.
          type: int
      sample: [{id: "1293384261075731600", ip_address: 192.0.2.10, port: 5060}]
    fqdns:
      description: The FQDNs of an FQDN connection, primary first.
      returned: for FQDN connections, with O(addresses=true)
      type: list
      elements: dict
      contains:
        id:
          description: Id of the FQDN resource.
          type: str
        fqdn:
          description: The host name.
          type: str
        port:
          description: SIP port (C(null) with SRV).
          type: int
        dns_record_type:
          description: C(a) or C(srv).
          type: str
      sample: [{id: "1293384261075731700", fqdn: sbc1.example.com, port: 5060, dns_record_type: a}]
    registration_status:
      description: Telnyx's registration status of a credentials connection.
      returned: for credentials connections, with O(registration_status=true)
      type: dict
      contains:
        status:
          description: One of C(Not Applicable), C(Not Registered), C(Failed), C(Expired), C(Registered), C(Unregistered).
          type: str
        last_registration:
          description: ISO 8601 time of the last registration.
          type: str
        ip_address:
          description: Address the registration came from.
          type: str
        port:
          description: Port the registration came from.
          type: int
        transport:
          description: Transport of the registration.
          type: str
        user_agent:
          description: User agent of the registering device.
          type: str
        sip_username:
          description: SIP user name that registered.
          type: str
      sample: {status: Registered, ip_address: 198.51.100.7, port: 5060, transport: UDP, sip_username: acmefra1}
"""

from ansible_collections.byoc.carrier.plugins.module_utils._client import NAME_FILTER, NAME_FILTER_MIN
from ansible_collections.byoc.carrier.plugins.module_utils._common import KINDS, REGIONS
from ansible_collections.byoc.carrier.plugins.module_utils._runner import (
    ENDPOINTS,
    api_errors,
    connection_result,
    get_client,
    new_module,
)

ARGUMENT_SPEC = dict(
    name=dict(type='str'),
    name_contains=dict(type='str'),
    type=dict(type='str', choices=list(KINDS)),
    tags=dict(type='list', elements='str', no_log=False),
    region=dict(type='str', choices=list(REGIONS), default='com'),
    addresses=dict(type='bool', default=True),
    registration_status=dict(type='bool', default=False),
)
# kind -> (result key, list path, address fields kept, inbound fields holding the routing order)
ADDRESSES = {
    'ip': ('ips', '/ips', ('id', 'ip_address', 'port'), 'default_%s_ip_id'),
    'fqdn': ('fqdns', '/fqdns', ('id', 'fqdn', 'port', 'dns_record_type'), 'default_%s_fqdn_id'),
}
PRIORITIES = ('primary', 'secondary', 'tertiary')


def matches(obj, params):
    """Whether a connection passes every filter that is set."""
    name = obj.get('connection_name') or ''
    if params['name'] is not None and name != params['name']:
        return False
    if params['name_contains'] is not None and params['name_contains'].lower() not in name.lower():
        return False
    return set(params['tags'] or []).issubset(obj.get('tags') or [])


def addresses_of(client, obj, kind):
    """(result key, the connection's IPs or FQDNs, primary/secondary/tertiary first then by id)."""
    key, path, fields, default = ADDRESSES[kind]
    items = client.list(path, params={'filter[connection_id]': obj['id']})
    inbound = obj.get('inbound') or {}
    order = [inbound.get(default % p) for p in PRIORITIES]
    items.sort(key=lambda item: (order.index(item.get('id')) if item.get('id') in order else len(order), str(item.get('id'))))
    return key, [dict((f, item.get(f)) for f in fields) for item in items]


def main():
    module = new_module(ARGUMENT_SPEC, mutually_exclusive=[('name', 'name_contains')])
    params = module.params
    text = params['name'] if params['name'] is not None else params['name_contains']
    query = {NAME_FILTER: text} if text is not None and len(text) >= NAME_FILTER_MIN else None
    kinds = [params['type']] if params['type'] else list(ENDPOINTS)
    result = dict(changed=False, connections=[])
    client = get_client(module)
    with api_errors(module, result):
        found = [(kind, obj) for kind in kinds for obj in client.list(ENDPOINTS[kind], params=query) if matches(obj, params)]
        found.sort(key=lambda pair: (pair[1].get('connection_name') or '', str(pair[1].get('id'))))
        for kind, obj in found:
            item = connection_result(obj, params['region'], kind)
            item['type'] = kind
            if params['addresses'] and kind in ADDRESSES:
                key, value = addresses_of(client, obj, kind)
                item[key] = value
            if params['registration_status'] and kind == 'credentials':
                path = '%s/%s/actions/check_registration_status' % (ENDPOINTS[kind], obj['id'])
                item['registration_status'] = client.request('POST', path).get('data')
            result['connections'].append(item)
    module.exit_json(**result)


if __name__ == '__main__':
    main()

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
  - O(format=trunk) also returns each connection as a trunk of the inventory model (C(byoc_trunks)), for adopting
    connections built by hand in the portal (C(playbooks/export.yml) writes them to a file). Each setting is read back
    through the same settings table the modules write with, so converging the exported trunks writes nothing.
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
  active_calls:
    description:
      - Add RV(connections[].active_calls), the number of calls in progress on each connection
        (C(GET /connections/{id}/active_calls), one request per connection with a webhook URL).
      - Telnyx lists the calls of a SIP connection only when it has a webhook URL; for a connection without one
        nothing is asked and RV(connections[].active_calls) is V(null) (unknown).
    type: bool
    default: false
  format:
    description:
      - V(api) returns the connections as Telnyx has them (RV(connections)).
      - V(trunk) returns them as well as trunks of the inventory model (RV(trunks)), the vault variables their secrets
        need (RV(vault_variables)) and the connections the model cannot express, with the reasons (RV(unsupported)).
        It reads each connection's IPs or FQDNs (whatever O(addresses) says), an FQDN connection's outbound
        authentication, the numbers assigned to each connection and, once, the outbound voice profiles.
      - "In a trunk every Basic, Inbound and Outbound setting of the connection's kind is given as Telnyx holds it
        (an empty string for a cleared text setting), IPs and FQDNs in priority order, the outbound voice profile by
        its name when no other profile has that name, the numbers assigned, and C(sbc_port) when the A-record
        addresses all use one port (that port, less 1 with TLS). Secrets are never returned: C(password) and C(token)
        become references to vault variables, C(password: \"{{ vault_<trunk>_password }}\"), with
        C(update_password: on_create)."
      - A connection is unsupported when a setting has a value the model refuses (for example a codec other than
        G711U/G711A), when two fields hold a combination no option value gives, or when another connection has the
        same name.
    type: str
    choices: [api, trunk]
    default: api
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

- name: The EU connections as trunks of the inventory model (what playbooks/export.yml writes)
  byoc.carrier.sip_connection_info:
    name_contains: acme-eu
    region: eu
    format: trunk
  register: exported

- name: Connections with calls in progress
  byoc.carrier.sip_connection_info:
    name_contains: acme-eu
    addresses: false
    active_calls: true
  register: calls
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
    active_calls:
      description:
        - Number of calls in progress on the connection.
        - V(null) for a connection without a webhook URL, whose calls Telnyx does not list.
      returned: with O(active_calls=true)
      type: int
      sample: 2
trunks:
  description:
    - The connections as trunks of the inventory model (C(byoc_trunks) items), sorted by name; unsupported ones left out.
  returned: with O(format=trunk)
  type: list
  elements: dict
  sample:
    - name: acme-eu-prod-fra1
      type: credentials
      username: acmefra1
      password: "{{ vault_acme_eu_prod_fra1_password }}"
      update_password: on_create
      dtmf_type: RFC 2833
      inbound: {codecs: [G711U, G711A], no_answer_timeout: 60}
      outbound: {localization: DE, outbound_voice_profile: acme-eu}
      numbers: ["+4930123456"]
vault_variables:
  description: The vault variables the trunks' secret references name (C(vault_<trunk>_password), C(vault_<trunk>_token)).
  returned: with O(format=trunk)
  type: list
  elements: str
  sample: [vault_acme_eu_prod_fra1_password]
unsupported:
  description: The connections the trunk model cannot express, each with why (never silently left out).
  type: list
  elements: dict
  returned: with O(format=trunk)
  contains:
    name:
      type: str
      description: Name (C(connection_name)) of the connection left out.
    id:
      type: str
      description: Id of that connection.
    type:
      type: str
      description: Its kind (credentials, ip, fqdn).
    reasons:
      description: "Each setting that cannot be expressed, as C(option: why)."
      type: list
      elements: str
  sample: [{name: legacy-hd, id: "1293384261075731999", type: credentials, reasons: ["inbound.codecs[0]: must be one of 'G711U', 'G711A'"]}]
"""

from ansible_collections.byoc.carrier.plugins.module_utils import _trunk
from ansible_collections.byoc.carrier.plugins.module_utils._client import NAME_FILTER, NAME_FILTER_MIN
from ansible_collections.byoc.carrier.plugins.module_utils._common import KINDS, REGIONS
from ansible_collections.byoc.carrier.plugins.module_utils._runner import (
    CHILDREN,
    ENDPOINTS,
    OVP_PATH,
    active_calls,
    api_errors,
    connection_result,
    get_client,
    lists_active_calls,
    new_module,
    with_fqdn_auth,
)

ARGUMENT_SPEC = dict(
    name=dict(type='str'),
    name_contains=dict(type='str'),
    type=dict(type='str', choices=list(KINDS)),
    tags=dict(type='list', elements='str', no_log=False),
    region=dict(type='str', choices=list(REGIONS), default='com'),
    addresses=dict(type='bool', default=True),
    registration_status=dict(type='bool', default=False),
    active_calls=dict(type='bool', default=False),
    format=dict(type='str', choices=['api', 'trunk'], default='api'),
)
# kind -> (result key, address fields kept); the list path and the routing order are the runner's (CHILDREN)
ADDRESSES = {
    'ip': ('ips', ('id', 'ip_address', 'port')),
    'fqdn': ('fqdns', ('id', 'fqdn', 'port', 'dns_record_type')),
}


def matches(obj, params):
    """Whether a connection passes every filter that is set."""
    name = obj.get('connection_name') or ''
    if params['name'] is not None and name != params['name']:
        return False
    if params['name_contains'] is not None and params['name_contains'].lower() not in name.lower():
        return False
    return set(params['tags'] or []).issubset(obj.get('tags') or [])


def addresses_of(client, obj, kind):
    """The connection's IPs or FQDNs as Telnyx lists them, primary/secondary/tertiary first (the default ids), then
    the rest in listing order."""
    children = CHILDREN[kind]
    return children.ordered(obj, client.list(children.path, params={'filter[connection_id]': obj['id']}))


def profile_names(client, found):
    """Voice profile id -> name, for the profiles the connections use whose name is unique (one listing)."""
    used = set((obj.get('outbound') or {}).get('outbound_voice_profile_id') for dummy, obj in found) - set([None, ''])
    if not used:
        return {}
    profiles = client.list(OVP_PATH)
    counts = {}
    for profile in profiles:
        counts[profile.get('name')] = counts.get(profile.get('name'), 0) + 1
    return dict((p['id'], p['name']) for p in profiles if p.get('id') in used and counts[p.get('name')] == 1)


def numbers_of(client, obj):
    """The E.164 numbers assigned to the connection."""
    return [n['phone_number'] for n in client.list('/phone_numbers', params={'filter[connection_id]': obj['id']}) if n.get('phone_number')]


def as_trunks(client, found, items):
    """(trunks, vault variables, unsupported): each connection through the trunk model (``_trunk.from_connection``)."""
    names = profile_names(client, found)
    counts = {}
    for dummy, obj in found:
        counts[obj.get('connection_name')] = counts.get(obj.get('connection_name'), 0) + 1
    trunks, vault, unsupported = [], [], []
    for (kind, obj), addresses in zip(found, items):
        name = obj.get('connection_name')
        if counts[name] > 1:
            reasons = ['name: %d connections are named %r; a trunk is found by its exact name, so rename all but one'
                       % (counts[name], name)]
        else:
            if kind == 'fqdn':
                obj = with_fqdn_auth(client, obj)
            if kind in CHILDREN:
                children = CHILDREN[kind]
                obj = dict(obj, **{children.option: [children.view(a) for a in addresses]})
            trunk, variables, reasons = _trunk.from_connection(kind, obj, names, numbers_of(client, obj))
        if reasons:
            unsupported.append({'name': name, 'id': obj.get('id'), 'type': kind, 'reasons': reasons})
            continue
        trunks.append(trunk)
        vault.extend(variables)
    return trunks, vault, unsupported


def main():
    module = new_module(ARGUMENT_SPEC, mutually_exclusive=[('name', 'name_contains')])
    params = module.params
    text = params['name'] if params['name'] is not None else params['name_contains']
    query = {NAME_FILTER: text} if text is not None and len(text) >= NAME_FILTER_MIN else None
    kinds = [params['type']] if params['type'] else list(ENDPOINTS)
    trunk_format = params['format'] == 'trunk'
    result = dict(changed=False, connections=[])
    client = get_client(module)
    with api_errors(module, result):
        found = [(kind, obj) for kind in kinds for obj in client.list(ENDPOINTS[kind], params=query) if matches(obj, params)]
        found.sort(key=lambda pair: (pair[1].get('connection_name') or '', str(pair[1].get('id'))))
        items = []
        for kind, obj in found:
            item = connection_result(obj, params['region'], kind)
            item['type'] = kind
            addresses = addresses_of(client, obj, kind) if (params['addresses'] or trunk_format) and kind in ADDRESSES else []
            items.append(addresses)
            if params['addresses'] and kind in ADDRESSES:
                key, fields = ADDRESSES[kind]
                item[key] = [dict((f, a.get(f)) for f in fields) for a in addresses]
            if params['registration_status'] and kind == 'credentials':
                path = '%s/%s/actions/check_registration_status' % (ENDPOINTS[kind], obj['id'])
                item['registration_status'] = client.request('POST', path).get('data')
            if params['active_calls']:
                item['active_calls'] = active_calls(client, obj['id']) if lists_active_calls(obj) else None
            result['connections'].append(item)
        if trunk_format:
            result['trunks'], result['vault_variables'], result['unsupported'] = as_trunks(client, found, items)
    module.exit_json(**result)


if __name__ == '__main__':
    main()

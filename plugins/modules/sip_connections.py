#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: sip_connections
short_description: Reconcile a whole fleet of Telnyx SIP connections in one call
version_added: 0.1.0
description:
  - Reconciles a whole list of SIP connections (credentials, IP and FQDN), each with its Basic, Inbound and
    Outbound settings, in one module call. Each entry takes the options of M(byoc.carrier.sip_connection)
    plus O(connections[].inbound) (the options of M(byoc.carrier.sip_inbound)) and O(connections[].outbound)
    (the options of M(byoc.carrier.sip_outbound)).
  - Every entry is validated before any request; every problem is reported at once, naming the entry and
    the option. A name listed twice is refused.
  - Each connection kind, C(/ips), C(/fqdns) and the outbound voice profiles are read once (250 a page; the first
    page of each, then its other pages at once), and compared locally. Only the differences are written, concurrently through
    as many requests in flight as Telnyx's rate limit and the round trip call for (at most O(workers), see there;
    O(max_rps) caps the rate), learned from Telnyx's C(x-ratelimit-*) headers.
  - A new connection gets its Basic, Inbound and Outbound settings in the create body (a new credentials
    connection is one request); IP and FQDN connections then get their addresses and the default
    address ids. An update is one C(PATCH) per connection holding every tab's differences.
  - One failing connection does not stop the others; the module fails at the end, listing the failures.
  - With O(prune=true), connections that carry every tag of O(prune_tags) and are not listed are deleted
    (their IPs or FQDNs first). A connection without tags is never pruned.
  - A connection to delete (an entry with C(state=absent), or pruned) that has calls in progress fails with its
    result's RV(results[].error) naming it and the number of calls, and nothing is written for it, unless
    O(delete_with_active_calls=true); the other connections go on.
  - Only the options you set are sent and compared. Secrets never appear in results or diffs.
  - "Every option can be unset: in an entry (a dict, where a key given as null differs from a missing key) with null,
    for a string also with V(\"\"). What unset means, per option:
    C(webhook_url), C(webhook_failover_url), C(tech_prefix), C(token), C(inbound.sip_subdomain),
    C(outbound.caller_id_override), C(outbound.localization) - Telnyx's empty value V(\"\");
    C(inbound.channel_limit) - null, no limit (FQDN connections only, the one place Telnyx's API takes null;
    C(inbound.channel_limit) on other kinds and C(outbound.channel_limit) cannot be unset and are refused);
    C(webhook_api_version) - V(1); C(anchorsite) - V(Latency); C(encode_contact_header) - V(false);
    C(comfort_noise) - V(false) on credentials connections, V(true) on IP and FQDN ones; C(dtmf_type) - V(RFC 2833); C(rtcp) (or one of its keys) -
    C({report_frequency: 5, port: rtp+1, capture: false}); C(routing_method) - V(sequential);
    C(ip_auth_method) - V(tech_prefix) on IP connections (Telnyx's default; on FQDN it cannot be unset);
    C(active) - V(true); C(tags) - V([]); C(noise_suppression) - V(disabled); C(jitter_buffer) (or one of its keys) -
    C({enabled: false, min_msec: 60, max_msec: 200});
    C(inbound.dnis_number_format) - V(e164); C(inbound.ani_number_format) - V(E.164-national);
    C(inbound.no_ringback_timeout) - V(3); C(inbound.no_answer_timeout) - V(90);
    C(inbound.subdomain_calls) - V(disabled) (credentials only); C(inbound.encrypted_media),
    C(outbound.encrypted_media) - V(none); C(inbound.ringback) - V(default); C(inbound.compact_headers) - V(true);
    C(inbound.transport) - V(UDP); C(inbound.sip_region) - V(US); C(inbound.prack), C(inbound.shaken_stir),
    C(inbound.isup_headers) - V(false);
    C(outbound.caller_id_override_type) - V(always); C(outbound.ringback) - V(instant) (FQDN - V(default)).
    These are Telnyx's own defaults, as it has no empty value for them. C(name), C(type), C(region),
    C(username), C(password), C(ips), C(fqdns), C(inbound.codecs), C(outbound.outbound_voice_profile) and
    C(noise_suppression_details) (Telnyx keeps it; C(noise_suppression=disabled) turns suppression off) cannot be unset; a null leaves them as they are."
  - Unset values are compared like any other, so a second run writes nothing; check mode and diff show them
    (an unset string or channel limit as V("")).
author:
  - byoc.carrier contributors (!UNKNOWN)
requirements:
  - requests
  - voluptuous
extends_documentation_fragment:
  - byoc.carrier.telnyx
  - byoc.carrier.active_calls
attributes:
  check_mode:
    description: Can run in check mode and return changed status prediction without modifying target.
    support: full
    details: Everything is read and compared, nothing is written; C(results) and C(diff) are what a real run would do.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check mode), when in diff mode.
    support: full
    details: A summarised diff per connection name (created, deleted, or only the options that change); secrets as a mask.
  action_group:
    description: Use C(group/byoc.carrier.telnyx) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - byoc.carrier.telnyx
options:
  connections:
    description:
      - The connections to reconcile. Each entry takes the options of M(byoc.carrier.sip_connection), the
        Inbound tab in O(connections[].inbound) and the Outbound tab in O(connections[].outbound).
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: The connection's name (C(connection_name)), matched exactly. Must be unique in the list.
        type: str
        required: true
      type:
        description: The kind of connection; required with O(connections[].state=present); cannot change after creation.
        type: str
        choices: [credentials, ip, fqdn]
      state:
        description: V(present) creates or updates the connection; V(absent) deletes it (its IPs or FQDNs first).
        type: str
        choices: [present, absent]
        default: present
      update_password:
        description:
          - V(always) compares and sets O(connections[].password) (a password Telnyx returns masked is written every run);
          - V(on_create) sets it only when creating.
        type: str
        choices: [always, on_create]
        default: always
      region:
        description: The Telnyx region the SIP URI is built for (C(sip.telnyx.<region>)); not sent.
        type: str
        choices: [com, eu, ca]
        default: com
      username:
        description: Credentials (required to create one) and FQDN connections (through C(fqdn_authentication)); 4 to 32 letters or digits, a letter first.
        type: str
      password:
        description: Credentials (required to create one) and FQDN connections (with O(connections[].username)); 8 to 128 characters. Never shown.
        type: str
      webhook_url:
        description: C(webhook_event_url), an http(s) URL. V("") clears it (sent as C("")).
        type: str
      webhook_failover_url:
        description: C(webhook_event_failover_url), an http(s) URL. V("") clears it (sent as C("")).
        type: str
      webhook_api_version:
        description: C(webhook_api_version).
        type: str
        choices: ['1', '2']
      anchorsite:
        description: C(anchorsite_override), the media anchor site.
        type: str
        choices: [Latency, 'Chicago, IL', 'Ashburn, VA', 'San Jose, CA', 'Sydney, Australia', 'Amsterdam, Netherlands',
                  'London, UK', 'Toronto, Canada', 'Vancouver, Canada', 'Frankfurt, Germany']
      encode_contact_header:
        description: C(encode_contact_header_enabled).
        type: bool
      comfort_noise:
        description: Comfort noise on hold (C(default_on_hold_comfort_noise_enabled)).
        type: bool
      dtmf_type:
        description: C(dtmf_type); V(SIP Info) (the vendor guide's spelling) is V(SIP INFO).
        type: str
        choices: [RFC 2833, Inband, SIP INFO, SIP Info]
      rtcp:
        description: RTCP settings (C(rtcp_settings)).
        type: dict
        suboptions:
          report_frequency:
            description: C(report_frequency_secs), 5 to 3000.
            type: int
          port:
            description: C(port).
            type: str
            choices: [rtp+1, rtcp-mux]
          capture:
            description: C(capture_enabled).
            type: bool
      routing_method:
        description: IP and FQDN connections only (C(inbound.default_routing_method)); the guide's V(Sequential), V(Round-Robin) accepted.
        type: str
        choices: [sequential, round-robin, Sequential, Round-Robin]
      ips:
        description:
          - IP connections only; the addresses in priority order (the first three become the default
            primary, secondary and tertiary IPs). Addresses not listed are deleted.
        type: list
        elements: dict
        suboptions:
          address:
            description: An IPv4 or IPv6 address.
            type: str
            required: true
          port:
            description: The SIP port.
            type: int
            default: 5060
      fqdns:
        description:
          - FQDN connections only; the FQDNs in priority order (the first three become the defaults).
            FQDNs not listed are deleted.
        type: list
        elements: dict
        suboptions:
          fqdn:
            description: A fully qualified domain name.
            type: str
            required: true
          port:
            description: The SIP port (5060 when unset with V(a)); leave unset with V(srv).
            type: int
          dns_record_type:
            description: The DNS record type.
            type: str
            choices: [a, srv]
            default: a
      ip_auth_method:
        description: IP and FQDN connections; expert IP authentication (IP C(outbound.ip_authentication_method), FQDN C(fqdn_authentication)).
        type: str
        choices: [tech_prefix, token, p_charge_info]
      tech_prefix:
        description: IP and FQDN connections only; exactly 4 digits (C(outbound.tech_prefix)). V("") clears it (sent as C("")).
        type: str
      token:
        description:
          - IP and FQDN connections only; the X-Telnyx-Token value, 12 to 48 letters, digits or hyphens (C(outbound.ip_authentication_token)).
          - Never shown.
          - V("") clears it (sent as C("")).
        type: str
      noise_suppression:
        description: Noise suppression (C(noise_suppression)), as in M(byoc.carrier.sip_connection).
        type: str
        choices: [inbound, outbound, both, disabled]
      noise_suppression_details:
        description: C(noise_suppression_details), as in M(byoc.carrier.sip_connection).
        type: dict
        suboptions:
          engine:
            description: C(engine).
            type: str
            choices: [denoiser, deep_filter_net, deep_filter_net_large, krisp_viva_tel, krisp_viva_tel_lite, krisp_viva_promodel,
                      krisp_viva_ss, quail_voice_focus]
          attenuation_limit:
            description: C(attenuation_limit), 0 to 100 in steps of 10.
            type: int
      jitter_buffer:
        description: C(jitter_buffer), as in M(byoc.carrier.sip_connection).
        type: dict
        suboptions:
          enabled:
            description: C(enable_jitter_buffer).
            type: bool
          min_msec:
            description: C(jitterbuffer_msec_min), 40 to 400.
            type: int
          max_msec:
            description: C(jitterbuffer_msec_max), 40 to 400.
            type: int
      active:
        description: C(active).
        type: bool
      tags:
        description: C(tags), compared as a set. Used by O(prune_tags).
        type: list
        elements: str
      inbound:
        description: The Inbound tab, as in M(byoc.carrier.sip_inbound) (without its C(connection) and C(region)).
        type: dict
        suboptions:
          dnis_number_format:
            description: C(inbound.dnis_number_format); V(+E.164) is V(+e164), V(E.164) is V(e164).
            type: str
            choices: [+e164, e164, national, sip_username, +E.164, E.164]
          ani_number_format:
            description: C(inbound.ani_number_format); V(+e164) is V(+E.164), and so on.
            type: str
            choices: [+E.164, E.164, +E.164-national, E.164-national, +e164, e164, +e164-national, e164-national]
          no_ringback_timeout:
            description: No ringback timeout in seconds, 1 to 120 (C(inbound.timeout_1xx_secs)).
            type: int
          no_answer_timeout:
            description: No answer timeout in seconds, 1 to 600 (C(inbound.timeout_2xx_secs)).
            type: int
          subdomain_calls:
            description: Who may call the SIP subdomain; V(disabled) exists on credentials connections only; V(From Anyone) is V(from_anyone).
            type: str
            choices: [disabled, internal, from_anyone, From Anyone]
          encrypted_media:
            description:
              - C(encrypted_media); must not differ from O(connections[].outbound.encrypted_media);
              - SRTP requires O(connections[].inbound.transport=TLS) on IP/FQDN.
            type: str
            choices: [SRTP, none]
          ringback:
            description: V(generate_tone) sets C(inbound.generate_ringback_tone); the guide's "Enable Instant Ringback" has no Inbound field at Telnyx.
            type: str
            choices: [default, generate_tone, Default, Generate Ringback Tone]
          codecs:
            description: C(inbound.codecs) in priority order.
            type: list
            elements: str
            choices: [G711U, G711A]
          compact_headers:
            description: C(inbound.sip_compact_headers_enabled).
            type: bool
          prack:
            description: PRACK, RFC 3262 (C(inbound.prack_enabled)).
            type: bool
          shaken_stir:
            description: SHAKEN/STIR Identity header on inbound calls (C(inbound.shaken_stir_enabled)).
            type: bool
          isup_headers:
            description: ISUP parameters as SIP headers, TCP/TLS only (C(inbound.isup_headers_enabled)).
            type: bool
          transport:
            description: IP and FQDN connections only (C(transport_protocol)).
            type: str
            choices: [UDP, TCP, TLS]
          sip_region:
            description: IP and FQDN connections only (C(inbound.sip_region)); Telnyx has no Canada region (choose V(US)).
            type: str
            choices: [US, Europe, Australia]
          sip_subdomain:
            description: IP and FQDN connections only (C(inbound.sip_subdomain)). V("") clears it (sent as C("")).
            type: str
          channel_limit:
            description: C(inbound.channel_limit).
            type: int
      outbound:
        description: The Outbound tab, as in M(byoc.carrier.sip_outbound) (without its C(connection) and C(region)).
        type: dict
        suboptions:
          caller_id_override:
            description: An E.164 number (C(outbound.ani_override)). V("") clears it (sent as C("")).
            type: str
          caller_id_override_type:
            description: C(outbound.ani_override_type).
            type: str
            choices: [always, normal, emergency]
          localization:
            description: ISO 3166 alpha-2 country code (C(outbound.localization)). V("") clears it (sent as C("")).
            type: str
          encrypted_media:
            description:
              - C(encrypted_media); must not differ from O(connections[].inbound.encrypted_media);
              - SRTP requires O(connections[].inbound.transport=TLS) on IP/FQDN.
            type: str
            choices: [SRTP, none]
          ringback:
            description: C(outbound.instant_ringback_enabled) and C(outbound.generate_ringback_tone); the guide's words accepted.
            type: str
            choices: [default, instant, generate_tone, Default, Enable Instant Ringback, Generate Ringback Tone]
          outbound_voice_profile:
            description:
              - Name or id of an existing outbound voice profile (C(outbound.outbound_voice_profile_id)).
              - Each name is resolved once for the whole list.
            type: str
          channel_limit:
            description: C(outbound.channel_limit).
            type: int
  prune:
    description:
      - Delete the connections that carry every tag of O(prune_tags) and are not in O(connections).
      - Refused without O(prune_tags); a connection without tags is never deleted.
    type: bool
    default: false
  prune_tags:
    description:
      - The tags that mark the connections this list owns (required with O(prune=true)).
      - With O(prune=false), the connections carrying every one of these tags that are not in O(connections) are only
        reported, in RV(unmanaged) (unmanaged copies, for example a connection made by hand, or left by a trunk that
        was renamed); nothing is deleted.
    type: list
    elements: str
  results:
    description:
      - Which connections RV(results) lists. V(changed) (a fleet of 10,000 stays readable) lists only the
        connections created, updated, deleted (pruned ones too) or failed; RV(summary) counts them all.
      - V(all) lists every connection of O(connections) in list order (unchanged and absent ones too), then the
        pruned ones; roles that report every trunk (for example the C(cpaas) role) use it.
    type: str
    choices: [changed, all]
    default: changed
  workers:
    description:
      - The ceiling of requests in flight at once, and the number of threads that plan and write the connections
        (1 to 64).
      - Below it the number of requests in flight adapts to what the client observes (Little's law), between 2 and
        this ceiling; the rate Telnyx allows (C(x-ratelimit-limit) requests per window, the window being the longest
        C(x-ratelimit-reset) seen) times the measured round trip, plus a quarter.
      - The client keeps a mirror of the server's window (C(x-ratelimit-remaining) at the last answer, refilled at
        that rate, less the requests still in flight) and sends no request the window does not hold, so the client
        itself causes no 429.
      - A 429 anyway (a window that does not refill steadily) halves that rate, holds every request until
        C(x-ratelimit-reset), and from then on the window counts as refilled only at its reset; the rate then grows
        back a step with each answer (AIMD). Without any C(x-ratelimit-*) header the number in flight starts at 2
        and grows by one with each answer (halved on a 429).
    type: int
    default: 64
  max_rps:
    description:
      - Client-side limit of requests per second (shared by the workers); also caps the rate the number of
        requests in flight follows. Unset, the rate comes from Telnyx's C(x-ratelimit-*) headers (see
        O(workers)).
    type: float
notes:
  - "Overlapping runs (two AWX jobs at once): Telnyx has no idempotency keys, so two runs that both read a name
    as absent both create it. After all its creates, the module lists each kind it created again; when more
    than one connection has a name, the oldest (C(created_at), then id) is kept, the copy this run just created
    is deleted (before any IP/FQDN is added to it) and the entry's result points at the kept one (its RV(results[].id),
    with RV(results[].duplicate_removed) set to the deleted copy's id), which is then reconciled like an
    existing connection. Only a copy the run itself created is ever deleted: a duplicate found when the run
    starts (which no run can tell apart from a connection someone made on purpose) fails that entry,
    listing the ids, and the others go on."
  - "When Telnyx refuses a create with HTTP 422 (for example C(user_name ... has already been taken) because an
    overlapping run created the connection first), the module lists the name again and, if a connection with
    that name now exists, reconciles it like an existing one (nothing is deleted); otherwise the entry fails
    with Telnyx's message."
  - "The overlap check costs one listing of each kind with new connections (one request per 250 connections)
    when that listing shows exactly the connections the run knows of (read at its start, created, less those
    it deleted) and every page counts that many. Otherwise another run is at work (a connection the run does
    not know of is listed, or the collection changed between two pages, which can make a paged listing skip
    an item), and each new name is listed on its own (one request per connection created)."
  - AWX job slicing gives each slice its own hosts; pruning under slicing needs O(prune_tags) that scope
    one slice's connections, or it would delete the other slices' connections.
seealso:
  - module: byoc.carrier.sip_connection
  - module: byoc.carrier.sip_inbound
  - module: byoc.carrier.sip_outbound
"""

EXAMPLES = r"""
- name: Reconcile every trunk of the fleet in one call
  byoc.carrier.sip_connections:
    api_key: "{{ telnyx_api_key }}"
    max_rps: 50
    connections:
      - name: acme-eu-prod-fra1
        type: credentials
        region: eu
        username: acmefra1
        password: "{{ vault_acme_fra1_password }}"
        tags: [acme, prod]
        inbound: {codecs: [G711U, G711A], no_answer_timeout: 60}
        outbound: {localization: DE, outbound_voice_profile: acme-eu}
      - name: acme-us-prod-ord1
        type: ip
        ips: [{address: 192.0.2.10}, {address: 192.0.2.11}]
        ip_auth_method: tech_prefix
        tech_prefix: "1234"
        tags: [acme, prod]
        inbound: {transport: UDP, sip_region: US}
  register: fleet

- name: Same list, and delete what carries both tags but is no longer listed
  byoc.carrier.sip_connections:
    connections: "{{ acme_trunks }}"
    prune: true
    prune_tags: [acme, prod]

- name: What would change (nothing is written)
  byoc.carrier.sip_connections:
    connections: "{{ acme_trunks }}"
  check_mode: true
  diff: true
"""

RETURN = r"""
results:
  description:
    - With O(results=changed) (the default), one item per connection created, updated, deleted or failed (in list
      order, then the pruned ones); an unchanged or absent connection is only counted in RV(summary).
    - With O(results=all), one item per listed connection (in list order), then one per pruned connection.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The connection's name.
      type: str
      sample: acme-eu-prod-fra1
    type:
      description: The kind of connection.
      type: str
      sample: credentials
    status:
      description: V(created), V(updated), V(unchanged), V(deleted), V(absent) (nothing to delete) or V(failed).
      type: str
      sample: updated
    id:
      description: The connection's id (V(null) when not created yet, for example in check mode).
      type: str
      sample: "1293384261075731499"
    changes:
      description: The options that differed and were written (Inbound and Outbound ones prefixed C(inbound.) / C(outbound.)).
      type: list
      elements: str
      sample: [dtmf_type, inbound.codecs, ips]
    sip_uri:
      description: C(<username or sip_subdomain>@sip.telnyx.<region>), or V(null).
      type: str
      returned: when present
      sample: acmefra1@sip.telnyx.eu
    error:
      description: Why the connection failed (the API's message, or the rule it broke).
      type: str
      returned: when failed
      sample: "PATCH /ip_connections/1: HTTP 422 [10015] Bad Request (field /inbound/codecs)"
    duplicate_removed:
      description:
        - The id of the copy this run created and deleted because an older connection with the same name
          appeared meanwhile (an overlapping run); the result then describes the kept, older connection.
      type: str
      returned: when an overlapping run had created the name first
      sample: "1293384261075731500"
    pruned:
      description: True for a connection deleted by O(prune).
      type: bool
      returned: when pruned
      sample: true
    updated_at:
      description: When Telnyx says the connection was last changed (before this run), as Telnyx gives it.
      type: str
      returned: when the connection existed
      sample: "2026-11-30T08:15:02.120Z"
unmanaged:
  description:
    - With O(prune_tags) and O(prune=false), the connections that carry every tag of O(prune_tags) and are not in
      O(connections), sorted by name; empty otherwise. Nothing is changed on them.
  returned: always
  type: list
  elements: dict
  contains:
    name: {description: "The connection's name.", type: str}
    id: {description: "Its id.", type: str}
    type: {description: "Its kind (credentials, ip, fqdn).", type: str}
    tags: {description: "Its tags.", type: list, elements: str}
    updated_at: {description: "When Telnyx says it was last changed.", type: str}
  sample: [{name: acme-eu-prod-fra1-old, id: "1293384261075731501", type: ip, tags: [byoc], updated_at: "2026-11-29T17:02:11.000Z"}]
summary:
  description: How many connections ended in each status (all of them, whatever O(results) lists).
  returned: always
  type: dict
  sample: {created: 0, updated: 2, unchanged: 998, deleted: 0, absent: 0, failed: 0}
problems:
  description: Every validation problem (nothing was sent).
  returned: when an entry is invalid
  type: list
  elements: str
  sample: ["connections[3] (acme-x): inbound.codecs[0]: must be one of 'G711U', 'G711A'"]
api_requests:
  description: API requests sent by this call.
  returned: when the API was reached
  type: int
  sample: 9
api_retries:
  description: Retries the API client made (429, 5xx, no answer).
  returned: when the API was reached
  type: int
  sample: 0
"""

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.byoc.carrier.plugins.module_utils import _bulk, _runner, _settings
from ansible_collections.byoc.carrier.plugins.module_utils._client import RateLimiter, client_from_module

ARGUMENT_SPEC = dict(
    connections=dict(type='list', elements='dict', required=True),
    prune=dict(type='bool', default=False),
    prune_tags=dict(type='list', elements='str'),
    results=dict(type='str', choices=['changed', 'all'], default='changed'),
    workers=dict(type='int', default=_bulk.DEFAULT_WORKERS),
    max_rps=dict(type='float'),
    **_runner.DELETE_GUARD_SPEC
)


def main():
    # no_log: the entries are validated below (their secrets then join no_log_values); keep them out of syslog
    module = _runner.new_module(ARGUMENT_SPEC, no_log=True)
    params = module.params
    if not _settings.HAS_VOLUPTUOUS:
        module.fail_json(msg=missing_required_lib('voluptuous'), exception=str(_settings.VOLUPTUOUS_IMPORT_ERROR))
    entries, problems, secrets = _bulk.validate_entries(params['connections'])
    if params['prune'] and not params['prune_tags']:
        problems.append('prune: requires prune_tags (the tags every connection this list owns carries); '
                        'without them every unlisted connection would go')
    if not 1 <= params['workers'] <= 64:
        problems.append('workers: must be between 1 and 64, got %d' % params['workers'])
    if params['max_rps'] is not None and params['max_rps'] <= 0:
        problems.append('max_rps: must be positive')
    if problems:
        # only here do the entries' secrets join no_log_values (Ansible masks each in every string it returns,
        # too slow for a 1,000-entry result); the results and the diff never hold a secret
        module.no_log_values.update(secrets)
        module.fail_json(msg='%d problem(s) in the options, nothing was sent: %s' % (len(problems), '; '.join(problems)),
                         problems=problems)
    client = client_from_module(module, pool_size=2, concurrency=params['workers'], max_rps=params['max_rps'])
    if params['max_rps']:
        # shared by the workers; a burst of one request per worker lets them make up for a late wake-up
        # (Telnyx's own bucket holds a second's worth of requests, so the average rate still holds)
        client.limiter = RateLimiter(params['max_rps'], burst=min(params['workers'], int(params['max_rps']) or 1))
    reconciler = _bulk.Reconciler(client, entries, check_mode=module.check_mode, workers=params['workers'],
                                  prune_tags=params['prune_tags'] if params['prune'] else None, want_diff=module._diff,
                                  report_tags=params['prune_tags'] if not params['prune'] else None,
                                  delete_with_active_calls=params['delete_with_active_calls'])
    with _runner.api_errors(module, changed=False):
        reconciler.read()
    results = reconciler.run()
    client.close()
    for warning in reconciler.warnings:
        module.warn(warning)
    summary, failures = _bulk.summarise(results)
    changed = any(summary[s] for s in _bulk.CHANGED_STATUSES) or any(r.get('duplicate_removed') for r in results)
    if params['results'] == 'changed':
        results = _bulk.changed_results(results)
    result = dict(changed=changed, results=results, summary=summary, unmanaged=reconciler.unmanaged(),
                  api_requests=client.requests_sent, api_retries=client.retries,
                  invocation=_bulk.redacted_invocation(params, entries))
    if module._diff:
        result['diff'] = _bulk.diff_result(reconciler.diffs)
    if failures:
        module.fail_json(msg=failures, **result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()

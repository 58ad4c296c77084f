#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: sip_connection
short_description: Manage a Telnyx SIP connection (credentials, IP or FQDN) and its Basic tab settings
version_added: 0.1.0
description:
  - Creates, updates or deletes one Telnyx SIP connection, found by its exact O(name), with the settings of the
    portal's Basic tab, its IP addresses (IP connections) or FQDNs (FQDN connections) and expert IP
    authentication (tech prefix, token, P-Charge-Info).
  - Only the options you set are sent and compared; an unset option is left as Telnyx has it. Values are
    normalised on both sides before comparing (O(ips) and O(fqdns) in order, O(tags) as a set).
  - An update is one C(PATCH) holding only what differs (nested C(inbound), C(outbound) and C(rtcp_settings)
    objects are sent whole, merged with the current ones). Nothing differs, nothing is written.
  - Rules of the vendor guide are checked before any request, and every problem is reported at once.
  - Use M(byoc.carrier.sip_inbound) and M(byoc.carrier.sip_outbound) for the Inbound and Outbound tabs.
author:
  - byoc.carrier contributors (!UNKNOWN)
requirements:
  - voluptuous
extends_documentation_fragment:
  - byoc.carrier.telnyx
  - byoc.carrier.telnyx.attributes
  - byoc.carrier.active_calls
options:
  name:
    description:
      - The connection's name (C(connection_name)), matched exactly (case-sensitive).
      - Two connections with this name make the module fail, listing their ids.
    type: str
    required: true
  type:
    description:
      - The kind of connection (endpoint C(credential_connections), C(ip_connections) or C(fqdn_connections)).
      - Required with O(state=present). Cannot change after creation; the module fails and says how to replace
        the connection (O(state=absent), then O(state=present) with the new type).
    type: str
    choices: [credentials, ip, fqdn]
  state:
    description:
      - V(present) creates or updates the connection; V(absent) deletes its IPs or FQDNs and then the connection.
    type: str
    choices: [present, absent]
    default: present
  region:
    description:
      - Telnyx region of the returned SIP URI, RV(connection.sip_uri) (C(sip.telnyx.com), C(.eu) or C(.ca)). Not sent.
    type: str
    choices: [com, eu, ca]
    default: com
  username:
    description:
      - SIP user name (C(user_name)), 4 to 32 letters or digits starting with a letter (Telnyx refuses a user name without
        a letter among its first characters, and SIP URI calling needs a non-numeric first character).
      - Credentials connections (required to create one) and FQDN connections, where it authenticates outbound calls
        (the guide's Basic tab; written with C(PATCH /fqdn_connections/{id}/fqdn_authentication),
        C(fqdn_outbound_authentication=credential-authentication)) and gives RV(connection.sip_uri). On FQDN give
        O(username) and O(password) together.
    type: str
  password:
    description:
      - SIP password (C(password)), 8 to 128 characters. Credentials connections (required to create one) and FQDN
        connections (with O(username), through C(fqdn_authentication)).
      - Older Telnyx accounts return passwords, so the current one is compared; accounts created from 2026-09-08 return
        C(********), which never compares equal (see O(update_password)). Never shown in results or diffs.
    type: str
  update_password:
    description:
      - V(always) sets O(password) when it differs from Telnyx's, or when Telnyx returns it masked (C(********)), and then it is
        written on every run. V(on_create) sets it only when creating the connection and never compares it.
    type: str
    choices: [always, on_create]
    default: always
  webhook_url:
    description:
      - Webhook URL (C(webhook_event_url)), C(http://) or C(https://). Telnyx advises leaving it unset on a plain SIP trunk.
      - An empty value V("") clears it at Telnyx (sent as C("")); it is then unchanged whether Telnyx holds C("") or null.
    type: str
  webhook_failover_url:
    description:
      - Webhook failover URL (C(webhook_event_failover_url)), C(http://) or C(https://).
      - An empty value V("") clears it at Telnyx (sent as C("")); it is then unchanged whether Telnyx holds C("") or null.
    type: str
  webhook_api_version:
    description:
      - Webhook API version (C(webhook_api_version)).
    type: str
    choices: ['1', '2']
  anchorsite:
    description:
      - Where the media is anchored (C(anchorsite_override)).
    type: str
    choices: ['Latency', 'Chicago, IL', 'Ashburn, VA', 'San Jose, CA', 'Sydney, Australia', 'Amsterdam, Netherlands',
              'London, UK', 'Toronto, Canada', 'Vancouver, Canada', 'Frankfurt, Germany']
  encode_contact_header:
    description:
      - Encode the SIP Contact header (C(encode_contact_header_enabled)).
    type: bool
  comfort_noise:
    description:
      - Telnyx generates comfort noise while a call is on hold (C(default_on_hold_comfort_noise_enabled)).
    type: bool
  dtmf_type:
    description:
      - DTMF type (C(dtmf_type)).
      - V(SIP Info), the vendor guide's spelling, is accepted as V(SIP INFO) (Telnyx's value) - the same setting, never
        shown as a change.
    type: str
    choices: ['RFC 2833', 'Inband', 'SIP INFO', 'SIP Info']
  rtcp:
    description:
      - RTCP settings (C(rtcp_settings)); only the sub-options set are compared.
    type: dict
    suboptions:
      report_frequency:
        description:
          - Seconds between RTCP reports, 5 to 3000 (C(report_frequency_secs)).
        type: int
      port:
        description:
          - RTCP port (C(port)), the RTP port plus one or multiplexed with RTP.
        type: str
        choices: [rtp+1, rtcp-mux]
      capture:
        description:
          - Let Telnyx capture RTCP for its QoS reports (C(capture_enabled)).
        type: bool
  routing_method:
    description:
      - How calls are spread over the addresses (C(inbound.default_routing_method)). IP and FQDN connections only.
      - The vendor guide's V(Sequential) and V(Round-Robin) are accepted as V(sequential) and V(round-robin).
    type: str
    choices: [sequential, round-robin, Sequential, Round-Robin]
  ips:
    description:
      - The addresses of an IP connection, in priority order (IP connections only).
      - The module creates missing C(/ips), updates ports, deletes the others, and sets
        C(inbound.default_primary_ip_id), C(default_secondary_ip_id) and C(default_tertiary_ip_id) to the first three.
    type: list
    elements: dict
    suboptions:
      address:
        description:
          - IPv4 or IPv6 address (C(ip_address)).
        type: str
        required: true
      port:
        description:
          - SIP port, 1 to 65535.
        type: int
        default: 5060
  fqdns:
    description:
      - The FQDNs of an FQDN connection, in priority order (FQDN connections only).
      - The module creates missing C(/fqdns), updates them, deletes the others, and sets
        C(inbound.default_primary_fqdn_id), C(default_secondary_fqdn_id) and C(default_tertiary_fqdn_id) to the first three.
    type: list
    elements: dict
    suboptions:
      fqdn:
        description:
          - Fully qualified domain name.
        type: str
        required: true
      port:
        description:
          - SIP port, 1 to 65535; 5060 when unset with an A record. Must stay unset with an SRV record.
        type: int
      dns_record_type:
        description:
          - How Telnyx resolves the name.
        type: str
        choices: [a, srv]
        default: a
  ip_auth_method:
    description:
      - Expert IP authentication (IP and FQDN connections).
      - On IP connections C(outbound.ip_authentication_method). Telnyx's API has one value for the guide's
        "Tech Prefix" and "P Charge Info", C(tech-prefixp-charge-info), and accepts either on such a connection.
        V(tech_prefix) and V(p_charge_info) both write it, so changing one to the other changes nothing at Telnyx
        (no write, no drift); the difference is what the sbc role sends (the 4-digit O(tech_prefix) before the number, or
        the first of the trunk's numbers in C(P-Charge-Info)). V(token) is C(token) (the C(X-Telnyx-Token) header).
      - On FQDN connections C(ip_authentication_method) of C(fqdn_authentication) (V(token) or V(p_charge_info) =
        C(p-charge-info), with C(fqdn_outbound_authentication=ip-authentication)); not with O(username)/O(password).
    type: str
    choices: [tech_prefix, token, p_charge_info]
  tech_prefix:
    description:
      - Tech prefix, exactly 4 digits (C(outbound.tech_prefix)). IP and FQDN connections only.
      - An empty value V("") clears it at Telnyx (sent as C("")); it is then unchanged whether Telnyx holds C("") or null.
    type: str
  token:
    description:
      - Token sent in C(X-Telnyx-Token) (C(outbound.ip_authentication_token)), 12 to 48 letters, digits or hyphens (what
        the SBC role can send as a header value). IP and FQDN connections only. Never shown.
      - An empty value V("") clears it at Telnyx (sent as C("")); it is then unchanged whether Telnyx holds C("") or null.
    type: str
  noise_suppression:
    description:
      - Telnyx's noise suppression on the call's audio (C(noise_suppression)) - V(inbound) cleans the audio coming from the
        caller before it reaches your SBC (what a voice bot's speech recognition hears), V(outbound) the audio you send,
        V(both) both directions, V(disabled) turns it off.
      - Removes background noise (street, call-centre chatter) that makes speech recognition mis-hear and barge-in misfire.
    type: str
    choices: [inbound, outbound, both, disabled]
  noise_suppression_details:
    description:
      - Settings of the noise suppression (C(noise_suppression_details)). Telnyx keeps them while O(noise_suppression) is
        V(disabled) and uses them again when it is turned back on. Only the sub-options set are compared.
    type: dict
    suboptions:
      engine:
        description:
          - The engine (C(engine)); Telnyx's default is V(denoiser). The Krisp and DeepFilterNet engines remove more noise
            at the cost of some processing delay.
        type: str
        choices: [denoiser, deep_filter_net, deep_filter_net_large, krisp_viva_tel, krisp_viva_tel_lite, krisp_viva_promodel,
                  krisp_viva_ss, quail_voice_focus]
      attenuation_limit:
        description:
          - How far noise may be attenuated, 0 to 100 in steps of 10 (C(attenuation_limit)); the default depends on the
            engine (0 for V(denoiser), 80 for DeepFilterNet and Krisp, 100 for V(quail_voice_focus)).
        type: int
  jitter_buffer:
    description:
      - Telnyx's jitter buffer on the RTP streams of the trunk's calls (C(jitter_buffer)), off unless enabled. Only the
        sub-options set are compared.
      - Evens out late and reordered packets before the audio reaches the bot's speech recognition (fewer clipped words);
        a larger buffer adds latency to every turn of the conversation, so keep it small for bots.
    type: dict
    suboptions:
      enabled:
        description:
          - Turn the jitter buffer on (C(enable_jitter_buffer)).
        type: bool
      min_msec:
        description:
          - Smallest buffer in milliseconds, 40 to 400 (C(jitterbuffer_msec_min)); Telnyx's default is 60. Not more than
            O(jitter_buffer.max_msec) when both are set.
        type: int
      max_msec:
        description:
          - Largest buffer in milliseconds, 40 to 400 (C(jitterbuffer_msec_max)); Telnyx's default is 200.
        type: int
  active:
    description:
      - Whether the connection is enabled (C(active)).
    type: bool
  tags:
    description:
      - Tags of the connection (C(tags)), compared as a set.
    type: list
    elements: str
notes:
  - In check mode nothing is written; C(changed), C(diff) and RV(connection) are what a real run would give.
  - Diffs hold the normalised view of the options set; secrets appear only as a mask, a changed secret as a changed mask.
  - T.38 is not offered; the vendor guide says it is not supported.
  - A module option given as null is the same as one left out (Ansible cannot tell them apart), so here only V("")
    unsets, and only the string options that say so. Any other option is unset with null in an entry of
    M(byoc.carrier.sip_connections) (or in a trunk of the trunk role), which documents what unset means per option.
  - A connection deleted by someone else between the module's read and its write makes the module fail with
    Telnyx's 404 (C(HTTP 404 [10005])); a re-run creates it again.
  - Create puts every set option into the C(POST); addresses and their default ids follow (they need the connection's id).
seealso:
  - module: byoc.carrier.sip_inbound
  - module: byoc.carrier.sip_outbound
  - module: byoc.carrier.sip_connection_info
"""

EXAMPLES = r"""
- name: A credentials connection for a Conversation Builder bot
  byoc.carrier.sip_connection:
    api_key: "{{ vault_telnyx_api_key }}"
    name: acme-eu-prod-fra1
    type: credentials
    username: acmefra1
    password: "{{ vault_acme_fra1_password }}"
    region: eu
    anchorsite: Frankfurt, Germany
    dtmf_type: RFC 2833
    rtcp: {report_frequency: 10, port: rtcp-mux}
    tags: [acme, prod]
  register: conn

- name: Show the SIP URI to enter in Conversation Builder
  ansible.builtin.debug:
    msg: "{{ conn.connection.sip_uri }}"

- name: An IP connection with two SBC addresses and a tech prefix
  byoc.carrier.sip_connection:
    name: acme-us-prod-ip
    type: ip
    ips:
      - {address: 203.0.113.10, port: 5060}
      - {address: 203.0.113.11}
    routing_method: sequential
    ip_auth_method: tech_prefix
    tech_prefix: "1234"
  module_defaults:
    group/byoc.carrier.telnyx:
      api_key: "{{ vault_telnyx_api_key }}"

- name: An FQDN connection resolved through SRV
  byoc.carrier.sip_connection:
    api_key: "{{ vault_telnyx_api_key }}"
    name: acme-ca-prod-fqdn
    type: fqdn
    fqdns:
      - {fqdn: sbc.acme.example, dns_record_type: srv}

- name: Remove a connection (its IPs or FQDNs go first); fails, deleting nothing, while it has calls in progress
  byoc.carrier.sip_connection:
    api_key: "{{ vault_telnyx_api_key }}"
    name: acme-us-prod-ip
    state: absent

- name: Remove it even with calls in progress (they are cut)
  byoc.carrier.sip_connection:
    api_key: "{{ vault_telnyx_api_key }}"
    name: acme-us-prod-old
    state: absent
    delete_with_active_calls: true
"""

RETURN = r"""
connection:
  description:
    - The connection as Telnyx holds it after the run (in check mode, as it would be), secrets redacted, plus C(sip_uri).
    - V(null) after O(state=absent).
  returned: always
  type: dict
  contains:
    id:
      description: Telnyx id of the connection (absent in check mode before creation).
      type: str
      sample: "1293384261075731499"
    record_type:
      description: C(credential_connection), C(ip_connection) or C(fqdn_connection).
      type: str
      sample: credential_connection
    connection_name:
      description: The name.
      type: str
      sample: acme-eu-prod-fra1
    user_name:
      description: SIP user name (credentials connections).
      type: str
      sample: acmefra1
    password:
      description: Always redacted.
      type: str
      sample: VALUE_SPECIFIED_IN_NO_LOG_PARAMETER
    inbound:
      description: Telnyx's inbound settings object.
      type: dict
    outbound:
      description: Telnyx's outbound settings object (C(ip_authentication_token) redacted).
      type: dict
    rtcp_settings:
      description: RTCP settings object.
      type: dict
    ips:
      description: The addresses in priority order, when O(ips) is set.
      type: list
      elements: dict
      sample: [{address: 203.0.113.10, port: 5060}]
    fqdns:
      description: The FQDNs in priority order, when O(fqdns) is set.
      type: list
      elements: dict
      sample: [{fqdn: sbc.acme.example, port: null, dns_record_type: srv}]
    sip_uri:
      description: C(<username or sip_subdomain>@sip.telnyx.<region>), or V(null) when neither is set.
      type: str
      sample: acmefra1@sip.telnyx.eu
changed_options:
  description: The options whose values differ from Telnyx's (what the update writes).
  returned: when the connection existed and O(state=present)
  type: list
  elements: str
  sample: [dtmf_type, ips]
api_retries:
  description: Retries the API client made (429, 5xx, no answer).
  returned: success
  type: int
  sample: 0
"""

from ansible_collections.byoc.carrier.plugins.module_utils._runner import run_settings


def main():
    run_settings('connection')


if __name__ == '__main__':
    main()

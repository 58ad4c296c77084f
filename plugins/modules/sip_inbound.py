#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: sip_inbound
short_description: Manage the Inbound tab of an existing Telnyx SIP connection
version_added: 0.1.0
description:
  - Sets the Inbound tab settings of the SIP connection named exactly O(connection) (credentials, IP or FQDN).
  - Only the options you set are sent and compared (after normalising both sides; O(codecs) in order); one C(PATCH)
    holds what differs, with the C(inbound) and C(outbound) objects sent whole, merged with the current ones.
  - Rules of the vendor guide are checked before any request; options that do not exist on the connection's kind
    fail naming the option and the kind.
  - On FQDN connections Telnyx keeps the timeouts and encrypted media under C(outbound) too; the module sets both.
author:
  - byoc.carrier contributors (!UNKNOWN)
requirements:
  - voluptuous
extends_documentation_fragment:
  - byoc.carrier.telnyx
  - byoc.carrier.telnyx.attributes
  - byoc.carrier.connection_tab
options:
  dnis_number_format:
    description:
      - Format of the called number (DNIS) sent to you (C(inbound.dnis_number_format)).
      - Telnyx spells this format V(+e164) and the caller's one (O(ani_number_format)) V(+E.164); either spelling is
        accepted here (V(+E.164) is V(+e164), V(E.164) is V(e164)) and normalised before comparing.
    type: str
    choices: [+e164, e164, national, sip_username, +E.164, E.164]
  ani_number_format:
    description:
      - Format of the caller's number (ANI) sent to you (C(inbound.ani_number_format)).
      - Either spelling is accepted, as for O(dnis_number_format) (V(+e164) is V(+E.164), V(e164-national) is
        V(E.164-national), ...) and normalised before comparing.
    type: str
    choices: [+E.164, E.164, +E.164-national, E.164-national, +e164, e164, +e164-national, e164-national]
  no_ringback_timeout:
    description:
      - No Ringback Timeout, 1 to 120 seconds (C(inbound.timeout_1xx_secs); FQDN also C(outbound.timeout_1xx_secs)).
    type: int
  no_answer_timeout:
    description:
      - No Answer Timeout, 1 to 600 seconds (C(inbound.timeout_2xx_secs); FQDN also C(outbound.timeout_2xx_secs)).
    type: int
  subdomain_calls:
    description:
      - Receive SIP subdomain calls. Credentials connections use C(sip_uri_calling_preference)
        (V(disabled), V(internal), V(from_anyone) = C(unrestricted)).
      - IP and FQDN connections use C(inbound.sip_subdomain_receive_settings) (V(internal) = C(only_my_connections),
        V(from_anyone)); Telnyx has no disabled value there, so V(disabled) fails on them (subdomain calls stay off
        while no O(sip_subdomain) is set).
      - The vendor guide's V(From Anyone) is accepted as V(from_anyone).
    type: str
    choices: [disabled, internal, from_anyone, From Anyone]
  encrypted_media:
    description:
      - V(SRTP) or V(none) (C(encrypted_media); FQDN also C(outbound.encrypted_media), always written with the same value).
      - On IP and FQDN connections SRTP B(requires) O(byoc.carrier.sip_inbound#module:transport=TLS). Telnyx's current API
        reference says C(encrypted_media) can only be set when the SIP signaling transport protocol is TLS (the older
        OpenAPI sentence saying the opposite is wrong), and SDES keys travel in the SIP body. Checked before any write.
      - One setting for both tabs on every kind (FQDN connections hold it in two fields, always written together);
        M(byoc.carrier.sip_outbound) sets the same one, so give both modules the same value.
    type: str
    choices: [SRTP, none]
  ringback:
    description:
      - V(default) passes ringback through; V(generate_tone) answers with 183 and a generated tone (C(inbound.generate_ringback_tone)).
      - The vendor guide's V(Default) and V(Generate Ringback Tone) are accepted. Its third Inbound choice, "Enable Instant
        Ringback", is not offered - Telnyx's API v2 has no such field on the Inbound side (only C(generate_ringback_tone));
        instant ringback exists on the Outbound tab, O(byoc.carrier.sip_outbound#module:ringback=instant).
    type: str
    choices: [default, generate_tone, Default, Generate Ringback Tone]
  codecs:
    description:
      - Offered codecs in priority order (C(inbound.codecs)); the guide allows G711U and G711A only.
    type: list
    elements: str
    choices: [G711U, G711A]
  compact_headers:
    description:
      - Use SIP compact headers (C(inbound.sip_compact_headers_enabled)).
    type: bool
  prack:
    description:
      - Reliable provisional responses, PRACK (RFC 3262) (C(inbound.prack_enabled)).
      - Lets early media (a bot's greeting or announcement before the answer) be acknowledged end to end; turn it on only
        when your SBC and PBX support 100rel.
    type: bool
  shaken_stir:
    description:
      - Receive the SIP Identity header with the call's SHAKEN/STIR attestation on inbound calls, also over UDP
        (C(inbound.shaken_stir_enabled)).
      - Lets the bot or the routing logic treat unattested (likely spoofed) caller ids differently.
    type: bool
  isup_headers:
    description:
      - Receive ISUP parameters of the call as SIP headers on inbound calls (C(inbound.isup_headers_enabled)); Telnyx sends
        them only when available and only over TCP or TLS.
      - On IP and FQDN connections V(true) is refused unless the connection's O(transport) is V(TCP) or V(TLS) (before
        any write); a credentials connection's transport is the registering device's, not checked.
      - Gives the bot the original called number and redirection information of forwarded calls.
    type: bool
  transport:
    description:
      - SIP transport protocol (C(transport_protocol)). IP and FQDN connections only.
    type: str
    choices: [UDP, TCP, TLS]
  sip_region:
    description:
      - SIP region (C(inbound.sip_region)), where Telnyx sends inbound calls from. IP and FQDN connections only.
      - There is no Canada value - Telnyx's API v2 offers US, Europe and Australia only (its C(sip_region) enum). For a
        Canadian (C(ca)) trunk choose V(US), the closest region.
    type: str
    choices: [US, Europe, Australia]
  sip_subdomain:
    description:
      - SIP subdomain (C(inbound.sip_subdomain)), giving C(<sip_subdomain>.sip.telnyx.com) and the SIP URI.
        IP and FQDN connections only. An empty value V("") clears it at Telnyx (sent as C("")); it is then unchanged whether Telnyx holds C("") or null.
    type: str
  channel_limit:
    description:
      - Maximum concurrent inbound calls (C(inbound.channel_limit)).
    type: int
notes:
  - A module option given as null is the same as one left out (Ansible cannot tell them apart), so here only V("")
    unsets, and only the string options that say so. Any other option is unset with null in an entry of
    M(byoc.carrier.sip_connections) (or in a trunk of the trunk role), which documents what unset means per option.
  - In check mode a connection that does not exist yet (an earlier task of the same check run would create it) gives
    C(changed=true) and a C(msg) note; in a real run it is a failure.
seealso:
  - module: byoc.carrier.sip_connection
  - module: byoc.carrier.sip_outbound
"""

EXAMPLES = r"""
- name: Inbound settings the vendor guide asks for
  byoc.carrier.sip_inbound:
    api_key: "{{ vault_telnyx_api_key }}"
    connection: acme-eu-prod-fra1
    codecs: [G711U, G711A]
    no_answer_timeout: 60
    subdomain_calls: from_anyone
    dnis_number_format: +e164

- name: An IP connection reached through a SIP subdomain over TCP
  byoc.carrier.sip_inbound:
    api_key: "{{ vault_telnyx_api_key }}"
    connection: acme-us-prod-ip
    sip_subdomain: acme-us
    subdomain_calls: from_anyone
    transport: TCP
    sip_region: US
"""

RETURN = r"""
connection:
  description:
    - The connection as Telnyx holds it after the run (in check mode, as it would be), secrets redacted, plus C(sip_uri).
    - V(null) in check mode when the connection does not exist yet.
  returned: always
  type: dict
  contains:
    id:
      description: Telnyx id of the connection.
      type: str
      sample: "1293384261075731499"
    record_type:
      description: C(credential_connection), C(ip_connection) or C(fqdn_connection).
      type: str
      sample: ip_connection
    inbound:
      description: Telnyx's inbound settings object.
      type: dict
      sample: {codecs: [G711U, G711A], timeout_2xx_secs: 60}
    outbound:
      description: Telnyx's outbound settings object (C(ip_authentication_token) redacted).
      type: dict
      sample: {outbound_voice_profile_id: "1293384261075731500", localization: DE}
    sip_uri:
      description: C(<username or sip_subdomain>@sip.telnyx.<region>), or V(null).
      type: str
      sample: acme-us@sip.telnyx.com
changed_options:
  description: The options whose values differ from Telnyx's (what the update writes).
  returned: when the connection exists
  type: list
  elements: str
  sample: [codecs, localization]
msg:
  description: A note when, in check mode, the connection does not exist yet (an earlier task would create it).
  returned: in check mode when the connection does not exist
  type: str
  sample: "Connection 'acme-1' does not exist (yet); in a real run it must have been created first (...)"
api_retries:
  description: Retries the API client made (429, 5xx, no answer).
  returned: success
  type: int
  sample: 0
"""

from ansible_collections.byoc.carrier.plugins.module_utils._runner import run_settings


def main():
    run_settings('inbound')


if __name__ == '__main__':
    main()

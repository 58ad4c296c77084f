#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: sip_outbound
short_description: Manage the Outbound tab of an existing Telnyx SIP connection
version_added: 0.1.0
description:
  - Sets the Outbound tab settings of the SIP connection named exactly O(connection) (credentials, IP or FQDN),
    including the outbound voice profile outbound calls need.
  - Only the options you set are sent and compared (after normalising both sides); one C(PATCH) holds what differs,
    with the C(outbound) object sent whole, merged with the current one.
  - Rules of the vendor guide are checked before any request.
author:
  - byoc.carrier contributors (!UNKNOWN)
requirements:
  - voluptuous
extends_documentation_fragment:
  - byoc.carrier.telnyx
  - byoc.carrier.telnyx.attributes
  - byoc.carrier.connection_tab
options:
  caller_id_override:
    description:
      - Caller ID presented on outbound calls, an E.164 number such as C(+13125550100) (C(outbound.ani_override)).
      - An empty value V("") clears it at Telnyx (sent as C("")); it is then unchanged whether Telnyx holds C("") or null.
    type: str
  caller_id_override_type:
    description:
      - When O(caller_id_override) applies (C(outbound.ani_override_type)).
    type: str
    choices: [always, normal, emergency]
  localization:
    description:
      - Country whose national dialling rules apply, ISO 3166 alpha-2 such as V(US) or V(DE) (C(outbound.localization)).
        Compared ignoring case. An empty value V("") clears it at Telnyx (sent as C("")); it is then unchanged whether Telnyx holds C("") or null.
    type: str
  encrypted_media:
    description:
      - V(SRTP) or V(none) (C(encrypted_media); FQDN also C(outbound.encrypted_media), always written with the same value).
      - On IP and FQDN connections SRTP B(requires) O(byoc.carrier.sip_inbound#module:transport=TLS). Telnyx's current API
        reference says C(encrypted_media) can only be set when the SIP signaling transport protocol is TLS (the older
        OpenAPI sentence saying the opposite is wrong), and SDES keys travel in the SIP body. Checked before any write.
      - One setting for both tabs on every kind (FQDN connections hold it in two fields, always written together);
        M(byoc.carrier.sip_inbound) sets the same one, so give both modules the same value.
    type: str
    choices: [SRTP, none]
  ringback:
    description:
      - V(default) passes ringback through, V(instant) sends 180 at once (C(outbound.instant_ringback_enabled)),
        V(generate_tone) sends 183 with a generated tone (C(outbound.generate_ringback_tone)).
      - The vendor guide's V(Default), V(Enable Instant Ringback) and V(Generate Ringback Tone) are accepted as
        V(default), V(instant) and V(generate_tone).
    type: str
    choices: [default, instant, generate_tone, Default, Enable Instant Ringback, Generate Ringback Tone]
  outbound_voice_profile:
    description:
      - Name or id of the outbound voice profile (C(outbound.outbound_voice_profile_id)). A name is looked up exactly
        (several profiles with that name fail, listing ids); one that does not exist fails naming it.
    type: str
  channel_limit:
    description:
      - Maximum concurrent outbound calls (C(outbound.channel_limit)).
    type: int
notes:
  - A module option given as null is the same as one left out (Ansible cannot tell them apart), so here only V("")
    unsets, and only the string options that say so. Any other option is unset with null in an entry of
    M(byoc.carrier.sip_connections) (or in a trunk of the trunk role), which documents what unset means per option.
  - In check mode a connection that does not exist yet (an earlier task of the same check run would create it) gives
    C(changed=true) and a C(msg) note; in a real run it is a failure.
seealso:
  - module: byoc.carrier.sip_connection
  - module: byoc.carrier.sip_inbound
  - module: byoc.carrier.outbound_voice_profile
"""

EXAMPLES = r"""
- name: Outbound settings of a German trunk
  byoc.carrier.sip_outbound:
    api_key: "{{ vault_telnyx_api_key }}"
    connection: acme-eu-prod-fra1
    outbound_voice_profile: acme-eu
    localization: DE
    caller_id_override: "+4930123456"
    caller_id_override_type: always
    ringback: instant
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
    run_settings('outbound')


if __name__ == '__main__':
    main()

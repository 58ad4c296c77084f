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
    type: str
    choices: [default, instant, generate_tone]
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
extends_documentation_fragment:
  - byoc.carrier.connection_tab
"""

from ansible_collections.byoc.carrier.plugins.module_utils._runner import run_settings


def main():
    run_settings('outbound')


if __name__ == '__main__':
    main()

# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation fragment of the modules that set one tab of an existing connection (sip_inbound, sip_outbound)."""

from __future__ import annotations


class ModuleDocFragment:
    """``byoc.carrier.connection_tab``: the O(connection)/O(region) options and the return values."""

    DOCUMENTATION = r'''
options:
  connection:
    description:
      - Exact name of an existing connection. Two connections with this name make the module fail, listing their ids.
    type: str
    required: true
  region:
    description:
      - Telnyx region of the returned SIP URI (C(connection.sip_uri)). Not sent.
    type: str
    choices: [com, eu, ca]
    default: com
notes:
  - A connection deleted by someone else between the module's read and its write makes the module fail with
    Telnyx's 404 (C(HTTP 404 [10005])); the connection is not recreated (use M(byoc.carrier.sip_connection)).
'''

    RETURN = r'''
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
'''

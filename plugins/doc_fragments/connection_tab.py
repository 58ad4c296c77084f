# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation fragment of the modules that set one tab of an existing connection (sip_inbound, sip_outbound)."""

from __future__ import annotations


class ModuleDocFragment:
    """``byoc.carrier.connection_tab``: the O(connection)/O(region) options.

    The return values are written out in each module: ansible-core 2.19 cannot extend RETURN from a fragment."""

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

# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation fragment of the modules that delete connections (the active calls guard)."""

from __future__ import annotations


class ModuleDocFragment:
    """``byoc.carrier.active_calls``: the option O(delete_with_active_calls) of sip_connection and sip_connections."""

    DOCUMENTATION = r'''
options:
  delete_with_active_calls:
    description:
      - Before a connection is deleted the module asks Telnyx for its calls in progress
        (C(GET /connections/{id}/active_calls)). With calls in progress that connection fails, naming it, its id and
        the number of calls, and nothing is written for it (not even its IPs or FQDNs are deleted). Check mode reports
        the same failure.
      - Telnyx lists the calls of a SIP connection only when it has a webhook URL (its API reference of "List all
        active calls for given connection"; it refuses the others). A connection without one is deleted without
        asking, and the run warns once, naming those connections. Give trunks a webhook URL to have the guard.
      - V(true) deletes the connection without asking, cutting any call in progress.
    type: bool
    default: false
notes:
  - The active calls guard costs one request per connection with a webhook URL to delete (more only when a connection
    has over 250 calls and Telnyx does not give their total).
'''

# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation fragments of byoc.carrier's Telnyx API modules."""

from __future__ import annotations


class ModuleDocFragment:
    """``byoc.carrier.telnyx`` (the shared API options) and its attribute variants."""

    # The shared options of every API module (plugins/module_utils/_client.py TELNYX_ARGUMENT_SPEC).
    DOCUMENTATION = r'''
options:
  api_key:
    description:
      - 'Telnyx API v2 key, sent as C(Authorization: Bearer <key>).'
      - If not set, the value of the E(TELNYX_API_KEY) environment variable is used.
      - Never printed, returned or put in error messages.
    type: str
    required: true
  api_url:
    description:
      - Base URL of the Telnyx API v2, without a trailing slash.
      - If not set, the value of the E(TELNYX_API_URL) environment variable is used, else V(https://api.telnyx.com/v2).
      - Point it at the embedded emulator (for example V(http://127.0.0.1:8900/v2)) for tests and demos.
    type: str
    default: https://api.telnyx.com/v2
  validate_certs:
    description:
      - Verify the TLS certificate of O(api_url).
      - Set to V(false) only for test servers with self-signed certificates.
    type: bool
    default: true
  api_timeout:
    description:
      - Seconds to wait for each HTTP answer of the API.
      - A request that gets no answer in time counts as a transport error and is retried within O(rate_limit_retry_timeout).
    type: int
    default: 30
  rate_limit_retry_timeout:
    description:
      - Seconds the module may spend waiting before retries of requests answered with HTTP 429 (rate limit)
        or 500, 502, 503, 504, or not answered at all, before it fails.
      - Waits grow exponentially (0.5 s, 1 s, 2 s, ... at most 10 s, with jitter); a C(Retry-After) or
        C(x-ratelimit-reset) header of the answer is honoured.
      - A create (POST) is never retried blindly. After a failed or unanswered create the module first looks the object
        up by name and only creates it again when it is not there.
      - V(0) disables retries.
    type: int
    default: 60
requirements:
  - requests (Python library, on the host that runs the module)
notes:
  - 'The API calls run on the host the task runs on; with roles use C(delegate_to: localhost).'
  - 'All API modules belong to the action group C(byoc.carrier.telnyx), so
    C(module_defaults: {group/byoc.carrier.telnyx: {api_key: ...}}) sets these options once for every task.'
seealso:
  - name: Telnyx API v2 reference
    description: The Telnyx REST API these modules use.
    link: https://developers.telnyx.com/api
'''

    # Attributes of a module that changes things. A read-only module overrides in its own DOCUMENTATION
    # (a module's own attribute fields win over a fragment's): diff_mode: {support: N/A, details: ...}.
    ATTRIBUTES = r'''
options: {}
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
      Secrets appear only as masks.
    support: full
  idempotent:
    description: When run twice in a row outside check mode, with the same arguments, the second invocation indicates no change.
    support: full
  action_group:
    description: Use C(group/byoc.carrier.telnyx) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - byoc.carrier.telnyx
'''

# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Small constants shared by the modules, module_utils and filters (private).

* ``E164``: the one E.164 pattern (compiled): ``+``, a non-zero digit, 6 to 15 digits in all.
  ``E164_RULE`` says it in words for messages.
* ``USERNAME_PATTERN``: a SIP username as Telnyx takes it and SIP URI calling can reach it: 4 to 32 letters or
  digits, a letter first (Telnyx refuses a username without a letter among its first characters, and a SIP URI
  whose user part starts with a digit is dialled as a number). ``USERNAME_RULE`` in words.
* ``TOKEN_PATTERN``: the X-Telnyx-Token of IP/FQDN connections, as both Telnyx and the SBC (a Kamailio header
  value) take it: 12 to 48 letters, digits or hyphens. ``TOKEN_RULE`` in words.
* ``REGIONS``, ``KINDS``, ``TRANSPORTS``: Telnyx regions, connection kinds, SIP transports; ``UPDATE_PASSWORD`` choices.
* ``TECH_PREFIX_PATTERN``: 4 digits. ``IP_AUTH_METHODS``: the ``ip_auth_method`` choices.
* ``SRTP_RULE``: SRTP requires TLS (Telnyx's current SDK reference for ``encrypted_media``: "Can only be set when
  the SIP signaling transport protocol is TLS"; SDES keys travel in the SIP body, so SRTP without TLS exposes them).

These rule lists exist here only; ``tests/unit/plugins/module_utils/test_rules_once.py`` fails when one is
defined again elsewhere.
"""

from __future__ import annotations

import re

E164_PATTERN = r'^\+[1-9][0-9]{5,14}$'
E164 = re.compile(E164_PATTERN)
E164_RULE = '+ then 6-15 digits, no spaces'
REGIONS = ('com', 'eu', 'ca')
KINDS = ('credentials', 'ip', 'fqdn')
TRANSPORTS = ('UDP', 'TCP', 'TLS')
UPDATE_PASSWORD = ('always', 'on_create')
USERNAME_PATTERN = r'^[A-Za-z][A-Za-z0-9]{3,31}$'
USERNAME_RULE = 'must be 4 to 32 letters or digits starting with a letter (Telnyx and SIP URI calling need a letter first)'
TOKEN_PATTERN = r'^[A-Za-z0-9-]{12,48}$'
TOKEN_RULE = 'must be 12 to 48 letters, digits or hyphens (the SBC sends it as a SIP header value)'
TECH_PREFIX_PATTERN = r'^[0-9]{4}$'
IP_AUTH_METHODS = ('tech_prefix', 'token', 'p_charge_info')
SRTP_RULE = 'encrypted_media: SRTP requires transport TLS (SDES keys travel in the SIP body)'

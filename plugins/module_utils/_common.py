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
* ``unknown_option(name, known)``: the one message for an option nobody knows, with the closest known name
  (difflib): ``unknown option 'dtmf_typ' (did you mean 'dtmf_type'?)``. Trunk fields, the bulk module's entries,
  the modules' own options and the roles' variables all say it this way. ``unsupported_problems(validation)`` says
  it for each parameter Ansible's argument spec validation found unsupported (its own message lists every name).
* ``yaml_trap(value, rule)``: the hint for a value YAML typed behind the user's back (``0123`` read as the number
  123, ``on``/``off``/``yes``/``no`` read as booleans): quote it.
* ``SRTP_RULE``: SRTP requires TLS (Telnyx's current SDK reference for ``encrypted_media``: "Can only be set when
  the SIP signaling transport protocol is TLS"; SDES keys travel in the SIP body, so SRTP without TLS exposes them).

These rule lists exist here only; ``tests/unit/plugins/module_utils/test_rules_once.py`` fails when one is
defined again elsewhere.
"""

from __future__ import annotations

import difflib
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


def closest(name, known, cutoff=0.6):
    """The known name closest to ``name`` (difflib, at least ``cutoff`` alike), or None."""
    found = difflib.get_close_matches(str(name), sorted(set(str(k) for k in known)), n=1, cutoff=cutoff)
    return found[0] if found else None


def unknown_option(name, known, what='option'):
    """The message for an unknown option (``what``: option, variable): the closest known name, when one is close."""
    suggestion = closest(name, known)
    if suggestion is None:
        return "unknown %s '%s' (not a byoc.carrier %s: check its spelling)" % (what, name, what)
    return "unknown %s '%s' (did you mean '%s'?)" % (what, name, suggestion)


def yaml_trap(value, rule):
    """``rule`` with a hint when YAML typed an unquoted value: a number (``0123`` is 123, ``+4930123456`` is 4930123456) or a
    boolean (``on``/``off``/``yes``/``no``). Strings and other values get ``rule`` unchanged."""
    if isinstance(value, bool):
        return ('%s; YAML read the unquoted value as the boolean %s (on/off/yes/no are booleans in YAML): quote it'
                % (rule, str(value).lower()))
    if isinstance(value, (int, float)):
        return '%s; YAML read the unquoted value as the number %s (a leading 0 or + is lost): quote it' % (rule, value)
    return rule


def unsupported_problems(validation):
    """"option: unknown option ... (did you mean ...?)" for each unsupported parameter of an Ansible argument spec
    validation result (``ValidationResult``; nested options dotted, e.g. ``inbound.codec``)."""
    supported = getattr(validation, '_supported_parameters', None) or {}
    out = []
    for item in sorted(validation.unsupported_parameters, key=lambda i: i if isinstance(i, tuple) else (i,)):
        path = item if isinstance(item, tuple) else (item,)
        known = (supported.get(item) or ((), ()))[0]
        out.append('%s: %s' % ('.'.join(str(p) for p in path), unknown_option(path[-1], known)))
    return out

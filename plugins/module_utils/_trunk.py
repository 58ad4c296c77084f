# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one trunk model of byoc.carrier (private): a trunk of ``byoc_trunks``, its Telnyx
side and its SBC side, in one definition used by

* the trunk role's first validation (filter ``trunk_errors``),
* the cpaas role (filter ``bulk_connections`` builds the ``sip_connections`` entries with ``entry``),
* the bulk module's entry check (``_bulk.Entry.problems`` calls ``connection_problems``),
* the SBC rendering (filter ``sbc_trunks`` validates every trunk with ``trunk_problems`` and the clash rules, and takes
  its ports from ``sbc_port``: there is no implicit port).

Stable API:

* ``CONNECTION_OPTIONS``, ``SCOPE_OPTIONS``: the options a trunk passes to Telnyx, per scope, from the settings table.
* ``SBC_KEYS``: the trunk's SBC-side keys (``sbc_port``, ``sbc_transport``).
* ``connection_problems(kind, conn, inbound, outbound) -> list[str]``: every Telnyx-side rule of one connection
  ("option: rule", inbound/outbound options prefixed), the kind's required options included.
* ``sbc_port_problems(trunk) -> list[str]``: ``sbc_port`` is an explicit port (1-65534, TLS also takes port + 1) and,
  on IP/FQDN trunks, equals the port Telnyx sends calls to (each ``ips``/``fqdns`` A-record port: ``sbc_port``, or
  ``sbc_port + 1`` with TLS).
* ``sbc_transport_problems(trunk) -> list[str]``: ``sbc_transport`` is a transport, and SRTP requires TLS on the SBC's
  leg too (credentials trunks included).
* ``port_clashes(trunks)``, ``listen_port_clashes(trunks, listen_port) -> list[(name, rule)]``: ports two trunks of one
  SBC both take; a TLS port (sbc_port + 1) that is the SBC's ``sbc_listen_port``.
* ``failover_problems(value, numbers) -> list[str]``: a number to forward to when the trunk fails (``failover_number``,
  the ``phone_number`` module's ``forward_on_failure``): E.164 or ``""`` (off), and not one of the numbers forwarded.
* ``forwarding_body(value) -> dict``: the ``PATCH /phone_numbers/{id}/voice`` body that sets it (``""``: turns forwarding off).
* ``forwarding_of(voice) -> str``: what a number's voice settings forward to on failure (``""`` when nothing,
  ``"(always to +N)"`` when Telnyx forwards every call, not only on failure).
* ``trunk_problems(trunk) -> list[(field, rule)]``: all of the above, plus numbers and unknown keys.
* ``unknown_keys(trunk) -> list[(field, rule)]``: the keys nobody knows, each with the closest known name.
* ``entry(trunk, region, extra_tags=()) -> dict``: the ``sip_connections`` entry of a trunk.
* ``is_present(trunk) -> bool``: the trunk is to exist (``state`` missing or ``present``); a trunk to delete is on
  neither side.
* ``from_connection(kind, obj, profile_names=None, numbers=None) -> (trunk, vault, reasons)``: the inverse of ``entry``:
  the trunk an API object holds (every option of the kind read back through the settings table's ``from_api``),
  its secrets as vault references, the vault variables to fill, and why the model cannot express it (empty: it can).
* ``plain(value)``: a plain copy of templated inventory data (what the filters check).
"""

from __future__ import annotations

import re

from ansible_collections.byoc.carrier.plugins.module_utils import _common, _settings
from ansible_collections.byoc.carrier.plugins.module_utils._common import E164, E164_RULE, SRTP_RULE, unknown_option, yaml_trap

KINDS = _settings.KINDS
REGIONS = _common.REGIONS
STATES = ('present', 'absent')
SBC_TRANSPORTS = _common.TRANSPORTS
# options of the Basic tab a trunk may hold (name/type are trunk keys; region comes from byoc_region)
CONNECTION_OPTIONS = tuple([s.option for s in _settings.settings('connection') if s.option not in ('name', 'type', 'region')]
                           + ['update_password'])
SCOPE_OPTIONS = {
    'connection': CONNECTION_OPTIONS,
    'inbound': tuple(s.option for s in _settings.settings('inbound')),
    'outbound': tuple(s.option for s in _settings.settings('outbound')),
}
TRUNK_KEYS = ('name', 'type', 'inbound', 'outbound', 'numbers', 'state', 'failover_number')
SBC_KEYS = ('sbc_port', 'sbc_transport')
DEFAULT_LISTEN_PORT = _settings.DEFAULT_SIP_PORT  # the sbc role's sbc_listen_port default
REQUIRED_BY_KIND = {'credentials': ('username', 'password'), 'ip': ('ips',), 'fqdn': ('fqdns',)}
UPDATE_PASSWORD = _common.UPDATE_PASSWORD
SBC_PORT_REQUIRED = ("required: the SBC port the PBX sends this trunk's calls to, e.g. 5062 (explicit, so that "
                     "reordering trunks never moves a port)")


def plain(value):
    """Return a plain copy (dict/list/str/...) of templated inventory data (Ansible's lazy containers do not copy)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


def is_present(trunk):
    """The trunk is to exist (``state`` missing or ``present``): a trunk with ``state: absent`` is deleted at Telnyx and
    left off the SBC."""
    return isinstance(trunk, dict) and trunk.get('state', 'present') == 'present'


def _scoped(prefix, problems):
    return ['%s%s' % (prefix, p) for p in problems]


def connection_problems(kind, conn, inbound, outbound):
    """Every Telnyx-side rule of one connection, each "option: rule" (Inbound/Outbound options prefixed)."""
    problems = []
    for scope, prefix, params in (('connection', '', conn), ('inbound', 'inbound.', inbound), ('outbound', 'outbound.', outbound)):
        problems.extend(_scoped(prefix, _settings.validate(scope, kind, params)))
    if conn.get('update_password') not in (None,) + UPDATE_PASSWORD:
        problems.append('update_password: must be one of %s' % ', '.join(UPDATE_PASSWORD))
    problems.extend(_settings.srtp_problems(kind, inbound, outbound))
    return problems


def required_problems(kind, conn):
    """The options a kind cannot do without (a credentials trunk needs username and password, ...)."""
    return ['%s: required for a %s trunk' % (option, kind) for option in REQUIRED_BY_KIND.get(kind, ())
            if conn.get(option) in (None, '', [])]


def failover_problems(value, numbers=(), option='failover_number'):
    """A number calls are forwarded to when the trunk cannot take them: E.164, or "" for none; never one of ``numbers``
    (a number forwarded to itself loops)."""
    if value is None or value == '':
        return []
    if not isinstance(value, str) or not E164.match(value):
        return ['%s: must be an E.164 number (%s) such as +4930123457, or "" to turn forwarding off, got %r' % (option, E164_RULE, value)]
    if value in (numbers or ()):
        return ['%s: %s is one of the numbers it would forward, a loop; choose a number outside the trunk' % (option, value)]
    return []


def forwarding_body(value):
    """The voice settings body (``PATCH /phone_numbers/{id}/voice``) that forwards on failure to ``value`` ("" = off)."""
    if value:
        return {'call_forwarding': {'call_forwarding_enabled': True, 'forwarding_type': 'on-failure', 'forwards_to': value}}
    return {'call_forwarding': {'call_forwarding_enabled': False, 'forwards_to': ''}}


def forwarding_of(voice):
    """What a number forwards to on failure, from its voice settings: the number, "" for none, or
    "(always to +N)" when Telnyx forwards every call (what forward_on_failure replaces)."""
    forwarding = (voice or {}).get('call_forwarding') or {}
    target = forwarding.get('forwards_to') or ''
    if not target or forwarding.get('call_forwarding_enabled') is False:
        return ''
    if forwarding.get('forwarding_type') == 'on-failure':
        return target
    return '(%s to %s)' % (forwarding.get('forwarding_type') or 'always', target)


def _port_of(value):
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 1 <= value <= 65534 else None


def sbc_transport(trunk):
    """The SBC's transport toward Telnyx for this trunk: sbc_transport, else inbound.transport, else UDP."""
    return str(trunk.get('sbc_transport') or (trunk.get('inbound') or {}).get('transport') or 'UDP').upper()


def sbc_transport_problems(trunk):
    """``sbc_transport`` is a SIP transport; SRTP requires TLS on the SBC's leg toward Telnyx too (on every kind: a
    credentials trunk registers over ``sbc_transport``). Where the Telnyx side already refuses it (IP/FQDN without
    ``sbc_transport``: ``inbound.transport`` is the SBC's transport) it is not said twice."""
    transport = sbc_transport(trunk)
    if transport not in SBC_TRANSPORTS:
        return ['sbc_transport: %r is not one of %s' % (transport, ', '.join(SBC_TRANSPORTS))]
    media = set((trunk.get(scope) or {}).get('encrypted_media') for scope in ('inbound', 'outbound')
                if isinstance(trunk.get(scope) or {}, dict))
    telnyx_says_it = trunk.get('type') in _settings.IP_FQDN and trunk.get('sbc_transport') is None
    if 'SRTP' in media and transport != 'TLS' and not telnyx_says_it:
        return ["%s: set sbc_transport to TLS, the SBC's transport toward Telnyx (got %s)" % (SRTP_RULE, transport)]
    return []


def sbc_port_problems(trunk, required=True):
    """``sbc_port`` explicit and valid; on IP/FQDN trunks the port Telnyx sends to must be the SBC's."""
    value = trunk.get('sbc_port')
    if value is None:
        return ['sbc_port: %s' % SBC_PORT_REQUIRED] if required else []
    port = _port_of(value)
    if port is None:
        return ['sbc_port: %r is not a port 1-65534' % (value,)]
    transport = sbc_transport(trunk)
    if transport not in SBC_TRANSPORTS:
        return []
    wanted = port + 1 if transport == 'TLS' else port
    problems = []
    for option, key in (('ips', 'address'), ('fqdns', 'fqdn')):
        for index, item in enumerate(trunk.get(option) or []):
            if not isinstance(item, dict) or (item.get('dns_record_type') or 'a') == 'srv':
                continue
            given = item.get('port') or _settings.DEFAULT_SIP_PORT
            if given != wanted:
                problems.append('%s[%d].port: %s is where Telnyx sends calls to %s, but the SBC listens for this trunk on %d '
                                '(sbc_port %d%s); they must match' % (option, index, given, item.get(key), wanted, port,
                                                                      ' + 1 for TLS' if transport == 'TLS' else ''))
    return problems


def sbc_ports(trunk):
    """The SBC ports a trunk takes: sbc_port, and sbc_port + 1 with TLS (empty when sbc_port is not valid)."""
    port = _port_of(trunk.get('sbc_port'))
    if port is None:
        return []
    return [port, port + 1] if sbc_transport(trunk) == 'TLS' else [port]


def port_clashes(trunks):
    """(trunk name, rule) for each trunk of one SBC whose port another trunk of it takes too."""
    users = {}
    for trunk in trunks:
        if is_present(trunk):
            for port in sbc_ports(trunk):
                users.setdefault(port, []).append(str(trunk.get('name')))
    out = []
    for port, names in sorted(users.items()):
        if len(names) > 1:
            out.extend((name, 'port %d is taken by %s on this SBC (sbc_port; TLS also takes sbc_port + 1)' % (port, ', '.join(names)))
                       for name in names[1:])
    return out


def listen_port_clashes(trunks, listen_port):
    """(trunk name, rule) for each TLS trunk whose TLS port (sbc_port + 1) is the SBC's ``sbc_listen_port``: that is
    the port of the SBC's default Contact (registrations), a UDP port, so a TLS listener cannot take it."""
    try:
        listen_port = int(listen_port)
    except (TypeError, ValueError):
        return []
    out = []
    for trunk in trunks:
        if is_present(trunk):
            ports = sbc_ports(trunk)
            if len(ports) == 2 and ports[1] == listen_port:
                out.append((str(trunk.get('name')), 'TLS takes sbc_port + 1 = %d, which is sbc_listen_port (the SBC\'s default '
                                                    'Contact port): choose another sbc_port or sbc_listen_port' % listen_port))
    return out


def _split(trunk):
    """The trunk's options per scope, a null turned into what unset means (checked like any value), else dropped."""
    kind = trunk.get('type')
    conn = _settings.unset_params('connection', kind, dict((k, v) for k, v in trunk.items() if k in CONNECTION_OPTIONS))
    tabs = []
    for scope in ('inbound', 'outbound'):
        tab = trunk.get(scope) or {}
        tab = _settings.unset_params(scope, kind, tab) if isinstance(tab, dict) else {}
        tabs.append(dict((k, v) for k, v in tab.items() if v is not None))
    return dict((k, v) for k, v in conn.items() if v is not None), tabs[0], tabs[1]


def unknown_keys(trunk):
    """(field, rule) for each key of a trunk, and of its inbound/outbound, that the model does not know, with the
    closest known name (``_common.unknown_option``). A key known at another level (``codecs`` at the top,
    ``dtmf_type`` under ``inbound``) is pointed there. Other ``sbc_*`` keys are left to the SBC side, unless close to
    one of ``SBC_KEYS`` (``sbc_prot``)."""
    out = []
    top = TRUNK_KEYS + SBC_KEYS + CONNECTION_OPTIONS
    levels = [('at the top level of the trunk', top)] + [('under %s:' % s, SCOPE_OPTIONS[s]) for s in ('inbound', 'outbound')]
    for prefix, known in [('', top)] + [(s + '.', SCOPE_OPTIONS[s]) for s in ('inbound', 'outbound')]:
        tab = trunk if not prefix else trunk.get(prefix[:-1])
        for key in sorted(str(k) for k in (tab if isinstance(tab, dict) else {}) if k not in known):
            if not prefix and key.startswith('sbc_') and _common.closest(key[4:], [k[4:] for k in SBC_KEYS]) is None:
                continue  # the SBC's own notes (sbc_*) pass through; a near miss of sbc_port/sbc_transport does not
            elsewhere = [where for where, options in levels if options is not known and key in options]
            if elsewhere:
                out.append((prefix + key, "unknown option '%s' here (it belongs %s)" % (key, ' or '.join(elsewhere))))
            else:
                out.append((prefix + key, unknown_option(key, known)))
    return out


def trunk_problems(trunk, require_sbc_port=True):
    """Every problem of one trunk as (field, rule), fields as the inventory spells them."""
    out = []
    kind = trunk.get('type')
    if not isinstance(trunk.get('name'), str) or not trunk.get('name'):
        out.append(('name', 'required, a non-empty string'))
    if kind not in KINDS:
        out.append(('type', 'must be one of %s' % ', '.join(KINDS)))
        kind = None
    if trunk.get('state', 'present') not in STATES:
        out.append(('state', 'must be present or absent'))
    out.extend(unknown_keys(trunk))
    for scope in ('inbound', 'outbound'):
        tab = trunk.get(scope)
        if tab is not None and not isinstance(tab, dict):
            out.append((scope, 'must be a mapping'))
    numbers = trunk.get('numbers') or []
    if not isinstance(numbers, list):
        out.append(('numbers', 'must be a list of E.164 numbers'))
        numbers = []
    for index, number in enumerate(numbers):
        if not isinstance(number, str) or not E164.match(number):
            out.append(('numbers.%d' % index, yaml_trap(number, 'must be an E.164 number (%s) such as +4930123456' % E164_RULE)))
    out.extend(tuple(p.split(': ', 1)) for p in failover_problems(trunk.get('failover_number'), numbers))
    if trunk.get('failover_number') and not numbers:
        out.append(('failover_number', 'the trunk has no numbers to forward (numbers)'))
    if trunk.get('state', 'present') == 'absent':
        return out
    conn, inbound, outbound = _split(trunk)
    messages = (required_problems(kind, conn) if kind else []) + connection_problems(kind, conn, inbound, outbound)
    messages += sbc_transport_problems(trunk) + sbc_port_problems(trunk, required=require_sbc_port)
    seen = set()
    for message in messages:
        field, sep, rule = message.partition(': ')
        if not sep:
            field, rule = '(trunk)', message
        if (field, rule) not in seen:
            seen.add((field, rule))
            out.append((field, rule))
    return out


def entry(trunk, region, extra_tags=()):
    """The ``sip_connections`` entry of a trunk: name, type, region, the connection options, inbound, outbound
    (numbers, state and the SBC keys stay behind); ``extra_tags`` are added to its tags."""
    result = {'name': trunk['name'], 'type': trunk['type'], 'region': region}
    result.update((k, v) for k, v in trunk.items() if k in CONNECTION_OPTIONS)
    if extra_tags:
        result['tags'] = sorted(set([str(t) for t in result.get('tags') or []] + list(extra_tags)))
    for scope in ('inbound', 'outbound'):
        if trunk.get(scope):
            result[scope] = dict((k, v) for k, v in trunk[scope].items() if k in SCOPE_OPTIONS[scope])
    return result


# --------------------------------------------------------------------------- the guide baseline (byoc_trunk_defaults)
# The default of every setting of the BYOC guide's Basic, Inbound and Outbound tabs, merged under each trunk so that
# every guide setting is managed (and the audit sees a change made in the portal). Source per setting: the guide's
# tables ("Optional; default is ..."); where the guide gives none, Telnyx's own default (API reference) or "unset".
# A region-dependent default is a dict region -> value. ``BASELINE_KINDS`` narrows a setting to some kinds beyond the
# settings table's own kinds.
REGION_DEFAULT = 'by_region'
GUIDE_BASELINE = {
    'connection': {
        'webhook_url': '',                    # guide: Optional (no default): unset
        'webhook_failover_url': '',           # guide: Optional (no default): unset
        'webhook_api_version': '2',           # guide: "default is API v2" (Telnyx's API reference: '1'; the guide wins)
        'anchorsite': 'Latency',              # guide: "default is Latency" (Telnyx: the same)
        'encode_contact_header': False,       # guide: Optional (no default); Telnyx: false
        'comfort_noise': True,                # guide: Optional (no default; unchecked means generating comfort noise
                                              # yourself "to avoid RTP timeout"); Telnyx: true, false on credentials
        'dtmf_type': 'RFC 2833',              # guide: "default is RFC 2833" (Telnyx: the same)
        'rtcp': {'report_frequency': 5,       # guide: "default is 5 seconds" (Telnyx: the same)
                 'port': 'rtp+1',             # guide: "default is rtp+1" (Telnyx: the same)
                 'capture': False},           # guide: Optional (no default); Telnyx: false
        'routing_method': 'sequential',       # guide (IP/FQDN): "default is Sequential"
        'ip_auth_method': 'tech_prefix',      # guide (IP): Expert IP Auth Settings, Optional; Telnyx's default method,
        'tech_prefix': '',                    # with no tech prefix and no token, is no extra check (unset)
        'token': '',
    },
    'inbound': {
        'dnis_number_format': 'e164',         # guide: "default is E.164" (Telnyx: e164)
        'ani_number_format': 'E.164-national',  # guide: "default is E.164/National" (Telnyx: the same)
        'no_ringback_timeout': 5,             # guide: "default is 5 seconds" (Telnyx's API reference: 3; the guide wins)
        'no_answer_timeout': 300,             # guide: "default is 300 seconds" (Telnyx's API reference: 90; the guide wins)
        'subdomain_calls': 'disabled',        # guide: "default is disabled" (credentials; IP/FQDN: off while no sip_subdomain)
        'encrypted_media': 'none',            # guide: "default is Disabled"
        'ringback': 'default',                # guide: "default is Default"
        'codecs': ['G711U', 'G711A'],         # guide: "If changing must be: G711U or G711A" (Telnyx offers G722, G711U,
                                              # G711A, G729, OPUS, H.264 by default; the guide's two are the baseline)
        'compact_headers': True,              # guide: "default is Enable SIP Compact Headers"
        'transport': 'UDP',                   # guide: "default is UDP"
        'sip_region': {REGION_DEFAULT: {'com': 'US', 'eu': 'Europe', 'ca': 'US'}},  # guide: "depends on your region"
        'sip_subdomain': '',                  # guide: Optional (no default): unset
    },
    'outbound': {
        'caller_id_override': '',             # guide: Optional (no default): unset
        # guide: "default depends on your region"; Europe has no one country: unset there
        'localization': {REGION_DEFAULT: {'com': 'US', 'eu': '', 'ca': 'CA'}},
        'encrypted_media': 'none',            # guide: "default is disabled"
        'ringback': 'instant',                # guide: "default is Enable Instant Ringback (180)"
    },
}
# beyond the table's kinds: Telnyx's "disabled" subdomain calls exist on credentials connections only; an FQDN's IP
# auth method lives in its fqdn_authentication resource (one more request per FQDN): managed only when a trunk sets it
BASELINE_KINDS = {'subdomain_calls': ('credentials',), 'ip_auth_method': ('ip',)}
DEFAULTS_TYPES = KINDS  # byoc_trunk_defaults may hold a part per trunk type: {ip: {...}}


def _applies(scope, option, kind):
    setting = next((s for s in _settings.settings(scope) if s.option == option), None)
    return setting is not None and kind in setting.kinds and kind in BASELINE_KINDS.get(option, KINDS)


def _by_region(value, region):
    if isinstance(value, dict) and REGION_DEFAULT in value:
        return value[REGION_DEFAULT].get(region or 'com')
    return value


def _layer(scope, kind, region, source):
    """The options of ``scope`` a defaults layer gives a trunk of ``kind`` (null: the baseline's is dropped)."""
    part = source if scope == 'connection' else (source.get(scope) or {})
    out = {}
    for option, value in part.items():
        if option in ('inbound', 'outbound') + DEFAULTS_TYPES or not _applies(scope, option, kind):
            continue
        value = _by_region(value, region)
        if isinstance(value, dict) and isinstance(out.get(option), dict):
            value = dict(out[option], **value)
        out[option] = value
    return out


def defaults_for(kind, region, overrides=None):
    """{connection: {...}, inbound: {...}, outbound: {...}}: the guide baseline for a trunk of ``kind`` in ``region``,
    with ``overrides`` (``byoc_trunk_defaults``: the same shape, plus a part per type, e.g. ``{ip: {inbound: {..}}}``)
    merged on top; a null in the overrides leaves that setting unmanaged."""
    overrides = overrides if isinstance(overrides, dict) else {}
    baseline = dict(GUIDE_BASELINE['connection'], inbound=GUIDE_BASELINE['inbound'], outbound=GUIDE_BASELINE['outbound'])
    layers = [baseline, overrides, overrides.get(kind) if isinstance(overrides.get(kind), dict) else {}]
    out = {}
    for scope in _settings.SCOPES:
        merged = {}
        for layer in layers:
            for option, value in _layer(scope, kind, region, layer).items():
                if isinstance(value, dict) and isinstance(merged.get(option), dict):
                    value = dict(merged[option], **value)
                merged[option] = value
        out[scope] = dict((k, v) for k, v in merged.items() if v is not None and not (isinstance(v, dict) and not v))
        if scope == 'connection' and isinstance(out[scope].get('rtcp'), dict):
            out[scope]['rtcp'] = dict((k, v) for k, v in out[scope]['rtcp'].items() if v is not None)
    return out


def with_defaults(trunk, region, overrides=None):
    """A copy of the trunk with the defaults (``defaults_for``) merged under it: what the trunk sets wins (a null it
    gives too: that clears the setting); ``encrypted_media`` is one setting, so a trunk that sets it on one tab gets
    the same on the other. Trunks being removed (state absent) and trunks without a known type are returned as they are."""
    if not isinstance(trunk, dict) or trunk.get('state', 'present') != 'present' or trunk.get('type') not in KINDS:
        return trunk
    defaults = defaults_for(trunk['type'], region, overrides)
    out = dict(trunk)
    for option, value in defaults['connection'].items():
        if option not in out:
            out[option] = value
        elif isinstance(value, dict) and isinstance(out[option], dict):
            out[option] = dict(value, **out[option])
    media = [(trunk.get(scope) or {}).get('encrypted_media') for scope in ('inbound', 'outbound')
             if isinstance(trunk.get(scope) or {}, dict)]
    media = [m for m in media if m is not None]
    for scope in ('inbound', 'outbound'):
        tab = trunk.get(scope) or {}
        if not isinstance(tab, dict):
            continue
        merged = dict(defaults[scope])
        if media and 'encrypted_media' in merged:
            merged['encrypted_media'] = media[0]
        merged.update(tab)
        out[scope] = merged
    return out


def defaults_problems(overrides):
    """(field, rule) for each key of ``byoc_trunk_defaults`` that is not a setting (values are checked on each trunk
    they are merged under, with the trunk's own rules)."""
    if overrides is None:
        return []
    if not isinstance(overrides, dict):
        return [('byoc_trunk_defaults', 'must be a mapping of settings (like a trunk), optionally with a part per type')]
    out = []
    parts = [('byoc_trunk_defaults', overrides)] + [('byoc_trunk_defaults.%s' % k, overrides[k]) for k in DEFAULTS_TYPES if k in overrides]
    for where, part in parts:
        if not isinstance(part, dict):
            out.append((where, 'must be a mapping'))
            continue
        allowed = set(CONNECTION_OPTIONS + ('inbound', 'outbound')) | (set(DEFAULTS_TYPES) if where == 'byoc_trunk_defaults' else set())
        out.extend(('%s.%s' % (where, k), unknown_option(k, allowed)) for k in sorted(part) if k not in allowed)
        for scope in ('inbound', 'outbound'):
            tab = part.get(scope)
            if tab is not None and not isinstance(tab, dict):
                out.append(('%s.%s' % (where, scope), 'must be a mapping'))
                continue
            out.extend(('%s.%s.%s' % (where, scope, k), unknown_option(k, SCOPE_OPTIONS[scope]))
                       for k in sorted(tab or {}) if k not in SCOPE_OPTIONS[scope])
    return out


VAULT_SECRETS = (('connection', 'password'), ('connection', 'token'))


def vault_variable(name, option):
    """The vault variable holding a trunk's secret: ``vault_<trunk name as an identifier>_<option>``."""
    return 'vault_%s_%s' % (re.sub(r'[^a-z0-9_]', '_', name.lower()).strip('_') or 'trunk', option)


def derived_sbc_port(trunk):
    """The ``sbc_port`` an IP/FQDN trunk's A-record addresses imply (the one port they all use, less 1 with TLS; the
    inverse of ``sbc_port_problems``), or None (credentials trunks, SRV only, or several ports)."""
    ports = set(item.get('port') or _settings.DEFAULT_SIP_PORT for option in ('ips', 'fqdns') for item in trunk.get(option) or []
                if (item.get('dns_record_type') or 'a') != 'srv')
    if len(ports) != 1:
        return None
    port = ports.pop() - (1 if sbc_transport(trunk) == 'TLS' else 0)
    return port if _port_of(port) else None


def _view(scope, kind, obj, reasons, prefix):
    """The scope's options an API object holds (the table's ``from_api``), unset ones left out; a value the table
    cannot map back (two fields that no option value gives together) is a reason."""
    out = {}
    clear_kinds = dict((s.option, s.clear_kinds) for s in _settings.settings(scope) if s.clearable)
    for option, value in _settings.from_api(scope, kind, obj).items():
        if value == '' and option in clear_kinds and kind not in clear_kinds[option]:
            continue  # no value where Telnyx takes no empty one (a channel limit): left unmanaged, as Telnyx holds it
        if isinstance(value, dict):
            value = dict((k, v) for k, v in value.items() if v is not None)
            mixed = [k for k, v in value.items() if v == _settings.MIXED]
            reasons.extend('%s%s.%s: Telnyx holds a combination no option value gives' % (prefix, option, k) for k in mixed)
            value = value or None
        elif value == _settings.MIXED:
            reasons.append('%s%s: Telnyx holds a combination no option value gives' % (prefix, option))
            continue
        if value is not None:
            out[option] = value
    return out


def from_connection(kind, obj, profile_names=None, numbers=None):
    """(trunk, vault variables, reasons): the ``byoc_trunks`` item an API object holds, the inverse of ``entry``.

    ``obj``: the connection as Telnyx returns it, with its addresses under ``ips``/``fqdns`` in the option's form and
    priority order and, for FQDN connections, its ``fqdn_authentication`` resource. Every option of the kind is read
    back through the settings table (``from_api``), so applying the trunk writes nothing. ``profile_names``: voice
    profile id -> name (a unique name replaces the id). Secrets become references to vault variables
    (``password: "{{ vault_<trunk>_password }}"``) and ``update_password: on_create``. ``reasons``: why the trunk model
    cannot express the connection (the model's own rules, checked on the values Telnyx holds); empty when it can.
    """
    reasons = []
    trunk = {'name': obj.get('connection_name'), 'type': kind}
    conn = _view('connection', kind, obj, reasons, '')
    if kind == 'fqdn':
        # FQDN outbound authentication is credentials or an IP auth method: the fqdn_authentication mode says which
        method = (obj.get(_settings.FQDN_AUTH) or {}).get('fqdn_outbound_authentication')
        for option in (('ip_auth_method', 'token', 'tech_prefix') if method == 'credential-authentication' else ('username', 'password')):
            conn.pop(option, None)
    conn.pop('name', None)
    for option in ('ips', 'fqdns'):  # an address's unset port (an SRV record's) is left out, as an inventory writes it
        if conn.get(option):
            conn[option] = [dict((k, v) for k, v in item.items() if v is not None) for item in conn[option]]
    trunk.update(conn)
    for scope in ('inbound', 'outbound'):
        tab = _view(scope, kind, obj, reasons, scope + '.')
        if tab:
            trunk[scope] = tab
    profile = (trunk.get('outbound') or {}).get('outbound_voice_profile')
    if profile and (profile_names or {}).get(profile):
        trunk['outbound']['outbound_voice_profile'] = profile_names[profile]
    if numbers:
        trunk['numbers'] = sorted(numbers)
    port = derived_sbc_port(trunk)
    if port is not None:
        trunk['sbc_port'] = port
    for field, rule in trunk_problems(trunk, require_sbc_port=False):
        reasons.append('%s: %s' % (field, rule))
    vault = []
    for scope, option in VAULT_SECRETS:
        if trunk.get(option) not in (None, ''):
            variable = vault_variable(str(trunk['name']), option)
            trunk[option] = '{{ %s }}' % variable
            vault.append(variable)
        else:
            trunk.pop(option, None)
    if trunk.get('password'):
        trunk['update_password'] = 'on_create'
    return trunk, vault, reasons

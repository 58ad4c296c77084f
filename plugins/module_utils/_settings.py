# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one settings table of byoc.carrier (private): every setting of the portal's Basic, Inbound and Outbound tabs as data.

Scopes: ``connection`` (sip_connection), ``inbound`` (sip_inbound), ``outbound`` (sip_outbound).
Kinds: ``credentials``, ``ip``, ``fqdn``. Every public function takes options as the module gets
them (an unset option is ``None`` or missing: never sent, never compared).

Stable API (also used by ``sip_connections`` and the roles' validation filter):

* ``argument_spec(scope)``: the scope's Ansible argument spec (types, choices, no_log, sub-options).
* ``validate(scope, kind, params) -> list[str]``: every problem at once, each naming its option.
  ``kind=None`` runs only the kind-independent rules (use it before the kind is known).
* ``to_api(scope, kind, params) -> dict``: the nested request body of the set options.
* ``from_api(scope, kind, obj, params=None) -> dict``: the normalised option view of an API object
  (only the options set in ``params`` when given, else every option of the kind).
* ``diff(scope, kind, params, obj) -> (changed_options, patch_body)``: what differs and the one
  PATCH body for it; nested ``inbound``/``outbound``/``rtcp_settings`` are sent whole, merged with
  ``obj``. Child resources (``ips``, ``fqdns``) are compared against ``obj['ips']``/``obj['fqdns']``
  (ordered ``[{address, port}]`` / ``[{fqdn, port, dns_record_type}]``, see ``ordered_addresses``)
  and never put in the body. With ``params['update_password'] == 'on_create'`` the password is not
  compared.
* ``merge_nested(obj, body) -> dict``: ``body`` with nested objects completed from ``obj``.
* ``canonical(scope, params) -> dict``: ``params`` with each alias (the vendor guide's spelling of a value, e.g.
  ``SIP Info`` for ``SIP INFO``) replaced by its canonical value. ``validate``, ``to_api``, ``from_api`` and ``diff``
  apply it first, and so does the write engine to each entry's options: an alias never shows as a change.
* ``apply_patch(obj, body) -> dict``: ``obj`` with a request body merged in (what the API will hold).
* ``conflicts(kind, obj) -> list[str]``: rules that span tabs, checked on the merged object
  (SRTP cannot be used with TLS).

Decisions: on IP/FQDN connections Telnyx's ``sip_subdomain_receive_settings`` has no "disabled"
value, so ``subdomain_calls: disabled`` applies to credentials only (on IP/FQDN, subdomain calls
are off while no ``sip_subdomain`` is set). ``ip_auth_method`` applies to IP connections only (the
FQDN field of the same name has another enum, credential-/ip-authentication); ``tech_prefix`` and
``token`` apply to IP and FQDN. On IP connections Telnyx has one value for the guide's "Tech Prefix" and "P Charge
Info", ``tech-prefixp-charge-info``: both options write it, so switching between them is no change at Telnyx (the SBC
makes the difference). Value aliases (``Setting.aliases``) accept the vendor guide's spellings.
"""

from __future__ import annotations

import copy
import ipaddress
import re

try:
    import voluptuous as vol
    HAS_VOLUPTUOUS = True
    VOLUPTUOUS_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - reported by the runner with missing_required_lib
    HAS_VOLUPTUOUS = False
    VOLUPTUOUS_IMPORT_ERROR = exc

from ansible_collections.byoc.carrier.plugins.module_utils._common import (
    E164_PATTERN,
    IP_AUTH_METHODS,
    KINDS,
    REGIONS,
    SRTP_RULE,
    TECH_PREFIX_PATTERN,
    TOKEN_PATTERN,
    TOKEN_RULE,
    TRANSPORTS,
    USERNAME_PATTERN,
    USERNAME_RULE,
    yaml_trap,
)

SCOPES = ('connection', 'inbound', 'outbound')
ANCHORSITES = ('Latency', 'Chicago, IL', 'Ashburn, VA', 'San Jose, CA', 'Sydney, Australia', 'Amsterdam, Netherlands',
               'London, UK', 'Toronto, Canada', 'Vancouver, Canada', 'Frankfurt, Germany')
DEFAULT_SIP_PORT = 5060
MIXED = '(mixed)'
# FQDN connections: username, password and the IP auth method live in the sub-resource
# /fqdn_connections/{id}/fqdn_authentication (Telnyx's current API); the engine reads it into the object under
# this key and writes what the body holds under it with PATCH .../fqdn_authentication.
FQDN_AUTH = 'fqdn_authentication'
CREDENTIAL_KINDS = ('credentials', 'fqdn')
USER_PATHS = dict((field, {'credentials': (field,), 'fqdn': ('%s.%s' % (FQDN_AUTH, field),)}) for field in ('user_name', 'password'))
# what Telnyx returns for a password on accounts created from 2026-09-08: never compared
MASKED_PASSWORD = '********'


# --------------------------------------------------------------------------- value rules

def _fail(msg):
    raise vol.Invalid(msg)


def _str(value):
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        _fail('must be a string')
    return str(value)


def _int(value):
    if isinstance(value, bool) or not isinstance(value, int):
        _fail('must be an integer')
    return value


def _bool(value):
    if not isinstance(value, bool):
        _fail('must be a boolean')
    return value


def _regex(pattern, msg):
    compiled = re.compile(pattern)

    def check(value):
        if not compiled.match(value):
            _fail(msg)
        return value
    return check


def _range(low, high):
    def check(value):
        if not low <= value <= high:
            _fail('must be between %d and %d, got %d' % (low, high, value))
        return value
    return check


def _multiple_of(step):
    def check(value):
        if value % step:
            _fail('must be a multiple of %d, got %d' % (step, value))
        return value
    return check


def _length(low, high):
    def check(value):
        if not low <= len(value) <= high:
            _fail('must be %d to %d characters long, got %d' % (low, high, len(value)))
        return value
    return check


def _url(value):
    if not re.match(r'^https?://[^\s/?#]+[^\s]*$', value, re.I):
        _fail('must be an http:// or https:// URL')
    return value


def _ip(value):
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        _fail('%r is not an IP address' % value)


_LABEL = r'(?!-)[A-Za-z0-9-]{1,63}(?<!-)'
_fqdn = _regex(r'^(?=.{1,253}\.?$)%s(\.%s)+\.?$' % (_LABEL, _LABEL), 'must be a fully qualified domain name')
_subdomain = _regex(r'^%s(\.%s)*$' % (_LABEL, _LABEL), 'must be a DNS name (letters, digits, hyphens)')
_port = _range(1, 65535)


# --------------------------------------------------------------------------- wire normalisers

def _canon_ip(value):
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return value


def _norm_upper(value):
    return value.upper() if isinstance(value, str) else value


def _norm_lower(value):
    return value.lower().rstrip('.') if isinstance(value, str) else value


def _norm_codecs(value):
    return [_norm_upper(v) for v in value] if isinstance(value, list) else value


def _norm_tags(value):
    return sorted(set(value)) if isinstance(value, list) else value


def ordered_addresses(items, key):
    """Normalise an address list: the first three in order (the defaults), the rest sorted."""
    if items is None:
        return None
    keyed = [key(i) for i in items]
    return keyed[:3] + sorted(keyed[3:], key=repr)


def ip_key(item):
    """Normalised (address, port) of an ``ips`` item."""
    return (_canon_ip(item.get('address')), item.get('port') or DEFAULT_SIP_PORT)


def fqdn_key(item):
    """Normalised (fqdn, port or None for srv, record type) of an ``fqdns`` item."""
    record = (item.get('dns_record_type') or 'a').lower()
    port = None if record == 'srv' else (item.get('port') or DEFAULT_SIP_PORT)
    return (_norm_lower(item.get('fqdn')), port, record)


def _norm_ips(value):
    return ordered_addresses(value, ip_key)


def _norm_fqdns(value):
    return ordered_addresses(value, fqdn_key)


# --------------------------------------------------------------------------- the table

class Setting:
    """One option: Ansible spec, validation rule, Telnyx field path(s) per kind, value map, comparison.

    ``paths``: field paths ('inbound.codecs'), the same for every kind or a dict kind -> paths; an
    empty tuple means "not a field" (type, region); ``child`` marks a child resource (ips, fqdns).
    ``values``: option value -> tuple of wire values (one per path), or a dict kind -> such a map.
    ``norm``: normaliser of wire values for comparison (both sides).
    ``clearable``: ``""`` is accepted and means "unset at Telnyx": it is sent as Telnyx's empty value (``empty``:
    ``""`` for strings, null for ``channel_limit``) and compares equal to a null or empty field; ``clear_kinds``: the
    kinds whose API takes that empty value (elsewhere ``validate`` refuses ``""``). What null means for the other
    options is in ``UNSET`` (``unset_value``).
    """

    empty = ''
    clear_kinds = KINDS  # the kinds on which Telnyx's API takes the empty value

    def __init__(self, option, type='str', paths=(), kinds=KINDS, choices=None, elements=None, rule=None,
                 values=None, kind_values=None, norm=None, no_log=False, sub=None, required=False, default=None,
                 child=False, element_schema=None, clearable=False, aliases=None):
        self.option = option
        self.aliases = dict(aliases or {})  # value alias (the vendor guide's spelling) -> canonical value
        self.type = type
        self._paths = paths
        self.kinds = kinds
        self.choices = choices
        self.elements = elements
        self.rule = rule
        self._values = values
        self._kind_values = kind_values or {}
        self.clearable = clearable
        self.norm = _empty_as_blank(norm) if clearable else (norm or (lambda v: v))
        self.no_log = no_log
        self.sub = sub or []
        self.required = required
        self.default = default
        self.child = child
        self.element_schema = element_schema

    def canonical(self, value):
        """``value`` with an alias replaced by its canonical value (one this setting offers)."""
        if isinstance(value, str) and self.aliases.get(value) in (self.choices or ()):
            return self.aliases[value]
        return value

    def paths(self, kind):
        paths = self._paths.get(kind, ()) if isinstance(self._paths, dict) else self._paths
        return (paths,) if isinstance(paths, str) else paths

    def values(self, kind):
        """The value map (option value -> wire values) for a kind, or None for identity."""
        return self._kind_values.get(kind, self._values)

    def encode(self, kind, value):
        """Wire values (one per path) for an option value."""
        if self.clearable and value == '':
            return (self.empty,) * len(self.paths(kind))
        mapping = self.values(kind)
        if mapping is not None:
            if value not in mapping:
                raise ValueError('%s: %r cannot be used on %s connections' % (self.option, value, kind))
            return tuple(mapping[value])
        if self.type == 'str' and value is not None:
            value = str(value)
        if not self.child:
            value = self.norm(value)
        return (value,) * len(self.paths(kind))

    def decode(self, kind, wire, hint=None):
        """The option value held by wire values; ``hint`` wins when it maps to the same wire."""
        normed = tuple(self.norm(w) for w in wire)
        if hint is not None and tuple(self.norm(w) for w in self.encode(kind, hint)) == normed:
            return hint
        mapping = self.values(kind)
        if mapping is not None:
            for option_value, mapped in mapping.items():
                if tuple(self.norm(w) for w in mapped) == normed:
                    return option_value
            return None if all(w is None for w in wire) else MIXED
        if len(set(repr(w) for w in normed)) > 1:
            return MIXED
        return normed[0] if normed else None

    def validator(self):
        """voluptuous validator of a set value (type, choices, rule)."""
        if self.type == 'dict':
            return vol.Schema(dict((vol.Optional(s.option), _optional(vol.Schema(s.validator()))) for s in self.sub))
        if self.type == 'list':
            elem = self.element_schema() if self.element_schema is not None else _scalar(self.elements, self.choices, None)
            checks = [list, [elem]]
        else:
            checks = [_scalar(self.type, self.choices, None)]
        if self.rule is not None:
            checks.append(self.rule)
        if self.clearable:
            return _blank_or(vol.All(*checks))
        return vol.All(*checks)


def _empty_as_blank(norm):
    """A normaliser for a clearable field: null and "" are the same (unset), anything else through ``norm``."""
    def normalise(value):
        if value is None or value == '':
            return ''
        return norm(value) if norm is not None else value
    return normalise


def _blank_or(check):
    def blank_or(value):
        return value if value == '' else check(value)
    return blank_or


_TYPES = {'str': _str, 'int': _int, 'bool': _bool}


def _scalar(type_name, choices, rule):
    checks = [_TYPES[type_name]]
    if choices:
        checks.append(vol.In(choices, msg='must be one of %s' % ', '.join(repr(c) for c in choices)))
    if rule is not None:
        checks.append(rule)
    return vol.All(*checks)


def _unique(value):
    if len(set(repr(v) for v in value)) != len(value):
        _fail('must not repeat a value')
    return value


def _non_empty(value):
    if not value:
        _fail('must not be empty')
    return value


def _optional(check):
    """None (unset) passes; anything else must pass ``check``."""
    def optional(value):
        return None if value is None else check(value)
    return optional


def _all(*checks):
    """Run checks in turn, each on the value the previous one returned (no voluptuous needed at import)."""
    def check(value):
        for one in checks:
            value = one(value)
        return value
    return check


def _ip_item():
    return vol.Schema({vol.Required('address'): _all(_str, _ip), vol.Optional('port'): _optional(_all(_int, _port))})


def _fqdn_item():
    return vol.Schema({vol.Required('fqdn'): _all(_str, _fqdn), vol.Optional('port'): _optional(_all(_int, _port)),
                       vol.Optional('dns_record_type'): _optional(vol.In(('a', 'srv'), msg="must be 'a' or 'srv'"))})


IP_FQDN = ('ip', 'fqdn')
# Value aliases: the vendor guide's spelling (LivePerson's BYOC guide, "Configure SIP connection settings" and the tabs'
# tables) or the other number format's spelling -> the canonical value. An alias is accepted wherever the value is and
# normalised before anything is compared, so it never shows as drift.
GUIDE_DTMF = {'SIP Info': 'SIP INFO'}
GUIDE_ROUTING = {'Sequential': 'sequential', 'Round-Robin': 'round-robin'}
GUIDE_SUBDOMAIN_CALLS = {'From Anyone': 'from_anyone'}
GUIDE_RINGBACK = {'Default': 'default', 'Enable Instant Ringback': 'instant', 'Generate Ringback Tone': 'generate_tone'}
DNIS_SPELLINGS = {'+E.164': '+e164', 'E.164': 'e164'}
ANI_SPELLINGS = {'+e164': '+E.164', 'e164': 'E.164', '+e164-national': '+E.164-national', 'e164-national': 'E.164-national'}
ENCRYPTED_MEDIA = Setting('encrypted_media', choices=['SRTP', 'none'],
                          paths={'credentials': ('encrypted_media',), 'ip': ('encrypted_media',),
                                 'fqdn': ('encrypted_media', 'outbound.encrypted_media')},
                          values={'SRTP': ('SRTP',), 'none': (None,)},
                          kind_values={'fqdn': {'SRTP': ('SRTP', 'SRTP'), 'none': (None, None)}})


def _timeout(option, field, high):
    return Setting(option, type='int', rule=_range(1, high),
                   paths={'credentials': ('inbound.%s' % field,), 'ip': ('inbound.%s' % field,),
                          'fqdn': ('inbound.%s' % field, 'outbound.%s' % field)})


# Media and interop settings a voice bot cares about (Telnyx's connection fields of the same meaning; the field names,
# enums and ranges are those of Telnyx's OpenAPI spec for credential, IP and FQDN connections).
NOISE_SUPPRESSION = ('inbound', 'outbound', 'both', 'disabled')
NOISE_ENGINES = ('denoiser', 'deep_filter_net', 'deep_filter_net_large', 'krisp_viva_tel', 'krisp_viva_tel_lite',
                 'krisp_viva_promodel', 'krisp_viva_ss', 'quail_voice_focus')
JITTER_MSEC = (40, 400)


def _channel_limit(section):
    setting = Setting('channel_limit', type='int', rule=_range(1, 100000), paths=('%s.channel_limit' % section,), clearable=True)
    # Telnyx's default is null (no limit), but its spec takes null only for an FQDN connection's inbound limit
    # (InboundFqdn: integer or null); everywhere else the field is a plain integer, so it cannot be unset there
    setting.empty = None
    setting.clear_kinds = ('fqdn',) if section == 'inbound' else ()
    return setting


TABLE = {
    'connection': [
        Setting('name', required=True, paths=('connection_name',), rule=_length(1, 255)),
        Setting('type', choices=list(KINDS)),
        Setting('region', choices=list(REGIONS), default='com'),
        Setting('username', paths=USER_PATHS['user_name'], kinds=CREDENTIAL_KINDS, rule=_regex(USERNAME_PATTERN, USERNAME_RULE)),
        Setting('password', paths=USER_PATHS['password'], kinds=CREDENTIAL_KINDS, no_log=True, rule=_length(8, 128)),
        Setting('webhook_url', paths=('webhook_event_url',), rule=_url, clearable=True),
        Setting('webhook_failover_url', paths=('webhook_event_failover_url',), rule=_url, clearable=True),
        Setting('webhook_api_version', choices=['1', '2'], paths=('webhook_api_version',)),
        Setting('anchorsite', choices=list(ANCHORSITES), paths=('anchorsite_override',)),
        Setting('encode_contact_header', type='bool', paths=('encode_contact_header_enabled',)),
        Setting('comfort_noise', type='bool', paths=('default_on_hold_comfort_noise_enabled',)),
        # the vendor guide writes "SIP Info"; Telnyx's API value is "SIP INFO"
        Setting('dtmf_type', choices=['RFC 2833', 'Inband', 'SIP INFO'], paths=('dtmf_type',), aliases=GUIDE_DTMF),
        Setting('rtcp', type='dict', sub=[
            Setting('report_frequency', type='int', rule=_range(5, 3000), paths=('rtcp_settings.report_frequency_secs',)),
            Setting('port', choices=['rtp+1', 'rtcp-mux'], paths=('rtcp_settings.port',)),
            Setting('capture', type='bool', paths=('rtcp_settings.capture_enabled',)),
        ]),
        Setting('routing_method', choices=['sequential', 'round-robin'], paths=('inbound.default_routing_method',), kinds=IP_FQDN,
                aliases=GUIDE_ROUTING),
        Setting('ips', type='list', elements='dict', kinds=('ip',), paths=('ips',), child=True, norm=_norm_ips,
                element_schema=_ip_item, rule=_non_empty),
        Setting('fqdns', type='list', elements='dict', kinds=('fqdn',), paths=('fqdns',), child=True, norm=_norm_fqdns,
                element_schema=_fqdn_item, rule=_non_empty),
        Setting('ip_auth_method', choices=list(IP_AUTH_METHODS), kinds=IP_FQDN,
                paths={'ip': ('outbound.ip_authentication_method',), 'fqdn': ('%s.ip_authentication_method' % FQDN_AUTH,)},
                values={'tech_prefix': ('tech-prefixp-charge-info',), 'p_charge_info': ('tech-prefixp-charge-info',),
                        'token': ('token',)},
                kind_values={'fqdn': {'token': ('token',), 'p_charge_info': ('p-charge-info',)}}),
        Setting('tech_prefix', kinds=IP_FQDN, paths=('outbound.tech_prefix',), rule=_regex(TECH_PREFIX_PATTERN, 'must be exactly 4 digits'),
                clearable=True),
        Setting('token', kinds=IP_FQDN, paths=('outbound.ip_authentication_token',), no_log=True,
                rule=_regex(TOKEN_PATTERN, TOKEN_RULE), clearable=True),
        Setting('noise_suppression', choices=list(NOISE_SUPPRESSION), paths=('noise_suppression',)),
        Setting('noise_suppression_details', type='dict', sub=[
            Setting('engine', choices=list(NOISE_ENGINES), paths=('noise_suppression_details.engine',)),
            Setting('attenuation_limit', type='int', rule=_all(_range(0, 100), _multiple_of(10)),
                    paths=('noise_suppression_details.attenuation_limit',)),
        ]),
        Setting('jitter_buffer', type='dict', sub=[
            Setting('enabled', type='bool', paths=('jitter_buffer.enable_jitter_buffer',)),
            Setting('min_msec', type='int', rule=_range(*JITTER_MSEC), paths=('jitter_buffer.jitterbuffer_msec_min',)),
            Setting('max_msec', type='int', rule=_range(*JITTER_MSEC), paths=('jitter_buffer.jitterbuffer_msec_max',)),
        ]),
        Setting('active', type='bool', paths=('active',)),
        Setting('tags', type='list', elements='str', paths=('tags',), norm=_norm_tags),
    ],
    'inbound': [
        # Telnyx spells the two formats differently (+e164 / +E.164); each accepts the other's spelling
        Setting('dnis_number_format', choices=['+e164', 'e164', 'national', 'sip_username'], paths=('inbound.dnis_number_format',),
                aliases=DNIS_SPELLINGS),
        Setting('ani_number_format', choices=['+E.164', 'E.164', '+E.164-national', 'E.164-national'],
                paths=('inbound.ani_number_format',), aliases=ANI_SPELLINGS),
        _timeout('no_ringback_timeout', 'timeout_1xx_secs', 120),
        _timeout('no_answer_timeout', 'timeout_2xx_secs', 600),
        Setting('subdomain_calls', choices=['disabled', 'internal', 'from_anyone'],
                paths={'credentials': ('sip_uri_calling_preference',), 'ip': ('inbound.sip_subdomain_receive_settings',),
                       'fqdn': ('inbound.sip_subdomain_receive_settings',)},
                values={'internal': ('only_my_connections',), 'from_anyone': ('from_anyone',)},
                kind_values={'credentials': {'disabled': ('disabled',), 'internal': ('internal',), 'from_anyone': ('unrestricted',)}},
                aliases=GUIDE_SUBDOMAIN_CALLS),
        ENCRYPTED_MEDIA,
        # the guide's "Enable Instant Ringback" on the Inbound tab has no field in Telnyx's API v2 (inbound holds only
        # generate_ringback_tone): not offered here; outbound.ringback instant is the Outbound tab's
        Setting('ringback', choices=['default', 'generate_tone'], paths=('inbound.generate_ringback_tone',),
                values={'default': (False,), 'generate_tone': (True,)}, aliases=GUIDE_RINGBACK),
        Setting('codecs', type='list', elements='str', choices=['G711U', 'G711A'], paths=('inbound.codecs',),
                norm=_norm_codecs, rule=_all(_non_empty, _unique)),
        Setting('compact_headers', type='bool', paths=('inbound.sip_compact_headers_enabled',)),
        Setting('prack', type='bool', paths=('inbound.prack_enabled',)),
        Setting('shaken_stir', type='bool', paths=('inbound.shaken_stir_enabled',)),
        Setting('isup_headers', type='bool', paths=('inbound.isup_headers_enabled',)),
        Setting('transport', choices=list(TRANSPORTS), kinds=IP_FQDN, paths=('transport_protocol',)),
        Setting('sip_region', choices=['US', 'Europe', 'Australia'], kinds=IP_FQDN, paths=('inbound.sip_region',)),
        Setting('sip_subdomain', kinds=IP_FQDN, paths=('inbound.sip_subdomain',), rule=_subdomain, norm=_norm_lower, clearable=True),
        _channel_limit('inbound'),
    ],
    'outbound': [
        Setting('caller_id_override', paths=('outbound.ani_override',), clearable=True,
                rule=_regex(E164_PATTERN, 'must be an E.164 number such as +13125550100')),
        Setting('caller_id_override_type', choices=['always', 'normal', 'emergency'], paths=('outbound.ani_override_type',)),
        Setting('localization', paths=('outbound.localization',), norm=_norm_upper, clearable=True,
                rule=_regex(r'^[A-Za-z]{2}$', 'must be an ISO 3166 alpha-2 country code such as US or DE')),
        ENCRYPTED_MEDIA,
        Setting('ringback', choices=['default', 'instant', 'generate_tone'],
                paths=('outbound.instant_ringback_enabled', 'outbound.generate_ringback_tone'),
                values={'default': (False, False), 'instant': (True, False), 'generate_tone': (False, True)}, aliases=GUIDE_RINGBACK),
        Setting('outbound_voice_profile', paths=('outbound.outbound_voice_profile_id',), rule=_length(1, 255)),
        _channel_limit('outbound'),
    ],
}


# What null ("unset") means for the options Telnyx has no empty value for: Telnyx's own default, from its API
# reference (a dict: per kind; a kind missing: that option cannot be unset on that kind). The clearable options
# (``clearable=True``) are unset with Telnyx's empty value instead; the options in ``NOT_UNSETTABLE`` cannot be unset.
UNSET = {
    'connection': {
        'webhook_api_version': '1', 'anchorsite': 'Latency', 'encode_contact_header': False,
        # the spec's create and update requests: false on credentials connections, true on IP and FQDN ones
        'comfort_noise': {'credentials': False, 'ip': True, 'fqdn': True},
        'dtmf_type': 'RFC 2833', 'rtcp': {'report_frequency': 5, 'port': 'rtp+1', 'capture': False},
        'routing_method': 'sequential', 'ip_auth_method': {'ip': 'tech_prefix'}, 'active': True, 'tags': [],
        # Telnyx's spec: noise suppression is off when 'disabled'; the jitter buffer is off unless enabled, 60-200 ms
        'noise_suppression': 'disabled', 'jitter_buffer': {'enabled': False, 'min_msec': 60, 'max_msec': 200},
    },
    'inbound': {
        'dnis_number_format': 'e164', 'ani_number_format': 'E.164-national', 'no_ringback_timeout': 3, 'no_answer_timeout': 90,
        'subdomain_calls': {'credentials': 'disabled'}, 'encrypted_media': 'none', 'ringback': 'default', 'compact_headers': True,
        'transport': 'UDP', 'sip_region': 'US', 'prack': False, 'shaken_stir': False, 'isup_headers': False,
    },
    'outbound': {
        'caller_id_override_type': 'always', 'encrypted_media': 'none',
        'ringback': {'credentials': 'instant', 'ip': 'instant', 'fqdn': 'default'},
    },
}
# why these cannot be unset (a null leaves them as they are, like an option left out)
NOT_UNSETTABLE = {
    'name': 'identifies the connection', 'type': 'fixed when the connection is created', 'region': 'not a Telnyx field',
    'username': 'a credentials connection needs one', 'password': 'a credentials connection needs one',
    'ips': 'an IP connection needs at least one address', 'fqdns': 'an FQDN connection needs at least one FQDN',
    'codecs': 'Telnyx needs at least one codec', 'outbound_voice_profile': 'outbound calls need a voice profile',
    'noise_suppression_details': 'Telnyx keeps it whatever noise_suppression says (its default attenuation depends on the engine); '
                                 'noise_suppression: disabled turns suppression off',
}


def unset_value(scope, option, kind):
    """The option value null stands for (``""`` for a clearable option), or None when the option cannot be unset on kind."""
    setting = next((s for s in TABLE.get(scope, ()) if s.option == option), None)
    if setting is None:
        return None
    if setting.clearable:
        return ''  # also where Telnyx takes no empty value (clear_kinds): validate() then says so
    value = UNSET.get(scope, {}).get(option)
    if isinstance(value, dict) and setting.type != 'dict':
        value = value.get(kind)
    return copy.deepcopy(value)


def unset_params(scope, kind, params):
    """A copy of ``params`` (one scope's options, as a dict where a key given as null differs from a missing key) with
    each null turned into what unset means (``unset_value``; in ``rtcp`` key by key); a null that cannot be unset stays."""
    out = dict(params)
    for setting in settings(scope):
        value = params.get(setting.option, False)
        if value is None:
            unset = unset_value(scope, setting.option, kind)
            if unset is not None:
                out[setting.option] = unset
        elif setting.type == 'dict' and isinstance(value, dict) and None in value.values():
            unset = unset_value(scope, setting.option, kind) or {}
            out[setting.option] = dict((k, unset.get(k) if v is None else v) for k, v in value.items())
    return out


def settings(scope):
    """The Setting records of a scope."""
    if scope not in TABLE:
        raise ValueError('unknown scope %r (one of %s)' % (scope, ', '.join(SCOPES)))
    return TABLE[scope]


def secret_options(scope):
    """Names of the scope's no_log options."""
    return [s.option for s in settings(scope) if s.no_log]


# --------------------------------------------------------------------------- argument specs

_SUBSPECS = {
    'ips': {'address': {'type': 'str', 'required': True}, 'port': {'type': 'int', 'default': DEFAULT_SIP_PORT}},
    'fqdns': {'fqdn': {'type': 'str', 'required': True}, 'port': {'type': 'int'},
              'dns_record_type': {'type': 'str', 'choices': ['a', 'srv'], 'default': 'a'}},
}


def _spec(setting):
    spec = {'type': setting.type}
    if setting.choices and setting.type != 'list':
        spec['choices'] = list(setting.choices) + [a for a in setting.aliases if setting.aliases[a] in setting.choices]
    if setting.type == 'list':
        spec['elements'] = setting.elements
        if setting.choices:
            spec['choices'] = list(setting.choices)
    if setting.no_log:
        spec['no_log'] = True
    if setting.required:
        spec['required'] = True
    if setting.default is not None:
        spec['default'] = setting.default
    if setting.sub:
        spec['options'] = dict((s.option, _spec(s)) for s in setting.sub)
    if setting.option in _SUBSPECS:
        spec['options'] = copy.deepcopy(_SUBSPECS[setting.option])
    return spec


def argument_spec(scope):
    """The Ansible argument spec of a scope's options (a fresh dict)."""
    return dict((s.option, _spec(s)) for s in settings(scope))


# --------------------------------------------------------------------------- validation

def _is_set(params, setting):
    return params.get(setting.option) is not None


def _format_path(path):
    out = ''
    for part in path:
        out += '[%d]' % part if isinstance(part, int) else ('.%s' % part if out else str(part))
    return out


_SCHEMAS = {}


def _schema(scope):
    """The scope's voluptuous schema, compiled once (each setting's validator too: a voluptuous Any/All called on its
    own, as inside ``_optional``, would build the schemas of its parts again on every call)."""
    if scope not in _SCHEMAS:
        _SCHEMAS[scope] = vol.Schema(dict((vol.Optional(s.option), _optional(vol.Schema(s.validator()))) for s in settings(scope)),
                                     extra=vol.ALLOW_EXTRA)
    return _SCHEMAS[scope]


def _problems(schema, params, scope=None):
    try:
        schema(params)
    except vol.MultipleInvalid as err:
        return sorted(set('%s: %s' % (_format_path(e.path), _typed_hint(scope, params, e.path, e.error_message)) for e in err.errors))
    return []


def _typed_hint(scope, params, path, message):
    """``message`` with a "quote it" hint when a string option got a value YAML typed (an unquoted ``0123`` is the
    number 123, an unquoted ``on``/``no`` a boolean): see ``_common.yaml_trap``."""
    setting = next((s for s in settings(scope) if path and s.option == path[0]), None) if scope else None
    if setting is None or len(path) > 2 or 'str' not in (setting.type, setting.elements):
        return message
    value = params.get(path[0])
    if len(path) == 2:
        value = value[path[1]] if isinstance(value, list) and isinstance(path[1], int) and path[1] < len(value) else None
    return yaml_trap(value, message)


def _cross_rules(params, kind):
    problems = []
    for index, item in enumerate(params.get('fqdns') or []):
        if isinstance(item, dict) and item.get('dns_record_type') == 'srv' and item.get('port') is not None:
            problems.append('fqdns[%d].port: an SRV record carries its own port; leave port unset with dns_record_type srv' % index)
    if params.get('encrypted_media') == 'SRTP' and params.get('transport') not in (None, 'TLS'):
        problems.append('%s, got transport %s' % (SRTP_RULE, params.get('transport')))
    if kind == 'fqdn' and params.get('ip_auth_method') == 'tech_prefix':
        problems.append("ip_auth_method: tech_prefix exists only on IP connections; an FQDN connection authenticates "
                        "with credentials (username/password), token or p_charge_info")
    if kind == 'fqdn' and params.get('ip_auth_method') and (params.get('username') or params.get('password')):
        problems.append('ip_auth_method: an FQDN connection authenticates outbound calls with either credentials '
                        '(username/password) or an IP auth method, not both')
    if kind == 'fqdn' and bool(params.get('username')) != bool(params.get('password')):
        problems.append('username, password: an FQDN connection takes both or neither (credential authentication)')
    jitter = params.get('jitter_buffer')
    if isinstance(jitter, dict):
        problems.extend(_jitter_order(jitter.get('min_msec'), jitter.get('max_msec'), 'got %d > %d'))
    if kind in IP_FQDN and params.get('subdomain_calls') == 'disabled':
        problems.append("subdomain_calls: 'disabled' exists only on credentials connections; on %s connections Telnyx offers "
                        "internal or from_anyone, and subdomain calls are off while no sip_subdomain is set" % kind)
    return problems


def canonical(scope, params):
    """A copy of ``params`` with each alias of a value (``Setting.aliases``) replaced by the canonical value."""
    out = dict(params)
    for setting in settings(scope):
        if setting.aliases and out.get(setting.option) is not None:
            out[setting.option] = setting.canonical(out[setting.option])
    return out


def validate(scope, kind, params):
    """Every problem of ``params`` for the scope (and kind, when known), each naming its option."""
    if not HAS_VOLUPTUOUS:
        return ['the voluptuous Python library is required to validate options']
    params = canonical(scope, params)
    problems = _problems(_schema(scope), params, scope)
    if kind is not None:
        if kind not in KINDS:
            return problems + ['type: must be one of %s, got %r' % (', '.join(KINDS), kind)]
        for setting in settings(scope):
            if kind not in setting.kinds and _is_set(params, setting):
                problems.append('%s: does not apply to %s connections (only to %s)' % (setting.option, kind, ', '.join(setting.kinds)))
            elif setting.clearable and params.get(setting.option) == '' and kind not in setting.clear_kinds:
                problems.append("%s: cannot be unset on %s connections: Telnyx's API takes only a value there (%s); give one"
                                % (setting.option, kind, 'unset works on ' + ', '.join(setting.clear_kinds) if setting.clear_kinds else 'never null'))
    problems.extend(_cross_rules(params, kind))
    return problems


# --------------------------------------------------------------------------- bodies and views

def _get(obj, path):
    for part in path.split('.'):
        if not isinstance(obj, dict):
            return None
        obj = obj.get(part)
    return obj


def _put(body, path, value):
    parts = path.split('.')
    for part in parts[:-1]:
        body = body.setdefault(part, {})
    body[parts[-1]] = value


def _fields(scope, kind, params):
    """(setting, value) of every set, field-backed option applicable to kind, sub-options flattened."""
    for setting in settings(scope):
        value = params.get(setting.option)
        if value is None or kind not in setting.kinds:
            continue
        if setting.sub:
            for sub in setting.sub:
                if value.get(sub.option) is not None:
                    yield sub, value[sub.option], setting.option
        elif setting.paths(kind):
            yield setting, value, None


def to_api(scope, kind, params):
    """The nested request body holding the set options (child resources excluded)."""
    params = canonical(scope, params)
    body = {}
    for setting, value, dummy in _fields(scope, kind, params):
        if setting.child:
            continue
        for path, wire in zip(setting.paths(kind), setting.encode(kind, value)):
            _put(body, path, wire)
    return body


def _normed(setting, kind, values):
    return tuple(setting.norm(v) for v in values)


def _wire_of(setting, kind, obj):
    return tuple(_get(obj, p) for p in setting.paths(kind))


def _child_value(setting, value):
    return [dict(zip(('address', 'port') if setting.option == 'ips' else ('fqdn', 'port', 'dns_record_type'), key))
            for key in setting.norm(value)]


def from_api(scope, kind, obj, params=None):
    """Normalised option view of an API object: the options set in params, or all of the kind."""
    params = None if params is None else canonical(scope, params)
    view = {}
    for setting in settings(scope):
        if kind not in setting.kinds or (params is not None and not _is_set(params, setting)):
            continue
        wanted = (params or {}).get(setting.option)
        if setting.sub:
            view[setting.option] = dict((s.option, s.decode(kind, _wire_of(s, kind, obj), (wanted or {}).get(s.option)))
                                        for s in setting.sub if params is None or (wanted or {}).get(s.option) is not None)
        elif setting.child:
            current = obj.get(setting.option)
            if current is not None or params is not None:
                view[setting.option] = _child_value(setting, current) if current is not None else None
        elif setting.paths(kind):
            view[setting.option] = setting.decode(kind, _wire_of(setting, kind, obj), wanted)
    return view


def apply_patch(obj, body):
    """A copy of ``obj`` with the request ``body`` merged in (nested objects merged key by key)."""
    merged = copy.deepcopy(obj) if obj else {}
    for key, value in body.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = apply_patch(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def diff(scope, kind, params, obj):
    """(changed options, PATCH body): only what differs, nested objects whole and merged with obj."""
    params = canonical(scope, params)
    changed = []
    body = {}
    for setting, value, parent in _fields(scope, kind, params):
        if setting.option == 'password' and params.get('update_password') == 'on_create':
            continue
        wanted = setting.encode(kind, value) if not setting.child else (value,)
        if _normed(setting, kind, wanted) == _normed(setting, kind, _wire_of(setting, kind, obj)):
            continue
        name = parent or setting.option
        if name not in changed:
            changed.append(name)
        if not setting.child:
            for path, wire in zip(setting.paths(kind), wanted):
                _put(body, path, wire)
    return changed, merge_nested(obj, body)


def merge_nested(obj, body):
    """``body`` with each nested object (inbound, outbound, rtcp_settings) made whole: the current
    sub-object of ``obj`` (its null fields left out) with the body's fields merged in."""
    for key, value in list(body.items()):
        if key == FQDN_AUTH:
            continue  # its own resource, patched with what changes only (a masked password is never sent back)
        if isinstance(value, dict) and isinstance(obj.get(key), dict):
            current = dict((k, v) for k, v in obj[key].items() if v is not None)
            body[key] = apply_patch(current, value)
    return body


def _jitter_order(low, high, got):
    """The jitter buffer's one ordering rule: Telnyx refuses a minimum above the maximum ("jitterbuffer_msec_min cannot
    exceed jitterbuffer_msec_max. The API will reject requests where the minimum is greater than the maximum": its
    jitter buffer guide). ``got`` words the two values."""
    if isinstance(low, int) and isinstance(high, int) and not isinstance(low, bool) and low > high:
        return ['jitter_buffer.min_msec: must not exceed jitter_buffer.max_msec (%s)' % (got % (low, high))]
    return []


def conflicts(kind, obj):
    """Rules spanning settings, checked on the object as it will be after the write (a create's body: what it leaves
    out is Telnyx's default)."""
    problems = []
    media = set([obj.get('encrypted_media'), (obj.get('outbound') or {}).get('encrypted_media') if kind == 'fqdn' else None])
    if kind in IP_FQDN and 'SRTP' in media and obj.get('transport_protocol') != 'TLS':
        problems.append('%s (the connection would have SRTP with transport %s)' % (SRTP_RULE, obj.get('transport_protocol') or 'UDP'))
    # Telnyx's API reference of isup_headers_enabled: "only when using TCP or TLS transport" (over UDP it does nothing)
    if kind in IP_FQDN and (obj.get('inbound') or {}).get('isup_headers_enabled') is True \
            and obj.get('transport_protocol') not in ('TCP', 'TLS'):
        problems.append('inbound.isup_headers: Telnyx sends ISUP headers only over TCP or TLS (the connection would have '
                        'transport %s); set inbound.transport to TCP or TLS' % (obj.get('transport_protocol') or 'UDP'))
    jitter = obj.get('jitter_buffer')
    if isinstance(jitter, dict):
        default = UNSET['connection']['jitter_buffer']
        low, high = jitter.get('jitterbuffer_msec_min'), jitter.get('jitterbuffer_msec_max')
        problems.extend(_jitter_order(default['min_msec'] if low is None else low, default['max_msec'] if high is None else high,
                                      'the connection would have %d > %d'))
    return problems


def srtp_problems(kind, inbound, outbound):
    """The cross-tab rules of one connection's Inbound and Outbound options, checked before any request:
    encrypted_media is one setting (both tabs must agree) and, on IP/FQDN connections, SRTP requires
    ``inbound.transport: TLS`` (Telnyx's default transport is UDP, so it must be given)."""
    problems = []
    media = set(tab.get('encrypted_media') for tab in (inbound, outbound)) - set([None])
    if len(media) > 1:
        problems.append('encrypted_media: inbound.encrypted_media and outbound.encrypted_media are one setting at Telnyx; they must not differ '
                        '(got %s)' % ' and '.join(sorted(media)))
    transport = inbound.get('transport')
    if kind in IP_FQDN and 'SRTP' in media and transport != 'TLS':
        problems.append('%s: set inbound.transport to TLS (got %s)' % (SRTP_RULE, transport or "none, Telnyx's default is UDP"))
    return problems

# Copyright: contributors to byoc.carrier
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The emulated account: resources, defaults per kind, business rules, filters, sorting, paging.

Behaviour Telnyx does not document, chosen here (the collection works either way):
- PATCH merges nested objects (``inbound``, ``outbound``, ``rtcp_settings``, ...) into the stored
  ones, key by key; any other field is replaced.
- Deleting a connection deletes its ``/ips`` and ``/fqdns`` and unassigns its phone numbers.
- Deleting an outbound voice profile still used by a connection is refused (422).
- Deleting an IP or FQDN that a connection's ``inbound.default_primary/secondary/tertiary_*_id`` names
  clears that reference (null). A write naming an address that is not the
  connection's own is refused (422), so a client must never resend the id of a deleted address.
- A phone number is unassigned with ``{"connection_id": ""}`` (the spec types it as a string).
- Replies carry every field of the spec's reply schema, null when unset (as Telnyx serves them; Telnyx's
  Python SDK types every reply field ``Optional``), e.g. ``outbound.localization`` on IP connections.
- Unknown ``filter[...]`` parameters are refused (400; 422 on outbound voice profiles) rather than ignored.
- Fields a request schema does not list are ignored (dropped, not stored), as Telnyx takes them; the
  fields the current SDK sends that are newer than the spec are stored (``SDK_NEWER_FIELDS``).

Newer than the spec in ../shared/telnyx-api (Telnyx's current API, from its official Python SDK):
- ``encrypted_media`` (top level, and FQDN ``outbound.encrypted_media``) SRTP "can only be set when the SIP
  signaling transport protocol is TLS" on IP and FQDN connections (the older spec says the opposite).
- ``GET/PATCH /fqdn_connections/{id}/fqdn_authentication``: an FQDN connection's outbound authentication
  (``fqdn_outbound_authentication`` credential-authentication|ip-authentication, ``user_name``, ``password``,
  ``ip_authentication_method`` token|p-charge-info). Credential authentication needs a user name and a password
  (the same user name rules as credential connections); the connection bodies themselves do not take them.
- Telnyx's feature guides: an IP authentication token is globally unique (a second connection with the same token
  is refused, 422 "has already been taken"); a jitter buffer minimum above its maximum is refused (422).
- Masked passwords (``mask_passwords``, accounts created from 2026-09-08): ``password`` reads as ``********``,
  except in the reply of the create and of an update that changed it.
"""
from __future__ import annotations

import datetime
import ipaddress
import json
import math
import re
import uuid

from telnyx_emulator import numbers as numbers_mod
from telnyx_emulator.countries import ISO_ALPHA2
from telnyx_emulator.validation import known_fields, load_reply_fields, load_request_schemas, schema_defaults, validate, with_nulls

CONNECTION_KINDS = {
    'credential_connections': 'credential_connection',
    'ip_connections': 'ip_connection',
    'fqdn_connections': 'fqdn_connection',
}
RECORD_TYPES = dict(CONNECTION_KINDS, ips='ip', fqdns='fqdn', outbound_voice_profiles='outbound_voice_profile', phone_numbers='phone_number')
# connections of the account that are not SIP trunks: Telnyx's GET /connections lists "your connections irrespective of
# type" (call control and TeXML applications, ...), the kind lists (credential/ip/fqdn) do not. The emulator holds
# them only to be listed (POST /_emulator/applications makes one).
APPLICATION_TYPES = ('call_control_application', 'texml_application', 'fax_application', 'external_connection')
CONNECTION_SUMMARY = ('id', 'record_type', 'connection_name', 'active', 'anchorsite_override', 'tags', 'webhook_event_url',
                      'webhook_event_failover_url', 'webhook_api_version', 'created_at', 'updated_at')
FQDN_RESPONSE_ONLY = ('adjust_dtmf_timestamp', 'call_cost_enabled', 'ignore_dtmf_duration', 'ignore_mark_bit',
                      'rtp_pass_codecs_on_stream_change', 'send_normalized_timestamps', 'third_party_control_enabled')
USER_NAME = re.compile(r'^(?=[A-Za-z0-9]{0,4}[A-Za-z])[A-Za-z0-9]{4,32}$')
TECH_PREFIX = re.compile(r'^[0-9]{4}$')
HOSTNAME = re.compile(r'^(?=.{1,253}$)([A-Za-z0-9_]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}\.?$')
ID_BASE, ID_SPAN, ID_STRIDE = 1000000000000000000, 10 ** 18, 7919317771
WRITE_ERROR_TITLE = 'Invalid value'
# Telnyx's spec types codecs as free strings; its default list names the codecs a connection offers.
CODECS = ('G722', 'G711U', 'G711A', 'G729', 'OPUS', 'H.264')
PHONE = re.compile(r'^\+?[0-9]{1,15}$')
MONEY = re.compile(r'^[0-9]+(\.[0-9]{1,2})?$')
HH_MM = re.compile(r'^([01][0-9]|2[0-3]):[0-5][0-9]$')
# Fields of Telnyx's current API that are newer than the bundled spec (its Python SDK's params; both
# "Defaults to false"): accepted with JSON true/false only, stored and returned.
SDK_NEWER_FIELDS = {
    'POST': {'bridge_generate_comfort_noise_on_cn': {'type': 'boolean', 'default': False}},
    'PATCH': {'bridge_generate_comfort_noise_on_cn': {'type': 'boolean', 'default': False}, 'conversation_persistence': {'type': 'boolean', 'default': False}},
}
MASK = '********'
FQDN_AUTH_FIELDS = {
    'fqdn_outbound_authentication': ('credential-authentication', 'ip-authentication'),
    'ip_authentication_method': ('token', 'p-charge-info'),
    'user_name': None, 'password': None, 'webhook_url': None, 'failover_url': None,
}
FQDN_AUTH_DEFAULTS = {'fqdn_outbound_authentication': 'ip-authentication', 'ip_authentication_method': 'token',
                      'user_name': None, 'password': None, 'webhook_url': None, 'failover_url': None}


class ApiError(Exception):
    """An error answer: HTTP status plus Telnyx error objects."""

    def __init__(self, status, errors):
        super().__init__('HTTP %d' % status)
        self.status = status
        self.errors = errors
        self.headers = {}


def error(code, title, detail, pointer=None, parameter=None):
    item = {'code': code, 'title': title, 'detail': detail, 'meta': {'url': 'https://developers.telnyx.com/docs/overview/errors/%s' % code}}
    if pointer is not None or parameter is not None:
        item['source'] = {'pointer': pointer} if pointer is not None else {'parameter': parameter}
    return item


def invalid(problems, title=WRITE_ERROR_TITLE):
    """ApiError 422 (code 10015) from [(pointer, detail), ...]."""
    return ApiError(422, [error('10015', title, detail, pointer=pointer) for pointer, detail in problems])


def bad_parameter(parameter, detail):
    return ApiError(422, [error('10015', 'Invalid parameter', detail, parameter=parameter)])


def not_found(kind, ident):
    return ApiError(404, [error('10005', 'Resource not found', 'The requested %s %s could not be found.' % (RECORD_TYPES.get(kind, kind), ident),
                                pointer='/id')])


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3] + 'Z'


def clone(value):
    """A deep copy of JSON data (faster than copy.deepcopy)."""
    return json.loads(json.dumps(value))


def merge(target, patch):
    """Merge patch into target in place: nested objects key by key, anything else replaced."""
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            merge(target[key], value)
        else:
            target[key] = clone(value)
    return target


class State:
    """Every resource of the account, in memory; ``version`` grows with each change."""

    def __init__(self, seed_numbers=None):
        self.schemas = load_request_schemas()
        for kind in CONNECTION_KINDS:
            for method, key in (('POST', 'POST /%s' % kind), ('PATCH', 'PATCH /%s/{id}' % kind)):
                self.schemas[key]['properties'].update(clone(SDK_NEWER_FIELDS[method]))
        self.ignored = {}
        self.fields = load_reply_fields()
        self.seed_numbers = list(seed_numbers if seed_numbers is not None else numbers_mod.default_numbers())
        self.counter = 0
        self.version = 0
        self.data = {}
        self.order = {}
        self.cache = {}
        self.auth = {}
        self.mask_passwords = False
        self.defaults = dict((kind, self._connection_defaults(kind)) for kind in CONNECTION_KINDS)
        self.defaults['outbound_voice_profiles'] = dict(schema_defaults(self.schemas['POST /outbound_voice_profiles']), tags=[])
        # no caller numbers recorded until some are given (a list: a client sends back the call_recording it read)
        self.defaults['outbound_voice_profiles'].setdefault('call_recording', {}).setdefault('call_recording_caller_phone_numbers', [])
        self.clear()

    # -- life cycle ---------------------------------------------------------------------------
    def clear(self):
        """Empty the account, then give it the seed numbers again."""
        self.data = dict((kind, {}) for kind in RECORD_TYPES)
        self.order = {}
        self.cache = {}
        self.auth = {}
        self.ignored = {}
        self.voice = {}  # phone number id -> voice settings written (telnyx_emulator.voice)
        self.applications = {}  # id -> a connection that is not a SIP trunk (APPLICATION_TYPES), listed by /connections
        for number in self.seed_numbers:
            self._add_number(number)
        self.version += 1

    def _connection_defaults(self, kind):
        result = schema_defaults(self.schemas['POST /%s' % kind])
        result.update(active=True, encrypted_media=None, tags=[], bridge_generate_comfort_noise_on_cn=False, conversation_persistence=False)
        if kind == 'fqdn_connections':
            result.update(dict.fromkeys(FQDN_RESPONSE_ONLY, False))
        # what a connection created without them holds, where the create schema gives no default: the IP/FQDN
        # connection schema's inbound.default_routing_method default ("sequential"), and a credential connection's
        # SIP URI calling "disabled" (the BYOC guide's Inbound tab: "default is disabled")
        if kind in ('ip_connections', 'fqdn_connections') and result.setdefault('inbound', {}).get('default_routing_method') is None:
            result['inbound']['default_routing_method'] = 'sequential'
        if kind == 'credential_connections' and result.get('sip_uri_calling_preference') is None:
            result['sip_uri_calling_preference'] = 'disabled'
        return result

    def _add_number(self, number):
        stamp = now()
        ident = numbers_mod.number_id(number)
        self.data['phone_numbers'][ident] = {
            'id': ident, 'record_type': 'phone_number', 'phone_number': number, 'status': 'active', 'tags': [],
            'external_pin': None, 'connection_id': None, 'customer_reference': None, 'billing_group_id': None,
            'messaging_profile_id': None, 'messaging_profile_name': None, 'emergency_enabled': False,
            'emergency_address_id': None, 'emergency_status': 'disabled', 'call_forwarding_enabled': True,
            'call_recording_enabled': False, 'caller_id_name_enabled': False, 'cnam_listing_enabled': False,
            't38_fax_gateway_enabled': False, 'hd_voice_enabled': False, 'deletion_lock_enabled': False,
            'inbound_call_screening': 'disabled', 'country_iso_alpha2': numbers_mod.country_of(number),
            'phone_number_type': 'local', 'source_type': 'number_order', 'purchased_at': stamp, 'activated_at': stamp,
            'created_at': stamp, 'updated_at': stamp,
        }
        self.order[ident] = len(self.order) - ID_SPAN

    def dump(self):
        return {'version': 1, 'counter': self.counter, 'order': self.order, 'data': self.data, 'fqdn_authentication': self.auth,
                'voice': self.voice, 'applications': self.applications}

    def load(self, saved):
        self.counter = saved['counter']
        self.order = saved['order']
        self.data = dict((kind, saved['data'].get(kind, {})) for kind in RECORD_TYPES)
        self.auth = saved.get('fqdn_authentication', {})
        self.voice = saved.get('voice', {})
        self.applications = saved.get('applications', {})
        self.cache = {}
        self.version += 1

    def new_id(self):
        self.counter += 1
        return str(ID_BASE + (self.counter * ID_STRIDE) % ID_SPAN)

    # -- generic operations -------------------------------------------------------------------
    def find(self, kind, ident):
        obj = self.data[kind].get(ident)
        if obj is None:
            raise not_found(kind, ident)
        return obj

    def find_connection(self, ident):
        for kind in CONNECTION_KINDS:
            if ident in self.data[kind]:
                return kind, self.data[kind][ident]
        raise not_found('connections', ident)

    def check_body(self, key, body):
        if not isinstance(body, dict):
            raise invalid([('/', 'The request body must be a JSON object.')], title='Bad Request')
        problems = validate(self.schemas[key], body)
        if problems:
            raise invalid(problems)
        body, ignored = known_fields(self.schemas[key], body)
        if ignored:
            seen = self.ignored.setdefault(key, [])
            seen.extend(pointer for pointer in ignored if pointer not in seen)
        return body

    def create(self, kind, body):
        body = self.check_body('POST /%s' % kind, body)
        stamp = now()
        obj = merge(clone(self.defaults.get(kind, {})), body)
        ident = self.new_id()
        obj.update(id=ident, record_type=RECORD_TYPES[kind], created_at=stamp, updated_at=stamp)
        getattr(self, '_prepare_' + self._family(kind))(kind, obj)
        self.data[kind][ident] = obj
        self.order[ident] = self.counter
        self.version += 1
        return obj

    def update(self, kind, ident, body):
        current = self.find(kind, ident)
        body = self.check_body('PATCH /%s/{id}' % kind, body)
        obj = merge(clone(current), body)
        getattr(self, '_prepare_' + self._family(kind))(kind, obj, current)
        obj['updated_at'] = now()
        self.data[kind][ident] = obj
        self.version += 1
        return obj

    def delete(self, kind, ident):
        obj = self.find(kind, ident)
        view = self.view(kind, obj)
        getattr(self, '_delete_' + self._family(kind))(kind, obj)
        del self.data[kind][ident]
        self.auth.pop(ident, None)
        self.voice.pop(ident, None)
        self.order.pop(ident, None)
        self.uncache(ident)
        self.version += 1
        return view

    def uncache(self, ident):
        for kind in ('connections',) + tuple(CONNECTION_KINDS):
            self.cache.pop((kind, ident), None)

    @staticmethod
    def _family(kind):
        return 'connection' if kind in CONNECTION_KINDS else kind

    # -- views --------------------------------------------------------------------------------
    def set_mask_passwords(self, value):
        """Mask passwords in replies (accounts created from 2026-09-08) or not."""
        self.mask_passwords = bool(value)
        self.cache = {}

    def masked(self, view, reveal=False):
        """``view`` with its password masked when the account masks them (not in a reply that ``reveal``s it)."""
        if self.mask_passwords and not reveal and view.get('password'):
            return dict(view, password=MASK)
        return view

    # -- FQDN outbound authentication -------------------------------------------------------------
    def fqdn_auth(self, ident, reveal=False):
        """GET /fqdn_connections/{id}/fqdn_authentication."""
        self.find('fqdn_connections', ident)
        return self.masked(dict(FQDN_AUTH_DEFAULTS, **self.auth.get(ident, {})), reveal)

    def update_fqdn_auth(self, ident, body):
        """PATCH /fqdn_connections/{id}/fqdn_authentication: the reply shows the password when it changed."""
        conn = self.find('fqdn_connections', ident)
        if not isinstance(body, dict):
            raise invalid([('/', 'The request body must be a JSON object.')], title='Bad Request')
        problems = []
        for key, value in body.items():
            if key not in FQDN_AUTH_FIELDS:
                problems.append(('/' + key, '%s is not a field of fqdn_authentication.' % key))
            elif FQDN_AUTH_FIELDS[key] and value not in FQDN_AUTH_FIELDS[key]:
                problems.append(('/' + key, '%s must be one of %s.' % (key, ', '.join(FQDN_AUTH_FIELDS[key]))))
            elif value is not None and not isinstance(value, str):
                problems.append(('/' + key, '%s must be a string.' % key))
        if problems:
            raise invalid(problems)
        current = dict(FQDN_AUTH_DEFAULTS, **self.auth.get(ident, {}))
        merged = dict(current, **body)
        if merged['fqdn_outbound_authentication'] == 'credential-authentication':
            user = merged.get('user_name') or ''
            if not USER_NAME.match(user):
                problems.append(('/user_name', 'user_name must be 4 to 32 letters and digits, with a letter among the first 5; got %r.' % user))
            if not 8 <= len(merged.get('password') or '') <= 128:
                problems.append(('/password', 'password must be 8 to 128 characters long.'))
        if problems:
            raise invalid(problems)
        self.auth[ident] = merged
        conn['updated_at'] = now()
        self.uncache(ident)
        self.version += 1
        return self.masked(dict(merged), reveal=body.get('password') not in (None, current.get('password')))

    def view(self, kind, obj, reveal=False):
        """What a reply shows of obj: every field of the spec's reply schema, null when unset (as Telnyx serves them)."""
        return with_nulls(self._view(kind, obj, reveal), self.fields.get(kind, {}))

    def _view(self, kind, obj, reveal):
        if kind == 'credential_connections':
            return self.masked(obj, reveal)
        if kind == 'outbound_voice_profiles':
            count = sum(1 for _kind, conn in self.connections() if conn['outbound'].get('outbound_voice_profile_id') == obj['id'])
            return dict(obj, connections_count=count)
        if kind == 'phone_numbers':
            owner = self.connection_or_none(obj['connection_id'])
            return dict(obj, connection_name=owner.get('connection_name') if owner else None)
        if kind == 'connections':
            summary = dict((key, obj[key]) for key in CONNECTION_SUMMARY if key in obj)
            summary['outbound_voice_profile_id'] = obj['outbound'].get('outbound_voice_profile_id')
            return summary
        return obj

    def add_application(self, record_type, name):
        """A connection that is not a SIP trunk (``record_type`` one of APPLICATION_TYPES), listed by /connections only."""
        if record_type not in APPLICATION_TYPES:
            raise invalid([('/record_type', 'record_type must be one of %s.' % ', '.join(APPLICATION_TYPES))], title='Bad Request')
        if not isinstance(name, str) or not name:
            raise invalid([('/connection_name', 'connection_name must be a non-empty string.')], title='Bad Request')
        stamp = now()
        ident = self.new_id()
        self.applications[ident] = {'id': ident, 'record_type': record_type, 'connection_name': name, 'active': True, 'tags': [],
                                    'webhook_event_url': 'https://hooks.example.com/app', 'webhook_event_failover_url': '',
                                    'webhook_api_version': '2', 'anchorsite_override': 'Latency', 'created_at': stamp,
                                    'updated_at': stamp, 'outbound': {'outbound_voice_profile_id': None}}
        self.order[ident] = self.counter
        self.version += 1
        return self.applications[ident]

    def connections(self):
        for kind in CONNECTION_KINDS:
            for obj in self.data[kind].values():
                yield kind, obj

    def connection_or_none(self, ident):
        for kind in CONNECTION_KINDS:
            if ident in self.data[kind]:
                return self.data[kind][ident]
        return None

    # -- connections --------------------------------------------------------------------------
    def _prepare_connection(self, kind, obj, current=None):
        problems = []
        if kind == 'credential_connections':
            problems += self._credential_problems(obj)
        else:
            # Telnyx's current API reference: "Can only be set when the SIP signaling transport protocol is TLS"
            for pointer, value in (('/encrypted_media', obj.get('encrypted_media')), ('/outbound/encrypted_media', obj['outbound'].get('encrypted_media'))):
                if value == 'SRTP' and obj.get('transport_protocol') != 'TLS':
                    problems.append((pointer, 'encrypted_media can only be set when the SIP signaling transport protocol is TLS.'))
        prefix = obj['outbound'].get('tech_prefix')
        if prefix and not TECH_PREFIX.match(prefix):
            problems.append(('/outbound/tech_prefix', 'tech_prefix must be exactly 4 digits, got %s.' % prefix))
        problems += self._connection_field_problems(kind, obj)
        ovp = obj['outbound'].get('outbound_voice_profile_id')
        if ovp and ovp not in self.data['outbound_voice_profiles']:
            problems.append(('/outbound/outbound_voice_profile_id', 'Outbound voice profile %s does not exist.' % ovp))
        if obj.get('webhook_api_version') == 'texml' and not obj['outbound'].get('call_parking_enabled'):
            problems.append(('/webhook_api_version', 'webhook_api_version texml requires outbound.call_parking_enabled to be true.'))
        if kind != 'credential_connections':
            problems += self._default_address_problems(kind, obj)
        if problems:
            raise invalid(problems)

    def _connection_field_problems(self, kind, obj):
        """Rules Telnyx applies to fields its spec types loosely (sources in emulator/README.md)."""
        problems = []
        if 'connection_name' in obj and not (obj['connection_name'] or '').strip():
            problems.append(('/connection_name', 'connection_name must not be blank.'))
        for index, codec in enumerate(obj['inbound'].get('codecs') or ()):
            if codec not in CODECS:
                problems.append(('/inbound/codecs/%d' % index, 'Invalid codecs: %s, was provided. Acceptable values are %s' % (codec, ', '.join(CODECS))))
        localization = obj['outbound'].get('localization')
        if localization and localization not in ISO_ALPHA2:
            problems.append(('/outbound/localization', 'localization must be a 2-character country code (ISO 3166-1 alpha-2), got %s.' % localization))
        ani = obj['outbound'].get('ani_override')
        if ani and not PHONE.match(ani):
            problems.append(('/outbound/ani_override', 'ani_override must be a phone number (up to 15 digits, optionally with a leading +), got %s.' % ani))
        for section in ('inbound', 'outbound'):
            limit = obj[section].get('channel_limit')
            if isinstance(limit, int) and limit < 0:
                problems.append(('/%s/channel_limit' % section, 'channel_limit must be greater than or equal to 0.'))
        if kind == 'ip_connections' and obj['outbound'].get('ip_authentication_method') == 'token' and not obj['outbound'].get('ip_authentication_token'):
            problems.append(('/outbound/ip_authentication_token', 'ip_authentication_token is required when ip_authentication_method is token.'))
        # Telnyx's IP authentication token guide: the token is "globally unique across all Telnyx connections"
        token = obj['outbound'].get('ip_authentication_token')
        if token:
            for _kind, other in self.connections():
                if other['id'] != obj['id'] and other['outbound'].get('ip_authentication_token') == token:
                    problems.append(('/outbound/ip_authentication_token', 'ip_authentication_token has already been taken.'))
                    break
        # Telnyx's jitter buffer guide: "jitterbuffer_msec_min cannot exceed jitterbuffer_msec_max. The API will reject
        # requests where the minimum is greater than the maximum" (a value left out is its default, 60 and 200)
        jitter = obj.get('jitter_buffer') or {}
        low, high = jitter.get('jitterbuffer_msec_min'), jitter.get('jitterbuffer_msec_max')
        low, high = 60 if low is None else low, 200 if high is None else high
        if isinstance(low, int) and isinstance(high, int) and low > high:
            problems.append(('/jitter_buffer/jitterbuffer_msec_min', 'jitterbuffer_msec_min cannot exceed jitterbuffer_msec_max (%d > %d).' % (low, high)))
        subdomain = (obj['inbound'].get('sip_subdomain') or '').lower()
        if subdomain:
            for _kind, other in self.connections():
                if other['id'] != obj['id'] and (other['inbound'].get('sip_subdomain') or '').lower() == subdomain:
                    problems.append(('/inbound/sip_subdomain', 'sip_subdomain %s has already been taken.' % obj['inbound']['sip_subdomain']))
                    break
        return problems

    def _credential_problems(self, obj):
        problems = []
        user = obj.get('user_name') or ''
        if not USER_NAME.match(user):
            problems.append(('/user_name', 'user_name must be 4 to 32 letters and digits, with a letter among the first 5; got %r.' % user))
        elif [ident for ident, other in self.data['credential_connections'].items() if other['user_name'].lower() == user.lower() and ident != obj['id']]:
            problems.append(('/user_name', 'user_name %s has already been taken.' % user))
        if obj.get('password') == MASK:
            problems.append(('/password', 'password ******** is the masked value Telnyx returns; send the password itself.'))
        elif not 8 <= len(obj.get('password') or '') <= 128:
            problems.append(('/password', 'password must be 8 to 128 characters long.'))
        return problems

    def _default_address_problems(self, kind, obj):
        family = 'ip' if kind == 'ip_connections' else 'fqdn'
        owned = self.data[family + 's']
        problems = []
        for rank in ('primary', 'secondary', 'tertiary'):
            field = 'default_%s_%s_id' % (rank, family)
            ref = obj['inbound'].get(field)
            if ref is not None and (ref not in owned or owned[ref].get('connection_id') != obj['id']):
                problems.append(('/inbound/' + field, '%s %s is not an %s of connection %s.' % (field, ref, family.upper(), obj['id'])))
        return problems

    def _delete_connection(self, kind, obj):
        for family in ('ips', 'fqdns'):
            for ident in [ident for ident, item in self.data[family].items() if item.get('connection_id') == obj['id']]:
                del self.data[family][ident]
                self.order.pop(ident, None)
        for number in self.data['phone_numbers'].values():
            if number['connection_id'] == obj['id']:
                number['connection_id'] = None

    # -- IPs and FQDNs --------------------------------------------------------------------------
    def _address_owner_problems(self, kind, obj):
        owner_kind = 'ip_connections' if kind == 'ips' else 'fqdn_connections'
        problems = []
        if 'connection_id' in obj and obj['connection_id'] not in self.data[owner_kind]:
            problems.append(('/connection_id', 'connection_id %s is not an existing %s.' % (obj['connection_id'], CONNECTION_KINDS[owner_kind])))
        port = obj.get('port')
        if port is not None and not 1 <= port <= 65535:
            problems.append(('/port', 'port must be between 1 and 65535.'))
        return problems

    def _prepare_ips(self, kind, obj, current=None):
        obj.setdefault('port', 5060)
        problems = self._address_owner_problems(kind, obj)
        try:
            ipaddress.ip_address(obj.get('ip_address'))
        except ValueError:
            problems.append(('/ip_address', 'ip_address %r is not a valid IP address.' % obj['ip_address']))
        else:
            for other in self.data['ips'].values():
                if other['id'] != obj['id'] and other['ip_address'] == obj['ip_address'] and other.get('connection_id') != obj.get('connection_id'):
                    problems.append(('/ip_address', 'ip_address %s is already in use by another connection.' % obj['ip_address']))
                    break
        if problems:
            raise invalid(problems)
        if current is not None and current.get('connection_id') != obj.get('connection_id'):
            self._delete_ips(kind, current)

    def _prepare_fqdns(self, kind, obj, current=None):
        problems = self._address_owner_problems(kind, obj)
        if not HOSTNAME.match(obj.get('fqdn') or ''):
            problems.append(('/fqdn', 'fqdn %r is not a valid domain name.' % obj.get('fqdn')))
        if obj.get('dns_record_type') not in ('a', 'srv'):
            problems.append(('/dns_record_type', 'Invalid dns_record_type: %s, was provided. Acceptable values are a, srv' % obj.get('dns_record_type')))
        if problems:
            raise invalid(problems)
        if obj.get('port') is None:
            obj['port'] = 5060 if obj['dns_record_type'] == 'a' else None  # an SRV record names its own ports
        if current is not None and current.get('connection_id') != obj.get('connection_id'):
            self._delete_fqdns(kind, current)

    def _forget_default(self, obj, family):
        owner = self.connection_or_none(obj.get('connection_id'))
        if owner is None:
            return
        for rank in ('primary', 'secondary', 'tertiary'):
            field = 'default_%s_%s_id' % (rank, family)
            if owner['inbound'].get(field) == obj['id']:
                self.uncache(owner['id'])
                owner['inbound'][field] = None

    def _delete_ips(self, kind, obj):
        self._forget_default(obj, 'ip')

    def _delete_fqdns(self, kind, obj):
        self._forget_default(obj, 'fqdn')

    # -- outbound voice profiles and numbers ----------------------------------------------------
    def _prepare_outbound_voice_profiles(self, kind, obj, current=None):
        """Rules Telnyx applies to fields its spec types loosely (sources in emulator/README.md)."""
        problems = []
        for index, code in enumerate(obj.get('whitelisted_destinations') or ()):
            if code not in ISO_ALPHA2:
                problems.append(('/whitelisted_destinations/%d' % index, 'whitelisted_destinations must be ISO 3166-1 alpha-2 country codes, got %s.' % code))
        limit = obj.get('daily_spend_limit')
        if limit is not None and not MONEY.match(limit):
            problems.append(('/daily_spend_limit', 'daily_spend_limit must be an amount in USD such as 100.00, got %s.' % limit))
        for name in ('start_time', 'end_time'):
            value = (obj.get('calling_window') or {}).get(name)
            if value is not None and not HH_MM.match(value):
                problems.append(('/calling_window/' + name, '%s must be a UTC time of day in HH:MM format (24-hour clock), got %s.' % (name, value)))
        limit = obj.get('concurrent_call_limit')
        if isinstance(limit, int) and limit < 0:
            problems.append(('/concurrent_call_limit', 'concurrent_call_limit must be greater than or equal to 0.'))
        if problems:
            raise invalid(problems)

    def _delete_outbound_voice_profiles(self, kind, obj):
        users = sorted(conn['id'] for _kind, conn in self.connections() if conn['outbound'].get('outbound_voice_profile_id') == obj['id'])
        if users:
            raise invalid([('/id', 'Outbound voice profile %s is in use by connection(s) %s.' % (obj['id'], ', '.join(users)))])

    def _prepare_phone_numbers(self, kind, obj, current=None):
        obj.pop('address_id', None)
        obj['id'] = current['id']
        if obj['connection_id'] == '':
            obj['connection_id'] = None
        elif obj['connection_id'] is not None and self.connection_or_none(obj['connection_id']) is None:
            raise invalid([('/connection_id', 'connection_id %s is not an existing connection.' % obj['connection_id'])])

    def _delete_phone_numbers(self, kind, obj):
        return None

    def numbers_job(self, body):
        """POST /phone_numbers/jobs/update_phone_numbers, applied at once: the job is born completed."""
        body = self.check_body('POST /phone_numbers/jobs/update_phone_numbers', body)
        wanted = body['phone_numbers']
        if not 1 <= len(wanted) <= 1000:
            raise invalid([('/phone_numbers', 'Give between 1 and 1000 phone numbers, got %d.' % len(wanted))], title='Bad Request')
        by_number = dict((obj['phone_number'], ident) for ident, obj in self.data['phone_numbers'].items())
        idents = [by_number.get(item, item) for item in wanted]
        missing = [item for item, ident in zip(wanted, idents) if ident not in self.data['phone_numbers']]
        if missing:
            raise invalid([('/phone_numbers', 'You must own every number in the bulk request: %s' % ', '.join(missing))], title='Bad Request')
        changes = dict((key, value) for key, value in body.items() if key in ('connection_id', 'tags', 'customer_reference', 'billing_group_id'))
        for ident in idents:
            self.update('phone_numbers', ident, changes)
        stamp = now()
        done = [{'id': ident, 'phone_number': self.data['phone_numbers'][ident]['phone_number']} for ident in idents]
        job = {'id': str(uuid.UUID(int=self.counter + 1)), 'record_type': 'phone_numbers_job', 'type': 'update_phone_numbers',
               'status': 'completed', 'phone_numbers': done, 'successful_operations': done, 'failed_operations': [],
               'pending_operations': [], 'created_at': stamp, 'updated_at': stamp, 'etc': stamp}
        self.counter += 1
        return 202, {'data': job}

    @staticmethod
    def deleted_number_view(view):
        """The spec's PhoneNumberDeletedDetailed: no nulls, and four fields fewer than PhoneNumberDetailed."""
        dropped = ('country_iso_alpha2', 'emergency_status', 'inbound_call_screening', 'source_type')
        return dict((key, value) for key, value in view.items() if value is not None and key not in dropped)

    # -- lists ----------------------------------------------------------------------------------
    def list(self, kind, query):
        """Return (items, meta) of one page of kind ('connections' = every connection kind); items are JSON bytes."""
        spec = LISTS[kind]
        try:
            predicates, number, size, sort = self._list_params(spec, query)
        except ApiError as exc:
            exc.status = spec['error_status']
            raise
        field = sort.lstrip('-')
        view_kind = 'connections' if kind == 'connections' else kind
        if kind == 'connections':
            items = [obj for _ckind, obj in self.connections()] + list(self.applications.values())
            items.sort(key=lambda obj: self.order.get(obj['id'], 0))
        else:
            items = list(self.data[kind].values())  # creation order: dicts keep it, updates keep their place
        if predicates:
            items = [obj for obj in items if all(pred(obj) for pred in predicates)]
        if field != 'created_at':
            items.sort(key=lambda obj: sort_key(self.view(view_kind, obj).get(field)))
        if sort.startswith('-'):
            items.reverse()
        total = len(items)
        meta = {'page_number': number, 'page_size': size, 'total_pages': int(math.ceil(total / float(size))), 'total_results': total}
        return [self.encoded(view_kind, obj) for obj in items[(number - 1) * size:number * size]], meta

    def _list_params(self, spec, query):
        predicates = []
        for key in query.keys():
            if key.startswith('filter['):
                name = key[:-2] if key.endswith('[]') else key
                if name not in spec['filters']:
                    raise bad_parameter(key, 'Unknown filter %s. Supported: %s.' % (key, ', '.join(sorted(spec['filters']))))
                values = query.getlist(key) if hasattr(query, 'getlist') else [query[key]]
                predicates.append(spec['filters'][name](self, key, values[-1] if len(values) == 1 else values))
        for key, allowed in spec.get('param_values', {}).items():
            if key in query and query[key] not in allowed:
                raise bad_parameter(key, 'Invalid %s: %s, was provided. Acceptable values are %s' % (key, query[key], ', '.join(allowed)))
        number, size = page_params(query, spec['page_size'])
        sort = query.get('sort', spec['sort'])
        if sort.lstrip('-') not in spec['sorts']:
            raise bad_parameter('sort', 'Invalid sort: %s, was provided. Acceptable values are %s' % (sort, ', '.join(spec['sorts'])))
        return predicates, number, size, sort

    def encoded(self, kind, obj):
        """The JSON bytes of an object's view; connection objects are cached until they change."""
        if kind not in CONNECTION_KINDS and kind != 'connections':
            return dumps(self.view(kind, obj))
        cached = self.cache.get((kind, obj['id']))
        if cached is None or cached[0] is not obj:
            cached = self.cache[(kind, obj['id'])] = (obj, dumps(self.view(kind, obj)))
        return cached[1]


def dumps(payload):
    return json.dumps(payload, separators=(',', ':')).encode('utf-8')


def sort_key(value):
    return (value is None, json.dumps(value) if isinstance(value, (list, dict)) else value if value is not None else 0)


def page_params(query, default_size):
    values = []
    for name, default, upper in (('number', 1, None), ('size', default_size, 250)):
        key = 'page[%s]' % name
        raw = query.get(key, str(default))
        try:
            value = int(raw)
        except ValueError:
            raise bad_parameter(key, '%s must be an integer, got %r.' % (key, raw)) from None
        if value < 1 or (upper and value > upper):
            raise bad_parameter(key, '%s must be between 1 and %s, got %d.' % (key, upper or 'infinity', value))
        values.append(value)
    return values


def name_contains(field, minimum):
    def build(_state, key, value):
        if len(value) < minimum:
            raise bad_parameter(key, '%s must be at least %d characters long.' % (key, minimum))
        needle = value.lower()
        return lambda obj: needle in (obj.get(field) or '').lower()
    return build


def equals(field, integer=False):
    def build(_state, key, value):
        if integer and not re.match(r'^-?[0-9]+$', str(value)):
            raise bad_parameter(key, '%s must be an integer, got %r.' % (key, value))
        wanted = str(int(value)) if integer else value
        return lambda obj: str(obj.get(field)) == wanted if obj.get(field) is not None else False
    return build


def one_of(field, allowed, mapping=None):
    """An enum filter (the spec's values); ``mapping`` turns a stored value into the filter's vocabulary."""
    def build(_state, key, value):
        if value not in allowed:
            raise bad_parameter(key, 'Invalid %s: %s, was provided. Acceptable values are %s' % (key, value, ', '.join(allowed)))
        return lambda obj: (mapping or {}).get(obj.get(field), obj.get(field)) == value
    return build


def nullable_equals(field):
    """The spec: set the value to the string 'null' for the objects without one."""
    def build(_state, _key, value):
        if value == 'null':
            return lambda obj: obj.get(field) is None
        return lambda obj: obj.get(field) == value
    return build


def ovp_filter(_state, _key, value):
    return lambda obj: obj['outbound'].get('outbound_voice_profile_id') == value


def fqdn_filter(state, _key, value):
    owners = set(item.get('connection_id') for item in state.data['fqdns'].values() if item['fqdn'] == value)
    return lambda obj: obj['id'] in owners


def phone_filter(_state, key, value):
    """The spec: "Requires at least three digits. Non-numerical characters will result in no values being returned"."""
    digits = value[1:] if value.startswith('+') else value
    if not digits.isdigit():
        return lambda obj: False
    if len(digits) < 3:
        raise bad_parameter(key, '%s requires at least three digits.' % key)
    return lambda obj: digits in obj['phone_number']


def tag_filter(_state, _key, value):
    return lambda obj: value in obj.get('tags', ())


def without_tags(_state, key, value):
    """The spec: "When set to 'true', filters for phone numbers that do not have any tags applied. All other values are ignored"."""
    if value == 'true':
        return lambda obj: not obj.get('tags')
    return lambda obj: True


def country_filter(_state, _key, value):
    """The spec: "Can be a single value or an array of values" (repeated, or comma-separated)."""
    values = value if isinstance(value, list) else [value]
    wanted = set(item for text in values for item in text.split(',') if item)
    return lambda obj: obj.get('country_iso_alpha2') in wanted


def voice_name(test, minimum=0):
    def build(state, key, value):
        if len(value) < minimum:
            raise bad_parameter(key, '%s requires at least %d characters.' % (key, minimum))

        def predicate(obj):
            owner = state.connection_or_none(obj['connection_id'])
            return owner is not None and test((owner.get('connection_name') or '').lower(), value.lower())
        return predicate
    return build


CONNECTION_FILTERS = {
    'filter[connection_name][contains]': name_contains('connection_name', 3),
    'filter[fqdn]': fqdn_filter,
    'filter[outbound_voice_profile_id]': ovp_filter,
    'filter[outbound.outbound_voice_profile_id]': ovp_filter,
}
# Lists answer bad parameters with the status their path declares in the spec: 400, but 422 on outbound voice
# profiles. Connections and numbers are, unless sorted, newest first: the spec says "If not given, results are
# sorted by created_at in descending order" (its sort parameter's description).
CONNECTION_LIST = {'filters': CONNECTION_FILTERS, 'sorts': ('created_at', 'connection_name', 'active'), 'sort': '-created_at', 'page_size': 250,
                   'error_status': 400}
LISTS = dict((kind, CONNECTION_LIST) for kind in list(CONNECTION_KINDS) + ['connections'])
LISTS['ips'] = {'filters': {'filter[connection_id]': equals('connection_id'), 'filter[ip_address]': equals('ip_address'),
                            'filter[port]': equals('port', integer=True)},
                'sorts': ('created_at',), 'sort': 'created_at', 'page_size': 250, 'error_status': 400}
LISTS['fqdns'] = {'filters': {'filter[connection_id]': equals('connection_id'), 'filter[fqdn]': equals('fqdn'),
                              'filter[port]': equals('port', integer=True), 'filter[dns_record_type]': equals('dns_record_type')},
                  'sorts': ('created_at',), 'sort': 'created_at', 'page_size': 250, 'error_status': 400}
LISTS['outbound_voice_profiles'] = {
    'filters': {'filter[name][contains]': name_contains('name', 0)},
    'sorts': ('enabled', 'created_at', 'name', 'service_plan', 'traffic_type', 'usage_payment_method'), 'sort': '-created_at', 'page_size': 20,
    'error_status': 422}
NUMBER_STATUSES = ('purchase-pending', 'purchase-failed', 'port-pending', 'active', 'deleted', 'port-failed', 'emergency-only', 'ported-out',
                   'port-out-pending')
LISTS['phone_numbers'] = {
    'filters': {
        'filter[phone_number]': phone_filter, 'filter[connection_id]': equals('connection_id'), 'filter[tag]': tag_filter,
        'filter[status]': one_of('status', NUMBER_STATUSES), 'filter[country_iso_alpha2]': country_filter,
        'filter[billing_group_id]': nullable_equals('billing_group_id'), 'filter[emergency_address_id]': nullable_equals('emergency_address_id'),
        'filter[customer_reference]': equals('customer_reference'),
        'filter[number_type][eq]': one_of('phone_number_type', ('local', 'national', 'toll_free', 'mobile', 'shared_cost')),
        'filter[source]': one_of('source_type', ('ported', 'purchased'), {'number_order': 'purchased', 'port_in': 'ported'}),
        'filter[voice.usage_payment_method]': one_of('usage_payment_method', ('pay-per-minute', 'channel'), {None: 'pay-per-minute'}),
        'filter[without_tags]': without_tags,
        'filter[voice.connection_name][eq]': voice_name(lambda name, value: name == value),
        'filter[voice.connection_name][contains]': voice_name(lambda name, value: value in name, 3),
        'filter[voice.connection_name][starts_with]': voice_name(lambda name, value: name.startswith(value), 3),
        'filter[voice.connection_name][ends_with]': voice_name(lambda name, value: name.endswith(value), 3),
    },
    'param_values': {'handle_messaging_profile_error': ('true', 'false')},
    'sorts': ('purchased_at', 'phone_number', 'connection_name', 'usage_payment_method', 'created_at'), 'sort': '-created_at', 'page_size': 20,
    'error_status': 400}

# Copyright: contributors to byoc.carrier
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The emulated account: resources, defaults per kind, business rules, filters, sorting, paging.

Behaviour Telnyx does not document, chosen here (the collection works either way):
- PATCH merges nested objects (``inbound``, ``outbound``, ``rtcp_settings``, ...) into the stored
  ones, key by key; any other field is replaced.
- Deleting a connection deletes its ``/ips`` and ``/fqdns`` and unassigns its phone numbers.
- Deleting an outbound voice profile still used by a connection is refused (422).
- Deleting an IP or FQDN that a connection's ``inbound.default_primary/secondary/tertiary_*_id`` names
  clears that reference: an FQDN slot becomes null (the spec allows it), an IP slot is left out of the
  object (the spec types it as a non-nullable string). A write naming an address that is not the
  connection's own is refused (422), so a client must never resend the id of a deleted address.
- A phone number is unassigned with ``{"connection_id": ""}`` (the spec types it as a string).
- A default whose value is null while the spec types the field as non-nullable is left out of the
  object (e.g. ``outbound.localization`` on IP connections), so every reply matches the spec.
- Unknown ``filter[...]`` parameters are refused (422) rather than ignored.

Newer than the spec in ../shared/telnyx-api (Telnyx's current API, from its official Python SDK):
- ``encrypted_media`` (top level, and FQDN ``outbound.encrypted_media``) SRTP "can only be set when the SIP
  signaling transport protocol is TLS" on IP and FQDN connections (the older spec says the opposite).
- ``GET/PATCH /fqdn_connections/{id}/fqdn_authentication``: an FQDN connection's outbound authentication
  (``fqdn_outbound_authentication`` credential-authentication|ip-authentication, ``user_name``, ``password``,
  ``ip_authentication_method`` token|p-charge-info). Credential authentication needs a user name and a password
  (the same user name rules as credential connections); the connection bodies themselves do not take them.
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
from telnyx_emulator.validation import load_request_schemas, schema_defaults, validate

CONNECTION_KINDS = {
    'credential_connections': 'credential_connection',
    'ip_connections': 'ip_connection',
    'fqdn_connections': 'fqdn_connection',
}
RECORD_TYPES = dict(CONNECTION_KINDS, ips='ip', fqdns='fqdn', outbound_voice_profiles='outbound_voice_profile', phone_numbers='phone_number')
CONNECTION_SUMMARY = ('id', 'record_type', 'connection_name', 'active', 'anchorsite_override', 'tags', 'webhook_event_url',
                      'webhook_event_failover_url', 'webhook_api_version', 'created_at', 'updated_at')
FQDN_RESPONSE_ONLY = ('adjust_dtmf_timestamp', 'call_cost_enabled', 'ignore_dtmf_duration', 'ignore_mark_bit',
                      'rtp_pass_codecs_on_stream_change', 'send_normalized_timestamps', 'third_party_control_enabled')
USER_NAME = re.compile(r'^(?=[A-Za-z0-9]{0,4}[A-Za-z])[A-Za-z0-9]{4,32}$')
TECH_PREFIX = re.compile(r'^[0-9]{4}$')
HOSTNAME = re.compile(r'^(?=.{1,253}$)([A-Za-z0-9_]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}\.?$')
ID_BASE, ID_SPAN, ID_STRIDE = 1000000000000000000, 10 ** 18, 7919317771
WRITE_ERROR_TITLE = 'Invalid value'
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
        self.clear()

    # -- life cycle ---------------------------------------------------------------------------
    def clear(self):
        """Empty the account, then give it the seed numbers again."""
        self.data = dict((kind, {}) for kind in RECORD_TYPES)
        self.order = {}
        self.cache = {}
        self.auth = {}
        self.voice = {}  # phone number id -> voice settings written (telnyx_emulator.voice)
        for number in self.seed_numbers:
            self._add_number(number)
        self.version += 1

    def _connection_defaults(self, kind):
        result = schema_defaults(self.schemas['POST /%s' % kind])
        result.update(active=True, encrypted_media=None, tags=[])
        if kind == 'fqdn_connections':
            result.update(dict.fromkeys(FQDN_RESPONSE_ONLY, False))
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
                'voice': self.voice}

    def load(self, saved):
        self.counter = saved['counter']
        self.order = saved['order']
        self.data = dict((kind, saved['data'].get(kind, {})) for kind in RECORD_TYPES)
        self.auth = saved.get('fqdn_authentication', {})
        self.voice = saved.get('voice', {})
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

    def create(self, kind, body):
        self.check_body('POST /%s' % kind, body)
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
        self.check_body('PATCH /%s/{id}' % kind, body)
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
            summary.setdefault('webhook_event_url', None)
            ovp = obj['outbound'].get('outbound_voice_profile_id')
            if ovp:
                summary['outbound_voice_profile_id'] = ovp
            return summary
        return obj

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
        ovp = obj['outbound'].get('outbound_voice_profile_id')
        if ovp and ovp not in self.data['outbound_voice_profiles']:
            problems.append(('/outbound/outbound_voice_profile_id', 'Outbound voice profile %s does not exist.' % ovp))
        if obj.get('webhook_api_version') == 'texml' and not obj['outbound'].get('call_parking_enabled'):
            problems.append(('/webhook_api_version', 'webhook_api_version texml requires outbound.call_parking_enabled to be true.'))
        if kind != 'credential_connections':
            problems += self._default_address_problems(kind, obj)
        if problems:
            raise invalid(problems)

    def _credential_problems(self, obj):
        problems = []
        user = obj.get('user_name', '')
        if not USER_NAME.match(user):
            problems.append(('/user_name', 'user_name must be 4 to 32 letters and digits, with a letter among the first 5; got %r.' % user))
        elif [ident for ident, other in self.data['credential_connections'].items() if other['user_name'] == user and ident != obj['id']]:
            problems.append(('/user_name', 'user_name %s has already been taken.' % user))
        if obj.get('password') == MASK:
            problems.append(('/password', 'password ******** is the masked value Telnyx returns; send the password itself.'))
        elif not 8 <= len(obj.get('password', '')) <= 128:
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
            ipaddress.ip_address(obj['ip_address'])
        except ValueError:
            problems.append(('/ip_address', 'ip_address %r is not a valid IP address.' % obj['ip_address']))
        if problems:
            raise invalid(problems)
        if current is not None and current.get('connection_id') != obj.get('connection_id'):
            self._delete_ips(kind, current)

    def _prepare_fqdns(self, kind, obj, current=None):
        problems = self._address_owner_problems(kind, obj)
        if not HOSTNAME.match(obj.get('fqdn', '')):
            problems.append(('/fqdn', 'fqdn %r is not a valid domain name.' % obj.get('fqdn')))
        if obj.get('dns_record_type') not in ('a', 'srv'):
            problems.append(('/dns_record_type', 'Invalid dns_record_type: %s, was provided. Acceptable values are a, srv' % obj.get('dns_record_type')))
        if problems:
            raise invalid(problems)
        if obj.get('port') is None:
            obj.pop('port', None)
            if obj['dns_record_type'] == 'a':
                obj['port'] = 5060
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
                if family == 'fqdn':
                    owner['inbound'][field] = None
                else:
                    del owner['inbound'][field]

    def _delete_ips(self, kind, obj):
        self._forget_default(obj, 'ip')

    def _delete_fqdns(self, kind, obj):
        self._forget_default(obj, 'fqdn')

    # -- outbound voice profiles and numbers ----------------------------------------------------
    def _prepare_outbound_voice_profiles(self, kind, obj, current=None):
        return None

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
        self.check_body('POST /phone_numbers/jobs/update_phone_numbers', body)
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
        predicates = []
        for key, value in query.items():
            if key.startswith('filter['):
                if key not in spec['filters']:
                    raise bad_parameter(key, 'Unknown filter %s. Supported: %s.' % (key, ', '.join(sorted(spec['filters']))))
                predicates.append(spec['filters'][key](self, key, value))
        number, size = page_params(query, spec['page_size'])
        sort = query.get('sort', spec['sort'])
        field = sort.lstrip('-')
        if field not in spec['sorts']:
            raise bad_parameter('sort', 'Invalid sort: %s, was provided. Acceptable values are %s' % (sort, ', '.join(spec['sorts'])))
        view_kind = 'connections' if kind == 'connections' else kind
        if kind == 'connections':
            items = [obj for _ckind, obj in self.connections()]
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


def equals(field):
    def build(_state, _key, value):
        return lambda obj: str(obj.get(field)) == value if obj.get(field) is not None else False
    return build


def ovp_filter(_state, _key, value):
    return lambda obj: obj['outbound'].get('outbound_voice_profile_id') == value


def fqdn_filter(state, _key, value):
    owners = set(item.get('connection_id') for item in state.data['fqdns'].values() if item['fqdn'] == value)
    return lambda obj: obj['id'] in owners


def phone_filter(_state, _key, value):
    digits = value[1:] if value.startswith('+') else value
    if not digits.isdigit():
        return lambda obj: False
    return lambda obj: digits in obj['phone_number']


def tag_filter(_state, _key, value):
    return lambda obj: value in obj.get('tags', ())


def voice_name(test):
    def build(state, _key, value):
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
CONNECTION_LIST = {'filters': CONNECTION_FILTERS, 'sorts': ('created_at', 'connection_name', 'active'), 'sort': 'created_at', 'page_size': 250}
LISTS = dict((kind, CONNECTION_LIST) for kind in list(CONNECTION_KINDS) + ['connections'])
LISTS['ips'] = {'filters': dict(('filter[%s]' % name, equals(name)) for name in ('connection_id', 'ip_address', 'port')),
                'sorts': ('created_at',), 'sort': 'created_at', 'page_size': 250}
LISTS['fqdns'] = {'filters': dict(('filter[%s]' % name, equals(name)) for name in ('connection_id', 'fqdn', 'port', 'dns_record_type')),
                  'sorts': ('created_at',), 'sort': 'created_at', 'page_size': 250}
LISTS['outbound_voice_profiles'] = {
    'filters': {'filter[name][contains]': name_contains('name', 0)},
    'sorts': ('enabled', 'created_at', 'name', 'service_plan', 'traffic_type', 'usage_payment_method'), 'sort': '-created_at', 'page_size': 20}
LISTS['phone_numbers'] = {
    'filters': {
        'filter[phone_number]': phone_filter, 'filter[connection_id]': equals('connection_id'), 'filter[tag]': tag_filter,
        'filter[status]': equals('status'), 'filter[country_iso_alpha2]': equals('country_iso_alpha2'),
        'filter[voice.connection_name][eq]': voice_name(lambda name, value: name == value),
        'filter[voice.connection_name][contains]': voice_name(lambda name, value: value in name),
        'filter[voice.connection_name][starts_with]': voice_name(lambda name, value: name.startswith(value)),
        'filter[voice.connection_name][ends_with]': voice_name(lambda name, value: name.endswith(value)),
    },
    'sorts': ('purchased_at', 'phone_number', 'connection_name', 'usage_payment_method', 'created_at'), 'sort': 'purchased_at', 'page_size': 20}

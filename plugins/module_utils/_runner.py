# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one shared runner of the byoc.carrier modules (private).

Public helpers (names are stable, other modules build on them):

* ``new_module(extra_spec, **kwargs)``: an ``AnsibleModule`` whose spec is the client's shared options
  (``TELNYX_ARGUMENT_SPEC``) plus ``extra_spec``, with check mode on.
* ``get_client(module)``: the Telnyx client built from the shared options.
* ``api_errors(module, result=None, **fields)``: context manager turning a ``TelnyxError`` into ``fail_json``
  (``msg`` is the client's message: method, path, status, Telnyx's code/detail and field), with ``fields`` and
  the live ``result`` dict (read at failure time: writes done before the error show as ``changed``).
* ``list_named(client, path, name, name_field='name', filter_key=...)``: every object of a list called exactly ``name``.
* ``find_by_name(module, client, path, name, what, name_field='name', filter_key=..., hint=None, **result)``: the one
  object of a list called exactly ``name`` (or ``None``); fails listing the ids when there are several.
* ``find_connection(module, client, name, kind='any', full=True)``: the one connection called exactly
  ``name`` (or ``None``); fails listing the ids when there are several.
* ``record_type(kind)``: the API ``record_type`` of a kind.
* ``kind_of(obj)``: ``credentials``, ``ip`` or ``fqdn`` from an API object's ``record_type``.
* ``redact(obj)``: a deep copy with every secret field masked.
* ``sip_uri(obj, region='com', kind=None)``: ``<username or sip_subdomain>@sip.telnyx.<region>``.
* ``connection_result(obj, region='com', kind=None)``: ``redact(obj)`` plus ``sip_uri``.
* ``diff_views(before, after, secrets=())``: the ``diff`` result with secret options masked.
* ``module_argument_spec(scope)``: the whole spec of sip_connection/sip_inbound/sip_outbound (API options, settings, the guard).
* ``DELETE_GUARD_SPEC``, ``lists_active_calls(obj)``, ``active_calls(client, conn_id)``, ``active_calls_problem(obj, count)``,
  ``calls_unknown_warning(names)``: the active calls guard
  of every delete (``_bulk.Reconciler`` runs it before deleting a connection: ``sip_connection``, ``sip_connections``).
* ``run_settings(scope)``: sip_connection, sip_inbound and sip_outbound: a one-entry run of the one write engine
  (``_bulk.Reconciler`` with ``_bulk.NamedRead``), its result shaped for the module.
"""

from __future__ import annotations

import copy
import re
from contextlib import contextmanager

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.byoc.carrier.plugins.module_utils._client import (
    RECORD_KINDS,
    TELNYX_ARGUMENT_SPEC,
    TelnyxError,
    client_from_module,
)
from ansible_collections.byoc.carrier.plugins.module_utils import _common, _settings

SECRET_FIELDS = ('password', 'ip_authentication_token')
REDACTED = 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
MASK = '********'
CHANGED_MASK = '******** (changed)'
REGIONS = _common.REGIONS
ENDPOINTS = {'credentials': '/credential_connections', 'ip': '/ip_connections', 'fqdn': '/fqdn_connections'}


class _Module(AnsibleModule):
    """AnsibleModule whose failure on an unsupported option starts with the closest supported name
    (``_common.unsupported_problems``); Ansible's own message, which lists every supported name, follows."""

    ready = False

    def fail_json(self, msg, **kwargs):
        validation = getattr(self, 'validation_result', None)
        if not self.ready and validation is not None and validation.unsupported_parameters:
            msg = '%s. %s' % ('; '.join(_common.unsupported_problems(validation)), msg)
        super().fail_json(msg, **kwargs)


def new_module(extra_spec, **kwargs):
    """AnsibleModule with the shared API options plus ``extra_spec``; check mode supported."""
    spec = copy.deepcopy(TELNYX_ARGUMENT_SPEC)
    spec.update(extra_spec)
    kwargs.setdefault('supports_check_mode', True)
    module = _Module(argument_spec=spec, **kwargs)
    module.ready = True
    return module


def get_client(module):
    """The Telnyx client for the module's shared options."""
    return client_from_module(module)


@contextmanager
def api_errors(module, result=None, **fields):
    """Turn a TelnyxError raised inside the block into fail_json with the API's own message.

    The failure carries ``fields`` and the dict ``result`` as it is when the error happens (not when the
    block starts), so a run that wrote something before failing reports ``changed: true`` and what it did.
    """
    try:
        yield
    except TelnyxError as err:
        reported = dict(fields, **(result or {}))
        reported.pop('msg', None)
        module.fail_json(msg=str(err), api_error=err.to_dict(), **reported)


def kind_of(obj):
    """The connection kind (credentials, ip, fqdn) of an API object, from its record_type."""
    return RECORD_KINDS.get((obj or {}).get('record_type'))


def list_named(client, path, name, name_field='name', filter_key='filter[name][contains]'):
    """Every object of the list ``path`` whose ``name_field`` is exactly ``name`` (narrowed with the contains
    filter ``filter_key``; Telnyx needs 3 characters or more, so a shorter name lists everything)."""
    query = {filter_key: name} if filter_key and len(name) >= 3 else None
    return [o for o in client.list(path, query) if o.get(name_field) == name]


def find_by_name(module, client, path, name, what, name_field='name', filter_key='filter[name][contains]', hint=None, **result):
    """The one object of the list ``path`` whose ``name_field`` is exactly ``name``, or None.

    The list is narrowed with ``filter_key`` (a contains filter; Telnyx needs 3 characters or more, so a shorter
    name lists everything) and matched exactly. Several matches fail listing their ids (``what`` names the
    objects in the message, ``hint`` says what to do; ``result`` goes into the failure too): it never guesses.
    """
    found = list_named(client, path, name, name_field, filter_key)
    if len(found) > 1:
        ids = [o.get('id') for o in found]
        module.fail_json(msg='%d %s are named %r: %s. %s' % (len(found), what, name, ', '.join(str(i) for i in ids),
                                                             hint or 'Rename or delete all but one; this module never guesses.'),
                         ids=ids, **result)
    return found[0] if found else None


def age_key(obj):
    """Sort key of an API object by age: created_at, then id (numerically for digit ids)."""
    ident = str(obj.get('id') or '')
    return (obj.get('created_at') or '', len(ident), ident)


def older_copy(copies, own):
    """The overlap rule of a create: the oldest of ``copies`` (``own`` included), or None when it is ``own``.

    Two runs that both read a name as absent both create it (Telnyx has no idempotency keys). Each lists the
    name again after its own create: the run whose copy is not the oldest sees the older one (it existed before
    that create) and gives way, deleting its own copy, so one copy is left whatever the timing.
    """
    listed = set(copy.get('id') for copy in copies)
    oldest = min(list(copies) + ([own] if own.get('id') not in listed else []), key=age_key)
    return None if oldest.get('id') == own.get('id') else oldest


def one_connection(client, name, kind='any', full=True):
    """(the one connection named exactly ``name`` of ``kind`` or any kind, or None; problem; ids).

    Several connections with that name are a problem listing their ids (it never guesses); the object is then None.
    With ``full`` and ``kind='any'`` the full object is read from the kind's own endpoint.
    """
    found = client.find_connections(kind, name)
    if len(found) > 1:
        listing = ', '.join('%s (%s)' % (c.get('id'), kind_of(c) or c.get('record_type')) for c in found)
        return None, ('%d connections are named %r: %s. Rename or delete all but one; '
                      'this module never guesses.' % (len(found), name, listing)), [c.get('id') for c in found]
    if not found:
        return None, None, []
    obj = found[0]
    if full and kind == 'any':
        obj = client.get('%s/%s' % (ENDPOINTS[kind_of(obj)], obj['id']))
    return obj, None, [obj.get('id')]


def find_connection(module, client, name, kind='any', full=True):
    """The one connection named exactly ``name`` (of ``kind`` or any kind), or None (``one_connection``).

    Several connections with that name make the module fail, listing their ids (it never guesses).
    """
    obj, problem, ids = one_connection(client, name, kind, full)
    if problem:
        module.fail_json(msg=problem, ids=ids)
    return obj


def redact(obj):
    """Deep copy of an API object with every secret field (password, token) masked."""
    if isinstance(obj, dict):
        return dict((k, REDACTED if k in SECRET_FIELDS and v not in (None, '') else redact(v)) for k, v in obj.items())
    if isinstance(obj, list):
        return [redact(v) for v in obj]
    return obj


def sip_uri(obj, region='com', kind=None):
    """``<username or sip_subdomain>@sip.telnyx.<region>`` for a connection object, or None."""
    kind = kind or kind_of(obj)
    if kind == 'credentials':
        user = obj.get('user_name')
    else:
        # an FQDN connection with credentials is called by its username
        user = ((obj.get(_settings.FQDN_AUTH) or {}).get('user_name') if kind == 'fqdn' else None) \
            or (obj.get('inbound') or {}).get('sip_subdomain')
    if not user:
        return None
    return '%s@sip.telnyx.%s' % (user, region or 'com')


def connection_result(obj, region='com', kind=None):
    """The ``connection`` return value: the API object, secrets redacted, plus ``sip_uri``."""
    if obj is None:
        return None
    result = redact(obj)
    result['sip_uri'] = sip_uri(obj, region, kind)
    return result


def _mask_pair(before, after):
    if after is None:
        return (MASK if before is not None else None), None
    if before is None:
        return None, MASK
    return MASK, (MASK if before == after else CHANGED_MASK)


def diff_views(before, after, secrets=()):
    """Ansible ``diff`` dict of two normalised views; secret options appear only as masks.

    An unchanged secret shows as ``********`` on both sides, a changed one as a changed mask.
    ``before``/``after`` may be None (object absent) and are never modified.
    """
    before = copy.deepcopy(before) if before is not None else {}
    after = copy.deepcopy(after) if after is not None else {}
    for key in secrets:
        if key not in before and key not in after:
            continue
        b, a = _mask_pair(before.get(key), after.get(key))
        for view, value in ((before, b), (after, a)):
            if key in view:
                view[key] = value
    return {'before': before, 'after': after}


# --------------------------------------------------------------------------- child resources (/ips, /fqdns)

class _Children:
    """How one kind's addresses live at Telnyx: the /ips or /fqdns resource and the default_* fields."""

    def __init__(self, option, path, names, key, defaults, nullable):
        self.option = option
        self.path = path
        self.names = names          # option key -> API field
        self.key = key              # normalised tuple of an option item; its first element names the address
        self.defaults = defaults    # inbound fields holding the first three ids, in order
        self.nullable = nullable    # whether an unused default slot can be set to null

    def view(self, item):
        """An API object as the option's normalised dict."""
        return dict(zip(self.names, self.key(dict((k, item.get(f)) for k, f in self.names.items()))))

    def body(self, conn_id, item):
        """Request body of /ips or /fqdns for an option item (an SRV record sends port null)."""
        body = dict((f, item.get(k)) for k, f in self.names.items() if item.get(k) is not None)
        if item.get('dns_record_type') == 'srv':
            body['port'] = None
        body['connection_id'] = conn_id
        return body

    def finder(self, client, conn_id, item, taken):
        """``find`` for ``client.create``: an address of the connection matching ``item`` not in ``taken``.

        After a 5xx or an unanswered POST the address may exist already; the client then calls this
        before sending the POST again (Telnyx has no idempotency keys). A found id is added to ``taken``.
        """
        want = self.key(item)

        def find():
            for found in client.list(self.path, {'filter[connection_id]': conn_id}):
                if found.get('id') not in taken and self.key(self.view(found)) == want:
                    taken.add(found.get('id'))
                    return found
            return None
        return find

    def default_ids(self, inbound, ids):
        """The default_* fields for the wanted ids (in order), given the connection's current ``inbound``.

        Slots beyond the list: null where Telnyx allows it (FQDNs). IP slots cannot be null, so a slot that
        holds an id now repeats the last kept id (never left pointing at an address about to be deleted);
        an empty slot stays unset. With no address left an IP slot cannot be set at all (left out).
        """
        defaults = dict(zip(self.defaults, ids))
        for field in self.defaults[len(ids):]:
            if self.nullable:
                defaults[field] = None
            elif ids and inbound.get(field) not in (None, ''):
                defaults[field] = ids[-1]
        return defaults

    def ordered(self, obj, items):
        """Current items, those named by the default_* fields first (in slot order), then the rest."""
        by_id = dict((i['id'], i) for i in items)
        first = []
        for field in self.defaults:
            item = by_id.pop((obj.get('inbound') or {}).get(field), None)
            if item is not None:
                first.append(item)
        return first + [i for i in items if i['id'] in by_id]


CHILDREN = {
    'ip': _Children('ips', '/ips', {'address': 'ip_address', 'port': 'port'}, _settings.ip_key,
                    ('default_primary_ip_id', 'default_secondary_ip_id', 'default_tertiary_ip_id'), False),
    'fqdn': _Children('fqdns', '/fqdns', {'fqdn': 'fqdn', 'port': 'port', 'dns_record_type': 'dns_record_type'}, _settings.fqdn_key,
                      ('default_primary_fqdn_id', 'default_secondary_fqdn_id', 'default_tertiary_fqdn_id'), True),
}


def _plan_children(children, wanted, current):
    """Match wanted addresses to current ones: (slots, creates, updates, deletes).

    ``slots`` holds, in wanted order, the current item each wanted address becomes (None: created).
    An exact match is kept; the same name with another port/record type is updated; the rest is
    created; current items left over are deleted.
    """
    wanted_keys = [children.key(w) for w in wanted]
    free = list(current)
    slots = [None] * len(wanted)
    for index, key in enumerate(wanted_keys):
        match = next((c for c in free if children.key(children.view(c)) == key), None)
        if match is not None:
            free.remove(match)
            slots[index] = match
    updates = []
    for index, key in enumerate(wanted_keys):
        if slots[index] is not None:
            continue
        match = next((c for c in free if children.key(children.view(c))[0] == key[0]), None)
        if match is not None:
            free.remove(match)
            slots[index] = match
            updates.append((index, match, wanted[index]))
    creates = [(i, wanted[i]) for i in range(len(wanted)) if slots[i] is None]
    return slots, creates, updates, free


# --------------------------------------------------------------------------- writes shared by every module

def refind(client, kind, name):
    """``find`` for ``client.create``: the one connection of ``kind`` named ``name`` a create may have made
    (after a 5xx or no answer the client calls it before sending the POST again), or None."""
    def find():
        found = client.find_connections(kind, name)
        return found[0] if len(found) == 1 else None
    return find


def create_problems(kind, name, params):
    """The rule of a create: a credentials connection needs username and password."""
    if kind != 'credentials':
        return []
    missing = [o for o in ('username', 'password') if not params.get(o)]
    return ['%s: required to create the credentials connection %r' % (' and '.join(missing), name)] if missing else []


def type_change_problem(name, existing, kind):
    """The rule of an existing name: the type of a connection cannot change."""
    return ('Connection %r exists as a %s connection (id %s); the type cannot change. To replace it, remove it '
            '(state=absent, type %s), then create it with type=%s.'
            % (name, kind_of(existing), existing.get('id'), kind_of(existing), kind))


def needs_fqdn_auth(kind, params):
    """Whether options live in the FQDN's fqdn_authentication resource (username, password, ip_auth_method)."""
    return kind == 'fqdn' and any(params.get(o) is not None for o in ('username', 'password', 'ip_auth_method'))


def with_fqdn_auth(client, obj):
    """``obj`` with its ``fqdn_authentication`` resource read in (GET /fqdn_connections/{id}/fqdn_authentication)."""
    auth = client.get('%s/%s/%s' % (ENDPOINTS['fqdn'], obj['id'], _settings.FQDN_AUTH))
    return dict(obj, **{_settings.FQDN_AUTH: auth})


def split_fqdn_auth(body):
    """(connection body, fqdn_authentication body or None): the second has its own resource."""
    body = dict(body)
    return body, body.pop(_settings.FQDN_AUTH, None)


def write_fqdn_auth(client, obj, auth):
    """PATCH /fqdn_connections/{id}/fqdn_authentication with ``auth`` (the changed fields) and the method they
    imply (credential-authentication with a username or password, ip-authentication otherwise); returns ``obj``
    with the resource as Telnyx answers it."""
    body = dict(auth)
    credential = any(k in body for k in ('user_name', 'password'))
    body['fqdn_outbound_authentication'] = 'credential-authentication' if credential else 'ip-authentication'
    if body.get('password') == _settings.MASKED_PASSWORD:
        body.pop('password')
    reply = client.patch('%s/%s/%s' % (ENDPOINTS['fqdn'], obj['id'], _settings.FQDN_AUTH), body)
    merged = dict(obj)
    merged[_settings.FQDN_AUTH] = dict((obj.get(_settings.FQDN_AUTH) or {}), **(reply or {}))
    return merged


def sync_children(client, kind, children, obj, current, wanted, body, wrote=None):
    """Create/update/delete addresses, PATCH the connection once (body + default_* ids), return it.

    ``wrote`` (a callable) is called after each write, so a caller can report ``changed`` on a later failure.
    """
    wrote = wrote or (lambda: None)
    slots, creates, updates, deletes = _plan_children(children, wanted, current)
    for index, item, want in updates:
        slots[index] = client.patch('%s/%s' % (children.path, item['id']), children.body(obj['id'], want))
        wrote()
    taken = set(item.get('id') for item in current)
    for index, want in creates:
        slots[index] = client.create(children.path, children.body(obj['id'], want),
                                     find=children.finder(client, obj['id'], want, taken))
        taken.add(slots[index].get('id'))
        wrote()
    inbound = obj.get('inbound') or {}
    defaults = children.default_ids(inbound, [s['id'] for s in slots])
    body = copy.deepcopy(body)
    if any(inbound.get(f) != v for f, v in defaults.items()):
        body.setdefault('inbound', {}).update(defaults)
        body = _settings.merge_nested(obj, body)
    if 'inbound' in body:
        for field in children.defaults[len(slots):]:
            if field not in defaults:
                body['inbound'].pop(field, None)
    result = client.patch('%s/%s' % (ENDPOINTS[kind], obj['id']), body) if body else obj
    if body:
        wrote()
    for item in deletes:
        client.delete('%s/%s' % (children.path, item['id']))
        wrote()
    result = dict(result)
    result[children.option] = [children.view(s) for s in slots]
    return result


def plan_create(kind, scopes):
    """(body, problems) of a create: the set options of every scope in one body (``scopes`` is a list of
    (scope, prefix, params)), and the cross-tab rules checked on it."""
    body = {}
    for scope, dummy, params in scopes:
        body = _settings.apply_patch(body, _settings.to_api(scope, kind, params))
    return body, _settings.conflicts(kind, body)


def with_children(kind, obj, items, params):
    """(obj, current, wanted): ``obj`` with the normalised view of its addresses ``items`` (in default-slot order),
    those items, and the wanted addresses of the connection options ``params`` (None: addresses not managed)."""
    children = CHILDREN.get(kind)
    wanted = params.get(children.option) if children else None
    if wanted is None:
        return obj, [], None
    current = children.ordered(obj, items)
    return dict(obj, **{children.option: [children.view(c) for c in current]}), current, wanted


def compared(params):
    """The options an update compares: with ``update_password: on_create`` the password is left out (the one place
    of that rule; the diff views use the same, so an uncompared password never shows)."""
    if params.get('update_password') == 'on_create' and params.get('password') is not None:
        return dict(params, password=None)
    return params


def plan_update(kind, obj, scopes):
    """(changes, body, after, problems) of an existing connection: each scope compared against the object as the
    previous scopes leave it (one PATCH body for every tab), ``after`` the object as the write leaves it, and the
    cross-tab rules checked on it. ``update_password: on_create`` leaves the password out of the comparison."""
    changes, body, after = [], {}, obj
    for scope, prefix, params in scopes:
        params = compared(params)
        changed, part = _settings.diff(scope, kind, params, after)
        changes.extend(prefix + c for c in changed)
        if part:
            body = _settings.apply_patch(body, part)
            after = _settings.apply_patch(after, part)
    if after is obj:
        after = dict(obj)  # a caller may set keys on it (the wanted addresses) without touching obj
    return changes, body, after, _settings.conflicts(kind, after)


def create_connection(client, kind, name, body):
    """POST the connection (the body without its fqdn_authentication part, never blindly re-sent: ``refind``);
    returns (the created object, the fqdn_authentication part to write once it exists, or None)."""
    post, auth = split_fqdn_auth(body)
    return client.create(ENDPOINTS[kind], post, find=refind(client, kind, name)), auth


def write_connection(client, kind, obj, body, children=None, current=(), wanted=None, wrote=None):
    """The one write of an existing connection: its addresses and default ids with the PATCH of ``body`` when
    ``wanted`` addresses are given (``sync_children``), else the PATCH alone; then the FQDN's
    fqdn_authentication part of ``body``, if any. Returns the connection as written."""
    wrote = wrote or (lambda: None)
    body, auth = split_fqdn_auth(body)
    if wanted is not None:
        new = sync_children(client, kind, children, obj, list(current), wanted, body, wrote)
    elif body:
        new = client.patch('%s/%s' % (ENDPOINTS[kind], obj['id']), body)
        wrote()
    else:
        new = dict(obj)
    if obj.get(_settings.FQDN_AUTH) is not None and _settings.FQDN_AUTH not in new:
        new = dict(new, **{_settings.FQDN_AUTH: obj[_settings.FQDN_AUTH]})
    if auth:
        new = write_fqdn_auth(client, new, auth)
        wrote()
    return new


# --------------------------------------------------------------------------- sip_connection, sip_inbound, sip_outbound

_STATE_SPEC = dict(state=dict(type='str', choices=['present', 'absent'], default='present'),
                   update_password=dict(type='str', choices=list(_common.UPDATE_PASSWORD), default='always', no_log=False))
# the option of the modules that delete connections (sip_connection, sip_connections): the active calls guard
DELETE_GUARD_SPEC = dict(delete_with_active_calls=dict(type='bool', default=False))
ACTIVE_CALLS_PATH = '/connections/%s/active_calls'
_TARGET_SPEC = dict(connection=dict(type='str', required=True),
                    region=dict(type='str', choices=list(REGIONS), default='com'))


def lists_active_calls(obj):
    """Whether Telnyx lists the calls in progress of this connection. Its "List all active calls for given connection"
    takes only SIP connections with a webhook URL or an XML request URL (and call control or TeXML applications), and
    answers 422 for the others (Telnyx's API reference of ListConnectionActiveCalls): a connection without
    ``webhook_event_url`` is not asked, its calls in progress are unknown."""
    return bool(obj.get('webhook_event_url') or obj.get('xml_request_url'))


def calls_unknown_warning(names):
    """The one warning of a run that deleted (or would delete) connections whose calls in progress Telnyx can't list."""
    names = sorted(names)
    shown = ', '.join(repr(n) for n in names[:10]) + (' and %d more' % (len(names) - 10) if len(names) > 10 else '')
    return ('calls in progress were not checked before deleting %d connection(s) without a webhook URL: %s. Telnyx lists '
            'the calls of a SIP connection only when it has a webhook URL (webhook_url); give the trunks one to have '
            'the active calls guard, or make sure their calls have ended.' % (len(names), shown))


def active_calls(client, conn_id):
    """How many calls are in progress on a connection: ``GET /connections/{id}/active_calls`` (ask only a connection
    ``lists_active_calls`` accepts).

    Telnyx pages this list with cursors (``meta.cursors.after``, ``meta.next``; its spec's "List all active calls for
    given connection"): ``meta.total_items`` when the answer gives it, else the calls counted page by page."""
    params = {'page[size]': 250}
    count = 0
    while True:
        body = client.request('GET', ACTIVE_CALLS_PATH % conn_id, params=params)
        meta = body.get('meta') or {}
        total = meta.get('total_items')
        if isinstance(total, int) and not isinstance(total, bool):
            return total
        count += len(body.get('data') or [])
        after = (meta.get('cursors') or {}).get('after')
        if not meta.get('next') or not after:
            return count
        params = {'page[size]': 250, 'page[after]': after}


def active_calls_problem(obj, count):
    """Why a connection with calls in progress is not deleted (names it, its id and the count)."""
    return ('connection %r (id %s) has %d call(s) in progress; it was not deleted and nothing was written for it. '
            'Delete it once the calls have ended, or set delete_with_active_calls: true to cut them'
            % (obj.get('connection_name'), obj.get('id'), count))


def settings_argument_spec(scope):
    """The full argument spec (without the shared API options) of sip_connection/sip_inbound/sip_outbound."""
    spec = _settings.argument_spec(scope)
    spec.update(copy.deepcopy(_STATE_SPEC if scope == 'connection' else _TARGET_SPEC))
    return spec


def module_argument_spec(scope):
    """The whole argument spec of sip_connection/sip_inbound/sip_outbound: the shared API options, the scope's settings
    and, for sip_connection (it deletes), the active calls guard."""
    spec = copy.deepcopy(TELNYX_ARGUMENT_SPEC)
    spec.update(settings_argument_spec(scope))
    if scope == 'connection':
        spec.update(copy.deepcopy(DELETE_GUARD_SPEC))
    return spec


class _SettingsModule(_Module):
    """AnsibleModule that reports every invalid option at once: Ansible's own argument checks stop at the
    first error, so the table's rules are run as well and both lists are merged (each problem once).

    An option the table names is reported in the table's words: Ansible's messages about it are found by running
    Ansible's own validator on that option alone (the same messages), never by reading Ansible's wording."""

    scope = None
    ready = False

    def fail_json(self, msg, **kwargs):
        validation = getattr(self, 'validation_result', None)
        if not self.ready and validation is not None and validation.errors and _settings.HAS_VOLUPTUOUS:
            ours = _settings.validate(self.scope, None, self.params)
            named = set(re.split(r'[.\[:]', p, maxsplit=1)[0] for p in ours)
            covered = set()
            for option in sorted(named & set(self.params or {}) & set(self.argument_spec)):
                alone = ArgumentSpecValidator({option: self.argument_spec[option]})
                covered.update(alone.validate({option: self.params[option]}).error_messages)
            theirs = [m for m in validation.error_messages if m not in covered]
            unsupported = _common.unsupported_problems(validation)
            if unsupported:  # Ansible's one message about them (every supported name) after ours (the closest one)
                theirs = unsupported + theirs
            kwargs['problems'] = theirs + ours
            msg = 'Invalid options: %s' % '; '.join(kwargs['problems'])
            self.ready = True  # said in full: the base class adds nothing
        super().fail_json(msg, **kwargs)


class SettingsRun:
    """One run of sip_connection (scope ``connection``), sip_inbound or sip_outbound: a thin adapter of the one
    write engine. It validates the options, runs ``_bulk.Reconciler`` on a one-entry list (``_bulk.Entry.one``: only
    the module's scope) with the named read (``_bulk.NamedRead``), and shapes the module's result from the entry's
    result and outcome. It has no read or write path of its own."""

    def __init__(self, scope):
        self.scope = scope
        kwargs = {'required_if': [('state', 'present', ('type',))]} if scope == 'connection' else {}
        spec = module_argument_spec(scope)
        _SettingsModule.scope = scope
        self.module = _SettingsModule(argument_spec=spec, supports_check_mode=True, **kwargs)
        self.module.ready = True
        self.params = dict(self.module.params)
        self.result = {'changed': False}
        self.client = None

    # -- helpers -------------------------------------------------------------------------------
    def fail(self, msg, **kwargs):
        self.module.fail_json(msg=msg, **dict(self.result, **kwargs))

    def check_problems(self, problems):
        if problems:
            self.fail('Invalid options: %s' % '; '.join(problems), problems=problems)

    def region(self):
        return self.params.get('region') or 'com'

    def finish(self, kind, before_obj, after_obj, changed, view_params):
        """exit_json with changed, connection, diff (in diff mode)."""
        self.result['changed'] = bool(changed)
        self.result['connection'] = connection_result(after_obj, self.region(), kind)
        if self.module._diff:
            before = _settings.from_api(self.scope, kind, before_obj, view_params) if before_obj is not None else None
            after = _settings.from_api(self.scope, kind, after_obj, view_params) if after_obj is not None else None
            self.result['diff'] = diff_views(before, after, _settings.secret_options(self.scope))
        if self.client is not None:
            self.result['api_retries'] = self.client.retries
        self.module.exit_json(**self.result)

    def _absorb(self, entry, result):
        """What the entry's run did so far, in the module's result (a failure after a write reports changed)."""
        outcome = entry.outcome
        if outcome.get('wrote'):
            self.result['changed'] = True
            if result.get('status') == 'created':
                self.result['connection'] = connection_result(outcome.get('after'), self.region(), entry.kind)
        if 'changes' in outcome:
            self.result['changed_options'] = outcome['changes']

    # -- entry point ----------------------------------------------------------------------------
    def run(self):
        from ansible_collections.byoc.carrier.plugins.module_utils import _bulk  # pylint: disable=import-outside-toplevel

        if not _settings.HAS_VOLUPTUOUS:
            self.fail(missing_required_lib('voluptuous'), exception=str(_settings.VOLUPTUOUS_IMPORT_ERROR))
        kind = self.params.get('type') if self.scope == 'connection' else None
        if self.scope != 'connection' or self.params['state'] == 'present':
            self.check_problems(_settings.validate(self.scope, kind, self.params))
        self.client = get_client(self.module)
        entry = _bulk.Entry.one(self.scope, self.params)
        engine = _bulk.Reconciler(self.client, [entry], check_mode=self.module.check_mode, workers=1,
                                  reader=_bulk.NamedRead(), one_entry=True,
                                  delete_with_active_calls=self.params.get('delete_with_active_calls', False))
        results = [{}]
        with api_errors(self.module, self.result):
            try:
                engine.read()
                results = engine.run()
            except _bulk.EntryError as err:
                self._absorb(entry, engine.results_so_far(0))
                if err.problems is not None:
                    self.check_problems(err.problems)
                self.fail(str(err), **err.fields)
            except TelnyxError:
                self._absorb(entry, engine.results_so_far(0))
                raise
        for warning in engine.warnings:
            self.module.warn(warning)
        self._absorb(entry, results[0])
        self.shape(entry, results[0])

    def shape(self, entry, result):
        """exit_json with the module's result for the entry's ``result`` (its status) and ``outcome``."""
        status, outcome = result.get('status'), entry.outcome
        if status == 'missing':
            self.result.update(changed=True, connection=None,
                               msg='Connection %r does not exist (yet); in a real run it must have been created first '
                                   '(for example by byoc.carrier.sip_connection earlier in the play).' % entry.name)
            self.module.exit_json(**self.result)
        if status in ('absent', 'deleted'):
            if status == 'deleted':
                self.result['connection'] = None
            self.finish(entry.kind or kind_of(outcome.get('before')), outcome.get('before'), None, status == 'deleted', None)
        view_params = outcome['scopes'][0][2]
        self.finish(entry.kind, outcome.get('before'), outcome.get('after'), status in ('created', 'updated'), view_params)


OVP_PATH = '/outbound_voice_profiles'


def profile_choice(value, named_ids, exists):
    """The rule of ``outbound_voice_profile`` (a name or an id), for every module: (profile id, None) or (None, problem).

    ``named_ids``: the ids of the profiles called exactly ``value``; ``exists(value)``: whether ``value`` is a profile's
    id. Several profiles with the name fail listing their ids (never a guess); none fails naming the value."""
    if len(named_ids) > 1:
        return None, ('outbound_voice_profile: %d outbound voice profiles are named %r (%s); set outbound_voice_profile to '
                      'one of these ids instead.' % (len(named_ids), value, ', '.join(str(i) for i in named_ids)))
    if named_ids:
        return named_ids[0], None
    if exists(value):
        return value, None
    return None, ('outbound_voice_profile: no outbound voice profile is named %r or has that id; create it first with '
                  'byoc.carrier.outbound_voice_profile.' % value)


def record_type(kind):
    """Telnyx's record_type of a connection kind (credentials -> credential_connection)."""
    return dict((v, k) for k, v in RECORD_KINDS.items())[kind]


_record_type = record_type


def run_settings(scope):
    """The whole behaviour of sip_connection (``connection``), sip_inbound (``inbound``), sip_outbound (``outbound``)."""
    SettingsRun(scope).run()

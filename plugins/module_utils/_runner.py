# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one shared runner of the byoc.carrier modules (private).

Public helpers (names are stable, other modules build on them):

* ``new_module(extra_spec, **kwargs)``: an ``AnsibleModule`` whose spec is the client's shared options
  (``TELNYX_ARGUMENT_SPEC``) plus ``extra_spec``, with check mode on.
* ``get_client(module)``: the Telnyx client built from the shared options.
* ``api_errors(module, **result)``: context manager turning a ``TelnyxError`` into ``fail_json``
  (``msg`` is the client's message: method, path, status, Telnyx's code/detail and field).
* ``find_connection(module, client, name, kind='any', full=True)``: the one connection called exactly
  ``name`` (or ``None``); fails listing the ids when there are several.
* ``kind_of(obj)``: ``credentials``, ``ip`` or ``fqdn`` from an API object's ``record_type``.
* ``redact(obj)``: a deep copy with every secret field masked.
* ``sip_uri(obj, region='com', kind=None)``: ``<username or sip_subdomain>@sip.telnyx.<region>``.
* ``connection_result(obj, region='com', kind=None)``: ``redact(obj)`` plus ``sip_uri``.
* ``diff_views(before, after, secrets=())``: the ``diff`` result with secret options masked.
* ``run_settings(scope)``: the whole behaviour of sip_connection, sip_inbound and sip_outbound.
"""

from __future__ import annotations

import copy
from contextlib import contextmanager

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.byoc.carrier.plugins.module_utils._client import (
    TELNYX_ARGUMENT_SPEC,
    TelnyxError,
    client_from_module,
)

SECRET_FIELDS = ('password', 'ip_authentication_token')
REDACTED = 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
MASK = '********'
CHANGED_MASK = '******** (changed)'
REGIONS = ('com', 'eu', 'ca')
ENDPOINTS = {'credentials': '/credential_connections', 'ip': '/ip_connections', 'fqdn': '/fqdn_connections'}
RECORD_KINDS = {'credential_connection': 'credentials', 'ip_connection': 'ip', 'fqdn_connection': 'fqdn'}


def new_module(extra_spec, **kwargs):
    """AnsibleModule with the shared API options plus ``extra_spec``; check mode supported."""
    spec = copy.deepcopy(TELNYX_ARGUMENT_SPEC)
    spec.update(extra_spec)
    kwargs.setdefault('supports_check_mode', True)
    return AnsibleModule(argument_spec=spec, **kwargs)


def get_client(module):
    """The Telnyx client for the module's shared options."""
    return client_from_module(module)


@contextmanager
def api_errors(module, **result):
    """Turn a TelnyxError raised inside the block into fail_json with the API's own message."""
    try:
        yield
    except TelnyxError as err:
        details = {'status': err.status, 'errors': err.errors, 'method': err.method, 'url': err.url}
        module.fail_json(msg=str(err), api_error=details, **result)


def kind_of(obj):
    """The connection kind (credentials, ip, fqdn) of an API object, from its record_type."""
    return RECORD_KINDS.get((obj or {}).get('record_type'))


def find_connection(module, client, name, kind='any', full=True):
    """The one connection named exactly ``name`` (of ``kind`` or any kind), or None.

    Several connections with that name make the module fail, listing their ids (it never guesses).
    With ``full`` and ``kind='any'`` the full object is read from the kind's own endpoint.
    """
    found = client.find_connections(kind, name)
    if len(found) > 1:
        listing = ', '.join('%s (%s)' % (c.get('id'), kind_of(c) or c.get('record_type')) for c in found)
        module.fail_json(msg='%d connections are named %r: %s. Rename or delete all but one; '
                             'this module never guesses.' % (len(found), name, listing),
                         ids=[c.get('id') for c in found])
    if not found:
        return None
    obj = found[0]
    if full and kind == 'any':
        obj = client.get('%s/%s' % (ENDPOINTS[kind_of(obj)], obj['id']))
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
        user = (obj.get('inbound') or {}).get('sip_subdomain')
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

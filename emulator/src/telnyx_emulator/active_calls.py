# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Calls in progress per connection: ``GET /v2/connections/{id}/active_calls`` and the test control
``POST /_emulator/active_calls {"connection_id": "...", "count": N}`` (N = 0 ends them).

The list follows Telnyx's "List all active calls for given connection" (operation ListConnectionActiveCalls of the
full OpenAPI spec; the spec's SIP subset has no such path): ``data`` holds ``ActiveCall`` objects (``record_type:
call``, ``call_control_id``, ``call_leg_id``, ``call_session_id``, ``client_state``, ``call_duration``), ``meta`` is a
``CursorPaginationMeta`` (``cursors.after``/``cursors.before``, ``next``/``previous`` paths, ``total_items``). Pages
take ``page[size]`` or ``page[limit]`` (1-250, default 20) and the opaque cursors ``page[after]``/``page[before]``.
Telnyx lists only "SIP connections with webhook_url or xml_request_url, call control or texml" (the operation's
description in its API reference) and documents a 422 for the others: a SIP connection without ``webhook_event_url``
gets a 422 here (the error's wording is the emulator's; Telnyx documents the status, not the text).
"""

from __future__ import annotations

import base64
import uuid

from telnyx_emulator.store import ApiError, error

PAGE_PARAMETERS = ('page[after]', 'page[before]', 'page[limit]', 'page[size]', 'page[number]')
DEFAULT_PAGE = 20
MAX_PAGE = 250


def _cursor(index):
    return 'v1:' + base64.urlsafe_b64encode(('calls:%d' % index).encode()).decode()


def _index(cursor, parameter):
    try:
        text = base64.urlsafe_b64decode(cursor[3:].encode()).decode() if cursor.startswith('v1:') else ''
        if text.startswith('calls:'):
            return int(text[6:])
    except (ValueError, UnicodeDecodeError):
        pass
    raise ApiError(422, [error('10015', 'Invalid parameter', '%s is not a cursor of this list.' % parameter, parameter=parameter)])


def _size(query):
    for parameter in ('page[size]', 'page[limit]'):
        if parameter in query:
            value = query[parameter]
            if not value.isdigit() or not 1 <= int(value) <= MAX_PAGE:
                raise ApiError(422, [error('10015', 'Invalid parameter', '%s must be an integer from 1 to %d.' % (parameter, MAX_PAGE),
                                           parameter=parameter)])
            return int(value)
    return DEFAULT_PAGE


class ActiveCalls:
    """The calls in progress of each connection (by id); nothing else of the account changes with them."""

    def __init__(self):
        self.calls = {}

    def clear(self):
        self.calls = {}

    def set(self, connection_id, count):
        """Make ``count`` calls be in progress on the connection (0 ends them all)."""
        if count <= 0:
            self.calls.pop(connection_id, None)
            return
        uid = uuid.uuid5(uuid.NAMESPACE_URL, 'telnyx-emulator/%s' % connection_id)
        self.calls[connection_id] = [{
            'record_type': 'call',
            'call_control_id': 'v3:emulator-%s-%d' % (connection_id, n),
            'call_leg_id': str(uuid.uuid5(uid, 'leg-%d' % n)),
            'call_session_id': str(uuid.uuid5(uid, 'session-%d' % n)),
            'client_state': '',
            'call_duration': 30 + n,
        } for n in range(count)]

    @staticmethod
    def check_listable(conn):
        """422 for a connection whose calls Telnyx does not list (a SIP connection without a webhook URL)."""
        if not (conn.get('webhook_event_url') or conn.get('xml_request_url')):
            raise ApiError(422, [error('10015', 'Invalid connection', 'Active calls are listed only for SIP connections with a '
                                       'webhook_url or xml_request_url, call control or TeXML applications.',
                                       parameter='connection_id')])

    def page(self, connection_id, query):
        """The reply of ``GET /connections/{id}/active_calls`` for the query (the connection is known to exist)."""
        unknown = sorted(k for k in query.keys() if k not in PAGE_PARAMETERS)
        if unknown:
            raise ApiError(422, [error('10015', 'Invalid parameter', '%s is not a parameter of this list.' % k, parameter=k) for k in unknown])
        calls = self.calls.get(connection_id, [])
        size = _size(query)
        if 'page[after]' in query:
            start = _index(query['page[after]'], 'page[after]')
        elif 'page[before]' in query:
            start = max(0, _index(query['page[before]'], 'page[before]') - size)
        else:
            start = 0
        data = calls[start:start + size]
        path = '/v2/connections/%s/active_calls' % connection_id
        meta = {'total_items': len(calls), 'cursors': {}}
        if start + size < len(calls):
            meta['cursors']['after'] = _cursor(start + size)
            meta['next'] = '%s?page[after]=%s' % (path, meta['cursors']['after'])
        if start > 0:
            meta['cursors']['before'] = _cursor(start)
            meta['previous'] = '%s?page[before]=%s' % (path, meta['cursors']['before'])
        return {'data': data, 'meta': meta}

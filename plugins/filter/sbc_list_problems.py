# -*- coding: utf-8 -*-
# Copyright: byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Check Kamailio dispatcher/permissions list files line by line (Kamailio itself skips bad lines silently)."""

from __future__ import annotations

import ipaddress
import re

from ansible.errors import AnsibleFilterError

from ansible_collections.byoc.carrier.plugins.module_utils import _common

DOCUMENTATION = r"""
name: sbc_list_problems
short_description: Problems in a Kamailio dispatcher.list or address.list text
version_added: 0.1.0
description:
  - Parses every non-comment line the way Kamailio 5.6 reads it and returns one message per bad line.
  - Kamailio skips a bad line on reload and still answers C(Ok), so the sbc role checks the rendered text
    with this filter before it writes the file.
  - Hosts must be IP literals (a name would make Kamailio ask DNS at load time).
positional: _input, kind
options:
  _input:
    description: The text of the list file.
    type: str
    required: true
  kind:
    description: Which list the text is.
    type: str
    choices: [dispatcher, address]
    required: true
"""

EXAMPLES = r"""
- name: Check the dispatcher list before writing it
  ansible.builtin.assert:
    that: problems | length == 0
    fail_msg: "{{ problems | join('; ') }}"
  vars:
    problems: "{{ lookup('ansible.builtin.template', 'dispatcher.list.j2') | byoc.carrier.sbc_list_problems('dispatcher') }}"
"""

RETURN = r"""
_value:
  description: "One message per bad line (C(<kind>.list line N: <problem>)); empty when the list is good."
  type: list
  elements: str
"""

SIP_URI = re.compile(r'^sips?:(?:\[(?P<v6>[0-9A-Fa-f:.]+)\]|(?P<host>[^:;\[\]]+))(?::(?P<port>[0-9]+))?(?P<params>(?:;[^;\s]+)*)$')
TRANSPORTS = tuple(t.lower() for t in _common.TRANSPORTS)


def _ip(text):
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _int(text, low, high):
    return text.isdigit() and low <= int(text) <= high


def _uri_problem(uri):
    m = SIP_URI.match(uri)
    if not m:
        return '%r is not a sip: URI' % uri
    host = m.group('v6') or m.group('host')
    if _ip(host) is None:
        return '%r: host %r is not an IP literal' % (uri, host)
    if m.group('port') is not None and not _int(m.group('port'), 1, 65535):
        return '%r: port %s out of range' % (uri, m.group('port'))
    for param in filter(None, m.group('params').split(';')):
        key, _sep, value = param.partition('=')
        if key == 'transport' and value not in TRANSPORTS:
            return '%r: transport %r is not udp, tcp or tls' % (uri, value)
    return None


def _attrs_problem(attrs):
    for pair in filter(None, attrs.split(';')):
        key, sep, value = pair.partition('=')
        if not sep or not key or not value:
            return 'attribute %r is not key=value' % pair
        if key == 'socket':
            proto, _sep, rest = value.partition(':')
            host, _sep, port = rest.rpartition(':')
            if proto not in TRANSPORTS or _ip(host.strip('[]')) is None or not _int(port, 1, 65535):
                return 'socket %r is not proto:IP:port (sbc_listen_address must be an IP literal)' % value
    return None


def _head_problem(fields, usage):
    """2 to 5 fields, the first one a number (set id / group)."""
    if len(fields) < 2 or len(fields) > 5:
        return 'expected "%s"' % usage
    if not _int(fields[0], 0, 65535):
        return '%s %r is not a number' % (usage.split()[0], fields[0])
    return None


def _dispatcher_line(fields):
    problem = _head_problem(fields, 'setid destination [flags [priority [attrs]]]') or _uri_problem(fields[1])
    if problem:
        return problem
    for label, value in zip(('flags', 'priority'), fields[2:4]):
        if not re.match(r'^-?[0-9]+$', value):
            return '%s %r is not a number' % (label, value)
    if len(fields) == 5:
        return _attrs_problem(fields[4])
    return None


def _address_line(fields):
    problem = _head_problem(fields, 'group address [netmask [port [tag]]]')
    if problem:
        return problem
    address = _ip(fields[1])
    if address is None:
        return 'address %r is not an IP literal' % fields[1]
    if len(fields) > 2 and not _int(fields[2], 0, address.max_prefixlen):
        return 'netmask %r out of range 0-%d' % (fields[2], address.max_prefixlen)
    if len(fields) > 3 and not _int(fields[3], 0, 65535):
        return 'port %r out of range' % fields[3]
    return None


CHECKS = {'dispatcher': _dispatcher_line, 'address': _address_line}


def sbc_list_problems(text, kind):
    """Return the problems of a list text, one message per bad line."""
    if kind not in CHECKS:
        raise AnsibleFilterError('sbc_list_problems: kind must be dispatcher or address, not %r' % (kind,))
    problems = []
    entries = 0
    for number, line in enumerate(str(text).splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith('#'):
            continue
        entries += 1
        problem = CHECKS[kind](stripped.split())
        if problem:
            problems.append('%s.list line %d: %s' % (kind, number, problem))
    if not entries:
        problems.append('%s.list has no entries' % kind)
    return problems


class FilterModule:
    """sbc_list_problems filter."""

    def filters(self):
        return {'sbc_list_problems': sbc_list_problems}

# -*- coding: utf-8 -*-
# Copyright: byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sbc role's view of byoc_trunks: every problem at once, then one normalised record per trunk."""

from __future__ import annotations

import re

from ansible.errors import AnsibleFilterError

from ansible_collections.byoc.carrier.plugins.module_utils import _common, _trunk
from ansible_collections.byoc.carrier.plugins.module_utils._common import E164

DOCUMENTATION = r"""
name: sbc_trunks
short_description: Check C(byoc_trunks) for the SBC and normalise it, one record per trunk
version_added: 0.1.0
description:
  - Reads what the Kamailio SBC needs from each trunk (type, username/password, C(ip_auth_method), token,
    tech prefix, P-Charge-Info number, transport, encrypted media, codecs) and the SBC's own per-trunk keys
    C(sbc_port) and C(sbc_transport).
  - Fails listing B(every) problem at once, each naming the trunk and the key, before any file is written.
  - A trunk picks its calls by its own SBC port, the trunk model's explicit C(sbc_port) (the trunk role's validation
    requires it in every playbook, and checks it against the port of the trunk's C(ips)/C(fqdns)). Used on its own,
    the sbc role still accepts a trunk without one (deprecated, for one release), and trunk number N (0-based) then gets
    O(listen_port) + 2*N. A TLS trunk also listens for TLS on its port + 1.
positional: _input
options:
  _input:
    description: The C(byoc_trunks) list (DESIGN.md section 5).
    type: list
    elements: dict
    required: true
  listen_port:
    description: The SBC port of the first trunk.
    type: int
    default: 5060
  region:
    description: C(byoc_region); sets the carrier domain C(sip.telnyx.<region>).
    type: str
    default: com
"""

EXAMPLES = r"""
- name: Normalised trunks
  ansible.builtin.set_fact:
    sbc_model: "{{ byoc_trunks | byoc.carrier.sbc_trunks(listen_port=5060, region='eu') }}"
"""

RETURN = r"""
_value:
  description: One record per trunk, in the order given.
  type: list
  elements: dict
  contains:
    name:
      description: "Trunk (connection) name."
      type: str
    route:
      description: "Kamailio route suffix, unique, letters/digits/underscore."
      type: str
    kind:
      description: "credentials, ip or fqdn."
      type: str
    port:
      description: "SBC port of the trunk (UDP, and TCP when the transport is TCP)."
      type: int
    tls_port:
      description: "TLS port (port + 1) when the transport is TLS, else null."
      type: int
    transport:
      description: "udp, tcp or tls."
      type: str
    auth:
      description: "credentials, token, tech_prefix, p_charge_info or none."
      type: str
    register:
      description: "Whether the SBC registers this trunk (credentials trunks)."
      type: bool
    srtp:
      description: "Whether the carrier leg uses SRTP."
      type: bool
    codecs:
      description: "SDP codec names kept (PCMU, PCMA) plus telephone-event."
      type: list
      elements: str
    dispatcher_set:
      description: "Dispatcher set id of the trunk's carrier addresses."
      type: int
    domain:
      description: "Carrier domain (sip.telnyx.<region>)."
      type: str
"""

KINDS = _common.KINDS
REGIONS = _common.REGIONS
TRANSPORTS = tuple(t.lower() for t in _common.TRANSPORTS)
AUTH_METHODS = ('token', 'tech_prefix', 'p_charge_info')
CODECS = {'G711U': 'PCMU', 'G711A': 'PCMA'}
USERNAME = re.compile(_common.USERNAME_PATTERN)
TOKEN = re.compile(_common.TOKEN_PATTERN)
TECH_PREFIX = re.compile(_common.TECH_PREFIX_PATTERN)
FIRST_SET = 10


def cfg_string(value):
    """Quote for a Kamailio cfg string literal."""
    return value.replace('\\', '\\\\').replace('"', '\\"')


def dbtext_string(value):
    """Escape for a db_text column."""
    return value.replace('\\', '\\\\').replace(':', '\\:').replace('\n', '\\n')


def _media(trunk, problems, where):
    values = {}
    for scope in ('inbound', 'outbound'):
        value = (trunk.get(scope) or {}).get('encrypted_media')
        if value is None:
            continue
        if value not in ('SRTP', 'none'):
            problems.append('%s.%s.encrypted_media: %r is not SRTP or none' % (where, scope, value))
        values[scope] = value
    if len(set(values.values())) > 1:
        problems.append('%s: inbound.encrypted_media and outbound.encrypted_media differ' % where)
    return 'SRTP' in values.values()


def _codecs(trunk, problems, where):
    wanted = (trunk.get('inbound') or {}).get('codecs') or list(CODECS)
    bad = [c for c in wanted if c not in CODECS]
    if bad:
        problems.append('%s.inbound.codecs: %s not G711U/G711A' % (where, ', '.join(map(str, bad))))
    return [CODECS[c] for c in wanted if c in CODECS]


def _auth(trunk, kind, problems, where):
    """Outbound authentication toward the carrier and its values."""
    out = {'auth': 'none', 'register': False}
    method = trunk.get('ip_auth_method')
    if kind == 'credentials' or (kind == 'fqdn' and trunk.get('username') and not method):
        username, password = str(trunk.get('username') or ''), str(trunk.get('password') or '')
        if not USERNAME.match(username):
            problems.append('%s.username: 4-32 letters or digits required' % where)
        if not 8 <= len(password) <= 128:
            problems.append('%s.password: 8-128 characters required' % where)
        out.update(auth='credentials', register=kind == 'credentials', username=username,
                   password_cfg=cfg_string(password), password_dbtext=dbtext_string(password))
        return out
    if method is None:
        return out
    if method not in AUTH_METHODS:
        problems.append('%s.ip_auth_method: %r is not one of %s' % (where, method, ', '.join(AUTH_METHODS)))
        return out
    out['auth'] = method
    if method == 'token':
        token = str(trunk.get('token') or '')
        if not TOKEN.match(token):
            problems.append('%s.token: 12-48 characters A-Z a-z 0-9 - required' % where)
        out['token'] = token
    elif method == 'tech_prefix':
        prefix = str(trunk.get('tech_prefix') or '')
        if not TECH_PREFIX.match(prefix):
            problems.append('%s.tech_prefix: %r is not 4 digits' % (where, prefix))
        out['tech_prefix'] = prefix
    else:
        numbers = trunk.get('numbers') or []
        if not numbers or not E164.match(str(numbers[0])):
            problems.append('%s.numbers: p_charge_info needs an E.164 number first in numbers' % where)
        out['charge_number'] = str(numbers[0]) if numbers else ''
    return out


def _port(value, problems, where):
    try:
        port = int(value)
    except (TypeError, ValueError):
        port = 0
    if not 1 <= port <= 65534:
        problems.append('%s.sbc_port: %r is not a port 1-65534' % (where, value))
    return port


def _one(trunk, index, listen_port, problems):
    where = 'byoc_trunks[%d]' % index
    if not isinstance(trunk, dict):
        problems.append('%s: not a dict' % where)
        return None
    name = trunk.get('name')
    if not isinstance(name, str) or not name:
        problems.append('%s.name: required, a non-empty string' % where)
        name = 'trunk%d' % index
    where = '%s (%s)' % (where, name)
    kind = trunk.get('type')
    if kind not in KINDS:
        problems.append('%s.type: %r is not one of %s' % (where, kind, ', '.join(KINDS)))
    transport = str(trunk.get('sbc_transport') or (trunk.get('inbound') or {}).get('transport') or 'UDP').lower()
    if transport not in TRANSPORTS:
        problems.append('%s: transport %r is not UDP, TCP or TLS' % (where, transport))
    port = _port(_trunk.sbc_port_of(trunk, index, listen_port), problems, where)
    record = {
        'name': name, 'route': 'T%d_%s' % (index, re.sub(r'[^A-Za-z0-9]', '_', name)), 'kind': kind,
        'port': port, 'tls_port': port + 1 if transport == 'tls' else None, 'transport': transport,
        'srtp': _media(trunk, problems, where), 'codecs': _codecs(trunk, problems, where),
        'dispatcher_set': FIRST_SET + index,
    }
    if record['srtp'] and transport != 'tls':
        problems.append('%s: encrypted_media SRTP requires transport TLS (the SDES keys travel in the SIP body)' % where)
    record.update(_auth(trunk, kind, problems, where))
    return record


def sbc_trunks(trunks, listen_port=5060, region='com'):
    """Return the normalised trunks or raise AnsibleFilterError listing every problem."""
    problems = []
    if region not in REGIONS:
        problems.append('byoc_region: %r is not one of %s' % (region, ', '.join(REGIONS)))
    if not isinstance(trunks, list) or not trunks:
        raise AnsibleFilterError('byoc_trunks: a non-empty list of trunks is required')
    records = [_one(t, i, int(listen_port), problems) for i, t in enumerate(trunks)]
    records = [r for r in records if r is not None]
    seen = {}
    for rec in records:
        if rec['name'] in seen:
            problems.append('byoc_trunks: name %r is used twice' % rec['name'])
        seen[rec['name']] = True
        rec['domain'] = 'sip.telnyx.%s' % region
    ports = [p for rec in records for p in (rec['port'], rec['tls_port']) if p]
    dupes = sorted({p for p in ports if ports.count(p) > 1})
    if dupes:
        problems.append('byoc_trunks: SBC port(s) %s used by more than one trunk (sbc_port; TLS uses port + 1)'
                        % ', '.join(map(str, dupes)))
    if problems:
        raise AnsibleFilterError('sbc role: %d problem(s) in byoc_trunks: %s' % (len(problems), '; '.join(problems)))
    return records


class FilterModule:
    """sbc_trunks filter."""

    def filters(self):
        return {'sbc_trunks': sbc_trunks}

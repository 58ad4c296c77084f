# -*- coding: utf-8 -*-
# Copyright: byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sbc role's view of byoc_trunks: every problem at once, then one normalised record per trunk."""

from __future__ import annotations

import re

from ansible.errors import AnsibleFilterError

from ansible_collections.byoc.carrier.plugins.module_utils import _common, _settings, _trunk

DOCUMENTATION = r"""
name: sbc_trunks
short_description: Check C(byoc_trunks) for the SBC and normalise it, one record per trunk
version_added: 0.1.0
description:
  - Reads what the Kamailio SBC needs from each trunk (type, username/password, C(ip_auth_method), token,
    tech prefix, P-Charge-Info number, transport, encrypted media, codecs) and the SBC's own per-trunk keys
    C(sbc_port) and C(sbc_transport).
  - Checks every trunk with the collection's one trunk model, the same rules the trunk role checks first (Telnyx side
    and SBC side - C(sbc_port) required and equal to the port of the trunk's C(ips)/C(fqdns), SRTP only over TLS,
    ...), plus what only the SBC needs (a C(p_charge_info) trunk needs a number; names and ports unique on the SBC).
  - A trunk with C(state=absent) is checked like the trunk role checks it but left out of the result, so the SBC renders
    no port, route, registration or secret for it.
  - Fails listing B(every) problem at once, each naming the trunk and the key, before any file is written.
  - A trunk picks its calls by its own SBC port, the explicit C(sbc_port) (there is no implicit port, so reordering
    C(byoc_trunks) never moves a port). A TLS trunk also listens for TLS on C(sbc_port) + 1.
  - Needs the Python library voluptuous on the controller.
positional: _input
options:
  _input:
    description: The C(byoc_trunks) list of the host (the inventory model of the cpaas role).
    type: list
    elements: dict
    required: true
  listen_port:
    description: The SBC's C(sbc_listen_port), its default Contact port. No TLS trunk may take it as C(sbc_port) + 1.
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
  description: One record per trunk that is present (not C(state=absent)), in the order given.
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

CODECS = {'G711U': 'PCMU', 'G711A': 'PCMA'}  # the trunk's codecs (choices: the settings table) as SDP names
FIRST_SET = 10


def cfg_string(value):
    """Quote for a Kamailio cfg string literal."""
    return value.replace('\\', '\\\\').replace('"', '\\"')


def dbtext_string(value):
    """Escape for a db_text column."""
    return value.replace('\\', '\\\\').replace(':', '\\:').replace('\n', '\\n')


def _tab(trunk, scope):
    tab = trunk.get(scope)
    return tab if isinstance(tab, dict) else {}


def _srtp(trunk):
    return 'SRTP' in [_tab(trunk, scope).get('encrypted_media') for scope in ('inbound', 'outbound')]


def _codecs(trunk):
    codecs = _tab(trunk, 'inbound').get('codecs')
    return [CODECS[c] for c in (codecs if isinstance(codecs, list) and codecs else list(CODECS)) if c in CODECS]


def _auth(trunk, kind, problems, where):
    """Outbound authentication toward the carrier and its values (the values' rules are the trunk model's)."""
    out = {'auth': 'none', 'register': False}
    method = trunk.get('ip_auth_method')
    if kind == 'credentials' or (kind == 'fqdn' and trunk.get('username') and not method):
        username, password = str(trunk.get('username') or ''), str(trunk.get('password') or '')
        out.update(auth='credentials', register=kind == 'credentials', username=username,
                   password_cfg=cfg_string(password), password_dbtext=dbtext_string(password))
        return out
    if method not in _common.IP_AUTH_METHODS:
        return out
    out['auth'] = method
    if method == 'token':
        out['token'] = str(trunk.get('token') or '')
    elif method == 'tech_prefix':
        out['tech_prefix'] = str(trunk.get('tech_prefix') or '')
    else:
        numbers = trunk.get('numbers') or []
        if not numbers:
            # SBC-only: the SBC sends the trunk's first number as P-Charge-Info
            problems.append('%s: numbers: p_charge_info needs a number: the SBC sends the first one as P-Charge-Info' % where)
        out['charge_number'] = str(numbers[0]) if numbers else ''
    return out


def _where(index, trunk):
    name = trunk.get('name') if isinstance(trunk, dict) else None
    return 'byoc_trunks[%d] (%s)' % (index, name if isinstance(name, str) and name else '-')


def _one(trunk, index, problems):
    where = _where(index, trunk)
    if not isinstance(trunk, dict):
        problems.append('%s: not a mapping' % where)
        return None
    for field, rule in _trunk.trunk_problems(trunk, require_sbc_port=True):
        problems.append('%s: %s: %s' % (where, field, rule) if field != '(trunk)' else '%s: %s' % (where, rule))
    if not _trunk.is_present(trunk):
        # a trunk to delete (state: absent) is not on the SBC at all: no port, no route, no registration, no secret
        return None
    name = trunk.get('name') if isinstance(trunk.get('name'), str) and trunk.get('name') else 'trunk%d' % index
    transport = _trunk.sbc_transport(trunk).lower()
    ports = _trunk.sbc_ports(trunk) or [None]
    record = {
        'name': name, 'route': 'T%d_%s' % (index, re.sub(r'[^A-Za-z0-9]', '_', name)), 'kind': trunk.get('type'),
        'port': ports[0], 'tls_port': ports[1] if len(ports) > 1 else None, 'transport': transport,
        'srtp': _srtp(trunk), 'codecs': _codecs(trunk), 'dispatcher_set': FIRST_SET + index,
    }
    record.update(_auth(trunk, record['kind'], problems, where))
    return record


def sbc_trunks(trunks, listen_port=5060, region='com'):
    """Return the normalised trunks or raise AnsibleFilterError listing every problem (the rules of a trunk are the
    trunk model's, module_utils/_trunk.py: the same the trunk role checks first)."""
    if not _settings.HAS_VOLUPTUOUS:
        raise AnsibleFilterError('byoc.carrier.sbc_trunks needs the Python library voluptuous on the controller')
    problems = []
    if region not in _common.REGIONS:
        problems.append('byoc_region: %r is not one of %s' % (region, ', '.join(_common.REGIONS)))
    if not isinstance(trunks, list) or not trunks:
        raise AnsibleFilterError('byoc_trunks: a non-empty list of trunks is required')
    trunks = _trunk.plain(trunks)
    records = [_one(t, i, problems) for i, t in enumerate(trunks)]
    records = [r for r in records if r is not None]
    seen = {}
    for rec in records:
        if rec['name'] in seen:
            problems.append('byoc_trunks: name %r is used twice' % rec['name'])
        seen[rec['name']] = True
        rec['domain'] = 'sip.telnyx.%s' % region
    where = dict((t.get('name'), _where(i, t)) for i, t in reversed(list(enumerate(trunks))) if isinstance(t, dict))
    clashes = _trunk.port_clashes(trunks) + _trunk.listen_port_clashes(trunks, listen_port)
    problems.extend('%s: sbc_port: %s' % (where.get(name, name), rule) for name, rule in clashes)
    if problems:
        raise AnsibleFilterError('sbc role: %d problem(s) in byoc_trunks: %s' % (len(problems), '; '.join(problems)))
    return records


class FilterModule:
    """sbc_trunks filter."""

    def filters(self):
        return {'sbc_trunks': sbc_trunks}

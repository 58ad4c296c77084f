# -*- coding: utf-8 -*-
# Copyright: byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller-side helpers of playbooks/rotate.yml: the rotation plan (which trunk, which secret, its new value) and
the trunk list with one secret replaced.

A trunk's secret is its ``password`` (credentials trunks, FQDN trunks with credentials) or its ``token`` (IP/FQDN trunks
with ``ip_auth_method: token``). New values are checked with the settings table's own rules; generated ones are
random values of the form those rules allow (letters and digits: no character that needs quoting in a SIP digest,
a db_text file or a SIP header). Messages never contain a secret.
"""

from __future__ import annotations

import secrets
import string

from ansible.errors import AnsibleFilterError

from ansible_collections.byoc.carrier.plugins.module_utils import _settings, _trunk

# lengths of generated values, inside the table's ranges (password 8-128, token 12-48)
GENERATED_LENGTH = {'password': 32, 'token': 40}
ALPHABET = string.ascii_letters + string.digits


def secret_field(trunk):
    """The field holding a trunk's secret (password or token), or None when it has none."""
    kind = trunk.get('type')
    if kind == 'credentials' or (kind == 'fqdn' and trunk.get('username')):
        return 'password'
    if kind in _settings.IP_FQDN and trunk.get('ip_auth_method') == 'token':
        return 'token'
    return None


def generate(field):
    """A random value of the form Telnyx and the SBC take for ``field`` (checked by the settings table's rule)."""
    while True:
        value = ''.join(secrets.choice(ALPHABET) for _dummy in range(GENERATED_LENGTH[field]))
        if not _settings.validate('connection', None, {field: value}) and any(c.isalpha() for c in value):
            return value


def rotate_plan(hostvars, hosts, trunks, new_secrets=None, generated=False):
    """{problems, hosts: {host: [{name, type, field, username, region}]}, values: {trunk: new value}, regions: {region: [trunk]}}."""
    new_secrets = _trunk.plain(new_secrets or {})
    trunks = _trunk.plain(trunks)
    problems = []
    if not isinstance(trunks, list) or not trunks or not all(isinstance(t, str) and t for t in trunks):
        return {'problems': ['rotate_trunks: a non-empty list of trunk names is required'], 'hosts': {}, 'values': {}, 'regions': {}}
    if not isinstance(new_secrets, dict):
        return {'problems': ['rotate_secrets: must be a mapping of trunk name to new value'], 'hosts': {}, 'values': {}, 'regions': {}}
    if bool(generated) == bool(new_secrets):
        problems.append('give the new values either in rotate_secrets (-e @new-secrets.yml) or with rotate_generate=true, not both or neither')
    found = {}
    for host in hosts:
        for trunk in _trunk.plain(hostvars[host].get('byoc_trunks') or []):
            if isinstance(trunk, dict) and trunk.get('name') in trunks:
                found.setdefault(trunk['name'], []).append((host, trunk, hostvars[host].get('byoc_region')))
    plan = {'problems': problems, 'hosts': {}, 'values': {}, 'regions': {}}
    for name in sorted(set(new_secrets) - set(trunks)):
        problems.append('rotate_secrets: %s is not in rotate_trunks' % name)
    for name in trunks:
        places = found.get(name, [])
        if not places:
            problems.append('%s: no trunk of this name in the play\'s hosts' % name)
            continue
        if len(places) > 1:
            problems.append('%s: declared by more than one host (%s)' % (name, ', '.join(p[0] for p in places)))
            continue
        host, trunk, region = places[0]
        field = secret_field(trunk)
        if field is None:
            problems.append('%s: a %s trunk without credentials or a token has no secret to rotate' % (name, trunk.get('type')))
            continue
        if trunk.get('state', 'present') != 'present':
            problems.append('%s: state absent, nothing to rotate' % name)
            continue
        value = generate(field) if generated else new_secrets.get(name)
        if value is None:
            problems.append('rotate_secrets: no new %s for %s' % (field, name))
            continue
        rule = _settings.validate('connection', None, {field: value})
        if rule:
            problems.extend('%s: new %s' % (name, p) for p in rule)
            continue
        if value == trunk.get(field):
            problems.append('%s: the new %s is the one the trunk has' % (name, field))
            continue
        plan['hosts'].setdefault(host, []).append({'name': name, 'type': trunk['type'], 'field': field,
                                                   'username': trunk.get('username'), 'region': region})
        plan['values'][name] = value
        plan['regions'].setdefault(region, []).append(name)
    return plan


def with_secret(trunks, name, field, value):
    """``trunks`` (a byoc_trunks list) with trunk ``name``'s ``field`` set to ``value``."""
    out = []
    hit = False
    for trunk in _trunk.plain(trunks):
        if isinstance(trunk, dict) and trunk.get('name') == name:
            trunk = dict(trunk)
            trunk[field] = value
            hit = True
        out.append(trunk)
    if not hit:
        raise AnsibleFilterError('with_secret: no trunk named %s' % name)
    return out


class FilterModule:
    def filters(self):
        return {'rotate_plan': rotate_plan, 'with_secret': with_secret}

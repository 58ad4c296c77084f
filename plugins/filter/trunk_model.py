# -*- coding: utf-8 -*-
# Copyright: byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller-side validation of the whole byoc.carrier inventory model (each host's byoc_trunks, region and environment)."""

from __future__ import annotations

import os
import re

from ansible.errors import AnsibleFilterError

from ansible_collections.byoc.carrier.plugins.module_utils import _common, _settings, _trunk

REGIONS = _trunk.REGIONS
KINDS = _trunk.KINDS
ENVIRONMENT = re.compile(r'^[a-z0-9][a-z0-9_-]{0,31}$')

# The options the cpaas role passes on, per module: the trunk model's (module_utils/_trunk.py), from the settings table.
CONNECTION_OPTIONS = _trunk.CONNECTION_OPTIONS
INBOUND_OPTIONS = _trunk.SCOPE_OPTIONS['inbound']
OUTBOUND_OPTIONS = _trunk.SCOPE_OPTIONS['outbound']


def _error(host, trunk, field, rule):
    return {'host': str(host), 'trunk': str(trunk), 'field': str(field), 'rule': str(rule)}


_plain = _trunk.plain


def _host_errors(host, hvars):
    out = []
    region = hvars.get('byoc_region')
    if region not in REGIONS:
        out.append(_error(host, '-', 'byoc_region', 'must be one of %s' % ', '.join(REGIONS)))
    environment = hvars.get('byoc_environment')
    if not isinstance(environment, str) or not ENVIRONMENT.match(environment):
        out.append(_error(host, '-', 'byoc_environment', 'required: lower-case letters, digits, - or _ (it names the reports)'))
    out.extend(_error(host, '-', field, rule) for field, rule in _trunk.defaults_problems(hvars.get('byoc_trunk_defaults')))
    return out


class _Uniques:
    """Values that must be unique across the fleet (connection names, usernames, tokens, subdomains, numbers)."""

    def __init__(self):
        self.seen = {}

    def add(self, what, value, where):
        """where = (host, trunk name, trunk index); an error when another trunk already uses value."""
        if value in (None, ''):
            return None
        first = self.seen.setdefault((what, value), where)
        if first == where:
            return None
        shown = 'this %s' % what if what in ('username', 'token') else value  # a token is a secret: never shown
        return _error(where[0], where[1], what, '%s is also used by %s/%s: must be unique across the fleet' % (shown, first[0], first[1]))


def _unique_errors(uniques, where, trunk):
    found = [
        uniques.add('name', where[1], where),
        uniques.add('username', trunk.get('username'), where),
        # Telnyx's IP authentication token guide: "globally unique across all Telnyx connections"
        uniques.add('token', trunk.get('token'), where),
        uniques.add('inbound.sip_subdomain', (trunk.get('inbound') or {}).get('sip_subdomain'), where),
    ]
    found.extend(uniques.add('numbers', number, where) for number in trunk.get('numbers') or [] if isinstance(number, str))
    return [e for e in found if e]


def _read_host(hostvars, host):
    """The model variables of one host as plain data; a variable that cannot be templated is an error."""
    hvars, errors = {}, []
    source = hostvars[host]
    for key in ('byoc_region', 'byoc_environment', 'byoc_trunks', 'sbc_listen_port', 'byoc_trunk_defaults'):
        try:
            hvars[key] = _plain(source.get(key))
        except Exception as exc:  # pylint: disable=broad-exception-caught
            # the message names the undefined variable, never a value
            errors.append(_error(host, '-', key, 'cannot be templated: %s' % type(exc).__name__ + _undefined_name(exc)))
    return hvars, errors


ROLE_PREFIXES = ('byoc_', 'cpaas_', 'sbc_', 'trunk_')
VARIABLE_CUTOFF = 0.88  # a typo (one or two letters), not another variable of the user's own with a similar name
_ROLE_NAMES = {}


def _role_names():
    """Every ``byoc_``/``cpaas_``/``sbc_``/``trunk_`` name the collection's roles and playbooks mention (their
    argument specs, defaults, tasks, templates): the variables they read. Read once from the installed collection."""
    if not _ROLE_NAMES:
        base = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
        pattern = re.compile(r'\b(?:%s)[a-z0-9_]+' % '|'.join(ROLE_PREFIXES))
        names = set()
        for top in ('roles', 'playbooks'):
            for root, dummy, files in os.walk(os.path.join(base, top)):
                for name in files:
                    if name.endswith(('.yml', '.yaml', '.j2', '.cfg')):
                        with open(os.path.join(root, name), encoding='utf-8') as handle:
                            names.update(pattern.findall(handle.read()))
        _ROLE_NAMES['all'] = frozenset(names)
    return _ROLE_NAMES['all']


def _variable_errors(host, source):
    """A host variable named like a role variable (byoc_*, cpaas_*, sbc_*, trunk_*) that no role reads but that is one
    or two letters off one they do: a typo the roles would silently ignore."""
    known = _role_names()
    out = []
    for name in sorted(str(k) for k in source.keys() if str(k).startswith(ROLE_PREFIXES) and k not in known):
        suggestion = _common.closest(name, known, cutoff=VARIABLE_CUTOFF)
        if suggestion:
            out.append(_error(host, '-', name, _common.unknown_option(name, [suggestion], what='variable')))
    return out


def _undefined_name(exc):
    match = re.search(r"'([A-Za-z_][A-Za-z0-9_]*)' is undefined", str(exc))
    return ' (%s is undefined)' % match.group(1) if match else ''


def trunk_errors(hostvars, hosts):
    """All errors of the inventory model of ``hosts``, as a list of {host, trunk, field, rule} (the rules of one trunk
    are the trunk model's, module_utils/_trunk.py)."""
    if not _settings.HAS_VOLUPTUOUS:
        raise AnsibleFilterError('byoc.carrier.trunk_errors needs the Python library voluptuous on the controller')
    uniques = _Uniques()
    errors = []
    for host in hosts:
        hvars, read_errors = _read_host(hostvars, host)
        errors.extend(read_errors + _variable_errors(host, hostvars[host]))
        trunks = hvars.get('byoc_trunks')
        if 'byoc_trunks' in {e['field'] for e in read_errors}:
            continue
        if trunks is None:
            continue  # not an SBC host (e.g. the controller)
        errors.extend(_host_errors(host, hvars))
        if not isinstance(trunks, list):
            errors.append(_error(host, '-', 'byoc_trunks', 'must be a list of trunks'))
            continue
        for index, trunk in enumerate(trunks):
            name = trunk.get('name') if isinstance(trunk, dict) and isinstance(trunk.get('name'), str) else '#%d' % index
            if not isinstance(trunk, dict):
                errors.append(_error(host, name, '(trunk)', 'must be a mapping'))
                continue
            merged = _trunk.with_defaults(trunk, hvars.get('byoc_region'), hvars.get('byoc_trunk_defaults'))
            errors.extend(_error(host, name, field, rule) for field, rule in _trunk.trunk_problems(merged))
            errors.extend(_unique_errors(uniques, (host, name, index), trunk))
        errors.extend(_error(host, name, 'sbc_port', rule) for name, rule in _trunk.port_clashes(trunks))
        listen_port = hvars.get('sbc_listen_port') or _trunk.DEFAULT_LISTEN_PORT
        errors.extend(_error(host, name, 'sbc_port', rule) for name, rule in _trunk.listen_port_clashes(trunks, listen_port))
    return errors


def trunk_errors_text(errors):
    """One readable line per error: host / trunk / field: rule."""
    return '\n'.join('%(host)s / %(trunk)s / %(field)s: %(rule)s' % e for e in errors)


def _owner_tags(hvars):
    """A host's ``cpaas_owner_tags`` (the cpaas role sets it from cpaas_prune_tags), as sorted unique strings."""
    return sorted(set(str(t) for t in _plain(hvars.get('cpaas_owner_tags')) or []))


def bulk_connections(hostvars, hosts):
    """The entries of byoc.carrier.sip_connections for the trunks to converge of these hosts.

    Each entry: name, type, region (the host's byoc_region), the connection options, inbound and outbound;
    numbers, state and sbc_* keys stay behind (trunks with state absent are removed by the singular modules).
    The host's ``cpaas_owner_tags`` are added to each of its entries' ``tags`` (so that what the cpaas role
    creates can be pruned later).
    """
    entries = []
    for host in hosts:
        hvars = hostvars[host]
        extra = _owner_tags(hvars)
        for trunk in _plain(hvars.get('byoc_trunks')) or []:
            if trunk.get('state', 'present') != 'present':
                continue
            region = hvars.get('byoc_region')
            defaults = _plain(hvars.get('byoc_trunk_defaults'))
            entries.append(_trunk.entry(_trunk.with_defaults(trunk, region, defaults), region, extra))
    return entries


def prune_plan(hostvars, hosts, all_hosts=None, partial=False, engine='bulk'):
    """What pruning the cpaas role may do for these hosts: ``{'problems': [...], 'groups': [{'tags', 'hosts'}]}``.

    Each host's ``cpaas_owner_tags`` (its cpaas_prune_tags, templated) selects what is pruned: one group per
    distinct set of tags, pruned in one byoc.carrier.sip_connections call that lists every trunk of the
    group's hosts. Pruning is refused (a problem names the host and the variable) when:

    - a host has no prune tags (``engine`` is ignored: deprecated, kept for one release);
    - a host left the play (failed or unreachable): its trunks would not be listed;
    - the run covers part of the inventory (``partial``: AWX job slicing or a workflow, ``--limit``) and
      a group is not scoped to one host by a tag naming it: another slice's connections could carry the
      same tags and would be deleted.
    """
    active = list(hosts or [])
    everyone = list(all_hosts or active)
    problems, groups = [], {}
    del engine  # no-op, kept for one release: the cpaas role always uses the one engine (sip_connections)
    gone = [h for h in everyone if h not in active]
    if gone:
        problems.append('%s: left the play (failed or unreachable); pruning is refused, as the trunks of these hosts '
                        'would not be listed and their connections could be deleted' % ', '.join(gone))
    for host in active:
        tags = _owner_tags(hostvars[host])
        if not tags:
            problems.append('%s: cpaas_prune_tags: required with cpaas_prune (the tags that mark the connections '
                            'this inventory owns)' % host)
            continue
        groups.setdefault(tuple(tags), []).append(host)
    for tags, members in sorted(groups.items()):
        if partial and (len(members) > 1 or not any(members[0] in tag for tag in tags)):
            problems.append('%s: cpaas_prune_tags %s are not scoped to one host, and this run covers part of the '
                            'inventory (AWX job slicing or workflow, or --limit): pruning is refused, as another '
                            "slice's connections may carry the same tags; add a tag naming the host (e.g. "
                            "'sbc:{{ inventory_hostname }}') or prune from one run of the whole inventory"
                            % (', '.join(members), list(tags)))
    plan = [{'tags': list(tags), 'hosts': members} for tags, members in sorted(groups.items())]
    return {'problems': problems, 'groups': [] if problems else plan}


class FilterModule:
    """byoc.carrier inventory model filters."""

    def filters(self):
        return {
            'trunk_errors': trunk_errors,
            'trunk_errors_text': trunk_errors_text,
            'bulk_connections': bulk_connections,
            'prune_plan': prune_plan,
        }

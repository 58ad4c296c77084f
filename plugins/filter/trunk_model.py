# -*- coding: utf-8 -*-
# Copyright: byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller-side validation of the whole byoc.carrier inventory model (DESIGN.md section 5)."""

from __future__ import annotations

import re

try:
    import voluptuous as vol
    HAS_VOLUPTUOUS = True
except ImportError:  # pragma: no cover - reported as an error by the filter
    vol = None
    HAS_VOLUPTUOUS = False

try:
    from ansible_collections.byoc.carrier.plugins.module_utils import _settings
except ImportError:  # pragma: no cover - the settings table is optional for the model rules
    _settings = None

from ansible.errors import AnsibleFilterError

from ansible_collections.byoc.carrier.plugins.module_utils._common import E164

REGIONS = ('com', 'eu', 'ca')
KINDS = ('credentials', 'ip', 'fqdn')
ENVIRONMENT = re.compile(r'^[a-z0-9][a-z0-9_-]{0,31}$')
SECRET_FIELDS = frozenset(('password', 'token', 'api_key', 'vault_password'))

# The options the cpaas role passes on, per module (DESIGN.md section 3). They are the role's
# contract: a key outside these sets is a typo, reported before anything is sent.
CONNECTION_OPTIONS = (
    'username', 'password', 'update_password', 'webhook_url', 'webhook_failover_url', 'webhook_api_version',
    'anchorsite', 'encode_contact_header', 'comfort_noise', 'dtmf_type', 'rtcp', 'routing_method',
    'ips', 'fqdns', 'ip_auth_method', 'tech_prefix', 'token', 'active', 'tags',
)
INBOUND_OPTIONS = (
    'dnis_number_format', 'ani_number_format', 'no_ringback_timeout', 'no_answer_timeout', 'subdomain_calls',
    'encrypted_media', 'ringback', 'codecs', 'compact_headers', 'transport', 'sip_region', 'sip_subdomain',
    'channel_limit',
)
OUTBOUND_OPTIONS = (
    'caller_id_override', 'caller_id_override_type', 'localization', 'encrypted_media', 'ringback',
    'outbound_voice_profile', 'channel_limit',
)
SCOPES = (('connection', CONNECTION_OPTIONS), ('inbound', INBOUND_OPTIONS), ('outbound', OUTBOUND_OPTIONS))
# keys of a trunk besides the connection options; sbc_* keys belong to the sbc role
TRUNK_KEYS = ('name', 'type', 'inbound', 'outbound', 'numbers', 'state')
REQUIRED_BY_KIND = {
    'credentials': ('username', 'password'),
    'ip': ('ips',),
    'fqdn': ('fqdns',),
}
ONLY_FOR_KIND = {'ips': 'ip', 'fqdns': 'fqdn'}
# one Telnyx field on these kinds: inbound and outbound must agree (DESIGN.md section 3)
SHARED_ENCRYPTED_MEDIA_KINDS = ('credentials', 'ip')


def _error(host, trunk, field, rule):
    return {'host': str(host), 'trunk': str(trunk), 'field': str(field), 'rule': str(rule)}


def _plain(value):
    """Return a plain copy (dict/list/str/...) of templated inventory data."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


def _path(path):
    return '.'.join(str(p) for p in path) if path else '(trunk)'


def _trunk_schema():
    options = {vol.Optional(key): object for key in CONNECTION_OPTIONS}
    options.update({
        vol.Required('name'): vol.All(str, vol.Length(min=1, max=255), msg='required, a non-empty string'),
        vol.Required('type'): vol.In(KINDS, msg='must be one of %s' % ', '.join(KINDS)),
        vol.Optional('inbound'): vol.Schema({vol.Optional(key): object for key in INBOUND_OPTIONS}),
        vol.Optional('outbound'): vol.Schema({vol.Optional(key): object for key in OUTBOUND_OPTIONS}),
        vol.Optional('numbers'): [vol.All(str, vol.Match(E164), msg='must be an E.164 number such as +4930123456')],
        vol.Optional('state'): vol.In(('present', 'absent'), msg='must be present or absent'),
        vol.Optional(vol.Match(r'^sbc_')): object,
    })
    return vol.Schema(options)


def _schema_errors(host, name, trunk, schema):
    try:
        schema(trunk)
    except vol.MultipleInvalid as exc:
        out = []
        for err in exc.errors:
            rule = err.error_message
            if rule == 'extra keys not allowed':
                rule = 'unknown option (a typo?)'
            out.append(_error(host, name, _path(err.path), rule))
        return out
    return []


def _split_message(message, params):
    """("option", "rule") from a settings-table message "option: rule" (or "option[0]: rule")."""
    head, sep, rule = message.partition(': ')
    option = head.split('[', 1)[0]
    if sep and option in params:
        return head, rule
    return None, message


def _settings_errors(host, name, trunk):
    """Field rules of the settings table (the modules' own validation), per scope."""
    if _settings is None or not hasattr(_settings, 'validate'):
        return []
    out = []
    kind = trunk.get('type') if trunk.get('type') in KINDS else None
    for scope, keys in SCOPES:
        source = trunk if scope == 'connection' else trunk.get(scope) or {}
        if not isinstance(source, dict):
            continue
        params = {k: v for k, v in source.items() if k in keys and v is not None}
        if not params:
            continue
        for message in _settings.validate(scope, kind, params):
            option, rule = _split_message(message, params)
            field = option if scope == 'connection' or option is None else '%s.%s' % (scope, option)
            out.append(_error(host, name, field or scope, rule))
    return out


def _kind_errors(host, name, trunk):
    out = []
    kind = trunk.get('type')
    for field in REQUIRED_BY_KIND.get(kind, ()):
        if trunk.get(field) in (None, '', []):
            out.append(_error(host, name, field, 'required for a %s trunk' % kind))
    for field, only in ONLY_FOR_KIND.items():
        if trunk.get(field) and kind in KINDS and kind != only:
            out.append(_error(host, name, field, 'only for %s trunks, this one is %s' % (only, kind)))
    inbound, outbound = trunk.get('inbound') or {}, trunk.get('outbound') or {}
    if kind in SHARED_ENCRYPTED_MEDIA_KINDS and isinstance(inbound, dict) and isinstance(outbound, dict):
        wanted = {inbound.get('encrypted_media'), outbound.get('encrypted_media')} - {None}
        if len(wanted) > 1:
            out.append(_error(host, name, 'encrypted_media',
                              'inbound and outbound differ (%s): a %s connection has one encrypted_media field'
                              % (' vs '.join(sorted(str(w) for w in wanted)), kind)))
    return out


def _host_errors(host, hvars):
    out = []
    region = hvars.get('byoc_region')
    if region not in REGIONS:
        out.append(_error(host, '-', 'byoc_region', 'must be one of %s' % ', '.join(REGIONS)))
    environment = hvars.get('byoc_environment')
    if not isinstance(environment, str) or not ENVIRONMENT.match(environment):
        out.append(_error(host, '-', 'byoc_environment', 'required: lower-case letters, digits, - or _ (it names the reports)'))
    return out


class _Uniques:
    """Values that must be unique across the fleet (connection names, usernames, subdomains, numbers)."""

    def __init__(self):
        self.seen = {}

    def add(self, what, value, where):
        """where = (host, trunk name, trunk index); an error when another trunk already uses value."""
        if value in (None, ''):
            return None
        first = self.seen.setdefault((what, value), where)
        if first == where:
            return None
        shown = 'this username' if what == 'username' else value
        return _error(where[0], where[1], what, '%s is also used by %s/%s: must be unique across the fleet' % (shown, first[0], first[1]))


def _unique_errors(uniques, where, trunk):
    found = [
        uniques.add('name', where[1], where),
        uniques.add('username', trunk.get('username'), where),
        uniques.add('inbound.sip_subdomain', (trunk.get('inbound') or {}).get('sip_subdomain'), where),
    ]
    found.extend(uniques.add('numbers', number, where) for number in trunk.get('numbers') or [] if isinstance(number, str))
    return [e for e in found if e]


def _read_host(hostvars, host):
    """The model variables of one host as plain data; a variable that cannot be templated is an error."""
    hvars, errors = {}, []
    source = hostvars[host]
    for key in ('byoc_region', 'byoc_environment', 'byoc_trunks'):
        try:
            hvars[key] = _plain(source.get(key))
        except Exception as exc:  # pylint: disable=broad-exception-caught
            # the message names the undefined variable, never a value
            errors.append(_error(host, '-', key, 'cannot be templated: %s' % type(exc).__name__ + _undefined_name(exc)))
    return hvars, errors


def _undefined_name(exc):
    match = re.search(r"'([A-Za-z_][A-Za-z0-9_]*)' is undefined", str(exc))
    return ' (%s is undefined)' % match.group(1) if match else ''


def trunk_errors(hostvars, hosts):
    """All errors of the inventory model of ``hosts``, as a list of {host, trunk, field, rule}."""
    if not HAS_VOLUPTUOUS:
        raise AnsibleFilterError('byoc.carrier.trunk_errors needs the Python library voluptuous on the controller')
    schema = _trunk_schema()
    uniques = _Uniques()
    errors = []
    for host in hosts:
        hvars, read_errors = _read_host(hostvars, host)
        errors.extend(read_errors)
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
            found = _schema_errors(host, name, trunk, schema) + _kind_errors(host, name, trunk)
            seen = {e['field'].split('.', 1)[0] for e in found}
            # the settings table may report a field the model rules already did (e.g. ips on a credentials trunk)
            found.extend(e for e in _settings_errors(host, name, trunk) if e['field'].split('[', 1)[0] not in seen)
            errors.extend(found)
            errors.extend(_unique_errors(uniques, (host, name, index), trunk))
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
            entry = {'name': trunk['name'], 'type': trunk['type'], 'region': hvars.get('byoc_region')}
            entry.update((k, v) for k, v in trunk.items() if k in CONNECTION_OPTIONS)
            if extra:
                entry['tags'] = sorted(set([str(t) for t in entry.get('tags') or []] + extra))
            for scope, keys in SCOPES[1:]:
                if trunk.get(scope):
                    entry[scope] = {k: v for k, v in trunk[scope].items() if k in keys}
            entries.append(entry)
    return entries


def prune_plan(hostvars, hosts, all_hosts=None, partial=False, engine='bulk'):
    """What pruning the cpaas role may do for these hosts: ``{'problems': [...], 'groups': [{'tags', 'hosts'}]}``.

    Each host's ``cpaas_owner_tags`` (its cpaas_prune_tags, templated) selects what is pruned: one group per
    distinct set of tags, pruned in one byoc.carrier.sip_connections call that lists every trunk of the
    group's hosts. Pruning is refused (a problem names the host and the variable) when:

    - the engine is not ``bulk`` or a host has no prune tags;
    - a host left the play (failed or unreachable): its trunks would not be listed;
    - the run covers part of the inventory (``partial``: AWX job slicing or a workflow, ``--limit``) and
      a group is not scoped to one host by a tag naming it: another slice's connections could carry the
      same tags and would be deleted.
    """
    active = list(hosts or [])
    everyone = list(all_hosts or active)
    problems, groups = [], {}
    if engine != 'bulk':
        problems.append('cpaas_prune: needs cpaas_engine: bulk (pruning is one byoc.carrier.sip_connections call), '
                        'got %r' % engine)
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

# -*- coding: utf-8 -*-
# Copyright: byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a run leaves for people: handoff sheets and drift reports."""

from __future__ import annotations

import json
import os

from ansible.errors import AnsibleFilterError

from ansible_collections.byoc.carrier.plugins.module_utils import _bulk

MASK = '********'
CHANGED_MASK = '******** (changed)'
SECRET_KEYS = frozenset(('password', 'token', 'ip_authentication_token', 'api_key'))
ABSENT = '(absent)'
DOMAINS = {'com': 'sip.telnyx.com', 'eu': 'sip.telnyx.eu', 'ca': 'sip.telnyx.ca'}


def mask_secrets(value):
    """A copy of value where every secret key's value is the mask."""
    if isinstance(value, dict):
        return {k: (MASK if k in SECRET_KEYS and v not in (None, '') else mask_secrets(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_secrets(v) for v in value]
    return value


def _flatten(value, prefix=''):
    if isinstance(value, dict) and value:
        out = {}
        for key, sub in value.items():
            out.update(_flatten(sub, '%s.%s' % (prefix, key) if prefix else str(key)))
        return out
    return {prefix: value} if prefix else {}


def setting_differences(before, after):
    """[{setting, wanted, found}] for every flattened setting that differs between before (found) and after (wanted).

    Secrets are compared but never shown: a differing secret is reported as a changed mask.
    """
    found, wanted = _flatten(before or {}), _flatten(after or {})
    rows = []
    for key in sorted(set(found) | set(wanted)):
        if found.get(key, ABSENT) == wanted.get(key, ABSENT):
            continue
        if key.rsplit('.', 1)[-1] in SECRET_KEYS:
            rows.append({'setting': key, 'wanted': CHANGED_MASK if key in wanted else ABSENT, 'found': MASK if key in found else ABSENT})
        else:
            rows.append({'setting': key, 'wanted': mask_secrets(wanted.get(key, ABSENT)), 'found': mask_secrets(found.get(key, ABSENT))})
    return rows


def _results(registered):
    if isinstance(registered, dict):
        return registered.get('results', [registered])
    return registered or []


def _item_name(result):
    item = result.get('item')
    return item.get('name') if isinstance(item, dict) else item


def drift_entries(registered_by_module):
    """Drift of one host from its registered module results (check + diff mode).

    registered_by_module maps a module name to what a looped task registered. Returns one entry per
    trunk and module that would change: {trunk, module, updated_at, differences: [{setting, wanted, found}]}
    (``updated_at``: when Telnyx says the connection last changed, None when it does not say).
    """
    entries = []
    for module, registered in (registered_by_module or {}).items():
        for result in _results(registered):
            if not result.get('changed') or result.get('skipped'):
                continue
            # sip_connections results carry updated_at; a singular module's result its connection object
            updated_at = result.get('updated_at') or (result.get('connection') or {}).get('updated_at')
            entry = {'trunk': _item_name(result), 'module': module, 'updated_at': updated_at}
            rows = [{'setting': '(connection)', 'wanted': result['reason'], 'found': 'id %s' % result.get('id')}] if result.get('reason') else []
            if result.get('changes'):
                rows.extend({'setting': change, 'wanted': '(inventory)', 'found': 'differs'} for change in result['changes'])
                entries.append(dict(entry, differences=rows))
                continue
            diffs = result.get('diff') or {}
            diffs = diffs if isinstance(diffs, list) else [diffs]
            for diff in diffs:
                rows.extend(setting_differences(diff.get('before'), diff.get('after')))
            if not rows:
                rows = [{'setting': '(not reported by the module)', 'wanted': 'change', 'found': 'differs'}]
            entries.append(dict(entry, differences=rows))
    return entries


TABS = ('inbound', 'outbound')


def _tab_view(view, scope):
    """The part of a sip_connections diff view (one connection) that belongs to ``scope`` (connection, inbound, outbound)."""
    if view is None:
        return None
    if scope in TABS:
        return dict(view.get(scope) or {})
    return dict((k, v) for k, v in view.items() if k not in TABS)


def _scope_changes(changes, scope):
    """The changed options of one scope: ``inbound.x``/``outbound.x`` for the tabs, the unprefixed ones for the connection."""
    if scope in TABS:
        return [c for c in changes if c.startswith(scope + '.')]
    return [c for c in changes if not c.startswith(tuple(t + '.' for t in TABS))]


def bulk_results(bulk, names, scope='connection'):
    """The results of one byoc.carrier.sip_connections call, shaped like a loop of the module of ``scope``
    (connection: sip_connection, inbound: sip_inbound, outbound: sip_outbound) over these trunk names, so that the
    cpaas role publishes facts, and drift per tab. In diff mode each result carries its tab's before/after (drift
    rows per setting); otherwise the names of its changed options."""
    by_name = {r.get('name'): r for r in (bulk or {}).get('results') or []}
    diff = (bulk or {}).get('diff') if isinstance((bulk or {}).get('diff'), dict) else {}
    results = []
    for name in names or []:
        found = by_name.get(name)
        if found is None:
            continue
        changes = _scope_changes(list(found.get('changes') or []), scope)
        status = found.get('status')
        result = {'item': name, 'changed': status in _bulk.CHANGED_STATUSES and (status != 'updated' or bool(changes))}
        if name in (diff.get('before') or {}) or name in (diff.get('after') or {}):
            result['diff'] = {'before': _tab_view((diff.get('before') or {}).get(name), scope) or {},
                              'after': _tab_view((diff.get('after') or {}).get(name), scope) or {}}
        else:
            result['changes'] = changes
        if scope == 'connection':
            result['connection'] = {'id': found.get('id') or '', 'sip_uri': found.get('sip_uri') or ''}
        if found.get('updated_at'):
            result['updated_at'] = found['updated_at']
        results.append(result)
    return {'results': results, 'changed': any(r['changed'] for r in results)}


def _groups_of(registered, host):
    """The groups (one byoc.carrier.sip_connections result per group of hosts) whose first host is ``host``."""
    for group in (registered or {}).get('results') or []:
        hosts = (group.get('item') or {}).get('hosts') or []
        if hosts and hosts[0] == host:
            yield group


def pruned_results(registered, host):
    """The connections the cpaas role's pruning deleted (or would delete), for the first host of each group.

    ``registered``: what the looped prune task registered (one byoc.carrier.sip_connections result per group of
    hosts). Shaped like ``bulk_results`` so that drift_entries reports them, once per group: in diff mode with the
    values Telnyx held before (``diff``, after: absent), otherwise with the reason only (``changes``).
    """
    results = []
    for group in _groups_of(registered, host):
        tags = (group.get('item') or {}).get('tags') or []
        before = ((group.get('diff') or {}).get('before') or {}) if isinstance(group.get('diff'), dict) else {}
        for found in group.get('results') or []:
            if not found.get('pruned'):
                continue
            reason = 'deleted: carries the prune tags %s and no trunk lists it (id %s)' % (', '.join(tags), found.get('id'))
            result = {'item': found.get('name'), 'changed': found.get('status') == 'deleted', 'updated_at': found.get('updated_at')}
            if found.get('name') in before:
                view = dict((k, v) for k, v in before[found['name']].items() if k != 'id')
                result.update(reason=reason, id=found.get('id'), diff={'before': view, 'after': {}})
            else:
                result['changes'] = [reason]
            results.append(result)
    return {'results': results, 'changed': any(r['changed'] for r in results)}


def unmanaged_results(registered, host):
    """The unmanaged copies (connections carrying a group's tags that no trunk lists, reported by
    byoc.carrier.sip_connections as ``unmanaged``), for the first host of each group: [{name, id, type, tags, updated_at}]."""
    out = []
    for group in _groups_of(registered, host):
        out.extend(group.get('unmanaged') or [])
    return sorted(out, key=lambda u: (u.get('name') or '', u.get('id') or ''))


def sip_uri(user, region):
    """<username or sip_subdomain>@sip.telnyx.<region>."""
    return '%s@%s' % (user, DOMAINS.get(region, DOMAINS['com'])) if user else ''


def _connection_of(result):
    """The connection a module result describes (sip_connection: connection; sip_connection_info: connections[0])."""
    if result.get('connection'):
        return result['connection']
    found = result.get('connections') or [{}]
    return found[0] if len(found) == 1 else {}


def _registration(conn):
    status = conn.get('registration_status')
    if isinstance(status, dict):
        status = status.get('status')
    return status


def trunk_facts(trunks, connection_results, region, state=None):
    """Per trunk: what the sbc role and the reports need (type, connection id, SIP URI, numbers, registration)."""
    by_name = {}
    for result in _results(connection_results):
        if _item_name(result):
            by_name[_item_name(result)] = _connection_of(result)
    facts = []
    for trunk in trunks or []:
        conn = by_name.get(trunk['name'], {})
        # credentials trunks, and FQDN trunks with credentials, are called by their username
        user = trunk.get('username') if trunk['type'] in ('credentials', 'fqdn') else None
        user = user or (trunk.get('inbound') or {}).get('sip_subdomain')
        fact = {
            'name': trunk['name'],
            'type': trunk['type'],
            'id': conn.get('id') or '',
            'sip_uri': conn.get('sip_uri') or sip_uri(user, region),
            'numbers': list(trunk.get('numbers') or []),
            'state': state or trunk.get('state', 'present'),
        }
        if trunk.get('failover_number'):
            fact['failover_number'] = trunk['failover_number']
        if _registration(conn) is not None:
            fact['registration'] = _registration(conn)
        facts.append(fact)
    return facts


def verify_checks(data):
    """The checks of one SBC from the OPTIONS probe and the trunks' facts: {checks: [...], failed: [...]}."""
    checks = [{'what': 'SIP OPTIONS', 'target': p['target'], 'ok': bool(p.get('ok')), 'detail': p.get('detail', '')}
              for p in data.get('probe') or []]
    for trunk in data.get('trunks') or []:
        if not trunk.get('id'):
            checks.append({'what': 'connection', 'target': trunk['name'], 'ok': False, 'detail': 'not found at Telnyx'})
        elif trunk['type'] == 'credentials':
            status = trunk.get('registration') or 'unknown'
            checks.append({'what': 'registration', 'target': trunk['name'], 'ok': str(status).lower() == 'registered',
                           'detail': str(status)})
    failed = ['%s %s: %s' % (c['what'], c['target'], c['detail']) for c in checks if not c['ok']]
    return {'checks': checks, 'failed': failed}


def group_by_report(hostvars, hosts):
    """{'<region>-<environment>': {region, environment, hosts: {host: hostvars}}} for the hosts that have trunks."""
    groups = {}
    for host in hosts:
        hvars = hostvars[host]
        if hvars.get('byoc_trunks') is None:
            continue
        region, environment = hvars.get('byoc_region'), hvars.get('byoc_environment')
        key = '%s-%s' % (region, environment)
        group = groups.setdefault(key, {'region': region, 'environment': environment, 'hosts': {}})
        group['hosts'][host] = {
            'trunks': hvars.get('cpaas_trunks') or [],
            'drift': hvars.get('cpaas_drift') or [],
            'verify': hvars.get('trunk_verify') or {},
            'unmanaged': hvars.get('cpaas_unmanaged') or [],
        }
    return groups


def _cell(value):
    if isinstance(value, (dict, list)):
        value = json.dumps(value, sort_keys=True)
    return str(value).replace('|', '\\|').replace('\n', ' ')


def _table(header, rows):
    lines = ['| %s |' % ' | '.join(header), '|%s|' % '|'.join(['---'] * len(header))]
    lines.extend('| %s |' % ' | '.join(_cell(c) for c in row) for row in rows)
    return lines


def _handoff_row(host, trunk):
    """One row of the handoff sheet. A trunk removed (state absent) whose connection is gone says ``deleted`` and
    has no SIP URI to paste; its numbers stay on the account, unassigned."""
    state = trunk.get('state', 'present')
    ident, uri = trunk.get('id'), trunk.get('sip_uri') or '-'
    if state == 'absent':
        ident, uri, state = (ident, uri, 'absent (still at Telnyx)') if ident else ('deleted', '-', 'deleted')
    return [host, trunk['name'], trunk['type'], ident or '(not created yet)', uri,
            _numbers_cell(trunk), state]


def _numbers_cell(trunk):
    """The trunk's E.164 numbers, and where Telnyx forwards their calls when the trunk cannot take them."""
    text = ', '.join(trunk.get('numbers') or []) or '-'
    if trunk.get('failover_number') and trunk.get('numbers'):
        text += ' (on failure forwarded to %s)' % trunk['failover_number']
    return text


def handoff_markdown(group, generated_at=''):
    """The handoff sheet of one region and environment: what the Conversation Builder admin pastes."""
    region, environment = group['region'], group['environment']
    lines = [
        '# BYOC handoff: %s / %s' % (region, environment), '',
        'Generated %s by byoc.carrier. Enter the SIP URI in Conversation Builder (voice bot transfer, SIP),'
        ' or transfer to one of the E.164 numbers.' % generated_at, '',
    ]
    rows = []
    for host in sorted(group['hosts']):
        for trunk in group['hosts'][host]['trunks']:
            rows.append(_handoff_row(host, trunk))
    if rows:
        lines.extend(_table(['SBC', 'trunk', 'connection type', 'connection id', 'SIP URI', 'E.164 numbers', 'state'], rows))
    else:
        lines.append('No trunks in this inventory.')
    verify = [(h, g['verify']) for h, g in sorted(group['hosts'].items()) if g['verify']]
    if verify:
        lines.extend(['', '## Verification', ''])
        vrows = [[host, check.get('what'), check.get('target'), 'ok' if check.get('ok') else 'FAILED', check.get('detail', '')]
                 for host, result in verify for check in result.get('checks', [])]
        lines.extend(_table(['SBC', 'check', 'target', 'result', 'detail'], vrows))
    return '\n'.join(lines) + '\n'


def drift_document(group, generated_at=''):
    """The machine-readable drift report of one region and environment (secrets masked): per host and trunk
    (connection), each differing setting with the inventory's value (``wanted``), Telnyx's (``found``) and when
    Telnyx says the connection last changed (``updated_at``, null when it does not say); per host the unmanaged
    copies (connections carrying the prune tags that no trunk lists)."""
    hosts, unmanaged = {}, {}
    for host in sorted(group['hosts']):
        per_trunk = {}
        for entry in group['hosts'][host]['drift']:
            per_trunk.setdefault(entry['trunk'], []).extend(
                dict(row, module=entry['module'], updated_at=entry.get('updated_at')) for row in entry['differences'])
        hosts[host] = per_trunk
        if group['hosts'][host].get('unmanaged'):
            unmanaged[host] = list(group['hosts'][host]['unmanaged'])
    return mask_secrets({
        'region': group['region'],
        'environment': group['environment'],
        'generated_at': generated_at,
        'drift': any(hosts.values()) or bool(unmanaged),
        'hosts': hosts,
        'unmanaged': unmanaged,
    })


def drift_markdown(document):
    """The drift report a person reads, from drift_document()."""
    lines = ['# BYOC drift: %s / %s' % (document['region'], document['environment']), '',
             'Generated %s by playbooks/audit.yml (check mode, nothing was changed).' % document['generated_at'], '']
    if not document['drift']:
        lines.append('**No drift**: Telnyx matches the inventory for every trunk.')
        return '\n'.join(lines) + '\n'
    for host, trunks in sorted(document['hosts'].items()):
        if not trunks:
            continue
        lines.extend(['## %s' % host, ''])
        rows = [[trunk, row['module'], row['setting'], row['wanted'], row['found'], row.get('updated_at') or '-']
                for trunk, trows in sorted(trunks.items()) for row in trows]
        lines.extend(_table(['connection', 'module', 'setting', 'wanted (inventory)', 'found (Telnyx)',
                             'last changed at Telnyx (updated_at)'], rows))
        lines.append('')
    if document.get('unmanaged'):
        lines.extend(['## Unmanaged copies', '',
                      'Connections that carry the prune tags (cpaas_prune_tags) but that no trunk of the inventory lists '
                      '(made by hand, or left by a renamed trunk). cpaas_prune: true deletes them.', ''])
        rows = [[host, u.get('name'), u.get('type'), u.get('id'), ', '.join(u.get('tags') or []), u.get('updated_at') or '-']
                for host, items in sorted(document['unmanaged'].items()) for u in items]
        lines.extend(_table(['reported by', 'connection', 'type', 'id', 'tags', 'last changed at Telnyx (updated_at)'], rows))
        lines.append('')
    return '\n'.join(lines)


def report_path(directory, name):
    """Absolute path of a report: a relative byoc_report_dir is taken from the directory the run started in."""
    return os.path.join(os.path.abspath(os.path.expanduser(str(directory))), str(name))


def to_pretty_json(value):
    """Stable, indented JSON (sorted keys)."""
    return json.dumps(value, indent=2, sort_keys=True) + '\n'


def report_content(group, kind, generated_at=''):
    """The text of one report of a region and environment: kind handoff (Markdown), drift (Markdown) or drift_json."""
    if kind == 'handoff':
        return handoff_markdown(group, generated_at)
    document = drift_document(group, generated_at)
    if kind == 'drift':
        return drift_markdown(document)
    if kind == 'drift_json':
        return to_pretty_json(document)
    raise AnsibleFilterError('byoc.carrier.report_content: kind must be handoff, drift or drift_json, not %r' % (kind,))


class FilterModule:
    """byoc.carrier report filters."""

    def filters(self):
        return {
            'drift_entries': drift_entries,
            'trunk_facts': trunk_facts,
            'bulk_results': bulk_results,
            'pruned_results': pruned_results,
            'unmanaged_results': unmanaged_results,
            'verify_checks': verify_checks,
            'report_groups': group_by_report,
            'report_content': report_content,
            'report_path': report_path,
        }

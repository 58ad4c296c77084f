# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The reconcile engine of byoc.carrier.sip_connections (private).

One call reconciles a whole list of connections:

1. ``validate_entries(raw)``: every entry checked before any request (Ansible types and choices per entry,
   then the settings table's rules per scope and kind), every problem at once, each naming the entry and
   the option; duplicate names refused.
2. ``Reconciler.read()``: each connection kind, ``/ips``, ``/fqdns`` and the outbound voice profiles read
   once, page by page (250 a page), the collections in parallel.
3. ``Reconciler.run()``: per entry, planned with the runner's ``plan_create``/``plan_update`` (the same plan the
   singular modules make; the table's ``diff`` scope by scope against the
   object as the previous scopes will leave it, so the one PATCH holds every tab); only differences are
   written, through a bounded worker pool sharing the client (and its rate limiter). A create puts the
   Basic, Inbound and Outbound settings in the create body. Then each kind with new connections is listed
   once (the overlap check, ``Reconciler.list_after_creates``), and a second pass finishes the new ones:
   IPs/FQDNs and the default_* ids (the runner's child-resource plan), or giving way to an older copy made
   by an overlapping run. One failing entry does not stop the others.
4. ``prune_tags``: connections carrying every one of those tags and not listed are deleted (their
   IPs/FQDNs first). Never without tags.
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.byoc.carrier.plugins.module_utils import _runner, _settings, _trunk
from ansible_collections.byoc.carrier.plugins.module_utils._client import TelnyxError

KINDS = _settings.KINDS
ENDPOINTS = _runner.ENDPOINTS
CHILDREN = _runner.CHILDREN
# (scope, prefix of its options in results, key of its options in an entry: None = the entry itself)
SCOPES = (('connection', '', None), ('inbound', 'inbound.', 'inbound'), ('outbound', 'outbound.', 'outbound'))
OVP_PATH = _runner.OVP_PATH
STATUSES = ('created', 'updated', 'unchanged', 'deleted', 'absent', 'failed')
CHANGED_STATUSES = ('created', 'updated', 'deleted')
DEFAULT_WORKERS = 8


class EntryError(Exception):
    """A problem that fails one entry (the others go on)."""


def entry_spec():
    """The argument spec of one ``connections`` entry: sip_connection's options plus inbound/outbound dicts."""
    spec = _runner.settings_argument_spec('connection')
    for scope, dummy, key in SCOPES[1:]:
        spec[key] = dict(type='dict', options=_settings.argument_spec(scope))
    return spec


class Entry:
    """One declared connection, validated."""

    def __init__(self, index, params):
        self.index = index
        self.params = params
        self.name = params['name']
        self.kind = params.get('type')
        self.state = params.get('state') or 'present'
        self.region = params.get('region') or 'com'
        self.label = 'connections[%d] (%s)' % (index, self.name)

    def scope_params(self, key):
        """The options of one scope (the entry's top level for ``connection``); a fresh dict."""
        if key is None:
            return dict((k, v) for k, v in self.params.items() if k not in ('inbound', 'outbound'))
        return dict(self.params.get(key) or {})

    def problems(self):
        """Every problem of the entry (table rules per scope and kind), each naming its option."""
        if self.state == 'absent':
            return []
        if not self.kind:
            return ['type: required with state=present']
        # the trunk model's rules of the Telnyx side (the trunk role checks the same before any playbook request)
        return _trunk.connection_problems(self.kind, self.scope_params(None), self.scope_params('inbound'), self.scope_params('outbound'))


def _without_choices(spec):
    """The spec with ``choices`` left out: the table's rules check them, naming entry and option, all at once."""
    out = {}
    for name, option in spec.items():
        option = dict((k, v) for k, v in option.items() if k != 'choices')
        if option.get('options'):
            option['options'] = _without_choices(option['options'])
        out[name] = option
    return out


def nulls_clear(raw):
    """An entry with each clearable option given as null turned into ``""`` (unset at Telnyx, DESIGN.md section 8).

    An entry is a dict, so a key given as null is told from a missing key (a module option cannot tell them apart:
    there ``""`` clears)."""
    out = dict(raw)
    for scope, dummy, key in SCOPES:
        tab = out if key is None else out.get(key)
        if not isinstance(tab, dict):
            continue
        cleared = dict((s.option, '') for s in _settings.settings(scope) if s.clearable and s.option in tab and tab[s.option] is None)
        if cleared and key is None:
            out.update(cleared)
        elif cleared:
            out[key] = dict(tab, **cleared)
    return out


def validate_entries(raw_entries):
    """(entries, problems, secret values) for the ``connections`` option; problems name entry and option."""
    # Ansible's own validation per entry: types, defaults, unknown options, required, no_log values
    # (the table's voluptuous schemas are compiled once per scope by _settings itself)
    validator = ArgumentSpecValidator(_without_choices(entry_spec()))
    entries, problems, secrets = [], [], set()
    seen = defaultdict(list)
    for index, raw in enumerate(raw_entries or []):
        if not isinstance(raw, dict):
            problems.append('connections[%d]: must be a dict, got %s' % (index, type(raw).__name__))
            continue
        raw = nulls_clear(raw)
        blank = not str(raw.get('name') or '').strip()
        label = 'connections[%d]' % index + ('' if blank else ' (%s)' % raw['name'])
        result = validator.validate(raw)  # works on its own copy
        secrets.update(result._no_log_values)  # pylint: disable=protected-access
        problems.extend('%s: %s' % (label, msg) for msg in result.error_messages)
        if blank:
            if 'name' in raw:  # a missing name is reported by the validator (required)
                problems.append('%s: name: must not be empty' % label)
            continue
        entry = Entry(index, result.validated_parameters)
        problems.extend('%s: %s' % (entry.label, p) for p in entry.problems())
        seen[entry.name].append(index)
        entries.append(entry)
    for name, indexes in seen.items():
        if len(indexes) > 1:
            problems.append('connections[%s]: the name %r is listed %d times; each connection must be listed once'
                            % (', '.join(str(i) for i in indexes), name, len(indexes)))
    return entries, problems, secrets


class _Created:  # pylint: disable=too-few-public-methods
    """A connection this run POSTed in the first pass, finished in the second."""

    def __init__(self, entry, scopes, obj, result, wanted, auth=None):  # pylint: disable=too-many-arguments
        self.auth = auth  # the FQDN's fqdn_authentication body, written in the second pass
        self.entry = entry
        self.scopes = scopes
        self.obj = obj
        self.result = result
        self.wanted = wanted
        self.copies = None  # the connections named like it after the creates (None: list the name on its own)


class Reconciler:
    """Reads the account once, then reconciles every entry (and prunes) through a worker pool."""

    def __init__(self, client, entries, check_mode=False, workers=DEFAULT_WORKERS, prune_tags=None, want_diff=False):
        self.client = client
        self.entries = entries
        self.check_mode = check_mode
        self.workers = max(1, int(workers or DEFAULT_WORKERS))
        self.prune_tags = list(prune_tags or [])
        self.want_diff = want_diff
        self.named = defaultdict(list)
        self.children = {}
        self.profiles = defaultdict(list)
        self.profile_ids = set()
        self.diffs = {}
        self.known = defaultdict(set)  # per kind: the connection ids this run knows exist (the overlap check)
        self.created = []
        self._lock = threading.Lock()

    # -- reading -------------------------------------------------------------------------------
    def _needs(self):
        present = [e for e in self.entries if e.state == 'present']
        jobs = dict((kind, ENDPOINTS[kind]) for kind in KINDS)
        for kind, children in CHILDREN.items():
            if self.prune_tags or any(e.kind == kind for e in self.entries):
                jobs[children.option] = children.path
        if any(e.scope_params('outbound').get('outbound_voice_profile') for e in present):
            jobs['profiles'] = OVP_PATH
        return jobs

    def read(self):
        """Every collection the entries need, read once (all pages), the collections in parallel."""
        jobs = self._needs()
        with ThreadPoolExecutor(max_workers=min(self.workers, len(jobs))) as pool:
            futures = dict((key, pool.submit(self.client.list, path)) for key, path in jobs.items())
            data = dict((key, future.result()) for key, future in futures.items())
        for kind in KINDS:
            for obj in data[kind]:
                self.named[obj.get('connection_name')].append(obj)
                self.known[kind].add(obj.get('id'))
        for kind, children in CHILDREN.items():
            grouped = defaultdict(list)
            for item in data.get(children.option, []):
                grouped[item.get('connection_id')].append(item)
            self.children[kind] = grouped
        for profile in data.get('profiles', []):
            self.profiles[profile.get('name')].append(profile['id'])
            self.profile_ids.add(profile['id'])
        return data

    # -- running -------------------------------------------------------------------------------
    def prune_candidates(self):
        """Connections carrying every prune tag whose name is not listed (never an untagged one)."""
        if not self.prune_tags:
            return []
        listed = set(e.name for e in self.entries)
        wanted = set(self.prune_tags)
        out = []
        for name, objs in self.named.items():
            if name in listed:
                continue
            out.extend(o for o in objs if o.get('tags') and wanted.issubset(set(o.get('tags') or [])))
        return sorted(out, key=lambda o: (o.get('connection_name') or '', o.get('id')))

    def run(self):
        """Results (one per entry in order, then one per pruned connection).

        First pass: every update, delete and create POST. Then the overlap check's listing, and a second pass
        that finishes each new connection (``finish``); its result is the same dict, completed.
        """
        tasks = [(self.reconcile, e, {}) for e in self.entries] + [(self.prune, o, {}) for o in self.prune_candidates()]
        results = self._pool(tasks)
        if self.created:
            self.list_after_creates()
            self._pool([(self.finish, created, created.result) for created in self.created])
        return results

    def _pool(self, tasks):
        if not tasks:
            return []
        with ThreadPoolExecutor(max_workers=min(self.workers, len(tasks))) as pool:
            return list(pool.map(self._guarded, tasks))

    @staticmethod
    def _guarded(task):
        func, item, result = task
        secrets = getattr(item, 'entry', item)
        try:
            func(item, result)
        except (EntryError, TelnyxError) as err:
            result.update(status='failed', error=_scrub(str(err), secrets))
        except Exception as err:  # pylint: disable=broad-except
            result.update(status='failed', error=_scrub('%s: %s' % (type(err).__name__, err), secrets))
        return result

    def _note(self, kind, add=None, remove=None):
        with self._lock:
            if add is not None:
                self.known[kind].add(add)
            self.known[kind].discard(remove)

    def _existing(self, entry):
        found = self.named.get(entry.name, [])
        if len(found) > 1:
            raise EntryError('%d connections are named %r: %s; rename or delete all but one (never guessed)' % (
                len(found), entry.name, ', '.join('%s (%s)' % (o.get('id'), _runner.kind_of(o)) for o in found)))
        return found[0] if found else None

    def reconcile(self, entry, result):
        result.update(name=entry.name, type=entry.kind, state=entry.state, id=None, changes=[])
        obj = self._existing(entry)
        if entry.state == 'absent':
            return self._absent(entry, obj, result)
        if obj is not None and _runner.kind_of(obj) != entry.kind:
            raise EntryError(_runner.type_change_problem(entry.name, obj, entry.kind))
        scopes = [(scope, prefix, entry.scope_params(key)) for scope, prefix, key in SCOPES]
        self._resolve_profile(scopes[2][2])
        if obj is None:
            return self._create(entry, scopes, result)
        return self._update(entry, obj, scopes, result)

    def _resolve_profile(self, outbound):
        value = outbound.get('outbound_voice_profile')
        if value is None:
            return
        found, problem = _runner.profile_choice(value, self.profiles.get(value, []), lambda ident: ident in self.profile_ids)
        if problem:
            raise EntryError('outbound.' + problem)
        outbound['outbound_voice_profile'] = found

    def _create(self, entry, scopes, result):
        kind = entry.kind
        conn = scopes[0][2]
        problems = _runner.create_problems(kind, entry.name, conn)
        if problems:
            raise EntryError('; '.join(problems))
        body, problems = _runner.plan_create(kind, scopes)
        if problems:
            raise EntryError('; '.join(problems))
        children = CHILDREN.get(kind)
        wanted = conn.get(children.option) if children else None
        result.update(status='created')
        obj = _settings.apply_patch({'record_type': _runner.record_type(kind)}, body)
        if self.check_mode:
            if wanted is not None:
                obj[children.option] = wanted
            result['sip_uri'] = _runner.sip_uri(obj, entry.region, kind)
            self._record_diff(entry, scopes, None, obj, None)
            return
        try:
            obj, auth = _runner.create_connection(self.client, kind, entry.name, body)
        except TelnyxError as err:
            self._adopt_after_refusal(entry, scopes, err, result)
            return
        result['id'] = obj.get('id')
        self._note(kind, add=obj.get('id'))
        with self._lock:
            self.created.append(_Created(entry, scopes, obj, result, wanted, auth))

    def list_after_creates(self):
        """The overlap check's reading: each kind with new connections listed once, after every create.

        Two runs that both read a name as absent both create it (Telnyx has no idempotency keys). Each run
        lists the name after its own create: the run whose copy is not the oldest sees the older one (it
        existed before that create) and gives way (``finish``), so one copy is left whatever the timing.

        One listing of the kind serves all its new names when it shows exactly the connections this run
        knows of (read at the start, created, adopted, less those it deleted) and every page counted that
        many: then no other copy exists. Otherwise another run is at work (a copy of its own is listed, or
        the collection changed between two pages, which can make a paged listing skip an item), so each new
        name is listed on its own in ``finish`` (``filter[connection_name]``), as a failed listing does too.
        """
        for kind in sorted(set(created.entry.kind for created in self.created)):
            totals = []
            try:
                listing = self.client.list(ENDPOINTS[kind], totals=totals)
            except TelnyxError:
                continue
            known = self.known[kind]
            ids = [obj.get('id') for obj in listing]
            if set(totals) != set([len(known)]) or len(ids) != len(known) or set(ids) != known:
                continue
            named = defaultdict(list)
            for obj in listing:
                named[obj.get('connection_name')].append(obj)
            for created in self.created:
                if created.entry.kind == kind:
                    created.copies = named.get(created.entry.name, [])

    def finish(self, created, result):
        """Second pass for a new connection: give way to an older copy, or add its IPs/FQDNs and default ids."""
        entry, scopes, own = created.entry, created.scopes, created.obj
        copies = created.copies
        if copies is None:
            copies = self.client.find_connections(entry.kind, entry.name)
        kept = _runner.older_copy(copies, own)
        if kept is not None:
            self._keep_older_copy(entry, scopes, own, kept, result)
            return
        obj = own
        if created.wanted is not None or created.auth:
            obj = _runner.write_connection(self.client, entry.kind, own, {_settings.FQDN_AUTH: created.auth} if created.auth else {},
                                           CHILDREN.get(entry.kind), [], created.wanted)
        result['sip_uri'] = _runner.sip_uri(obj, entry.region, entry.kind)
        self._record_diff(entry, scopes, None, obj, None)

    def _keep_older_copy(self, entry, scopes, own, kept, result):
        """Delete the copy this run just created (before any IP/FQDN of its own) and reconcile the kept one."""
        self.client.delete('%s/%s' % (ENDPOINTS[entry.kind], own['id']))
        result.update(duplicate_removed=own.get('id'))
        self._adopt(entry, scopes, kept, result)

    def _adopt_after_refusal(self, entry, scopes, err, result):
        """A create refused with 422 (e.g. ``user_name ... has already been taken``) while an overlapping run
        created the name meanwhile: reconcile that connection like an existing one; otherwise the error stands."""
        copies = self.client.find_connections(entry.kind, entry.name) if err.status == 422 else []
        if not copies:
            raise err
        self._adopt(entry, scopes, min(copies, key=_runner.age_key), result)

    def _adopt(self, entry, scopes, kept, result):
        """Reconcile ``kept`` (made by another run) like a connection read at the start (its IPs/FQDNs read now)."""
        self._note(entry.kind, add=kept.get('id'))
        children = CHILDREN.get(entry.kind)
        if children is not None and scopes[0][2].get(children.option) is not None:
            self.children[entry.kind][kept['id']] = self.client.list(children.path, {'filter[connection_id]': kept['id']})
        self._update(entry, kept, scopes, result)

    def _update(self, entry, obj, scopes, result):
        kind = entry.kind
        result.update(id=obj.get('id'), sip_uri=_runner.sip_uri(obj, entry.region, kind))
        children = CHILDREN.get(kind)
        obj, current, wanted = _runner.with_children(kind, obj, self.children.get(kind, {}).get(obj['id'], []), scopes[0][2])
        scopes[0] = (scopes[0][0], scopes[0][1], _runner.compared(scopes[0][2]))
        if _runner.needs_fqdn_auth(kind, scopes[0][2]):
            obj = _runner.with_fqdn_auth(self.client, obj)
            result['sip_uri'] = _runner.sip_uri(obj, entry.region, kind)
        changes, body, after, problems = _runner.plan_update(kind, obj, scopes)
        if problems:
            raise EntryError('; '.join(problems))
        result['changes'] = changes
        if not changes:
            result['status'] = 'unchanged'
            return
        result['status'] = 'updated'
        if wanted is not None:
            after[children.option] = wanted
        self._record_diff(entry, scopes, obj, after, changes)
        if self.check_mode:
            return
        resync = wanted if wanted is not None and children.option in changes else None
        _runner.write_connection(self.client, kind, obj, body, children, current, resync)

    def _delete(self, obj, result):
        """Delete a connection (its IPs/FQDNs first, as read)."""
        kind = _runner.kind_of(obj)
        result.update(status='deleted', id=obj.get('id'), type=kind)
        if self.want_diff:
            self.diffs[obj.get('connection_name')] = ({'id': obj.get('id'), 'type': kind}, None)
        if self.check_mode:
            return
        children = CHILDREN.get(kind)
        if children is not None:
            for item in self.children.get(kind, {}).get(obj['id'], []):
                self.client.delete('%s/%s' % (children.path, item['id']))
        self.client.delete('%s/%s' % (ENDPOINTS[kind], obj['id']))
        self._note(kind, remove=obj['id'])

    def _absent(self, entry, obj, result):
        if obj is None:
            result['status'] = 'absent'
            return
        if entry.kind and _runner.kind_of(obj) != entry.kind:
            raise EntryError('is a %s connection (id %s), not %s; nothing deleted' % (_runner.kind_of(obj), obj.get('id'), entry.kind))
        self._delete(obj, result)

    def prune(self, obj, result):
        result.update(name=obj.get('connection_name'), state='absent', changes=[], pruned=True)
        self._delete(obj, result)

    # -- diff ----------------------------------------------------------------------------------
    def _record_diff(self, entry, scopes, before_obj, after_obj, changes):
        """Keep the entry's before/after views (the changed options only for an update), secrets masked."""
        if not self.want_diff:
            return
        before, after = {}, {}
        for scope, prefix, params in scopes:
            keep = None if changes is None else set(c[len(prefix):] for c in changes if c.startswith(prefix) and '.' not in c[len(prefix):])
            old = _settings.from_api(scope, entry.kind, before_obj, params) if before_obj is not None else {}
            new = _settings.from_api(scope, entry.kind, after_obj, params)
            views = _runner.diff_views(_only(old, keep), _only(new, keep), _settings.secret_options(scope))
            for side, view in ((before, views['before']), (after, views['after'])):
                if view:
                    side.update(view if not prefix else {prefix[:-1]: view})
        self.diffs[entry.name] = (before if before_obj is not None else None, after)


def secrets_of(entry):
    """The secret values (password, token) an entry holds."""
    params = entry.params if isinstance(entry, Entry) else {}
    return [params[o] for o in _settings.secret_options('connection') if params.get(o)]


def _scrub(text, item):
    """``text`` with the secrets of ``item`` (an Entry, or an API object) masked."""
    for secret in secrets_of(item) + [item.get(f) for f in _runner.SECRET_FIELDS if isinstance(item, dict) and item.get(f)]:
        text = text.replace(secret, _runner.MASK)
    return text


def redacted_invocation(params, entries):
    """The module's arguments with every entry's secrets masked (Ansible returns them as ``invocation``)."""
    args = dict(params)
    secret_options = _settings.secret_options('connection')
    args['connections'] = [dict(e.params, **dict((o, _runner.REDACTED) for o in secret_options if e.params.get(o)))
                           for e in entries]
    args.pop('api_key', None)
    return {'module_args': args}


def _only(view, keep):
    return dict(view) if keep is None else dict((k, v) for k, v in view.items() if k in keep)


def summarise(results):
    """Counts per status, and the failures as one message (or None)."""
    counts = Counter(r.get('status') for r in results)
    summary = dict((status, counts.get(status, 0)) for status in STATUSES)
    failures = ['%s: %s' % (r.get('name'), r.get('error')) for r in results if r.get('status') == 'failed']
    msg = None
    if failures:
        msg = '%d of %d connections failed: %s' % (len(failures), len(results), '; '.join(failures))
    return summary, msg


def diff_result(diffs):
    """Ansible's ``diff`` for the run: per connection name, the before and after views (only what changes)."""
    before, after = {}, {}
    for name in sorted(diffs):
        old, new = diffs[name]
        if old is not None:
            before[name] = old
        if new is not None:
            after[name] = new
    return {'before': before, 'after': after}

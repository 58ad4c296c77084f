# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one write engine of byoc.carrier (private): sip_connections runs it on its list of entries, sip_connection,
sip_inbound and sip_outbound on a one-entry list (``Entry.one``, through ``_runner.SettingsRun``).

The way the account is read is the one thing that differs, a read strategy handed to ``Reconciler``:
``AccountRead`` (every collection once, sip_connections) or ``NamedRead`` (the entry's connection by its exact name,
its IPs/FQDNs only when the entry manages them, the voice profile by name: a single trunk stays a handful of
requests). Planning, writing, check mode, the type-change and create rules are the same code for both.

One call of sip_connections reconciles a whole list of connections:

1. ``validate_entries(raw)``: every entry checked before any request (Ansible types and choices per entry,
   then the settings table's rules per scope and kind), every problem at once, each naming the entry and
   the option; duplicate names refused.
2. ``Reconciler.read()``: each connection kind, ``/ips``, ``/fqdns`` and the outbound voice profiles read
   once (250 a page: the first page, then the other pages at once), the collections in parallel.
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

Every delete (an entry with ``state: absent``, a pruned connection) first asks Telnyx for the connection's calls in
progress (``_runner.active_calls``); with calls it fails that connection, naming it and the count, and writes nothing
for it (in check mode too), unless ``delete_with_active_calls``. Telnyx lists the calls only of connections with a
webhook URL (``_runner.lists_active_calls``); the others are deleted without asking and named in one warning of the run.
"""

from __future__ import annotations

import re
import threading
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.byoc.carrier.plugins.module_utils import _common, _runner, _settings, _trunk
from ansible_collections.byoc.carrier.plugins.module_utils._client import TelnyxError

KINDS = _settings.KINDS
ENDPOINTS = _runner.ENDPOINTS
CHILDREN = _runner.CHILDREN
# (scope, prefix of its options in results, key of its options in an entry: None = the entry itself)
SCOPES = (('connection', '', None), ('inbound', 'inbound.', 'inbound'), ('outbound', 'outbound.', 'outbound'))
OVP_PATH = _runner.OVP_PATH
STATUSES = ('created', 'updated', 'unchanged', 'deleted', 'absent', 'failed')
CHANGED_STATUSES = ('created', 'updated', 'deleted')
DEFAULT_WORKERS = 64  # the ceiling of requests in flight; the client's Concurrency adapts below it


class EntryError(Exception):
    """A problem that fails one entry (the others go on). ``problems``: the option problems it joins (None: a rule of
    the run, e.g. a duplicate name); ``fields``: what a one-entry caller reports with it (e.g. ``ids``)."""

    def __init__(self, msg, problems=None, **fields):
        super().__init__(msg)
        self.problems = problems
        self.fields = fields


def _problems_error(problems):
    """The EntryError of option problems (a one-entry caller reports them as the module's ``problems``)."""
    return EntryError('; '.join(problems), problems=problems)


def entry_spec():
    """The argument spec of one ``connections`` entry: sip_connection's options plus inbound/outbound dicts."""
    spec = _runner.settings_argument_spec('connection')
    for scope, dummy, key in SCOPES[1:]:
        spec[key] = dict(type='dict', options=_settings.argument_spec(scope))
    return spec


class Entry:
    """One declared connection, validated.

    ``scopes``: the (scope, prefix in results, key of its options) it manages; every scope for a ``connections``
    entry, one for a singular module's entry (``Entry.one``). ``outcome``: the objects before and after the run,
    the options planned with and whether a write happened (the singular modules shape their result from it).
    """

    def __init__(self, index, params, scopes=SCOPES):
        self.index = index
        self.params = params
        self.scopes = scopes
        self.name = params['name']
        self.kind = params.get('type')
        self.state = params.get('state') or 'present'
        self.region = params.get('region') or 'com'
        self.label = 'connections[%d] (%s)' % (index, self.name)
        self.outcome = {}

    @classmethod
    def one(cls, scope, params):
        """The one entry of sip_connection (``connection``), sip_inbound or sip_outbound: only that scope, its
        options the module's; a tab's entry names the connection it changes and takes its kind from the read."""
        params = dict(params)
        if scope != 'connection':
            params.update(name=params['connection'], type=None, state='present')
        return cls(0, params, scopes=((scope, '', None),))

    def manages(self, scope):
        """Whether the entry holds the options of ``scope``."""
        return any(s == scope for s, dummy, dummy2 in self.scopes)

    def scope_params(self, key):
        """The options of one scope (the entry's top level for ``connection``); a fresh dict."""
        if key is None:
            return _settings.canonical('connection', dict((k, v) for k, v in self.params.items() if k not in ('inbound', 'outbound')))
        return _settings.canonical(key, self.params.get(key) or {})

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
    """An entry with each option given as null turned into what "unset" means for it (``_settings.unset_value``):
    ``""`` for a clearable option (sent as Telnyx's empty value), Telnyx's own default for an option Telnyx has no
    empty value for (e.g. ``dtmf_type``: RFC 2833); an option that cannot be unset stays null (left as it is).

    An entry is a dict, so a key given as null is told from a missing key (a module option cannot tell them apart:
    there ``""`` clears)."""
    out = dict(raw)
    for scope, dummy, key in SCOPES:
        tab = out if key is None else out.get(key)
        if not isinstance(tab, dict):
            continue
        cleared = _settings.unset_params(scope, raw.get('type'), tab)
        if key is None:
            out.update(cleared)
        else:
            out[key] = cleared
    return out


def _typed_blanks(raw, back=None):
    """The clearable non-string options an entry unsets (``""``, e.g. ``channel_limit``) as null for Ansible's type
    check (``back=None``: returns the entry so changed), or put back as ``""`` into the validated ``back``."""
    out = dict(raw if back is None else back)
    for scope, dummy, key in SCOPES:
        tab = raw if key is None else raw.get(key)
        if not isinstance(tab, dict):
            continue
        blanks = [s.option for s in _settings.settings(scope) if s.clearable and s.type != 'str' and tab.get(s.option) == '']
        if not blanks:
            continue
        target = out if key is None else dict(out.get(key) or {})
        target.update((option, None if back is None else '') for option in blanks)
        if key is not None:
            out[key] = target
    return out


# options whose value Telnyx takes once across all connections (a second connection with it is refused): two entries
# giving the same value fail before any request
GLOBALLY_UNIQUE = {
    'username': 'Telnyx takes a SIP user name once across all connections',
    # Telnyx's IP authentication token guide: "globally unique across all Telnyx connections"
    'token': 'Telnyx takes an IP authentication token once across all connections',
}


def validate_entries(raw_entries):
    """(entries, problems, secret values) for the ``connections`` option; problems name entry and option."""
    # Ansible's own validation per entry: types, defaults, unknown options, required, no_log values
    # (the table's voluptuous schemas are compiled once per scope by _settings itself)
    validator = ArgumentSpecValidator(_without_choices(entry_spec()))
    entries, problems, secrets = [], [], set()
    seen, taken = defaultdict(list), defaultdict(list)
    for index, raw in enumerate(raw_entries or []):
        if not isinstance(raw, dict):
            problems.append('connections[%d]: must be a dict, got %s' % (index, type(raw).__name__))
            continue
        raw = nulls_clear(raw)
        blank = not str(raw.get('name') or '').strip()
        label = 'connections[%d]' % index + ('' if blank else ' (%s)' % raw['name'])
        result = validator.validate(_typed_blanks(raw))  # works on its own copy
        secrets.update(result._no_log_values)  # pylint: disable=protected-access
        problems.extend('%s: %s' % (label, msg) for msg in _common.unsupported_problems(result) + result.error_messages)
        if blank:
            if 'name' in raw:  # a missing name is reported by the validator (required)
                problems.append('%s: name: must not be empty' % label)
            continue
        entry = Entry(index, _typed_blanks(raw, result.validated_parameters))
        problems.extend('%s: %s' % (entry.label, p) for p in entry.problems())
        seen[entry.name].append(index)
        if entry.state == 'present':
            for option in GLOBALLY_UNIQUE:
                if entry.params.get(option):
                    taken[(option, entry.params[option])].append(index)
        entries.append(entry)
    for name, indexes in seen.items():
        if len(indexes) > 1:
            problems.append('connections[%s]: the name %r is listed %d times; each connection must be listed once'
                            % (', '.join(str(i) for i in indexes), name, len(indexes)))
    for (option, dummy), indexes in taken.items():  # the value may be a secret: never shown
        if len(indexes) > 1:
            problems.append('connections[%s]: %s: the same value is given %d times; %s'
                            % (', '.join(str(i) for i in indexes), option, len(indexes), GLOBALLY_UNIQUE[option]))
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


def list_children(client, kind, obj):
    """The IPs/FQDNs of the connection ``obj`` of ``kind``, listed now (one listing by ``filter[connection_id]``)."""
    return client.list(CHILDREN[kind].path, {'filter[connection_id]': obj['id']})


class AccountRead:
    """The read strategy of ``sip_connections``: every collection the entries need, read once (all pages), the
    collections in parallel; then every lookup is answered from what was read."""

    overlap_check = True  # creates are checked against overlapping runs (``Reconciler.list_after_creates``)

    def __init__(self):
        self.named = defaultdict(list)
        self.children = {}
        self.profiles = defaultdict(list)
        self.profile_ids = set()

    @staticmethod
    def _needs(rec):
        present = [e for e in rec.entries if e.state == 'present']
        jobs = dict((kind, ENDPOINTS[kind]) for kind in KINDS)
        for kind, children in CHILDREN.items():
            if rec.prune_tags or any(e.kind == kind for e in rec.entries):
                jobs[children.option] = children.path
        if any(e.scope_params('outbound').get('outbound_voice_profile') for e in present):
            jobs['profiles'] = OVP_PATH
        return jobs

    def read(self, rec):
        """Read for the Reconciler ``rec``; its ``known`` ids get every connection read."""
        jobs = self._needs(rec)
        # the collections at once, and each collection's pages after its first at once (the client's gate keeps the
        # requests in flight to what the rate limit and the round trip call for)
        with ThreadPoolExecutor(max_workers=min(rec.workers, len(jobs))) as pool, ThreadPoolExecutor(max_workers=rec.workers) as pages:
            futures = dict((key, pool.submit(rec.client.list_parallel, path, None, pages)) for key, path in jobs.items())
            data = dict((key, future.result()) for key, future in futures.items())
        for kind in KINDS:
            for obj in data[kind]:
                self.named[obj.get('connection_name')].append(obj)
                rec.known[kind].add(obj.get('id'))
        for kind, children in CHILDREN.items():
            grouped = defaultdict(list)
            for item in data.get(children.option, []):
                grouped[item.get('connection_id')].append(item)
            self.children[kind] = grouped
        for profile in data.get('profiles', []):
            self.profiles[profile.get('name')].append(profile['id'])
            self.profile_ids.add(profile['id'])
        return data

    def existing(self, client, entry):  # pylint: disable=unused-argument
        """The connection named like the entry (any kind), or None; several fail the entry listing their ids."""
        found = self.named.get(entry.name, [])
        if len(found) > 1:
            raise EntryError('%d connections are named %r: %s; rename or delete all but one (never guessed)' % (
                len(found), entry.name, ', '.join('%s (%s)' % (o.get('id'), _runner.kind_of(o)) for o in found)),
                ids=[o.get('id') for o in found])
        return found[0] if found else None

    def children_of(self, client, kind, obj):  # pylint: disable=unused-argument
        """The IPs/FQDNs of ``obj`` as read."""
        return self.children.get(kind, {}).get(obj['id'], [])

    def profile(self, client, value, obj):  # pylint: disable=unused-argument
        """(ids of the profiles named ``value``, whether an id is a profile's) for ``_runner.profile_choice``."""
        return self.profiles.get(value, []), lambda ident: ident in self.profile_ids

    def prune_candidates(self, entries, tags):
        """Connections carrying every prune tag whose name is not listed (never an untagged one)."""
        if not tags:
            return []
        listed = set(e.name for e in entries)
        wanted = set(tags)
        out = []
        for name, objs in self.named.items():
            if name in listed:
                continue
            out.extend(o for o in objs if o.get('tags') and wanted.issubset(set(o.get('tags') or [])))
        return sorted(out, key=lambda o: (o.get('connection_name') or '', o.get('id')))


class NamedRead:
    """The read strategy of a one-entry run (sip_connection, sip_inbound, sip_outbound): nothing up front; the
    entry's connection found by its exact name (of the entry's kind, then of any kind for the type-change rule),
    its IPs/FQDNs only when the entry manages them, the voice profile by its name. A single trunk stays a handful
    of requests; no listing of the whole account."""

    overlap_check = False  # a one-entry create makes no extra listing (as before the one engine)

    def read(self, rec):  # pylint: disable=unused-argument
        """Nothing is read up front."""
        return {}

    @staticmethod
    def _one(client, name, kind, full=True):
        obj, problem, ids = _runner.one_connection(client, name, kind, full)
        if problem:
            raise EntryError(problem, ids=ids)
        return obj

    def existing(self, client, entry):
        """The connection named like the entry: of its kind (the full object when the kind comes from the read); a
        present entry's name found with another kind only is returned too (refused by the type-change rule)."""
        if entry.state == 'absent' or entry.kind is None:
            return self._one(client, entry.name, entry.kind or 'any')
        obj = self._one(client, entry.name, entry.kind)
        if obj is None:
            obj = self._one(client, entry.name, 'any', full=False)
        return obj

    def children_of(self, client, kind, obj):
        """The IPs/FQDNs of ``obj`` (one listing by ``filter[connection_id]``)."""
        return list_children(client, kind, obj)

    def profile(self, client, value, obj):
        """(ids of the profiles named ``value``, whether an id is a profile's); the connection's own profile id
        needs no lookup."""
        if value == (obj or {}).get('outbound', {}).get('outbound_voice_profile_id'):
            return [value], None
        named = [o['id'] for o in _runner.list_named(client, OVP_PATH, value)]

        def exists(ident):
            return bool(_ID_RE.match(ident)) and client.get('%s/%s' % (OVP_PATH, ident), missing_ok=True) is not None
        return named, exists

    def prune_candidates(self, entries, tags):  # pylint: disable=unused-argument
        """A one-entry run never prunes."""
        return []


_ID_RE = re.compile(r'^([0-9]+|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$')


class Reconciler:
    """The one write engine: reads (``reader``: ``AccountRead`` by default, ``NamedRead`` for a one-entry run),
    then plans and writes every entry (and prunes) through a worker pool.

    ``one_entry``: the run of a singular module: an entry's error is raised to the caller (not collected in its
    result), and in check mode a voice profile that does not exist yet is a warning (``warnings``), as an earlier
    task of the play may create it.
    """

    def __init__(self, client, entries, check_mode=False, workers=DEFAULT_WORKERS, prune_tags=None, want_diff=False,
                 reader=None, one_entry=False, report_tags=None, delete_with_active_calls=False):
        self.client = client
        self.entries = entries
        self.check_mode = check_mode
        self.workers = max(1, int(workers or DEFAULT_WORKERS))
        self.prune_tags = list(prune_tags or [])
        self.report_tags = list(report_tags or [])  # without pruning: the tagged connections no entry lists, reported
        self.want_diff = want_diff
        self.reader = reader or AccountRead()
        self.one_entry = one_entry
        self.delete_with_active_calls = bool(delete_with_active_calls)
        self.warnings = []
        self.calls_unknown = []  # connections deleted (or to delete) whose calls in progress Telnyx does not list
        self.diffs = {}
        self.known = defaultdict(set)  # per kind: the connection ids this run knows exist (the overlap check)
        self.created = []
        self._results = []
        self._lock = threading.Lock()

    # -- reading -------------------------------------------------------------------------------
    def read(self):
        """The read strategy's reading up front (``AccountRead``: every collection the entries need, once)."""
        return self.reader.read(self)

    # -- running -------------------------------------------------------------------------------
    def prune_candidates(self):
        """Connections carrying every prune tag whose name is not listed (never an untagged one)."""
        return self.reader.prune_candidates(self.entries, self.prune_tags)

    def unmanaged(self):
        """The connections carrying every one of ``report_tags`` that no entry lists (unmanaged copies), reported and
        never changed: [{name, id, type, tags, updated_at}] sorted by name."""
        return [{'name': o.get('connection_name'), 'id': o.get('id'), 'type': _runner.kind_of(o), 'tags': sorted(o.get('tags') or []),
                 'updated_at': o.get('updated_at')}
                for o in self.reader.prune_candidates(self.entries, self.report_tags)]

    def run(self):
        """Results (one per entry in order, then one per pruned connection).

        First pass: every update, delete and create POST. Then the overlap check's listing, and a second pass
        that finishes each new connection (``finish``); its result is the same dict, completed.
        """
        tasks = [(self.reconcile, e, {}) for e in self.entries] + [(self.prune, o, {}) for o in self.prune_candidates()]
        self._results = [result for dummy, dummy2, result in tasks]
        results = self._pool(tasks)
        if self.created:
            if self.reader.overlap_check:
                self.list_after_creates()
            self._pool([(self.finish, created, created.result) for created in self.created])
        if self.calls_unknown:
            self.warnings.append(_runner.calls_unknown_warning(self.calls_unknown))
        return results

    def results_so_far(self, index):
        """The result of entry ``index`` as it is now (after a one-entry run raised: what it did before)."""
        return self._results[index] if index < len(self._results) else {}

    def _pool(self, tasks):
        """Run the tasks on ``workers`` threads, each taking the next task when done with one; results in task order.

        (Plain threads pulling from one counter: a ThreadPoolExecutor's future per task cost 0.5 s of CPU more for
        10,000 entries. A task's exception, which only a one-entry run lets through, is raised here.)"""
        if not tasks:
            return []
        if len(tasks) == 1:
            return [self._guarded(tasks[0])]
        results = [None] * len(tasks)
        errors = {}
        feed = iter(range(len(tasks)))
        lock = threading.Lock()

        def work():
            while True:
                with lock:
                    index = next(feed, None)
                if index is None:
                    return
                try:
                    results[index] = self._guarded(tasks[index])
                except Exception as err:  # pylint: disable=broad-except
                    errors[index] = err

        threads = [threading.Thread(target=work) for dummy in range(min(self.workers, len(tasks)))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            raise errors[min(errors)]
        return results

    def _guarded(self, task):
        func, item, result = task
        secrets = getattr(item, 'entry', item)
        try:
            func(item, result)
        except (EntryError, TelnyxError) as err:
            if self.one_entry:
                raise
            result.update(status='failed', error=_scrub(str(err), secrets))
        except Exception as err:  # pylint: disable=broad-except
            if self.one_entry:
                raise
            result.update(status='failed', error=_scrub('%s: %s' % (type(err).__name__, err), secrets))
        return result

    def _note(self, kind, add=None, remove=None):
        with self._lock:
            if add is not None:
                self.known[kind].add(add)
            self.known[kind].discard(remove)

    @staticmethod
    def _wrote(entry):
        """A callable noting that a write of ``entry`` succeeded (a later failure of a one-entry run reports changed)."""
        def wrote():
            entry.outcome['wrote'] = True
        return wrote

    def reconcile(self, entry, result):
        result.update(name=entry.name, type=entry.kind, state=entry.state, id=None, changes=[])
        obj = self.reader.existing(self.client, entry)
        if entry.state == 'absent':
            return self._absent(entry, obj, result)
        if obj is None and not entry.manages('connection'):
            if self.check_mode:  # an earlier task of the play creates it in a real run
                result['status'] = 'missing'
                return None
            raise EntryError('Connection %r does not exist; create it first with byoc.carrier.sip_connection.' % entry.name)
        scopes = [(scope, prefix, entry.scope_params(key)) for scope, prefix, key in entry.scopes]
        if entry.kind is None:  # a tab's entry: the kind is the connection's, its options checked for that kind
            entry.kind = result['type'] = _runner.kind_of(obj)
            problems = [p for scope, dummy, params in scopes for p in _settings.validate(scope, entry.kind, params)]
            if problems:
                raise _problems_error(problems)
        if obj is not None and _runner.kind_of(obj) != entry.kind:
            raise EntryError(_runner.type_change_problem(entry.name, obj, entry.kind))
        self._resolve_profile(scopes, obj)
        entry.outcome['scopes'] = scopes
        if obj is None:
            return self._create(entry, scopes, result)
        return self._update(entry, obj, scopes, result)

    def _resolve_profile(self, scopes, obj):
        for scope, prefix, params in scopes:
            value = params.get('outbound_voice_profile') if scope == 'outbound' else None
            if value is None:
                continue
            named, exists = self.reader.profile(self.client, value, obj)
            found, problem = _runner.profile_choice(value, named, exists)
            if problem and self.one_entry and self.check_mode and not named:
                self.warnings.append('outbound_voice_profile %r does not exist (yet); a real run fails unless it is created first.' % value)
                continue
            if problem:
                raise EntryError(prefix + problem, ids=named)
            params['outbound_voice_profile'] = found

    def _create(self, entry, scopes, result):
        kind = entry.kind
        conn = _scope(scopes, 'connection')
        problems = _runner.create_problems(kind, entry.name, conn)
        if problems:
            raise EntryError('; '.join(problems))
        body, problems = _runner.plan_create(kind, scopes)
        if problems:
            raise _problems_error(problems)
        children = CHILDREN.get(kind)
        wanted = conn.get(children.option) if children else None
        result.update(status='created')
        obj = _settings.apply_patch({'record_type': _runner.record_type(kind)}, body)
        if self.check_mode:
            if wanted is not None:
                obj[children.option] = wanted
            result['sip_uri'] = _runner.sip_uri(obj, entry.region, kind)
            entry.outcome['after'] = obj
            self._record_diff(entry, scopes, None, obj, None)
            return
        try:
            obj, auth = _runner.create_connection(self.client, kind, entry.name, body)
        except TelnyxError as err:
            if not self.reader.overlap_check:
                raise
            self._adopt_after_refusal(entry, scopes, err, result)
            return
        entry.outcome.update(after=obj, wrote=True)
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
        """Second pass for a new connection: give way to an older copy (with the overlap check), or add its
        IPs/FQDNs, default ids and FQDN credentials."""
        entry, scopes, own = created.entry, created.scopes, created.obj
        if self.reader.overlap_check:
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
                                           CHILDREN.get(entry.kind), [], created.wanted, self._wrote(entry))
        entry.outcome['after'] = obj
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
        self._update(entry, kept, scopes, result, fresh=True)

    def _update(self, entry, obj, scopes, result, fresh=False):
        """Plan an existing connection against the entry and write the differences (``fresh``: its IPs/FQDNs
        listed now, not taken from the read strategy)."""
        kind = entry.kind
        result.update(id=obj.get('id'), sip_uri=_runner.sip_uri(obj, entry.region, kind))
        if obj.get('updated_at'):
            result['updated_at'] = obj['updated_at']
        scopes[:] = [(scope, prefix, _runner.compared(params) if scope == 'connection' else params) for scope, prefix, params in scopes]
        conn = _scope(scopes, 'connection')
        if _runner.needs_fqdn_auth(kind, conn):
            obj = _runner.with_fqdn_auth(self.client, obj)
            result['sip_uri'] = _runner.sip_uri(obj, entry.region, kind)
        children = CHILDREN.get(kind)
        items = []
        if children is not None and conn.get(children.option) is not None:
            items = list_children(self.client, kind, obj) if fresh else self.reader.children_of(self.client, kind, obj)
        obj, current, wanted = _runner.with_children(kind, obj, items, conn)
        entry.outcome['before'] = obj
        changes, body, after, problems = _runner.plan_update(kind, obj, scopes)
        if problems:
            raise _problems_error(problems)
        result['changes'] = changes
        entry.outcome['changes'] = changes
        if not changes:
            result['status'] = 'unchanged'
            entry.outcome['after'] = obj
            return
        result['status'] = 'updated'
        if wanted is not None:
            after[children.option] = wanted
        entry.outcome['after'] = after
        self._record_diff(entry, scopes, obj, after, changes)
        if self.check_mode:
            return
        resync = wanted if wanted is not None and children.option in changes else None
        entry.outcome['after'] = _runner.write_connection(self.client, kind, obj, body, children, current, resync, self._wrote(entry))

    def _guard_active_calls(self, obj):
        """The active calls guard of every delete: a connection with calls in progress fails (nothing written for it)
        unless ``delete_with_active_calls``; then it is not asked."""
        if self.delete_with_active_calls:
            return
        if not _runner.lists_active_calls(obj):  # Telnyx can't tell: deleted, named in one warning of the run
            with self._lock:
                self.calls_unknown.append(obj.get('connection_name'))
            return
        count = _runner.active_calls(self.client, obj['id'])
        if count:
            raise EntryError(_runner.active_calls_problem(obj, count), active_calls=count)

    def _delete(self, obj, result, entry=None):
        """Delete a connection (its IPs/FQDNs first), after the active calls guard."""
        kind = _runner.kind_of(obj)
        self._guard_active_calls(obj)
        result.update(status='deleted', id=obj.get('id'), type=kind)
        if obj.get('updated_at'):
            result['updated_at'] = obj['updated_at']
        if self.want_diff:
            self.diffs[obj.get('connection_name')] = (deleted_view(kind, obj), None)
        if self.check_mode:
            return
        wrote = self._wrote(entry) if entry is not None else (lambda: None)
        children = CHILDREN.get(kind)
        if children is not None:
            for item in self.reader.children_of(self.client, kind, obj):
                self.client.delete('%s/%s' % (children.path, item['id']))
                wrote()
        self.client.delete('%s/%s' % (ENDPOINTS[kind], obj['id']))
        self._note(kind, remove=obj['id'])

    def _absent(self, entry, obj, result):
        entry.outcome['before'] = obj
        if obj is None:
            result['status'] = 'absent'
            return
        if entry.kind and _runner.kind_of(obj) != entry.kind:
            raise EntryError('is a %s connection (id %s), not %s; nothing deleted' % (_runner.kind_of(obj), obj.get('id'), entry.kind))
        self._delete(obj, result, entry)

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


def deleted_view(kind, obj):
    """The before view of a connection that is deleted: its id and type, and every option of its kind as Telnyx holds
    it (secrets masked), the Inbound/Outbound ones under ``inbound``/``outbound``."""
    view = {'id': obj.get('id'), 'type': kind}
    for scope, prefix, dummy in SCOPES:
        options = dict((k, v) for k, v in _settings.from_api(scope, kind, obj).items() if k not in ('ips', 'fqdns'))
        options = _runner.diff_views(options, {}, _settings.secret_options(scope))['before']
        if prefix:
            view[prefix[:-1]] = options
        else:
            view.update(options)
    return view


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


def _scope(scopes, name):
    """The options of scope ``name`` among an entry's planned scopes ({} when the entry does not manage it)."""
    return next((params for scope, dummy, params in scopes if scope == name), {})


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


def changed_results(results):
    """The results of the connections a run created, updated, deleted (pruned too) or failed on, in order: what a
    fleet's result shows by default (``summary`` counts every status)."""
    shown = CHANGED_STATUSES + ('failed',)
    return [r for r in results if r.get('status') in shown or r.get('duplicate_removed')]


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

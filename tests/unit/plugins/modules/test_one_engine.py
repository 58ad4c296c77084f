# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue #17: one write engine. sip_connection, sip_inbound and sip_outbound are one-entry runs of the Reconciler
(the named read), sip_connections its many-entry run (the account read); there is no second orchestrator."""

from __future__ import annotations

import inspect

import pytest

from ansible_collections.byoc.carrier.plugins.module_utils import _bulk, _runner
from ansible_collections.byoc.carrier.plugins.modules import sip_connection, sip_connections, sip_inbound, sip_outbound
from ansible_collections.byoc.carrier.tests.unit.plugins.fake_api import page
from ansible_collections.byoc.carrier.tests.unit.plugins.modules.module_runner import fixture_api, run_module  # noqa: F401 pylint: disable=unused-import
from ansible_collections.byoc.carrier.tests.unit.plugins.modules.test_sip_connection import cred, cred_args, listing
from ansible_collections.byoc.carrier.tests.unit.plugins.modules.test_sip_connections import CRED, CRED_OBJ, OVPS, account
from ansible_collections.byoc.carrier.tests.unit.plugins.modules.test_sip_inbound import existing


@pytest.fixture(name='engine_calls')
def fixture_engine_calls(monkeypatch):
    """Every call of the one plan/apply method, ``Reconciler.reconcile``: (read strategy, scopes of the entry)."""
    calls = []
    original = _bulk.Reconciler.reconcile

    def spy(self, entry, result):
        calls.append((type(self.reader).__name__, [scope for scope, dummy, dummy2 in entry.scopes]))
        return original(self, entry, result)
    monkeypatch.setattr(_bulk.Reconciler, 'reconcile', spy)
    return calls


def test_sip_connection_is_a_one_entry_run_of_the_reconciler(api, engine_calls):
    api.add('GET', '/credential_connections', json=page([cred()]), params=listing('acme-cred'))
    result = run_module(sip_connection, cred_args(api))
    assert result['changed'] is False
    assert engine_calls == [('NamedRead', ['connection'])]


@pytest.mark.parametrize('module, scope, options', [(sip_inbound, 'inbound', {'no_answer_timeout': 90}),
                                                    (sip_outbound, 'outbound', {'localization': 'US'})])
def test_sip_inbound_and_sip_outbound_are_one_entry_runs_of_the_reconciler(api, engine_calls, module, scope, options):
    existing(api, 'credentials')
    result = run_module(module, api.module_args(connection='acme-1', **options))
    assert result['changed'] is False and len(api.calls) == 2
    assert engine_calls == [('NamedRead', [scope])]


def test_sip_connections_is_the_many_entry_run_of_the_same_reconciler(api, engine_calls):
    account(api, [CRED_OBJ], ovps=OVPS)
    result = run_module(sip_connections, api.module_args(connections=[CRED]))
    assert result['changed'] is False
    assert engine_calls == [('AccountRead', ['connection', 'inbound', 'outbound'])]


def test_there_is_no_second_orchestrator():
    """SettingsRun only adapts: no read, plan or write of its own; every plan/write call lives in the Reconciler."""
    source = inspect.getsource(_runner.SettingsRun)
    for call in ('plan_create(', 'plan_update(', 'write_connection(', 'create_connection(', 'find_connection(', 'one_connection(',
                 'profile_choice(', '.list(', '.patch(', '.delete(', '.create(', 'with_children(', 'with_fqdn_auth('):
        assert call not in source, 'SettingsRun calls %s itself' % call
    assert 'Reconciler(' in source
    for name in ('run_connection', 'run_tab', 'create', 'update', 'delete', 'resolve_profile'):
        assert not hasattr(_runner.SettingsRun, name), name
    ours = [obj for module in (_bulk, _runner) for dummy, obj in inspect.getmembers(module, inspect.isclass) if obj.__module__ == module.__name__]
    planners = [obj.__name__ for obj in ours if 'plan_update(' in inspect.getsource(obj)]
    assert planners == ['Reconciler']


def test_a_one_entry_run_raises_its_error_and_a_many_entry_run_collects_it(api):
    api.add('GET', '/credential_connections', json=page([]), params=listing('acme-cred'))
    api.add('GET', '/connections', json=page([]), params=listing('acme-cred'))
    entry = _bulk.Entry.one('connection', dict(name='acme-cred', type='credentials', state='present', username='acmefra1'))
    with pytest.raises(_bulk.EntryError, match='password: required'):
        _bulk.Reconciler(api.client(), [entry], reader=_bulk.NamedRead(), one_entry=True).run()

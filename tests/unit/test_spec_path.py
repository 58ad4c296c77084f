# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""tests/contract/spec.py finds the Telnyx spec through the path passed explicitly, also where the environment is
stripped (ansible-test units): BYOC_TELNYX_SPEC first, then the path scripts/test writes into its copy
(tests/output/telnyx-spec.path), then a folder beside the repository; without any, loading it fails (no skip).

spec.py is copied into a stand-in collection under tmp_path and loaded from there, so that only the places
made here exist."""

from __future__ import annotations

import importlib.util
import os
import shutil

import pytest

SPEC_PY = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'contract', 'spec.py')
NAME = 'telnyx-sip-connections-subset.json'
TINY = '{"openapi": "3.1.0", "paths": {}, "components": {"schemas": {%s}}}' % ', '.join(
    '"%s": {"properties": {}}' % name for kind in ('Credential', 'Ip', 'Fqdn')
    for name in ('%sConnection' % kind, 'Create%sConnectionRequest' % kind, 'Update%sConnectionRequest' % kind))


@pytest.fixture(name='tree')
def fixture_tree(tmp_path, monkeypatch):
    """tmp_path/repo/tests/contract/spec.py (a copy); returns (tmp_path, loader of that copy)."""
    contract = tmp_path / 'repo' / 'tests' / 'contract'
    contract.mkdir(parents=True)
    shutil.copy(SPEC_PY, contract / 'spec.py')
    monkeypatch.delenv('BYOC_TELNYX_SPEC', raising=False)

    def load():
        loader = importlib.util.spec_from_file_location('byoc_spec_copy', str(contract / 'spec.py'))
        module = importlib.util.module_from_spec(loader)
        loader.loader.exec_module(module)
        return module
    return tmp_path, load


def spec_file(folder, title):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / NAME).write_text(TINY.replace('"3.1.0"', '"3.1.0", "info": {"title": "%s"}' % title))
    return folder / NAME


def test_without_the_spec_loading_it_fails_naming_what_to_set(tree):
    _tmp, load = tree
    spec = load()
    assert spec.spec_path() is None
    with pytest.raises(AssertionError) as info:
        spec.load_spec()
    assert str(info.value) == ('Telnyx OpenAPI spec not found: set BYOC_TELNYX_SPEC or provide ../shared/telnyx-api/%s next to the '
                               'repository' % NAME)


def test_the_path_written_into_the_copy_is_used_without_the_environment(tree):
    tmp_path, load = tree
    written = spec_file(tmp_path / 'elsewhere', 'written')
    (tmp_path / 'repo' / 'tests' / 'output').mkdir()
    (tmp_path / 'repo' / 'tests' / 'output' / 'telnyx-spec.path').write_text('%s\n' % written)
    spec = load()
    assert spec.spec_path() == str(written)
    assert spec.load_spec()['info'] == {'title': 'written'}


def test_the_environment_wins_and_may_name_the_folder(tree, monkeypatch):
    tmp_path, load = tree
    spec_file(tmp_path / 'shared' / 'telnyx-api', 'beside')
    written = spec_file(tmp_path / 'elsewhere', 'written')
    (tmp_path / 'repo' / 'tests' / 'output').mkdir()
    (tmp_path / 'repo' / 'tests' / 'output' / 'telnyx-spec.path').write_text(str(written))
    env = spec_file(tmp_path / 'env', 'env')
    monkeypatch.setenv('BYOC_TELNYX_SPEC', str(env.parent))
    assert load().spec_path() == str(env)
    monkeypatch.setenv('BYOC_TELNYX_SPEC', str(tmp_path / 'nowhere.json'))  # a wrong value falls through to the next place
    assert load().spec_path() == str(written)
    monkeypatch.delenv('BYOC_TELNYX_SPEC')
    (tmp_path / 'repo' / 'tests' / 'output' / 'telnyx-spec.path').unlink()
    assert load().spec_path() == str(tmp_path / 'shared' / 'telnyx-api' / NAME)

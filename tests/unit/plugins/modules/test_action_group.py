# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""meta/runtime.yml's action group ``telnyx`` must list every module, so that
``module_defaults: {group/byoc.carrier.telnyx: ...}`` reaches all of them."""

from __future__ import annotations

import os

import pytest
import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
MODULES_DIR = os.path.join(ROOT, 'plugins', 'modules')
RUNTIME = os.path.join(ROOT, 'meta', 'runtime.yml')


def module_names(directory):
    """Names of the modules shipped in ``directory`` (``foo.py`` -> ``foo``)."""
    return sorted(
        name[:-3] for name in os.listdir(directory)
        if name.endswith('.py') and not name.startswith('_') and name != '__init__.py'
    )


def action_group(runtime_path, group='telnyx'):
    with open(runtime_path, encoding='utf-8') as handle:
        runtime = yaml.safe_load(handle)
    entries = (runtime.get('action_groups') or {}).get(group)
    if entries is None:
        raise AssertionError('%s has no action group %r' % (runtime_path, group))
    # an entry may also be a ``metadata: {extend_group: ...}`` dict; only names count here
    return [entry for entry in entries if isinstance(entry, str)]


def missing_from_group(modules_dir, runtime_path):
    group = set(action_group(runtime_path))
    return [name for name in module_names(modules_dir) if name not in group]


def test_every_module_is_in_the_telnyx_action_group():
    missing = missing_from_group(MODULES_DIR, RUNTIME)
    assert not missing, 'modules missing from action group telnyx in meta/runtime.yml: %s' % ', '.join(missing)


def test_every_group_entry_is_a_module():
    unknown = sorted(set(action_group(RUNTIME)) - set(module_names(MODULES_DIR)))
    assert not unknown, 'action group telnyx lists names that are not modules in plugins/modules: %s' % ', '.join(unknown)


def test_action_group_has_no_duplicates():
    names = action_group(RUNTIME)
    assert len(names) == len(set(names)), names


def test_check_catches_a_missing_module(tmp_path):
    """The check itself: a module file absent from the group is reported by name."""
    modules = tmp_path / 'modules'
    modules.mkdir()
    for name in ('alpha.py', 'beta.py', '__init__.py', '_private.py', 'README.md'):
        (modules / name).write_text('# placeholder\n')
    runtime = tmp_path / 'runtime.yml'
    runtime.write_text('requires_ansible: ">=2.19.0"\naction_groups:\n  telnyx:\n    - alpha\n')
    assert missing_from_group(str(modules), str(runtime)) == ['beta']
    runtime.write_text('action_groups:\n  other: [alpha]\n')
    with pytest.raises(AssertionError, match='no action group'):
        missing_from_group(str(modules), str(runtime))

# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Examples cannot rot (issue #14): every EXAMPLES block of the modules and filters and every YAML block of the docs
site, the README, inventories/README.md and the role READMEs parses; every trunk in them (a ``byoc_trunks`` list)
passes the trunk model, and every task of sip_connection, sip_inbound, sip_outbound and sip_connections in them
passes the options' rules (the settings table) with no unknown option.

A templated value (``"{{ vault_x }}"``) cannot be checked here: a secret is replaced by a value its rule takes,
anything else is left out."""

from __future__ import annotations

import ast
import re
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
if ROOT.parents[1].name == 'ansible_collections':
    sys.path.append(str(ROOT.parents[2]))
else:
    sys.path.append(str(ROOT / '.ansible' / 'collections'))

# pylint: disable-next=wrong-import-position
from ansible_collections.byoc.carrier.plugins.module_utils import _bulk, _common, _runner, _settings, _trunk  # noqa: E402

DOCS = sorted(['README.md', 'inventories/README.md'] + [str(p.relative_to(ROOT)) for p in ROOT.glob('roles/*/README.md')]
              + [str(p.relative_to(ROOT)) for p in ROOT.glob('docs/docsite/rst/*.rst')])
PLUGIN_DOCS = sorted([str(p.relative_to(ROOT)) for p in ROOT.glob('plugins/modules/*.py')]
                     + [str(p.relative_to(ROOT)) for p in ROOT.glob('plugins/filter/*.yml')])
# a value each templated secret or name can stand for (its rule takes it)
STAND_INS = {'password': 'Example-Passw0rd', 'token': 'example-token-0001', 'username': 'example01', 'api_key': 'KEYexample'}
SCOPE_OF = {'byoc.carrier.sip_connection': 'connection', 'byoc.carrier.sip_inbound': 'inbound',
            'byoc.carrier.sip_outbound': 'outbound'}


def yaml_blocks(path):
    """(line, text) of each YAML block of a Markdown (```yaml) or reStructuredText (.. code-block:: yaml) file."""
    lines = (ROOT / path).read_text(encoding='utf-8').split('\n')
    blocks = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if re.match(r'^\s*```ya?ml\s*$', line):
            end = next(i for i in range(index + 1, len(lines)) if lines[i].strip() == '```')
            blocks.append((index + 1, textwrap.dedent('\n'.join(lines[index + 1:end]))))
            index = end
        elif re.match(r'^\s*\.\. code-block:: ya?ml\s*$', line):
            indent = len(line) - len(line.lstrip())
            body = []
            for following in lines[index + 1:]:
                if following.strip() and len(following) - len(following.lstrip()) <= indent:
                    break
                body.append(following)
            blocks.append((index + 1, textwrap.dedent('\n'.join(body))))
            index += len(body)
        index += 1
    return blocks


def examples(path):
    """The EXAMPLES text of a module (its Python source, not imported) or of a filter's documentation file."""
    text = (ROOT / path).read_text(encoding='utf-8')
    if path.endswith('.yml'):
        return yaml.safe_load(text).get('EXAMPLES')
    for node in ast.parse(text).body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == 'EXAMPLES' for t in node.targets):
            return node.value.value
    return None


def every_block():
    for path in DOCS:
        for line, text in yaml_blocks(path):
            yield '%s:%d' % (path, line), text
    for path in PLUGIN_DOCS:
        text = examples(path)
        if text:
            yield '%s EXAMPLES' % path, text


BLOCKS = list(every_block())


def untemplated(value, key=None):
    """``value`` with templated strings replaced by a stand-in (secrets) or left out (None)."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            v = untemplated(v, k)
            if v is not None:
                out[k] = v
        return out
    if isinstance(value, list):
        return [v for v in (untemplated(v) for v in value) if v is not None]
    if isinstance(value, str) and '{{' in value:
        return STAND_INS.get(key)
    return value


def walk(node):
    """Every dict in a parsed block."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def problems_of(data):
    """The rules the trunks and module tasks of one parsed block break."""
    found = []
    for node in walk(data):
        trunks = node.get('byoc_trunks')
        for trunk in trunks if isinstance(trunks, list) else []:
            trunk = untemplated(trunk)
            found.extend('trunk %s: %s: %s' % (trunk.get('name'), field, rule) for field, rule in _trunk.trunk_problems(trunk))
        for action, scope in SCOPE_OF.items():
            if isinstance(node.get(action), dict):
                found.extend('%s: %s' % (action, p) for p in task_problems(scope, untemplated(node[action])))
        if isinstance(node.get('byoc.carrier.sip_connections'), dict):
            entries = untemplated(node['byoc.carrier.sip_connections']).get('connections')
            if isinstance(entries, list):
                found.extend('sip_connections: %s' % p for p in _bulk.validate_entries(entries)[1])
    return found


def task_problems(scope, params):
    """Unknown options (named as the modules name them) and the table's rules of one sip_connection/sip_inbound/
    sip_outbound task."""
    known = set(_runner.module_argument_spec(scope))
    found = ['%s: %s' % (k, _common.unknown_option(k, known)) for k in sorted(params) if k not in known]
    if params.get('state', 'present') == 'present':
        kind = params.get('type') if scope == 'connection' else None
        found.extend(_settings.validate(scope, kind, params))
    return found


def test_the_blocks_are_found():
    names = [name for name, dummy in BLOCKS]
    assert any(n.startswith('roles/sbc/README.md:') for n in names) and any(n.startswith('docs/docsite/rst/guide_first_run.rst:') for n in names)
    assert 'plugins/modules/sip_connections.py EXAMPLES' in names and 'plugins/filter/trunk_errors.yml EXAMPLES' in names
    trunks = [t for dummy, text in BLOCKS for node in walk(yaml.safe_load(text)) for t in node.get('byoc_trunks') or []
              if isinstance(node.get('byoc_trunks'), list)]
    assert len(trunks) >= 4


@pytest.mark.parametrize('name, text', BLOCKS, ids=[name for name, dummy in BLOCKS])
def test_every_example_parses_and_its_trunks_and_tasks_validate(name, text):
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        pytest.fail('%s does not parse as YAML: %s' % (name, exc))
    assert problems_of(data) == [], name


def test_a_rotten_example_is_caught():
    rotten = yaml.safe_load(textwrap.dedent('''
        - hosts: sbc
          vars:
            byoc_trunks:
              - {name: acme-ca-cred, type: credentials, username: acmeca01, password: "{{ vault_pw }}", sbc_port: 5060,
                 dtmf_typ: Inband}
          tasks:
            - byoc.carrier.sip_inbound: {connection: acme-ca-cred, codec: [G711U]}
            - byoc.carrier.sip_connections:
                connections: [{name: acme-ca-ip, type: ip, ips: [{address: 192.0.2.1}], tech_prefix: "12"}]
        '''))
    assert problems_of(rotten) == [
        "trunk acme-ca-cred: dtmf_typ: unknown option 'dtmf_typ' (did you mean 'dtmf_type'?)",
        "byoc.carrier.sip_inbound: codec: unknown option 'codec' (did you mean 'codecs'?)",
        'sip_connections: connections[0] (acme-ca-ip): tech_prefix: must be exactly 4 digits',
    ]

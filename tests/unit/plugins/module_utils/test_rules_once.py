# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every rule list (a regex, a list of choices) is defined once across module_utils, filters, modules and roles.

Two copies of a rule drift apart (a token the trunk model took and the SBC refused, issue #17); this test fails
when a regex literal or a list of two or more choices appears in more than one file.
"""

from __future__ import annotations

import ast
import os
import re

import yaml

ROOT = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..')
PY_DIRS = ('plugins/module_utils', 'plugins/filter', 'plugins/modules')
ROLE_DIRS = ('roles/cpaas', 'roles/trunk', 'roles/sbc/tasks', 'roles/sbc/vars', 'roles/sbc/defaults')
# regex-looking literals: anchored, or a character class with a quantifier
REGEX = re.compile(r'^\^|\[[^\]]+\][*+?{]')
# lists of choices that may legitimately repeat: too small or too generic to be a rule (present/absent, ...)
GENERIC = {('absent', 'present'), ('present', 'absent'), ('always', 'on_create')}


def _python_files():
    for folder in PY_DIRS:
        for root, _dirs, files in os.walk(os.path.join(ROOT, folder)):
            for name in files:
                if name.endswith('.py'):
                    yield os.path.relpath(os.path.join(root, name), ROOT)


def _parsed(path, documentation=False):
    """The syntax tree of a Python file and the ids of its docstrings (and, with documentation, of its
    DOCUMENTATION/EXAMPLES/RETURN strings)."""
    with open(os.path.join(ROOT, path), encoding='utf-8') as handle:
        tree = ast.parse(handle.read())
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef)) and node.body and isinstance(node.body[0], ast.Expr):
            docstrings.add(id(node.body[0].value))
        if documentation and isinstance(node, ast.Assign) and \
                any(isinstance(t, ast.Name) and t.id in ('DOCUMENTATION', 'EXAMPLES', 'RETURN') for t in node.targets):
            docstrings.add(id(node.value))
    return tree, docstrings


def _rules_of_python(path):
    """(kind, value) of every regex literal and every list/tuple of 2+ string literals outside docstrings."""
    tree, docstrings = _parsed(path)
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            if REGEX.search(node.value) and ' ' not in node.value.strip():
                found.add(('regex', node.value))
        if isinstance(node, (ast.List, ast.Tuple)) and len(node.elts) >= 3 and \
                all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts):
            found.add(('choices', tuple(e.value for e in node.elts)))
    return found


def _rules_of_yaml(path):
    with open(os.path.join(ROOT, path), encoding='utf-8') as handle:
        data = yaml.safe_load(handle)
    found = set()

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == 'choices' and isinstance(value, list) and len(value) >= 3:
                    found.add(('choices', tuple(str(v) for v in value)))
                if key == 'regex' and isinstance(value, str):
                    found.add(('regex', value))
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
    walk(data)
    return found


def _yaml_files():
    for folder in ROLE_DIRS:
        for root, _dirs, files in os.walk(os.path.join(ROOT, folder)):
            for name in files:
                if name.endswith(('.yml', '.yaml')) and name != 'argument_specs.yml':
                    yield os.path.relpath(os.path.join(root, name), ROOT)


def test_no_rule_list_is_defined_twice():
    where = {}
    for path in _python_files():
        for rule in _rules_of_python(path):
            where.setdefault(rule, set()).add(path)
    for path in _yaml_files():
        for rule in _rules_of_yaml(path):
            where.setdefault(rule, set()).add(path)
    twice = dict((rule, sorted(paths)) for rule, paths in where.items() if len(paths) > 1 and rule[1] not in GENERIC)
    assert twice == {}, 'rule lists defined more than once (define each in module_utils and import it): %r' % twice


def test_role_argument_specs_mirror_the_python_rules_exactly():
    """A role's meta/argument_specs.yml (YAML, read by ansible-core) cannot import a rule: each of its choices lists of 3 or
    more must be exactly one defined in module_utils/_common.py, so it cannot drift."""
    defined = set(rule[1] for rule in _rules_of_python('plugins/module_utils/_common.py') if rule[0] == 'choices')
    for role in ('cpaas', 'trunk', 'sbc'):
        path = 'roles/%s/meta/argument_specs.yml' % role
        if os.path.exists(os.path.join(ROOT, path)):
            for kind, value in _rules_of_yaml(path):
                if kind == 'choices' and not all(v.isdigit() for v in value):
                    assert value in defined, '%s: choices %r are not a rule of _common.py' % (path, value)


def test_the_detector_finds_a_copy():
    tree = _rules_of_python('plugins/module_utils/_common.py')
    assert ('regex', r'^[A-Za-z][A-Za-z0-9]{3,31}$') in tree
    assert ('regex', r'^[A-Za-z0-9-]{12,48}$') in tree


def test_choices_in_another_order_are_the_same_rule():
    """A list of choices reordered is still a copy (sbc_trunks once had ('token', 'tech_prefix', 'p_charge_info') beside
    _common.IP_AUTH_METHODS)."""
    where = {}
    for path in _python_files():
        for kind, value in _rules_of_python(path):
            if kind == 'choices':
                where.setdefault(tuple(sorted(value)), set()).add(path)
    twice = dict((rule, sorted(paths)) for rule, paths in where.items() if len(paths) > 1 and rule not in GENERIC)
    assert twice == {}, 'the same choices in another order in more than one file: %r' % twice


def _functions_checking_srtp_tls(path):
    """Names of the functions of a Python file that hold both the string constants 'SRTP' and 'TLS' (a check of the
    rule "SRTP requires TLS"), and the string constants (outside docstrings and documentation) that word the rule."""
    tree, docs = _parsed(path, documentation=True)
    checks = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            constants = set(c.value for c in ast.walk(node) if isinstance(c, ast.Constant) and isinstance(c.value, str))
            if {'SRTP', 'TLS'} <= constants:
                checks.add(node.name)
    wordings = set(n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
                   and id(n) not in docs and re.search(r'SRTP\W+requires', n.value))
    return checks, wordings


def test_srtp_requires_tls_is_one_rule():
    """"SRTP requires TLS" is worded once (_common.SRTP_RULE) and checked only by the settings table and the trunk model
    (issue #17: the sbc_trunks filter had its own copy)."""
    checks, wordings = {}, {}
    for path in _python_files():
        found, words = _functions_checking_srtp_tls(path)
        if found:
            checks[path] = found
        if words:
            wordings[path] = words
    assert list(wordings) == ['plugins/module_utils/_common.py'], wordings
    assert sorted(checks) == ['plugins/module_utils/_settings.py', 'plugins/module_utils/_trunk.py'], checks
    assert checks['plugins/module_utils/_trunk.py'] == {'sbc_transport_problems'}

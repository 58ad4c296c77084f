#!/usr/bin/env python
# Copyright: byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The list of stage 95-trust (tests/stages/95-trust.list): read it, check it, print its tests.

    trust_list.py ids --mode parallel LIST     the node ids run in one ``pytest -n 2`` session, one a line
    trust_list.py files --mode serial LIST     the files whose listed tests run one pytest session each, one a line
    trust_list.py ids --file F --mode serial LIST   the listed node ids of file F
    trust_list.py check --root DIR LIST        exit 1 naming every listed test that does not exist under DIR

A line of the list: ``<point> <mode> <node id>``, e.g. ``2 serial tests/roles/test_awx_slicing.py``; ``#`` starts
a comment. point: 1-7 (the numbered points of issue 15) or ``done`` (its "done when" list); mode: ``parallel`` or
``serial``; node id: a test file, ``file::test`` or ``file::Class::test`` (no parameters: every case of a
parametrised test runs). Whether a test exists is read from the file's source (ast), without importing it: the
check also runs where the test's own imports are not installed (ansible-test units).
"""
from __future__ import annotations

import argparse
import ast
import os
import sys

POINTS = ('1', '2', '3', '4', '5', '6', '7', 'done')
MODES = ('parallel', 'serial')


class Entry(tuple):
    """(line number, point, mode, node id)."""

    lineno = property(lambda self: self[0])
    point = property(lambda self: self[1])
    mode = property(lambda self: self[2])
    node_id = property(lambda self: self[3])
    path = property(lambda self: self[3].split('::', 1)[0])


def read(path):
    """The entries of the list; ValueError naming the line for a line that is not ``point mode node-id``."""
    entries, seen = [], set()
    with open(path, encoding='utf-8') as handle:
        for lineno, line in enumerate(handle, 1):
            words = line.split('#', 1)[0].split()
            if not words:
                continue
            if len(words) != 3 or words[0] not in POINTS or words[1] not in MODES:
                raise ValueError('%s:%d: expected "<point: %s> <mode: %s> <test>", got %r'
                                 % (path, lineno, '|'.join(POINTS), '|'.join(MODES), line.rstrip('\n')))
            if '[' in words[2]:
                raise ValueError('%s:%d: %s: name a test without its parameters' % (path, lineno, words[2]))
            if words[2] in seen:
                raise ValueError('%s:%d: %s is listed twice' % (path, lineno, words[2]))
            seen.add(words[2])
            entries.append(Entry((lineno, words[0], words[1], words[2])))
    return entries


def _defined(body, names):
    """True when the chain of names (Class, ..., test) is defined at the top of this ast body."""
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == names[0] and len(names) == 1:
            return True
        if isinstance(node, ast.ClassDef) and node.name == names[0]:
            return len(names) == 1 or _defined(node.body, names[1:])
    return False


def missing(entries, root):
    """[(entry, why)] of the entries whose test does not exist under root; also a file listed whole and in parts."""
    problems = []
    whole = set(e.path for e in entries if '::' not in e.node_id)
    for entry in entries:
        parts = entry.node_id.split('::')
        full = os.path.join(root, parts[0])
        if not (parts[0].endswith('.py') and os.path.basename(parts[0]).startswith('test_') and os.path.isfile(full)):
            problems.append((entry, 'no test file %s' % parts[0]))
            continue
        if len(parts) > 1 and entry.path in whole:
            problems.append((entry, '%s is also listed whole' % entry.path))
            continue
        with open(full, encoding='utf-8') as handle:
            tree = ast.parse(handle.read(), full)
        if len(parts) > 1 and not _defined(tree.body, parts[1:]):
            problems.append((entry, 'no %s in %s' % ('::'.join(parts[1:]), parts[0])))
        if len(parts) > 1 and not parts[-1].startswith('test'):
            problems.append((entry, '%s is not a test' % parts[-1]))
    for mode in MODES:
        files = set(e.path for e in entries if e.mode == mode)
        for entry in entries:
            if entry.mode != mode and entry.path in files:
                problems.append((entry, '%s is listed both parallel and serial' % entry.path))
    return problems


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('command', choices=('ids', 'files', 'check'))
    parser.add_argument('list')
    parser.add_argument('--mode', choices=MODES)
    parser.add_argument('--file', default='')
    parser.add_argument('--root', default='.')
    args = parser.parse_args(argv)
    try:
        entries = read(args.list)
    except (OSError, ValueError) as exc:
        print(exc, file=sys.stderr)
        return 1
    if args.command == 'check':
        problems = missing(entries, args.root)
        for entry, why in problems:
            print('%s:%d: %s' % (args.list, entry.lineno, why), file=sys.stderr)
        return 1 if problems else 0
    chosen = [e for e in entries if (not args.mode or e.mode == args.mode) and (not args.file or e.path == args.file)]
    if args.command == 'files':
        for path in sorted(set(e.path for e in chosen), key=[e.path for e in chosen].index):
            print(path)
    else:
        for entry in chosen:
            print(entry.node_id)
    return 0


if __name__ == '__main__':
    sys.exit(main())

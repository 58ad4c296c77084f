#!/usr/bin/env python
# Copyright: byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Counts, skip allow-list and emulator-log check of the test stages (used by scripts/test).

    stage_report.py stage --name 10-unit [--label 10-unit#2] --status 0 --seconds 42 --root DIR --skips tests/skips.yml \
        --junit DIR_OR_FILE... --emulator-logs DIR --record OUT/stages.jsonl
        (--name is what tests/skips.yml matches; --label names the row, e.g. one repetition of a repeated run)
        Counts passed/skipped/failed/xfailed in the JUnit XML files given (a stage without any counts as one
        test: passed when its script succeeded); a failing script without a failed test adds one failure.
        Fails (exit 1) when a skip is not allowed by the skips file, when an emulator log holds a Python
        traceback, or when the stage failed. Appends one JSON line to the record.
    stage_report.py summary --record OUT/stages.jsonl [--out OUT/summary]
        The per-stage table and a pytest-style last line: "N passed, N skipped, N failed in S s (...)".
"""
from __future__ import annotations

import argparse
import fnmatch
import glob
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

import yaml


def node_id(classname, name, root):
    """pytest's node id (path.py::[Class::]name) from a JUnit testcase's classname and name."""
    if not classname:  # a collection error or a module skipped whole: name is the dotted module
        parts = name.split('.')
        return '/'.join(parts) + '.py'
    parts = classname.split('.')
    if parts[:3] == ['ansible_collections', 'byoc', 'carrier']:
        parts = parts[3:]
    for cut in range(len(parts), 0, -1):
        if os.path.isfile(os.path.join(root, *parts[:cut]) + '.py'):
            return '::'.join(['/'.join(parts[:cut]) + '.py'] + parts[cut:] + [name])
    return '/'.join(parts) + '.py::' + name


def read_junit(paths, root):
    """[(node id, outcome, message)] with outcome passed|failed|skipped|xfailed."""
    files = []
    for path in paths:
        files += sorted(glob.glob(os.path.join(path, '*.xml'))) if os.path.isdir(path) else ([path] if os.path.isfile(path) else [])
    cases = []
    for path in files:
        for case in ET.parse(path).getroot().iter('testcase'):
            nid = node_id(case.get('classname', ''), case.get('name', ''), root)
            failed = case.find('failure') if case.find('failure') is not None else case.find('error')
            skipped = case.find('skipped')
            if failed is not None:
                cases.append((nid, 'failed', failed.get('message', '')))
            elif skipped is not None and skipped.get('type') == 'pytest.xfail':
                cases.append((nid, 'xfailed', skipped.get('message', '')))
            elif skipped is not None:
                cases.append((nid, 'skipped', skipped.get('message', '')))
            else:
                cases.append((nid, 'passed', ''))
    return files, cases


def allowed(stage, nid, message, rules):
    """The rule allowing this skip, or None."""
    for rule in rules:
        if not fnmatch.fnmatchcase(stage, rule['stage']) or not fnmatch.fnmatchcase(nid, rule['test']):
            continue
        if rule.get('message') and not re.search(rule['message'], message or ''):
            continue
        return rule
    return None


def load_rules(path):
    with open(path, encoding='utf-8') as handle:
        rules = yaml.safe_load(handle) or []
    for rule in rules:
        missing = [key for key in ('stage', 'test', 'reason') if not rule.get(key)]
        if missing:
            raise SystemExit('%s: entry %r lacks %s' % (path, rule, ', '.join(missing)))
    return rules


def tracebacks(folder):
    """[(log file, excerpt)] of the emulator logs in folder holding a Python traceback."""
    found = []
    for path in sorted(glob.glob(os.path.join(folder, '*.log'))) if folder and os.path.isdir(folder) else []:
        with open(path, encoding='utf-8', errors='replace') as handle:
            text = handle.read()
        where = text.find('Traceback (most recent call last)')
        if where >= 0:
            found.append((path, text[max(0, where - 200):where + 1500]))
    return found


def stage(args):
    rules = load_rules(args.skips)
    files, cases = read_junit(args.junit, args.root)
    problems = []
    for nid, outcome, message in cases:
        if outcome == 'skipped' and allowed(args.name, nid, message, rules) is None:
            problems.append('unexpected skip (not in %s): %s: %s' % (os.path.basename(args.skips), nid, message))
    for path, excerpt in tracebacks(args.emulator_logs):
        problems.append('the emulator log %s holds a traceback (an emulator crash, not an injected fault):\n%s' % (path, excerpt))
    for problem in problems:
        print('[%s] %s' % (args.label or args.name, problem))
    ok = args.status == 0 and not problems
    counts = {'passed': 0, 'skipped': 0, 'failed': 0, 'xfailed': 0}
    for _nid, outcome, _message in cases:
        counts[outcome] += 1
    if not files:  # molecule, ansible-test sanity/integration, linters: the stage is one test
        counts['passed' if ok else 'failed'] += 1
    elif not ok and not counts['failed']:  # a step other than pytest failed, or a problem above
        counts['failed'] += 1
    record = dict(counts, stage=args.label or args.name, status='PASS' if ok else 'FAIL', seconds=args.seconds, junit_files=len(files),
                  problems=len(problems))
    with open(args.record, 'a', encoding='utf-8') as handle:
        handle.write(json.dumps(record, sort_keys=True) + '\n')
    print('[%s] %s: %d passed, %d skipped, %d failed%s (%d JUnit file(s))' % (
        record['stage'], record['status'], counts['passed'], counts['skipped'], counts['failed'],
        ', %d xfailed' % counts['xfailed'] if counts['xfailed'] else '', len(files)))
    return 0 if ok else 1


def summary(args):
    records = []
    if os.path.exists(args.record):
        with open(args.record, encoding='utf-8') as handle:
            records = [json.loads(line) for line in handle if line.strip()]
    lines = ['%-16s %-6s %7s %7s %7s %7s %8s' % ('stage', 'result', 'passed', 'skipped', 'failed', 'xfailed', 'seconds')]
    total = {'passed': 0, 'skipped': 0, 'failed': 0, 'xfailed': 0, 'seconds': 0}
    for rec in records:
        lines.append('%-16s %-6s %7d %7d %7d %7d %8d' % (rec['stage'], rec['status'], rec['passed'], rec['skipped'], rec['failed'],
                                                         rec['xfailed'], rec['seconds']))
        for key in total:
            total[key] += rec[key]
    stages_failed = sum(1 for rec in records if rec['status'] != 'PASS')
    lines.append('%-16s %-6s %7d %7d %7d %7d %8d' % ('total', 'FAIL' if stages_failed or not records else 'PASS', total['passed'],
                                                     total['skipped'], total['failed'], total['xfailed'], total['seconds']))
    lines.append('%d passed, %d skipped, %d failed in %d s (stages: %d passed, %d failed)' % (
        total['passed'], total['skipped'], total['failed'], total['seconds'], len(records) - stages_failed, stages_failed))
    text = '\n'.join(lines) + '\n'
    if args.out:
        with open(args.out, 'w', encoding='utf-8') as handle:
            handle.write(text)
    sys.stdout.write(text)
    return 1 if stages_failed or not records else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    sub = parser.add_subparsers(dest='command', required=True)
    one = sub.add_parser('stage')
    one.add_argument('--name', required=True)
    one.add_argument('--label', default='', help='the row of the summary (default: --name)')
    one.add_argument('--status', type=int, required=True)
    one.add_argument('--seconds', type=int, default=0)
    one.add_argument('--root', default='.', help='where node ids are relative to (the collection copy)')
    one.add_argument('--skips', required=True)
    one.add_argument('--junit', nargs='*', default=[])
    one.add_argument('--emulator-logs', default='')
    one.add_argument('--record', required=True)
    total = sub.add_parser('summary')
    total.add_argument('--record', required=True)
    total.add_argument('--out', default='')
    args = parser.parse_args()
    return stage(args) if args.command == 'stage' else summary(args)


if __name__ == '__main__':
    sys.exit(main())

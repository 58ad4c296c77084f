# Copyright: contributors to byoc.carrier
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""GET /connections/{id}/active_calls of the emulator against Telnyx's full OpenAPI spec (the SIP subset lacks the path):
the reply schema of operation ListConnectionActiveCalls (ActiveCall items, CursorPaginationMeta), closed objects."""
from __future__ import annotations

import importlib.util
import os

import jsonschema
import yaml

from telnyx_emulator.testing import running_emulator

_LOADER = importlib.util.spec_from_file_location('byoc_contract_spec', os.path.join(os.path.dirname(os.path.abspath(__file__)), 'spec.py'))
spec = importlib.util.module_from_spec(_LOADER)
_LOADER.loader.exec_module(spec)

FULL_SPEC = 'telnyx-openapi-spec3.yml'


def full_spec():
    subset = spec.spec_path()
    assert subset is not None, spec.MISSING
    path = os.path.join(os.path.dirname(subset), FULL_SPEC)
    assert os.path.isfile(path), 'Telnyx full OpenAPI spec not found beside the subset: %s' % path
    with open(path, encoding='utf-8') as handle:
        return yaml.load(handle, Loader=getattr(yaml, 'CSafeLoader', yaml.SafeLoader))


def test_active_calls_replies_match_the_spec():
    telnyx = full_spec()
    operation = telnyx['paths']['/connections/{connection_id}/active_calls']['get']
    assert operation['operationId'] == 'ListConnectionActiveCalls'
    schema = operation['responses']['200']['content']['application/json']['schema']
    root = spec.close_objects(dict(schema, components={'schemas': telnyx['components']['schemas']}))
    validator = jsonschema.Draft202012Validator(root)
    replies = []
    with running_emulator() as emu:
        conn = emu.create('/credential_connections', {'connection_name': 'contract-calls', 'user_name': 'contractcalls',
                                                      'password': 'Secret-pass1', 'webhook_event_url': 'https://hooks.example.com/byoc'})
        path = '/connections/%s/active_calls' % conn['id']
        replies.append(emu.call('GET', path))
        emu.call('POST', emu.root + '/_emulator/active_calls', {'connection_id': conn['id'], 'count': 3}, headers={})
        replies.append(emu.call('GET', path + '?page[size]=2'))
        replies.append(emu.call('GET', path + '?page[size]=2&page[after]=%s' % replies[-1][1]['meta']['cursors']['after']))
    assert [status for status, dummy, dummy2 in replies] == [200, 200, 200]
    assert [len(reply['data']) for dummy, reply, dummy2 in replies] == [0, 2, 1]
    for dummy, reply, dummy2 in replies:
        problems = ['/%s: %s' % ('/'.join(str(p) for p in e.absolute_path), e.message) for e in validator.iter_errors(reply)]
        assert problems == [], problems

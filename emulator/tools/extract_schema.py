#!/usr/bin/env python
# Copyright: contributors to byoc.carrier
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Extract the request-body schemas the emulator validates against from Telnyx's OpenAPI subset.

Usage: extract_schema.py [SUBSET_JSON] [OUTPUT_JSON]
  SUBSET_JSON  default: <repo>/../shared/telnyx-api/telnyx-sip-connections-subset.json
  OUTPUT_JSON  default: emulator/src/telnyx_emulator/schema.json

Every request body of the subset's operations is written with its $refs inlined and the prose
(description, example, title) removed, keyed by "METHOD /path". Under "fields", the field names of each
resource's reply (``data`` of GET /<resource>/{id}, nested objects as nested dicts, each leaf the reply
schema's default or null): the emulator serves every one of them, that value when unset. The output records its provenance (the source
file's sha256 and the spec commit), so the emulator works without ../shared.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SRC = os.path.join(HERE, '..', '..', '..', 'shared', 'telnyx-api', 'telnyx-sip-connections-subset.json')
DEFAULT_OUT = os.path.join(HERE, '..', 'src', 'telnyx_emulator', 'schema.json')
DROP = frozenset(('description', 'example', 'examples', 'title', 'readOnly', 'x-format'))


def inline(node, spec):
    """Return node with every local $ref replaced by its (inlined) target and prose dropped."""
    if isinstance(node, list):
        return [inline(item, spec) for item in node]
    if not isinstance(node, dict):
        return node
    if '$ref' in node:
        target = spec
        for part in node['$ref'].lstrip('#/').split('/'):
            target = target[part]
        return inline(target, spec)
    return dict((key, inline(value, spec)) for key, value in sorted(node.items()) if key not in DROP)


def extract(spec):
    requests = {}
    for path, item in sorted(spec['paths'].items()):
        for method, operation in sorted(item.items()):
            body = operation.get('requestBody') if isinstance(operation, dict) else None
            if body:
                schema = body['content']['application/json']['schema']
                requests['%s %s' % (method.upper(), path)] = inline(schema, spec)
    return requests


def skeleton(schema):
    """{field: default, null or nested skeleton} of an inlined object schema (allOf parts merged)."""
    result = {}
    for part in schema.get('allOf', ()):
        result.update(skeleton(part))
    for name, prop in schema.get('properties', {}).items():
        nested = skeleton(prop)
        result[name] = nested or prop.get('default')
    return result


def fields(spec):
    result = {}
    for path, item in sorted(spec['paths'].items()):
        parts = path.strip('/').split('/')
        if len(parts) == 2 and parts[1].startswith('{') and 'get' in item:
            schema = inline(item['get']['responses']['200'], spec)['content']['application/json']['schema']
            result[parts[0]] = skeleton(schema['properties']['data'])
    return result


def main(argv):
    src = argv[1] if len(argv) > 1 else DEFAULT_SRC
    out = argv[2] if len(argv) > 2 else DEFAULT_OUT
    with open(src, 'rb') as handle:
        raw = handle.read()
    spec = json.loads(raw)
    result = {
        'x-provenance': {
            'extracted-by': 'emulator/tools/extract_schema.py',
            'source-file': os.path.basename(src),
            'source-sha256': hashlib.sha256(raw).hexdigest(),
            'source-spec': spec.get('x-extracted-from', {}),
        },
        'requests': extract(spec),
        'fields': fields(spec),
    }
    with open(out, 'w', encoding='utf-8') as handle:
        json.dump(result, handle, indent=1, sort_keys=True)
        handle.write('\n')
    print('wrote %d request schemas to %s' % (len(result['requests']), out))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))

# Copyright: contributors to byoc.carrier
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Check request and response bodies against Telnyx's OpenAPI spec (the subset in ../shared/telnyx-api/).

    from ansible_collections.byoc.carrier.tests.contract.spec import validate_request, validate_response
    validate_request('PATCH', '/ip_connections/123', body)            # AssertionError naming the schema path
    validate_response('GET', '/v2/ips?page[size]=250', 200, reply)

The spec is found through env BYOC_TELNYX_SPEC (the JSON file or its folder; scripts/test always sets it),
else the path written in <collection>/tests/output/telnyx-spec.path (scripts/test writes it into its copy:
``ansible-test units`` strips the environment), else <repo>/../shared/telnyx-api/.
``spec_path()`` is None when it is absent; ``load_spec()`` then raises AssertionError(MISSING). A test that
skips on MISSING fails the stage (tests/skips.yml does not allow it).

The subset is OpenAPI 3.1: schemas are JSON Schema 2020-12 (nullable is ``type: [x, "null"]`` or
``enum: [.., null]``; alternatives are ``anyOf``/``oneOf``), and ``$ref``s point into
``#/components``; they are resolved against the whole document.

Strictness: ``strict=True`` (the default for requests, and for 2xx responses when asked) also
rejects properties a schema does not list. Telnyx's spec leaves objects open, but a field it does
not know is a typo in our code. Error replies are never strict (the spec's ErrorResponse does not
even list ``title``). An error status a path does not declare (429, injected 5xx, 422 on lists) is
checked against ``#/components/schemas/ErrorResponse``, and so is one declared without a body (the
outbound voice profile paths declare their errors so).
"""
from __future__ import annotations

import copy
import functools
import json
import os
import re

import jsonschema

SPEC_NAME = 'telnyx-sip-connections-subset.json'
MISSING = ('Telnyx OpenAPI spec not found: set BYOC_TELNYX_SPEC or provide ../shared/telnyx-api/%s next to the repository' % SPEC_NAME)
METHODS = ('get', 'post', 'patch', 'delete', 'put')


def spec_path():
    """The spec file, or None."""
    here = os.path.dirname(os.path.realpath(__file__))
    candidates = [os.environ.get('BYOC_TELNYX_SPEC', '')]
    written = os.path.join(here, '..', 'output', 'telnyx-spec.path')
    if os.path.isfile(written):
        with open(written, encoding='utf-8') as handle:
            candidates.append(handle.read().strip())
    candidates.append(os.path.join(here, '..', '..', '..', 'shared', 'telnyx-api'))
    for candidate in candidates:
        if candidate and os.path.isdir(candidate):
            candidate = os.path.join(candidate, SPEC_NAME)
        if candidate and os.path.isfile(candidate):
            return os.path.abspath(candidate)
    return None


@functools.lru_cache(maxsize=None)
def load_spec(strict=False):
    """The spec as a dict; strict=True closes every object schema that lists properties."""
    path = spec_path()
    if path is None:
        raise AssertionError(MISSING)
    with open(path, encoding='utf-8') as handle:
        spec = json.load(handle)
    return close_objects(spec) if strict else spec


def close_objects(node):
    node = copy.deepcopy(node)
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if 'properties' in item and 'additionalProperties' not in item:
                item['additionalProperties'] = False
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return node


@functools.lru_cache(maxsize=None)
def templates():
    """Spec path templates, most literal first, each with its regex."""
    result = []
    for template in load_spec()['paths']:
        pattern = '^' + re.sub(r'\\\{[^/]+\\\}', '[^/]+', re.escape(template)) + '/?$'
        literal = sum(1 for part in template.split('/') if part and not part.startswith('{'))
        result.append((-literal, template, re.compile(pattern)))
    return [(template, pattern) for _literal, template, pattern in sorted(result)]


def operation(method, path):
    """(template, operation dict) for a concrete path (a full URL, a /v2 path or a spec path; a query is ignored)."""
    path = re.sub(r'^[a-z]+://[^/]+', '', path).split('?', 1)[0]
    if path.startswith('/v2/'):
        path = path[3:]
    for template, pattern in templates():
        if pattern.match(path):
            found = load_spec()['paths'][template].get(method.lower())
            if found is None:
                raise AssertionError('%s %s: the spec has no %s on %s' % (method, path, method.upper(), template))
            return template, found
    raise AssertionError('%s %s: no such path in the spec' % (method, path))


def _deref(node, spec):
    while isinstance(node, dict) and '$ref' in node:
        target = spec
        for part in node['$ref'].lstrip('#/').split('/'):
            target = target[part]
        node = target
    return node


def _check(schema, location, body, strict):
    spec = load_spec(strict)
    if strict:
        schema = close_objects(schema)
    root = dict(schema, components=spec['components'])
    validator = jsonschema.Draft202012Validator(root, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    problems = sorted(validator.iter_errors(body), key=lambda err: list(err.absolute_path))
    if problems:
        lines = ['%s does not match the spec (%d problem(s)):' % (location, len(problems))]
        for err in problems[:20]:
            pointer = '/' + '/'.join(str(part) for part in err.absolute_path)
            lines.append('  at %s: %s [schema path: %s]' % (pointer, err.message[:300], '/'.join(str(part) for part in err.absolute_schema_path)))
        raise AssertionError('\n'.join(lines))


def _schema_name(node):
    return node['$ref'] if isinstance(node, dict) and '$ref' in node else 'inline schema'


def validate_request(method, path, body, strict=True):
    """Raise AssertionError unless body is a valid request body of METHOD path (None: no body)."""
    template, found = operation(method, path)
    request = found.get('requestBody')
    if request is None:
        if body is not None:
            raise AssertionError('%s %s takes no request body, got %r' % (method.upper(), template, body))
        return template
    if body is None:
        if request.get('required'):
            raise AssertionError('%s %s needs a request body' % (method.upper(), template))
        return template
    schema = request['content']['application/json']['schema']
    _check(schema, '%s %s request body (%s)' % (method.upper(), template, _schema_name(schema)), body, strict)
    return template


def validate_response(method, path, status, body, strict=False):
    """Raise AssertionError unless body is what the spec gives for METHOD path answering status.

    Returns (template, declared): declared is False when an error status fell back to ErrorResponse."""
    template, found = operation(method, path)
    spec = load_spec()
    responses = found.get('responses', {})
    declared = str(status) in responses
    if declared:
        response = _deref(responses[str(status)], spec)
        schema = response.get('content', {}).get('application/json', {}).get('schema')
        where = '#/paths/%s/%s/responses/%s' % (template.replace('/', '~1'), method.lower(), status)
    elif int(status) >= 400:
        schema, where = {'$ref': '#/components/schemas/ErrorResponse'}, '#/components/schemas/ErrorResponse (status %s not declared)' % status
    else:
        raise AssertionError('%s %s: status %s is not declared by the spec (declared: %s)' % (method.upper(), template, status, ', '.join(sorted(responses))))
    if schema is None and int(status) >= 400:
        schema, where = {'$ref': '#/components/schemas/ErrorResponse'}, '#/components/schemas/ErrorResponse (status %s declared without a body)' % status
    if schema is None:
        if body not in (None, b'', ''):
            raise AssertionError('%s %s %s: the spec declares no body, got %r' % (method.upper(), template, status, body))
        return template, declared
    _check(schema, '%s %s %s response (%s, %s)' % (method.upper(), template, status, where, _schema_name(schema)), body,
           strict and int(status) < 300)
    return template, declared

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

Telnyx's current API (its Python SDK, telnyx 4.189.0, newer than the spec's commit) is laid over the spec
(``current_api``): connections take and return ``bridge_generate_comfort_noise_on_cn`` (create and update)
and ``conversation_persistence`` (update; both "Defaults to false", JSON true/false only); an outbound voice
profile's ``calling_window`` times are "HH:MM format, 24-hour clock" (the spec's own description; its
``format: time`` asks for RFC 3339 seconds and offset); a URL field whose spec default is ``""`` takes and
shows ``""`` (no URL set), which its ``format: uri`` would refuse. Replies may carry null in any field
(``validate_response``): the SDK's reply models declare every field ``Optional[...] = None``, and Telnyx
serves unset fields as null rather than leaving them out.

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


NEWER_FIELDS = {
    'bridge_generate_comfort_noise_on_cn': {'type': 'boolean', 'default': False,
                                            'description': 'Telnyx Python SDK 4.189.0: newer than the spec; JSON true/false only.'},
    'conversation_persistence': {'type': 'boolean', 'default': False,
                                 'description': 'Telnyx Python SDK 4.189.0: newer than the spec (update and replies only).'},
}
HH_MM = '^([01][0-9]|2[0-3]):[0-5][0-9]$'


def current_api(spec):
    """The spec with Telnyx's current API laid over it (see the module's docstring); a new dict."""
    spec = copy.deepcopy(spec)
    schemas = spec['components']['schemas']
    for kind in ('Credential', 'Ip', 'Fqdn'):
        schemas['%sConnection' % kind]['properties'].update(copy.deepcopy(NEWER_FIELDS))
        schemas['Create%sConnectionRequest' % kind]['properties']['bridge_generate_comfort_noise_on_cn'] = copy.deepcopy(
            NEWER_FIELDS['bridge_generate_comfort_noise_on_cn'])
        schemas['Update%sConnectionRequest' % kind]['properties'].update(copy.deepcopy(NEWER_FIELDS))
    stack = [spec]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if item.get('format') == 'uri' and item.get('default') == '':
                # the spec's own default ("") is no URI: Telnyx serves it while no URL is set
                field = dict(item)
                item.clear()
                item['anyOf'] = [field, {'const': ''}]
                continue
            window = item.get('properties', {}).get('calling_window') if isinstance(item.get('properties'), dict) else None
            if isinstance(window, dict):
                for name in ('start_time', 'end_time'):
                    field = window.get('properties', {}).get(name)
                    if isinstance(field, dict) and field.pop('format', None) == 'time':
                        field['pattern'] = HH_MM
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return spec


@functools.lru_cache(maxsize=None)
def load_spec(strict=False, nullable=False):
    """The spec (Telnyx's current API laid over it) as a dict; strict=True closes every object schema that lists
    properties, nullable=True lets every property be null (the form replies take)."""
    if strict or nullable:
        spec = load_spec()
        spec = close_objects(spec) if strict else spec
        return nullable_properties(spec) if nullable else spec
    path = spec_path()
    if path is None:
        raise AssertionError(MISSING)
    with open(path, encoding='utf-8') as handle:
        return current_api(json.load(handle))


def nullable_properties(node):
    """A copy of node where every property schema also accepts null."""
    if isinstance(node, list):
        return [nullable_properties(item) for item in node]
    if not isinstance(node, dict):
        return node
    result = dict((key, nullable_properties(value)) for key, value in node.items())
    if isinstance(node.get('properties'), dict):
        result['properties'] = dict((name, value if name == 'data' else _or_null(value)) for name, value in result['properties'].items())
    return result


def _or_null(schema):
    """schema, also accepting null (a typed schema keeps its own error messages; a reply's ``data`` envelope stays as it is)."""
    if not isinstance(schema, dict):
        return schema
    schema = dict(schema)
    if 'enum' in schema and None not in schema['enum']:
        schema['enum'] = list(schema['enum']) + [None]
    if isinstance(schema.get('type'), str):
        schema['type'] = [schema['type'], 'null']
    elif isinstance(schema.get('type'), list) and 'null' not in schema['type']:
        schema['type'] = schema['type'] + ['null']
    elif 'enum' not in schema:
        return {'anyOf': [schema, {'type': 'null'}]}
    return schema


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


def _check(schema, location, body, strict, nullable=False):
    spec = load_spec(strict, nullable)
    if strict:
        schema = close_objects(schema)
    if nullable:
        schema = nullable_properties(schema)
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
           strict and int(status) < 300, nullable=int(status) < 300)
    return template, declared


def served_spec(served):
    """The spec cut down to ``served`` ({(METHOD, template)}, e.g. the emulator's route table), for tools that
    generate requests from it (schemathesis): Telnyx's current API laid over it, every property nullable (the
    form replies take, see the module's docstring), only the components those operations use, one server."""
    spec = nullable_properties(load_spec())
    paths = {}
    for template, item in spec['paths'].items():
        kept = dict((method, operation) for method, operation in item.items() if method in METHODS and (method.upper(), template) in served)
        if kept:
            kept.update((key, value) for key, value in item.items() if key not in METHODS)
            paths[template] = kept
    used, stack = set(), [paths]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            ref = node.get('$ref')
            if isinstance(ref, str) and ref.startswith('#/components/') and ref not in used:
                used.add(ref)
                target = spec
                for part in ref[2:].split('/'):
                    target = target[part]
                stack.append(target)
            stack.extend(value for key, value in node.items() if key != '$ref')
        elif isinstance(node, list):
            stack.extend(node)
    components = {}
    for ref in sorted(used):
        _hash, _components, section, name = ref.split('/', 3)
        components.setdefault(section, {})[name] = spec['components'][section][name]
    components['securitySchemes'] = spec['components'].get('securitySchemes', {})
    result = dict((key, value) for key, value in spec.items() if key not in ('paths', 'components', 'servers'))
    result.update(paths=paths, components=components, servers=[{'url': '/v2'}])
    return result

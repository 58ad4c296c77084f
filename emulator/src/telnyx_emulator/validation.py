# Copyright: contributors to byoc.carrier
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Request-body validation against the schemas extracted from Telnyx's OpenAPI spec (schema.json).

A small JSON-Schema subset is enough for these bodies: type (also lists of types), enum, minimum,
maximum, multipleOf, minLength, maxLength, minItems, maxItems, required, properties, items,
anyOf/oneOf and the formats uri and uuid. An optional scalar field without a default (or with a null
default) takes null: replies show it so while it is unset, and a client that sends back what it read
(whole ``inbound``/``outbound`` objects) must not be refused for it. Objects are open, as in Telnyx's spec (no
``additionalProperties: false``) and as Telnyx answers: a field the schema does not list is not an
error; ``known_fields`` drops such fields from a body (they are ignored, not stored) and names them.
Every problem is returned, each as (JSON pointer, detail).
"""
from __future__ import annotations

import json
import os
import re

SCHEMA_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'schema.json')
_UUID = re.compile(r'^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$')
_URI = re.compile(r'^[A-Za-z][A-Za-z0-9+.-]*://\S+$')
_TYPE_NAMES = {bool: 'boolean', int: 'integer', float: 'number', str: 'string', list: 'array', dict: 'object', type(None): 'null'}


def load_request_schemas(path=SCHEMA_FILE):
    """Return {"METHOD /path": schema} of every request body."""
    with open(path, encoding='utf-8') as handle:
        return json.load(handle)['requests']


def load_reply_fields(path=SCHEMA_FILE):
    """Return {resource: {field: null or nested dict}}: every field a reply of that resource carries."""
    with open(path, encoding='utf-8') as handle:
        return json.load(handle)['fields']


def with_nulls(value, fields):
    """A copy of value with every field of ``fields`` it lacks set to its reply default or null (nested objects alike)."""
    result = dict(value)
    for name, nested in fields.items():
        if name not in result:
            result[name] = json.loads(json.dumps(nested)) if isinstance(nested, (dict, list)) else nested
        elif isinstance(nested, dict) and nested and isinstance(result[name], dict):
            result[name] = with_nulls(result[name], nested)
    return result


def json_type(value):
    return _TYPE_NAMES.get(type(value), 'unknown')


def _type_ok(value, wanted):
    actual = json_type(value)
    return actual == wanted or (wanted == 'number' and actual == 'integer')


def _same(left, right):
    return left == right and type(left) is type(right)


def _field(pointer):
    return pointer.rsplit('/', 1)[-1] or 'body'


def _show(value):
    return 'null' if value is None else str(value)


def validate(schema, value, pointer=''):
    """Return [(pointer, detail), ...] for every way value breaks schema (empty when valid)."""
    variants = schema.get('anyOf') or schema.get('oneOf')
    if variants:
        if any(not validate(variant, value, pointer) for variant in variants):
            return []
        return [(pointer or '/', 'The value of %s does not match any allowed form.' % _field(pointer))]
    types = schema.get('type')
    if types is not None:
        types = types if isinstance(types, list) else [types]
        if not any(_type_ok(value, wanted) for wanted in types):
            return [(pointer or '/', '%s must be of type %s, got %s.' % (_field(pointer), ' or '.join(types), json_type(value)))]
    if 'enum' in schema and not any(_same(value, allowed) for allowed in schema['enum']):
        return [(pointer, 'Invalid %s: %s, was provided. Acceptable values are %s' % (
            _field(pointer), _show(value), ', '.join(_show(allowed) for allowed in schema['enum'])))]
    if isinstance(value, dict):
        return _validate_object(schema, value, pointer)
    if isinstance(value, list):
        return _validate_array(schema, value, pointer)
    if isinstance(value, str):
        return _validate_string(schema, value, pointer)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _validate_number(schema, value, pointer)
    return []


def _validate_object(schema, value, pointer):
    errors = []
    properties = schema.get('properties', {})
    for name in schema.get('required', ()):
        if name not in value:
            errors.append(('%s/%s' % (pointer, name), 'field required'))
    for name, item in value.items():
        if name not in properties:
            continue
        if item is None and _unset_by_null(name, schema, properties[name]):
            continue  # null is what a reply shows for this field while unset (no default): sending it back unsets it
        errors.extend(validate(properties[name], item, '%s/%s' % (pointer, name)))
    return errors


def _unset_by_null(name, schema, prop):
    """An optional scalar field (not an object or a list) whose default is null or absent."""
    types = prop.get('type')
    types = types if isinstance(types, list) else [types]
    return name not in schema.get('required', ()) and prop.get('default') is None and not {'object', 'array'} & set(types)


def known_fields(schema, value, pointer='', ignored=None):
    """(value without the fields schema does not list, [JSON pointer of each dropped field])."""
    ignored = [] if ignored is None else ignored
    properties = schema.get('properties')
    if not isinstance(value, dict) or properties is None or schema.get('additionalProperties') is True:
        return value, ignored
    kept = {}
    for name, item in value.items():
        if name in properties:
            kept[name] = known_fields(properties[name], item, '%s/%s' % (pointer, name), ignored)[0]
        else:
            ignored.append('%s/%s' % (pointer, name))
    return kept, ignored


def _validate_array(schema, value, pointer):
    errors = []
    if 'minItems' in schema and len(value) < schema['minItems']:
        errors.append((pointer, '%s must have at least %d items.' % (_field(pointer), schema['minItems'])))
    if 'maxItems' in schema and len(value) > schema['maxItems']:
        errors.append((pointer, '%s must have at most %d items.' % (_field(pointer), schema['maxItems'])))
    if 'items' in schema:
        for index, item in enumerate(value):
            errors.extend(validate(schema['items'], item, '%s/%d' % (pointer, index)))
    return errors


def _validate_string(schema, value, pointer):
    name = _field(pointer)
    if 'minLength' in schema and len(value) < schema['minLength']:
        return [(pointer, '%s must be at least %d characters long.' % (name, schema['minLength']))]
    if 'maxLength' in schema and len(value) > schema['maxLength']:
        return [(pointer, '%s must be at most %d characters long.' % (name, schema['maxLength']))]
    fmt = schema.get('format')
    if fmt == 'uri' and value and not _URI.match(value):
        return [(pointer, '%s must be a valid URL including its scheme (https://...).' % name)]
    if fmt == 'uuid' and not _UUID.match(value):
        return [(pointer, '%s must be a UUID.' % name)]
    return []


def _validate_number(schema, value, pointer):
    name = _field(pointer)
    if 'minimum' in schema and value < schema['minimum']:
        return [(pointer, '%s must be greater than or equal to %s.' % (name, schema['minimum']))]
    if 'maximum' in schema and value > schema['maximum']:
        return [(pointer, '%s must be less than or equal to %s.' % (name, schema['maximum']))]
    if 'multipleOf' in schema and value % schema['multipleOf']:
        return [(pointer, '%s must be a multiple of %s.' % (name, schema['multipleOf']))]
    return []


def schema_defaults(schema):
    """The defaults a schema declares, nested objects included; null defaults only where null is allowed."""
    result = {}
    for name, prop in schema.get('properties', {}).items():
        if 'default' in prop:
            types = prop.get('type')
            nullable = types == 'null' or (isinstance(types, list) and 'null' in types)
            if prop['default'] is not None or nullable:
                result[name] = json.loads(json.dumps(prop['default']))
        elif prop.get('type') == 'object':
            nested = schema_defaults(prop)
            if nested:
                result[name] = nested
    return result

# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Helpers for module tests: run a module's main() with arguments and get its result; the ``api`` fixture.

Use: ``from ansible_collections.byoc.carrier.tests.unit.plugins.modules.module_runner import run_module``
(and ``fixture_api`` to get the ``api`` fixture in a test module).
"""

from __future__ import annotations

import json
import re
from unittest import mock

import pytest
from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args

from ansible_collections.byoc.carrier.tests.unit.plugins.fake_api import FakeAPI


FQDN_AUTH_PATH = re.compile(r'^/fqdn_connections/[^/]+/fqdn_authentication$')
# in Telnyx's full spec (ListConnectionActiveCalls), not in its SIP subset: a GET without a body
ACTIVE_CALLS_PATH = re.compile(r'^/connections/[^/]+/active_calls$')
FQDN_AUTH_FIELDS = {
    'fqdn_outbound_authentication': ('credential-authentication', 'ip-authentication'),
    'ip_authentication_method': ('token', 'p-charge-info'),
    'user_name': None, 'password': None,
}


def newer_than_the_spec(validate):
    """The spec's request check, plus the resource Telnyx added after the spec in ../shared/telnyx-api:
    GET/PATCH /fqdn_connections/{id}/fqdn_authentication (Telnyx's Python SDK 4.189.0; notes/telnyx-api.md), and
    GET /connections/{id}/active_calls (in the full spec, not in the SIP subset the check reads)."""
    def check(method, path, body):
        if ACTIVE_CALLS_PATH.match(path):
            assert method == 'GET' and body is None, '%s %s: only a GET without a body exists' % (method, path)
            return path
        if not FQDN_AUTH_PATH.match(path):
            return validate(method, path, body)
        assert method in ('GET', 'PATCH'), '%s %s: only GET and PATCH exist' % (method, path)
        if method == 'GET':
            assert body is None, 'GET %s takes no body' % path
            return path
        assert isinstance(body, dict) and body, 'PATCH %s needs a body' % path
        for key, value in body.items():
            assert key in FQDN_AUTH_FIELDS, 'PATCH %s: unknown field %s' % (path, key)
            assert FQDN_AUTH_FIELDS[key] is None or value in FQDN_AUTH_FIELDS[key], 'PATCH %s: %s=%r' % (path, key, value)
        return path
    return check


@pytest.fixture(name='api')
def fixture_api(monkeypatch):
    """A FakeAPI every client talks to; at the end every scripted answer must have been used.

    Import it into a test module (``from ...modules import fixture_api``) to use ``api`` in tests.
    """
    fake = FakeAPI()
    if fake.validate is not None:
        fake.validate = newer_than_the_spec(fake.validate)
    fake.install(monkeypatch)
    yield fake
    fake.assert_done()


class ModuleExit(Exception):
    """exit_json / fail_json of a module under test."""

    def __init__(self, result, failed):
        super().__init__(result.get('msg'))
        self.result = result
        self.failed = failed


def _exit(self, **result):  # pylint: disable=unused-argument
    raise ModuleExit(result, False)


def _fail(self, msg, **result):  # pylint: disable=unused-argument
    result['msg'] = msg
    result['failed'] = True
    raise ModuleExit(result, True)


def run_module(module, args, check=False, diff=False, warnings=None):
    """Run ``module.main()`` with ``args`` (check/diff mode as asked); returns the result dict.

    The result is passed through JSON (what Ansible would print); ``failed`` is True on fail_json.
    Warnings the module emits are appended to ``warnings`` when a list is given.
    """
    args = dict(args, _ansible_check_mode=check, _ansible_diff=diff)
    seen = []
    done = None
    with patch_module_args(args), mock.patch.object(basic.AnsibleModule, 'exit_json', _exit), \
            mock.patch.object(basic.AnsibleModule, 'fail_json', _fail), \
            mock.patch.object(basic.AnsibleModule, 'warn', lambda self, text: seen.append(text)):
        try:
            module.main()
        except ModuleExit as exited:
            done = exited
    if done is None:
        raise AssertionError('the module returned without exit_json or fail_json')
    if warnings is not None:
        warnings.extend(seen)
    return json.loads(json.dumps(done.result))

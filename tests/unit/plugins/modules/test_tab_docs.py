# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sip_inbound/sip_outbound documentation: the shared parts come from the connection_tab fragment, once, and with
the other fragments every option of the argument spec is documented (and nothing else)."""

from __future__ import annotations

import pytest
import yaml

from ansible_collections.byoc.carrier.plugins.doc_fragments.connection_tab import ModuleDocFragment as TabFragment
from ansible_collections.byoc.carrier.plugins.doc_fragments.telnyx import ModuleDocFragment as TelnyxFragment
from ansible_collections.byoc.carrier.plugins.module_utils._client import TELNYX_ARGUMENT_SPEC
from ansible_collections.byoc.carrier.plugins.module_utils._runner import settings_argument_spec
from ansible_collections.byoc.carrier.plugins.modules import sip_inbound, sip_outbound

MODULES = [(sip_inbound, 'inbound'), (sip_outbound, 'outbound')]


@pytest.mark.parametrize('module, scope', MODULES)
def test_options_are_documented_once_with_the_fragments(module, scope):
    doc = yaml.safe_load(module.DOCUMENTATION)
    assert 'byoc.carrier.connection_tab' in doc['extends_documentation_fragment']
    own = set(doc['options'])
    tab = set(yaml.safe_load(TabFragment.DOCUMENTATION)['options'])
    shared = set(yaml.safe_load(TelnyxFragment.DOCUMENTATION)['options'])
    assert tab == {'connection', 'region'}
    assert not own & tab and not own & shared
    assert own | tab | shared == set(settings_argument_spec(scope)) | set(TELNYX_ARGUMENT_SPEC)


@pytest.mark.parametrize('module, scope', MODULES)
def test_return_values_come_from_the_fragment(module, scope):
    returns = yaml.safe_load(module.RETURN)
    assert returns == {'extends_documentation_fragment': ['byoc.carrier.connection_tab']}
    tab = yaml.safe_load(TabFragment.RETURN)
    assert set(tab) == {'connection', 'changed_options', 'msg', 'api_retries'}
    assert scope in tab['connection']['contains'] and 'sip_uri' in tab['connection']['contains']

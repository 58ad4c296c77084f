# -*- coding: utf-8 -*-
# Copyright (c) byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""sip_inbound/sip_outbound documentation: the shared options come from the connection_tab fragment, once, and with
the other fragments every option of the argument spec is documented (and nothing else). Their return values are
written in each module (ansible-core 2.19 cannot extend RETURN from a fragment) and must stay the same."""

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
def test_return_values_are_written_out_the_same_in_both_modules(module, scope):
    returns = yaml.safe_load(module.RETURN)
    assert 'extends_documentation_fragment' not in returns
    assert not hasattr(TabFragment, 'RETURN')
    assert set(returns) == {'connection', 'changed_options', 'msg', 'api_retries'}
    assert scope in returns['connection']['contains'] and 'sip_uri' in returns['connection']['contains']
    assert returns == yaml.safe_load(sip_inbound.RETURN) == yaml.safe_load(sip_outbound.RETURN)

# -*- coding: utf-8 -*-
# Copyright: byoc.carrier contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The files playbooks/export.yml writes from byoc.carrier.sip_connection_info's ``format: trunk`` result."""

from __future__ import annotations

import yaml

from ansible.errors import AnsibleFilterError

from ansible_collections.byoc.carrier.plugins.module_utils import _common, _trunk


def _yaml(value):
    return yaml.safe_dump(value, default_flow_style=False, sort_keys=False, allow_unicode=True, width=120)


def _comment(lines):
    return ''.join('# %s\n' % line if line else '#\n' for line in lines)


def export_documents(info, region, generated_at=''):
    """``{'trunks': text of export-<region>.yml, 'vault': text of export-<region>-vault.yml}`` for a
    ``sip_connection_info`` result with ``format: trunk``."""
    info = _trunk.plain(info)
    if region not in _common.REGIONS:
        raise AnsibleFilterError('export_documents: region must be one of %s, got %r' % (', '.join(_common.REGIONS), region))
    if not isinstance(info, dict) or 'trunks' not in info:
        raise AnsibleFilterError('export_documents: expects the result of byoc.carrier.sip_connection_info with format: trunk')
    trunks, unsupported = info['trunks'], info.get('unsupported') or []
    head = ['byoc_trunks exported from Telnyx (region %s)%s by playbooks/export.yml: %d trunk(s), %d connection(s) left out.'
            % (region, ' at %s' % generated_at if generated_at else '', len(trunks), len(unsupported)),
            'Put them under an SBC host of this region (byoc_region: %s) and fill export-%s-vault.yml.' % (region, region),
            'Secrets are references to vault variables; update_password: on_create leaves passwords as Telnyx has them.']
    missing = [t['name'] for t in trunks if 'sbc_port' not in t]
    if missing:
        head += ['', 'Set sbc_port (the SBC port the PBX sends the trunk\'s calls to) on: %s.' % ', '.join(missing)]
    if unsupported:
        head += ['', 'Left out, the trunk model cannot express them:']
        for item in unsupported:
            head.append('  %s (id %s, %s): %s' % (item['name'], item['id'], item['type'], '; '.join(item['reasons'])))
    vault = info.get('vault_variables') or []
    vault_head = ['The vault variables export-%s.yml refers to. Fill each with the secret the connection has at Telnyx' % region,
                  '(no value is exported: Telnyx shows secrets only to the portal user), then encrypt this file:',
                  '  ansible-vault encrypt export-%s-vault.yml' % region]
    return {
        'trunks': _comment(head) + '---\n' + _yaml({'byoc_trunks': trunks}),
        'vault': _comment(vault_head) + '---\n' + (_yaml(dict((name, '') for name in vault)) if vault else '{}\n'),
    }


class FilterModule:
    """byoc.carrier export filters."""

    def filters(self):
        return {'export_documents': export_documents}

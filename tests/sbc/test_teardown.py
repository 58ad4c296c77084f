# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Teardown on the SBC: a trunk with state: absent is not rendered (no port, route, registration or secret), and no
file holding secrets (the .kamailio.cfg.candidate) stays in the config dir after a run, whether it passed or failed."""

from __future__ import annotations

import pytest

from conftest import SBC_PORT, TOKEN, base_vars, ip_trunk, run_role

CRED_PASSWORD, CRED_USER = 'gone-Secret-77', 'gonecreds1'
GONE_TOKEN = 'gone-token-000000000077'
KEEP = ip_trunk('acme-keep', SBC_PORT, ip_auth_method='token', token=TOKEN)
GONE_IP = ip_trunk('acme-gone-ip', SBC_PORT + 2, ip_auth_method='token', token=GONE_TOKEN)
GONE_CRED = {'name': 'acme-gone-cred', 'type': 'credentials', 'sbc_port': SBC_PORT + 4, 'username': CRED_USER, 'password': CRED_PASSWORD}
SECRETS = (GONE_TOKEN, CRED_PASSWORD, CRED_USER)


def _render(tmp_path, trunks, **extra):
    proc = run_role(tmp_path, base_vars(tmp_path / 'etc', tmp_path / 'run', trunks, **extra), name='render%d' % len(list(tmp_path.glob('*.log'))))
    return proc


def _config_files(tmp_path):
    return {str(p.relative_to(tmp_path / 'etc')): p.read_text(errors='replace') for p in (tmp_path / 'etc').rglob('*') if p.is_file()}


def _absent(trunk):
    return dict(trunk, state='absent')


def test_absent_trunks_are_not_rendered(tmp_path):
    proc = _render(tmp_path, [KEEP, GONE_IP, GONE_CRED])
    assert proc.returncode == 0, proc.stdout[-3000:]
    files = _config_files(tmp_path)
    # the three trunks are live first: the credentials trunk registers, the token travels
    assert CRED_PASSWORD in files['dbtext/uacreg'] and GONE_TOKEN in files['kamailio.cfg']
    assert 'listen=udp:127.0.0.1:%d' % (SBC_PORT + 4) in files['kamailio.cfg']

    proc = _render(tmp_path, [KEEP, _absent(GONE_IP), _absent(GONE_CRED)])
    assert proc.returncode == 0, proc.stdout[-3000:]
    files = _config_files(tmp_path)
    cfg = files['kamailio.cfg']
    for secret in SECRETS:
        assert not [name for name, text in files.items() if secret in text], secret
    for name, port in (('acme-gone-ip', SBC_PORT + 2), ('acme-gone-cred', SBC_PORT + 4)):
        assert name not in cfg and name not in files['dispatcher.list']
        assert ':%d' % port not in cfg
    # no registration at all: the uacreg table (it held the password) is gone, Kamailio loads no uac module
    assert 'dbtext/uacreg' not in files and 'uac.so' not in cfg
    # the trunk that stays is whole
    assert 'listen=udp:127.0.0.1:%d' % SBC_PORT in cfg and 'X-Telnyx-Token: %s' % TOKEN in cfg
    assert 'route[OUT_T0_acme_keep]' in cfg and 'duid=T0_acme_keep-1' in files['dispatcher.list']
    assert '.kamailio.cfg.candidate' not in files


def test_every_trunk_absent_leaves_an_sbc_that_relays_nothing(tmp_path):
    proc = _render(tmp_path, [_absent(KEEP), _absent(GONE_CRED)])
    assert proc.returncode == 0, proc.stdout[-3000:]
    files = _config_files(tmp_path)
    cfg = files['kamailio.cfg']
    assert TOKEN not in cfg and CRED_PASSWORD not in ''.join(files.values())
    # only the SBC's own port; kamailio -c accepted it (the role checks), no route toward Telnyx
    assert [line for line in cfg.splitlines() if line.startswith('listen=')] == ['listen=udp:127.0.0.1:%d' % SBC_PORT]
    assert 'route[OUT_' not in cfg and 'transport=' not in files['dispatcher.list']


@pytest.mark.parametrize('extra', [{}, {'sbc_kamailio_mpath': '/nonexistent/kamailio/modules'}], ids=['passed', 'kamailio-c-failed'])
def test_no_candidate_with_secrets_stays_behind(tmp_path, extra):
    proc = _render(tmp_path, [KEEP, GONE_CRED], **extra)
    assert (proc.returncode == 0) == (not extra), proc.stdout[-3000:]
    if extra:
        assert 'kamailio -c rejected the generated configuration' in proc.stdout
    files = _config_files(tmp_path)
    assert '.kamailio.cfg.candidate' not in files
    # secrets only in the files Kamailio reads (mode 0640), and nowhere when the run failed before writing them
    holders = sorted(name for name, text in files.items() if TOKEN in text or CRED_PASSWORD in text)
    assert holders == ([] if extra else ['dbtext/uacreg', 'kamailio.cfg']), holders

#!/usr/bin/env bash
# Ensure the Dovecot IMAP server binary is installed (Debian's dovecot-imapd).
#
# Idempotent and silent when dovecot is already present. The tests run their
# own private Dovecot instance (see tests/servers.py), so the package's system
# service is masked/stopped and never required.
set -euo pipefail

have_dovecot() {
    command -v dovecot >/dev/null 2>&1 || [ -x /usr/sbin/dovecot ]
}

if have_dovecot && [ -e /usr/lib/dovecot/imap ]; then
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "ensure-dovecot: dovecot is missing and we are not root; cannot install" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive

# Keep the package's postinst from starting/enabling the system service:
# policy-rc.d exit code 101 means "action forbidden" to invoke-rc.d.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    created_policy=1
fi
cleanup() {
    if [ "$created_policy" -eq 1 ]; then
        rm -f "$policy"
    fi
}
trap cleanup EXIT

install_pkg() {
    apt-get install -y -q --no-install-recommends \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
        dovecot-imapd >/tmp/ensure-dovecot.log 2>&1
}

if ! install_pkg; then
    apt-get update -q >>/tmp/ensure-dovecot.log 2>&1 || true
    if ! install_pkg; then
        echo "ensure-dovecot: apt-get install dovecot-imapd failed; see /tmp/ensure-dovecot.log" >&2
        tail -n 20 /tmp/ensure-dovecot.log >&2 || true
        exit 1
    fi
fi

# We run a private instance; make sure the system service is not left running
# or enabled (no-ops where there is no systemd / sysv init).
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    systemctl disable --now dovecot.service dovecot.socket >/dev/null 2>&1 || true
fi
if [ -x /etc/init.d/dovecot ] && [ ! -d /run/systemd/system ]; then
    /etc/init.d/dovecot stop >/dev/null 2>&1 || true
fi
update-rc.d dovecot disable >/dev/null 2>&1 || true

if ! have_dovecot; then
    echo "ensure-dovecot: dovecot still not found after install" >&2
    exit 1
fi

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

. "$(dirname "$0")/lib/install-without-service.sh"
install_without_service ensure-dovecot dovecot-imapd dovecot dovecot.service dovecot.socket

if ! have_dovecot; then
    echo "ensure-dovecot: dovecot still not found after install" >&2
    exit 1
fi

#!/usr/bin/env bash
# Ensure the PostgreSQL server binaries (initdb, postgres, pg_ctl) are installed
# (Debian's postgresql package).
#
# Idempotent and silent when they are already present. The tests run their own
# private PostgreSQL cluster (see tests/pg.py: initdb in a temp dir as user
# postgres, on a loopback port), so the package's system cluster/service is
# never started or needed.
set -euo pipefail

have_postgres() {
    local d
    for d in /usr/lib/postgresql/*/bin; do
        if [ -x "$d/initdb" ] && [ -x "$d/postgres" ]; then
            return 0
        fi
    done
    return 1
}

if have_postgres && getent passwd postgres >/dev/null 2>&1; then
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "ensure-postgres: postgresql is missing and we are not root; cannot install" >&2
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

# No default "main" cluster: we only need the binaries.
mkdir -p /etc/postgresql-common/createcluster.d
if [ ! -e /etc/postgresql-common/createcluster.d/mailbot-no-cluster.conf ]; then
    echo "create_main_cluster = false" >/etc/postgresql-common/createcluster.d/mailbot-no-cluster.conf
fi

install_pkg() {
    apt-get install -y -q --no-install-recommends \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
        postgresql >/tmp/ensure-postgres.log 2>&1
}

if ! install_pkg; then
    apt-get update -q >>/tmp/ensure-postgres.log 2>&1 || true
    if ! install_pkg; then
        echo "ensure-postgres: apt-get install postgresql failed; see /tmp/ensure-postgres.log" >&2
        tail -n 20 /tmp/ensure-postgres.log >&2 || true
        exit 1
    fi
fi

# We run private clusters; make sure no system service is left running or enabled
# (no-ops where there is no systemd / sysv init).
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    systemctl disable --now postgresql.service >/dev/null 2>&1 || true
fi
if [ -x /etc/init.d/postgresql ] && [ ! -d /run/systemd/system ]; then
    /etc/init.d/postgresql stop >/dev/null 2>&1 || true
fi
update-rc.d postgresql disable >/dev/null 2>&1 || true

if ! have_postgres; then
    echo "ensure-postgres: initdb/postgres still not found after install" >&2
    exit 1
fi

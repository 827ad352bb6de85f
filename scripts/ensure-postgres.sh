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

if [ "$(id -u)" -eq 0 ]; then
    # No default "main" cluster: we only need the binaries.
    mkdir -p /etc/postgresql-common/createcluster.d
    if [ ! -e /etc/postgresql-common/createcluster.d/mailbot-no-cluster.conf ]; then
        echo "create_main_cluster = false" >/etc/postgresql-common/createcluster.d/mailbot-no-cluster.conf
    fi
fi

. "$(dirname "$0")/lib/install-without-service.sh"
install_without_service ensure-postgres postgresql postgresql postgresql.service

if ! have_postgres; then
    echo "ensure-postgres: initdb/postgres still not found after install" >&2
    exit 1
fi

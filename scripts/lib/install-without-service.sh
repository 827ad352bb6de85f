# Sourced by scripts/ensure-*.sh: install a Debian package whose own system
# service must never run (the tests start private instances of the server).
#
#   install_without_service TOOL PACKAGE INIT_SCRIPT [SYSTEMD_UNIT...]
#
# TOOL names the messages and the log (/tmp/TOOL.log). The package's postinst
# is kept from starting its service (policy-rc.d answering 101, "action
# forbidden"); afterwards the service is stopped and disabled where an init
# system exists. Returns non-zero, with the log's tail on stderr, on failure.

install_without_service() {
    local tool=$1 package=$2 init=$3
    shift 3
    local log=/tmp/$tool.log policy=/usr/sbin/policy-rc.d created=0 status=0

    if [ "$(id -u)" -ne 0 ]; then
        echo "$tool: $package is missing and we are not root; cannot install" >&2
        return 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy"
        chmod 755 "$policy"
        created=1
    fi
    if ! _apt_install "$package" >"$log" 2>&1; then
        apt-get update -q >>"$log" 2>&1 || true
        _apt_install "$package" >>"$log" 2>&1 || status=1
    fi
    if [ "$created" -eq 1 ]; then
        rm -f "$policy"
    fi
    if [ "$status" -ne 0 ]; then
        echo "$tool: apt-get install $package failed; see $log" >&2
        tail -n 20 "$log" >&2 || true
        return 1
    fi

    # no-ops where there is no systemd / sysv init
    if [ "$#" -gt 0 ] && command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
        systemctl disable --now "$@" >/dev/null 2>&1 || true
    fi
    if [ -x "/etc/init.d/$init" ] && [ ! -d /run/systemd/system ]; then
        "/etc/init.d/$init" stop >/dev/null 2>&1 || true
    fi
    update-rc.d "$init" disable >/dev/null 2>&1 || true
}

_apt_install() {
    apt-get install -y -q --no-install-recommends \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$1"
}

#!/usr/bin/env bash
# Ensure Debian's Chromium and its ChromeDriver (the desk's browser test) and
# poppler-utils (pdftoppm, for the printout pictures in docs/) are installed.
#
# Idempotent and silent when present. Nothing is downloaded by the tests at
# run time: Selenium is pointed at /usr/bin/chromium and /usr/bin/chromedriver.
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "ensure-chromium: ${missing[*]} missing and we are not root; cannot install" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
log=/tmp/ensure-chromium.log
if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >"$log" 2>&1; then
    apt-get update -q >>"$log" 2>&1 || true
    if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >>"$log" 2>&1; then
        echo "ensure-chromium: apt-get install ${missing[*]} failed; see $log" >&2
        tail -n 20 "$log" >&2 || true
        exit 1
    fi
fi

"""A real desk and a real browser: `mailbot web` started as its own process on a free
loopback port, and Debian's Chromium driven headless by Selenium through Debian's
chromedriver (nothing is downloaded: both paths are given, so Selenium Manager
never runs)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from servers import free_port

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
MAILBOT = [sys.executable, "-m", "mailbot"]


def browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None (make test installs both)."""
    for p in (CHROMIUM, CHROMEDRIVER):
        if not p.exists():
            return f"{p} is missing (scripts/ensure-chromium.sh installs it)"
    return None


def mailbot(storage: Path, *args: str, now: str | None = None, stdin: str | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess:
    cmd = [*MAILBOT, "--config", str(ROOT / "config.toml"), "--storage", str(storage)]
    if now:
        cmd += ["--now", now]
    return subprocess.run([*cmd, *args], input=stdin, capture_output=True, text=True, timeout=timeout,
                          cwd=ROOT, check=True)


@contextmanager
def desk_server(storage: Path, *, now: str | None = None, timeout: float = 60):
    """`mailbot web` on a free port; yields its base URL once /login answers."""
    port = free_port()
    cmd = [*MAILBOT, "--config", str(ROOT / "config.toml"), "--storage", str(storage)]
    if now:
        cmd += ["--now", now]
    log = open(storage.parent / f"desk-{port}.log", "w+")
    proc = subprocess.Popen([*cmd, "web", "--port", str(port)], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                            env={**os.environ, "MAILBOT_WEB_SECRET": "test-secret-" + str(port)})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"mailbot web exited with {proc.returncode}: {log.read()[-2000:]}")
            try:
                with urllib.request.urlopen(base + "/login", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"mailbot web did not answer on {base} within {timeout} s") from None
                time.sleep(0.05)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


@contextmanager
def chrome(workdir: Path, *, width: int = 1280, height: int = 900):
    """Headless Chromium with a fresh profile and no background network traffic."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = workdir / "chrome-profile"
    shutil.rmtree(profile, ignore_errors=True)
    opts = webdriver.ChromeOptions()
    opts.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--user-data-dir={profile}", f"--window-size={width},{height}",
                 "--lang=nl-NL"):
        opts.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=opts)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()

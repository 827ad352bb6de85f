"""Named crash points for the crash-consistency tests.

When the environment variable MAILBOT_FAILPOINT names a point the pipeline
passes, the process SIGKILLs itself there, exactly as a power cut or an OOM
kill would stop it. Unset (always, in production) this costs one dict lookup.
"""

from __future__ import annotations

import os
import signal

POINTS = ("during-migration", "after-record", "after-send", "after-acknowledge")


def hit(name: str) -> None:
    if os.environ.get("MAILBOT_FAILPOINT") == name:
        os.kill(os.getpid(), signal.SIGKILL)

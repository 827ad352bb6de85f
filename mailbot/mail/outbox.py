"""The embedded way of sending: one .eml file per message in a folder.

Files are named after the outbox row, written to a temporary name and renamed,
so a crash leaves either the whole file or nothing, and a resend after a crash
overwrites instead of duplicating.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from mailbot.mail.base import Outgoing, SendResult


class FileOutbox:
    def __init__(self, path: Path) -> None:
        self.path = path

    def send(self, mails: list[Outgoing], on_result: Callable[[SendResult], None] | None = None) -> list[SendResult]:
        self.path.mkdir(parents=True, exist_ok=True)
        out = []
        for m in mails:
            final = self.path / f"{m.id:06d}.eml"
            tmp = final.with_suffix(".tmp")
            try:
                with open(tmp, "wb") as f:
                    f.write(m.raw)
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(tmp, final)
                result = SendResult(m.id, True)
            except OSError as e:
                result = SendResult(m.id, False, error=f"cannot write {final}: {e.strerror}")
            out.append(result)
            if on_result is not None:
                on_result(result)
        return out

"""What the bot prints is text, never terminal commands.

Names, subjects and mail text come from strangers; an ESC or OSC sequence in a display
name would otherwise reach the operator's terminal raw through `digest --print`,
`review list`, `review show` or `explain` (retitle the window, hide lines, write to the
clipboard). Every text the CLI prints passes `printable` once, at the stream.
"""

from __future__ import annotations

import os
import re
import sys
from typing import TextIO

# C0 controls except tab and newline, DEL, C1 controls, and the bidi overrides that
# make a terminal show text in another order than it is
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """`text` without control characters (an ESC sequence loses its ESC and shows as text)."""
    return _CONTROL.sub("", text) if _CONTROL.search(text) else text


class PrintableStream:
    """A text stream that writes `printable` text; binary output (a spreadsheet to
    stdout) still goes to the underlying buffer untouched."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(printable(text))

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def install() -> None:
    """Wrap stdout and stderr for the rest of the process (the CLI calls this first)."""
    if os.environ.get("MAILBOT_RAW_OUTPUT") == "1":  # for debugging the bot itself
        return
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is not None and not isinstance(stream, PrintableStream):
            setattr(sys, name, PrintableStream(stream))

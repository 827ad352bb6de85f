"""Reading a backlog on more than one core.

Parsing and understanding (mailbot.core.prepare) is most of a message's
CPU and needs no database, so for a batch of at least MIN_BATCH messages it
runs in worker processes while this process decides, records and composes
the messages in their order as the readings come back. A small batch (IDLE
brings one message at a time) is read in-process: no start-up, no pickling.

Workers are started with `spawn` (the bot has threads: IDLE watcher,
scheduler; forking those is unsafe), once, on the first large batch, and
live as long as the bot, never longer: a worker whose bot was killed (kill
-9, the OOM killer) exits within PARENT_CHECK seconds instead of lingering.
Should a worker die or hang, the pool is dropped and the rest of the batch
is read in-process: slower, never lost.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from mailbot.core.prepare import Prepared, prepare
from mailbot.core.types import Knowledge

log = logging.getLogger("mailbot")
MIN_BATCH = 16
CHUNK = 8  # messages per round trip to a worker
SECONDS_PER_MESSAGE = 5.0  # a worker that takes longer than this on average is taken for hung

PARENT_CHECK = 0.5  # seconds between a worker's checks that its bot is still there

_KNOWLEDGE: Knowledge | None = None  # in a worker: set once by _start


def _start(knowledge: Knowledge, parent: int) -> None:
    global _KNOWLEDGE
    _KNOWLEDGE = knowledge
    threading.Thread(target=_exit_with, args=(parent,), name="parent-watch", daemon=True).start()


def _exit_with(parent: int) -> None:
    """End this worker once its bot is gone. A killed bot cannot shut its pool down, and a
    worker holds both ends of its own task pipe, so it would otherwise wait for ever."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK)
    os._exit(0)


def _work(item: tuple[bytes, bool]) -> Prepared:
    raw, read = item
    assert _KNOWLEDGE is not None
    return prepare(raw, _KNOWLEDGE, read=read)


def default_workers() -> int:
    """One core is left to the process that records; at most 4 readers."""
    return max(0, min(4, (os.cpu_count() or 1) - 1))


class Readers:
    def __init__(self, knowledge: Knowledge, workers: int) -> None:
        self.knowledge = knowledge
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def prepare_all(self, items: list[tuple[bytes, bool]]) -> Iterator[Prepared]:
        """prepare(raw, read=read) for each (raw, read), in order, as each becomes ready."""
        done = 0
        if self.workers > 0 and len(items) >= MIN_BATCH:
            try:
                results = self._executor().map(_work, items, chunksize=CHUNK,
                                               timeout=60 + SECONDS_PER_MESSAGE * len(items))
                for prepared in results:
                    yield prepared
                    done += 1
                return
            except (BrokenProcessPool, TimeoutError, OSError) as e:
                log.warning("reader processes failed (%s: %s); reading the rest of the batch here",
                            type(e).__name__, e)
                self.close(wait=False)
        for raw, read in items[done:]:
            yield prepare(raw, self.knowledge, read=read)

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_start, initargs=(self.knowledge, os.getpid()))
        return self._pool

    def close(self, wait: bool = True) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            if not wait:
                for p in list(getattr(pool, "_processes", {}).values()):  # a hung one would block shutdown
                    p.kill()
            pool.shutdown(wait=wait, cancel_futures=True)

"""The prepare stage of many photos (decode, faces, alignment, quality) in worker processes.

Processes, not threads: MediaPipe's graphs sit behind one lock per process
(``landmarks.FaceFinder``), and silencing their C++ logging points file descriptor 2 at
/dev/null for the whole process, so a second detector in a thread could swallow the CLI's
progress lines (and two threads with a detector each found faces no faster than one, 0.96x
on 2 busy cores). Workers are spawned, never forked (torch's and MediaPipe's threads do not
survive a fork), and import no torch (``prepare`` needs none), so they start in about a
second and stay small (~230 MB). Each holds one photo at a time and sends back only its crop
and measures; at most :attr:`PreparedPhotos.window` photos are in flight, so memory does
not grow with the folder.

Spawned workers import the main script again, as multiprocessing does: a script whose top
level imports torch slows every worker's start by seconds (a 100-photo batch ran at about
half speed), so scripts that screen folders import heavy modules inside their functions.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from types import TracebackType

from wbs_desktop.core.errors import WBSError
from wbs_desktop.core.i18n import language, set_language
from wbs_desktop.core.pipeline.prepare import Prepared, prepare_file

# Each worker holds MediaPipe's graphs and a photo (peak ~230 MB resident, measured); more
# than this many rarely pays, since the networks in the main process become the bottleneck.
MAX_WORKERS = 8

Outcome = tuple[Path, Prepared | WBSError, float]


def available_cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS and Windows have no affinity call
        return os.cpu_count() or 1


def _prepare_timed(photo: Path, input_size: int, mask_outside_face: bool) -> Outcome:
    """Runs in a worker. An expected failure comes back as its error, whose sentence is the
    photo's reason; anything else is a bug and propagates to the caller."""
    started = time.perf_counter()
    try:
        outcome: Prepared | WBSError = prepare_file(photo, input_size, mask_outside_face)
    except WBSError as error:
        outcome = error
    return photo, outcome, time.perf_counter() - started


class PreparedPhotos:
    """Iterating yields ``(photo, Prepared or its WBSError, seconds)`` in the photos' order.

    Use it as a context manager: leaving it cancels the photos not started and waits for
    the ones in progress (at most one per worker), so no worker outlives it.
    """

    def __init__(
        self,
        photos: Iterable[Path],
        input_size: int,
        *,
        mask_outside_face: bool,
        workers: int,
        lookahead: int = 0,
    ) -> None:
        """``workers``: processes, or 0 to prepare each photo in this process when it is
        asked for (where a worker would only take cores from the networks: small CPUs).
        ``lookahead``: photos the consumer may hold beyond two per worker (a batch)."""
        if workers < 0:
            raise ValueError("the number of workers cannot be negative")
        self._photos = iter(photos)
        self._size = input_size
        self._mask = mask_outside_face
        self.window = 2 * workers + lookahead
        self._pending: deque[Future[Outcome]] = deque()
        self._pool = (
            # Spawned workers start in English: their warnings must be in this process's language.
            ProcessPoolExecutor(
                workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=set_language,
                initargs=(language(),),
            )
            if workers
            else None
        )

    def __enter__(self) -> PreparedPhotos:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def __iter__(self) -> Iterator[Outcome]:
        if self._pool is None:
            for photo in self._photos:
                yield _prepare_timed(photo, self._size, self._mask)
            return
        self._fill()
        while self._pending:
            outcome = self._pending.popleft().result()
            self._fill()
            yield outcome

    def _fill(self) -> None:
        while len(self._pending) < self.window:
            photo = next(self._photos, None)
            if photo is None:
                return
            assert self._pool is not None  # _fill runs only with workers
            self._pending.append(self._pool.submit(_prepare_timed, photo, self._size, self._mask))

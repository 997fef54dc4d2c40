"""Screening a folder fast: the two stages of ``analyze`` as a pipeline.

::

    photos -> worker processes: decode, faces, alignment, quality  (pipeline.prepare_pool)
           -> in the photos' order, mini-batches of crops
           -> the networks on the bundle's device                 (scoring.network_logits)
           -> the deployed score of each photo                    (analysis.score_logits)
           -> one BatchRow per photo, in the photos' order

While the networks score one mini-batch, the workers prepare the next photos (up to a
batch and two photos per worker ahead), so neither stage waits for the other unless it is
the faster one.

Each row is the row ``batch.screen_photo`` (``analyze``) makes for that photo: the same
stages, scored by the same functions, with the same failure sentences. Two things differ
on purpose: rows keep no heatmap, so no Grad-CAM is computed (its forward pass is the same
one, so the score is unchanged); and images are scored several at a time, where batched
convolutions may round differently (scores agreed within 1e-5 on a CPU; on a GPU, whose
convolutions use TF32 by default, differences up to 1.1e-4 were seen).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from wbs_desktop.core.errors import ModelError, WBSError
from wbs_desktop.core.outputs.batch import BatchRow, failed_row, scored_row
from wbs_desktop.core.pipeline.prepare import Prepared
from wbs_desktop.core.pipeline.prepare_pool import (
    MAX_WORKERS,
    Outcome,
    PreparedPhotos,
    available_cores,
)

if TYPE_CHECKING:  # torch is imported where the networks run: the caller's process only
    import torch

    from wbs_desktop.core.model.bundle import ModelBundle

BATCH_SIZE = 8
WORKERS_FROM_CORES = 4  # on a CPU; fewer cores prepare in the networks' process


def _never() -> bool:
    return False


def default_workers(device: torch.device) -> int:
    """Prepare processes for a batch on ``device`` (a ``torch.device``); 0 prepares in this
    process. With a GPU the main process only feeds it, so every core but one prepares
    photos. On a CPU the networks need most cores (resnet34 with mirror views costs several
    times a photo's prepare stage): below :data:`WORKERS_FROM_CORES` cores a worker only
    takes cores from them (2 cores: 1 worker gave 0.87-1.15x the sequential loop, preparing
    in this process more), from there a quarter of the cores prepare (4 cores: 1 worker
    beat none for both resnet34 and mobilenet_v2; 8 and 16: a quarter beat half of that
    for mobilenet_v2; docs/performance.md)."""
    cores = available_cores()
    if device.type == "cpu":
        return 0 if cores < WORKERS_FROM_CORES else min(MAX_WORKERS, cores // 4)
    return max(1, min(MAX_WORKERS, cores - 1))


def network_threads(workers: int) -> int:
    """torch's threads for the networks on a CPU beside ``workers``: the cores they leave,
    but at least 2 (on 2 cores, 2 threads beside 1 worker ran faster than 1)."""
    return max(2, available_cores() - workers)


def screen_photos(
    photos: Sequence[Path],
    bundle: ModelBundle,
    device: str | torch.device | None = None,
    *,
    workers: int | None = None,
    batch_size: int = BATCH_SIZE,
    threads: int | None = None,
    should_stop: Callable[[], bool] = _never,
    network_lock: AbstractContextManager[object] | None = None,
) -> Iterator[BatchRow]:
    """One row per photo, in the photos' order, a mini-batch of rows at a time.

    ``workers``: prepare processes (default :func:`default_workers`). ``threads``: torch's
    threads for the networks on a CPU (default :func:`network_threads`), restored at the
    end; never more than torch has now (the GUI leaves a core to its window).
    ``should_stop`` is asked before each row and as each photo is prepared: once it says
    True no further row comes, and the photos in progress are finished (at most one per
    worker) and dropped.
    ``network_lock`` is held while the networks run (the GUI shares its bundle between
    threads). A bad photo gives a failed row and the batch goes on; an unusable device
    raises ``DeviceError`` before the first row.
    """
    from wbs_desktop.core.pipeline.analysis import on_device  # torch: the caller's process only

    target = on_device(bundle, device)
    lock = network_lock or nullcontext()
    workers = min(default_workers(target) if workers is None else workers, len(photos))
    with (
        PreparedPhotos(
            photos,
            bundle.input_size,
            mask_outside_face=bool(bundle.card.get("face_only")),
            workers=workers,
            lookahead=batch_size,
        ) as prepared,
        _cpu_threads(target, threads or network_threads(workers)),
    ):
        for batch in _batches(prepared, batch_size, should_stop):
            with lock:
                rows = _score(batch, bundle, target)
            for row in rows:
                if should_stop():
                    return
                yield row


@contextmanager
def _cpu_threads(device: torch.device, count: int) -> Iterator[None]:
    """torch's threads for the networks on a CPU, restored after. With as many threads as
    cores while the workers also run, each parallel step waits for threads that have no
    core: 8 workers beside 16 threads ran at 0.6x the sequential loop on 16 cores."""
    import torch

    if device.type != "cpu":
        yield
        return
    previous = torch.get_num_threads()
    torch.set_num_threads(min(count, previous))
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def _batches(
    outcomes: Iterable[Outcome], size: int, should_stop: Callable[[], bool]
) -> Iterator[list[Outcome]]:
    """The outcomes in order, cut after every ``size``-th prepared photo (failures ride
    along), the last batch shorter. Full batches keep the networks' input shape constant:
    the first run of each new shape is slow (kernel choice, most of all on a GPU)."""
    batch: list[Outcome] = []
    prepared = 0
    for outcome in outcomes:
        if should_stop():
            return
        batch.append(outcome)
        prepared += isinstance(outcome[1], Prepared)
        if prepared == size:
            yield batch
            batch, prepared = [], 0
    if batch:
        yield batch


def network_log_odds(
    bundle: ModelBundle, crops: Sequence[np.ndarray], device: torch.device | str
) -> np.ndarray:
    """(N, networks) log-odds of N prepared crops, the networks' stage of ``analyze`` for
    many photos at once (``scoring.network_logits``: the function training scores with)."""
    import torch

    from wbs_desktop.core.model.scoring import network_logits

    norm = bundle.card["normalization"]
    return network_logits(
        bundle.networks,
        torch.from_numpy(np.stack(crops)),
        mean=norm["mean"],
        std=norm["std"],
        positive=bundle.positive_index,
        flip=bundle.card["flip_tta"],
        device=device,
        batch_size=len(crops),
    )


def _score(waiting: list[Outcome], bundle: ModelBundle, device: torch.device) -> list[BatchRow]:
    """The rows of ``waiting``, in its order: its prepared photos scored as one batch."""
    from wbs_desktop.core.pipeline.analysis import score_logits

    crops = [prepared.seen for _, prepared, _ in waiting if isinstance(prepared, Prepared)]
    started = time.perf_counter()
    log_odds = iter(network_log_odds(bundle, crops, device) if crops else ())
    share = (time.perf_counter() - started) / max(len(crops), 1)
    rows = []
    for photo, prepared, seconds in waiting:
        if isinstance(prepared, WBSError):
            rows.append(failed_row(photo, bundle, prepared, seconds))
            continue
        try:
            scored = score_logits(bundle.card, next(log_odds))
        except ModelError as error:
            rows.append(failed_row(photo, bundle, error, seconds + share))
            continue
        rows.append(
            scored_row(
                photo,
                bundle,
                scored,
                faces_found=prepared.face_count,
                warnings=prepared.warnings,
                seconds=seconds + share,
                face=prepared.aligned.image,
            )
        )
    return rows

"""The deployed score: how a bundle's networks turn one aligned face crop into one number.

The app (``analysis``) and training (``export`` and the evaluations in ``training/``) both
compute scores with these functions, so the probability a clinician reads is exactly the
one whose threshold, sensitivity and specificity were measured::

    crop (S x S x 3, uint8)
      -> to_input                normalised with the card's mean and std
      -> each network, on the crop and, when the card asks, its mirror image:
           positive-class log-odds  z = logit[positive] - logsumexp(logit[others])
      -> network logit           mean of z over the views
      -> deployed logit          mean of the network logits (the ensemble, in logit space)
      -> score                   sigmoid(slope * deployed logit + intercept)  (Platt map)

Averaging logits rather than probabilities keeps the ensemble's output a log-odds, which the
two-parameter Platt map then calibrates: a slope corrects over- or under-confidence, the
intercept the constant shift that class weighting puts on every logit (a temperature alone
cannot remove a shift).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from wbs_desktop.core.errors import ModelError
from wbs_desktop.core.i18n import _


def to_input(crops: Tensor, mean: Sequence[float], std: Sequence[float]) -> Tensor:
    """(N,S,S,3) uint8 crops -> (N,3,S,S) float32, scaled to [0, 1] and normalised."""
    x = crops.permute(0, 3, 1, 2).float().div_(255)
    mean_t = torch.tensor(list(mean), dtype=torch.float32, device=x.device).view(1, 3, 1, 1)
    std_t = torch.tensor(list(std), dtype=torch.float32, device=x.device).view(1, 3, 1, 1)
    return (x - mean_t) / std_t


def with_mirror(x: Tensor, flip: bool) -> Tensor:
    """The views a network sees: ``x`` and, with ``flip``, its mirror images after it."""
    return torch.cat([x, x.flip(-1)]) if flip else x


def positive_log_odds(logits: Tensor, positive: int) -> Tensor:
    """(N,C) logits -> (N,) log-odds of the positive class against all the others."""
    logits = logits.double()
    others = torch.cat([logits[:, :positive], logits[:, positive + 1 :]], dim=1)
    return logits[:, positive] - torch.logsumexp(others, dim=1)


def view_mean(log_odds: Tensor, views: int) -> Tensor:
    """(views*N,) log-odds laid out as :func:`with_mirror` makes them -> (N,) means."""
    return log_odds.view(views, -1).mean(dim=0)


def deployed_logit(network_logits: np.ndarray | Sequence[float]) -> np.ndarray | float:
    """Mean over the last axis: (networks,) -> float, or (N, networks) -> (N,)."""
    values = np.asarray(network_logits, dtype=np.float64)
    mean = values.mean(axis=-1)
    return float(mean) if mean.ndim == 0 else mean


@dataclass(frozen=True)
class Calibration:
    """Platt map from the deployed logit to a probability of the positive class."""

    slope: float
    intercept: float

    @classmethod
    def from_card(cls, card: Mapping[str, Any]) -> Calibration:
        entry = card["calibration"]
        return cls(float(entry["slope"]), float(entry["intercept"]))

    def probability(self, logit: np.ndarray | float) -> np.ndarray | float:
        z = self.slope * np.asarray(logit, dtype=np.float64) + self.intercept
        p = np.exp(-np.logaddexp(0.0, -z))
        return float(p) if p.ndim == 0 else p


def require_finite(values: Tensor | np.ndarray | Sequence[float] | float, what: str) -> None:
    """A non-finite number is a failure, never a score: refuse it in one sentence."""
    if isinstance(values, Tensor):
        finite = bool(torch.isfinite(values).all())
    else:
        finite = bool(np.all(np.isfinite(np.asarray(values, dtype=np.float64))))
    if not finite:
        raise ModelError(
            _(
                "The model produced an invalid number ({what} is not finite) for this "
                "photo, so no score can be given; try another photo or model, and tell "
                "the model's provider."
            ).format(what=what)
        )


@torch.no_grad()
def network_logits(
    networks: Sequence[nn.Module],
    crops: Tensor,
    *,
    mean: Sequence[float],
    std: Sequence[float],
    positive: int,
    flip: bool,
    device: torch.device | str = "cpu",
    batch_size: int = 64,
) -> np.ndarray:
    """(N, networks) network logits of uint8 crops (N,S,S,3): what :func:`deployed_logit`
    and the calibration take. Networks must be in eval mode."""
    device = torch.device(device)
    views = 2 if flip else 1
    columns = []
    for network in networks:
        parts = []
        for start in range(0, len(crops), batch_size):
            x = to_input(crops[start : start + batch_size].to(device), mean, std)
            z = positive_log_odds(network(with_mirror(x, flip)).float(), positive)
            parts.append(view_mean(z, views).cpu())
        columns.append(torch.cat(parts) if parts else torch.zeros(0, dtype=torch.float64))
    return torch.stack(columns, dim=1).numpy() if columns else np.zeros((len(crops), 0))

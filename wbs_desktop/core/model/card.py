"""The model card: the JSON object stored in every bundle that says what the model is, what
it was trained on, how it scores and how well it did. This module is its one schema: the
fields (in the order a person reads them), the limits, the validation and the default card.
It imports no torch, so the GUI can read and show a card before torch has loaded.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from wbs_desktop import __version__
from wbs_desktop.core.errors import ModelError
from wbs_desktop.core.files import UNPRINTABLE
from wbs_desktop.core.i18n import N_, _
from wbs_desktop.core.intended_use import INTENDED_USE
from wbs_desktop.core.model.strict_json import strict_json

FORMAT_VERSION = 2
ARCHITECTURES: tuple[str, ...] = ("vgg16", "vgg19", "resnet18", "resnet34", "mobilenet_v2")
# Where Grad-CAM may look: "final" is the last convolutional feature map (stride 32, but
# stride 16 for VGG, whose last block comes before its final pooling); "stride16" and
# "stride8" are the last maps at 1/16 and 1/8 of the input: from a 112 px input they give
# 7 x 7 and 14 x 14 maps where "final" gives 4 x 4 for ResNet and MobileNet-V2
# (``architectures.target_layer``).
CAM_LAYERS: tuple[str, ...] = ("final", "stride16", "stride8")
# The normalisation of ImageNet-trained networks, the default card's; a card states its own.
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
CARD_KEY = "wbs_card"  # the bundle's metadata key that holds the card
# What a model is, in a few words; every display puts "Not for clinical use" before it once
# (card_text.provenance_banner), so the notes do not say it themselves.
SYNTHETIC_NOTE = N_("trained on synthetic demonstration data")
UNTRAINED_NOTE = N_("untrained: pipeline test only")
UNVALIDATED_NOTE = N_(
    "exported although its validation did not show it performs better than chance"
)

# Limits far above any real bundle (the demo's card is 3.4 kB, 4 levels deep), low enough
# that checking a hostile file takes milliseconds and little memory.
MAX_CARD_BYTES = 256 << 10
MAX_NETWORKS = 20
MAX_CLASSES = 10
MAX_TEXT = 2000  # characters in any text of the card
MAX_NAME = 100  # characters in the model's name and in a class name
INPUT_SIZES = (32, 512)
THRESHOLDS = (0.001, 0.999)

# Every card has these fields, listed in the order a person reads them (the card dialog and
# the report follow it); optional fields (OPTIONAL_FIELDS, with their defaults) come after.
CARD_FIELDS = (
    "name", "status", "architecture", "num_networks", "classes", "positive_class",
    "input_size", "threshold", "threshold_rule", "operating_point", "calibration", "flip_tta",
    "training_data", "cv_metrics", "intended_use", "training", "data_hash", "software",
    "created", "format_version", "normalization",
)  # fmt: skip
OPTIONAL_FIELDS: dict[str, Any] = {
    "weights_dtype": "float32",
    "cam_layer": "final",
    "face_only": False,
    # Whom the model was trained on: {"age_years": [low, high] or null, "description": text};
    # a case whose age at the photo lies outside the range gets a warning (core.case).
    "population": None,
}
STATUSES = ("trained", "untrained", "unvalidated")
STORAGE_DTYPES = ("float32", "float16")


def provenance_note(card: Mapping[str, Any]) -> str:
    """The sentence that must be shown with every score of this card's model ("" if none)."""
    if card["status"] == "untrained":
        return _(UNTRAINED_NOTE)
    if card["status"] == "unvalidated":
        return _(UNVALIDATED_NOTE)
    if card["training_data"]["synthetic"]:
        return _(SYNTHETIC_NOTE)
    return ""


def ordered_fields(card: Mapping[str, Any]) -> list[str]:
    """The card's keys in reading order: the schema's fields, then any others sorted."""
    return [k for k in CARD_FIELDS if k in card] + sorted(set(card) - set(CARD_FIELDS))


def invalid_card(problem: str) -> ModelError:
    return ModelError(
        _(
            "The model card is invalid ({problem}); ask the model's provider for a corrected file."
        ).format(problem=problem)
    )


def is_whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    # Integers are always finite; math.isfinite would overflow on a huge one.
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and (isinstance(value, int) or math.isfinite(value))
    )


def _numbers_within(values: Any, low: float, high: float, count: int) -> bool:
    return (
        isinstance(values, list)
        and len(values) == count
        and all(_is_number(v) and low <= v <= high for v in values)
    )


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _is_short_text(value: Any) -> bool:
    """A name: non-empty, one line, at most MAX_NAME characters."""
    return _is_text(value) and len(value) <= MAX_NAME and "\n" not in value


def _texts(value: Any) -> Iterator[str]:
    """Every string in a JSON value, keys included (iteratively: the depth is the caller's)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _check_texts(card: Mapping[str, Any]) -> None:
    for text in _texts(card):
        if len(text) > MAX_TEXT:
            raise invalid_card(
                _("a text of {text} characters is longer than the {max_text} allowed").format(
                    text=len(text), max_text=MAX_TEXT
                )
            )
        if UNPRINTABLE.search(text.replace("\n", "")):
            raise invalid_card(_("a text holds control or text-direction characters"))


def _require_dict(card: Mapping[str, Any], key: str, fields: Sequence[str] = ()) -> dict:
    value = card[key]
    if not isinstance(value, dict):
        raise invalid_card(_("{key} must be an object").format(key=key))
    missing = [f for f in fields if f not in value]
    if missing:
        raise invalid_card(_("{key} lacks {missing}").format(key=key, missing=", ".join(missing)))
    return value


def validate_card(card: Any) -> dict[str, Any]:
    """Check every field of a model card; returns the card, raises ModelError on a problem."""
    if not isinstance(card, dict):
        raise invalid_card(_("it is not a JSON object"))
    _check_texts(card)
    missing = [key for key in CARD_FIELDS if key not in card]
    if missing:
        raise invalid_card(_("missing {missing}").format(missing=", ".join(missing)))
    version = card["format_version"]
    if not is_whole(version) or version != FORMAT_VERSION:
        raise ModelError(
            _(
                "The model uses card format {version!r}, which this version of WBS "
                "Screen cannot read; update WBS Screen or use a model made for it."
            ).format(version=version)
        )
    if not _is_short_text(card["name"]):
        raise invalid_card(
            _("name must be one line of 1 to {max_name} characters").format(max_name=MAX_NAME)
        )
    if card["architecture"] not in ARCHITECTURES:
        raise invalid_card(
            _("architecture {architecture!r} is not one of {architectures}").format(
                architecture=card["architecture"], architectures=ARCHITECTURES
            )
        )
    if not is_whole(card["num_networks"]) or not 1 <= card["num_networks"] <= MAX_NETWORKS:
        raise invalid_card(
            _("num_networks must be a whole number from 1 to {max_networks}").format(
                max_networks=MAX_NETWORKS
            )
        )
    classes = card["classes"]
    if (
        not isinstance(classes, list)
        or not 2 <= len(classes) <= MAX_CLASSES
        or not all(_is_short_text(c) for c in classes)
        or len(set(classes)) != len(classes)
    ):
        raise invalid_card(
            _("classes must list 2 to {max_classes} different class names").format(
                max_classes=MAX_CLASSES
            )
        )
    if card["positive_class"] not in classes:
        raise invalid_card(
            _("positive_class {positive_class!r} is not one of the classes").format(
                positive_class=card["positive_class"]
            )
        )
    low, high = INPUT_SIZES
    if not is_whole(card["input_size"]) or not low <= card["input_size"] <= high:
        raise invalid_card(
            _("input_size must be a whole number of pixels from {low} to {high}").format(
                low=low, high=high
            )
        )
    norm = _require_dict(card, "normalization", ("mean", "std"))
    # Pixels are scaled to [0, 1] before normalising: a mean outside [-10, 10] or a standard
    # deviation outside [0.001, 10] fits no real training set, and a tiny one turns every
    # input into huge numbers, the networks' outputs into NaN.
    if not _numbers_within(norm["mean"], -10, 10, 3):
        raise invalid_card(_("normalization mean must be three numbers from -10 to 10"))
    if not _numbers_within(norm["std"], 1e-3, 10, 3):
        raise invalid_card(_("normalization std must be three numbers from 0.001 to 10"))
    lowest, highest = THRESHOLDS
    if not _is_number(card["threshold"]) or not lowest <= card["threshold"] <= highest:
        raise invalid_card(
            _("threshold must be a number from {lowest} to {highest}").format(
                lowest=lowest, highest=highest
            )
        )
    if not _is_text(card["threshold_rule"]):
        raise invalid_card(_("threshold_rule must say how the threshold was chosen"))
    calibration = _require_dict(card, "calibration", ("method", "slope", "intercept"))
    if calibration["method"] != "platt":
        raise invalid_card(_("calibration method must be 'platt'"))
    # A Platt slope outside [0.001, 100] cannot come from a network's logits (they would
    # have to reach +-1000, or differ by 1/100 between a certain yes and a certain no).
    if not _is_number(calibration["slope"]) or not 1e-3 <= calibration["slope"] <= 100:
        raise invalid_card(_("calibration slope must be a number from 0.001 to 100"))
    if not _is_number(calibration["intercept"]) or abs(calibration["intercept"]) > 50:
        raise invalid_card(_("calibration intercept must be a number from -50 to 50"))
    prevalence = calibration.get("prevalence")
    if prevalence is not None and (not _is_number(prevalence) or not 0 < prevalence < 1):
        raise invalid_card(_("calibration prevalence must be a fraction between 0 and 1"))
    if not isinstance(card["flip_tta"], bool):
        raise invalid_card(_("flip_tta must be true or false"))
    if not _is_text(card["intended_use"]):
        raise invalid_card(_("intended_use must state the intended use"))
    if card["status"] not in STATUSES:
        raise invalid_card(_("status must be one of {statuses}").format(statuses=STATUSES))
    if card.get("cam_layer", "final") not in CAM_LAYERS:
        raise invalid_card(_("cam_layer must be one of {cam_layers}").format(cam_layers=CAM_LAYERS))
    if not isinstance(card.get("face_only", False), bool):
        raise invalid_card(_("face_only must be true or false"))
    population = card.get("population")
    if population is not None:
        population = _require_dict(card, "population", ("age_years", "description"))
        ages = population["age_years"]
        if ages is not None and not (_numbers_within(ages, 0, 120, 2) and ages[0] < ages[1]):
            raise invalid_card(_("population age_years must be null or [low, high] within 0-120"))
        if not _is_text(population["description"]):
            raise invalid_card(_("population description must say whom the model was trained on"))
    if card.get("weights_dtype", "float32") not in STORAGE_DTYPES:
        raise invalid_card(
            _("weights_dtype must be one of {storage_dtypes}").format(storage_dtypes=STORAGE_DTYPES)
        )
    data = _require_dict(card, "training_data", ("synthetic", "subjects", "description"))
    if not isinstance(data["synthetic"], bool):
        raise invalid_card(_("training_data synthetic must be true or false"))
    subjects = data["subjects"]
    if not isinstance(subjects, dict) or not all(
        isinstance(g, str) and is_whole(n) and n >= 0 for g, n in subjects.items()
    ):
        raise invalid_card(_("training_data subjects must map group names to counts"))
    if not isinstance(data["description"], str):
        raise invalid_card(_("training_data description must be text"))
    _require_dict(card, "cv_metrics")
    _require_dict(card, "operating_point")
    training = _require_dict(card, "training", ("command", "config"))
    if not isinstance(training["command"], str) or not isinstance(training["config"], dict):
        raise invalid_card(_("training must hold a command text and a config object"))
    if not isinstance(card["data_hash"], str):
        raise invalid_card(_("data_hash must be text"))
    software = _require_dict(card, "software", ("torch", "torchvision", "wbs_desktop"))
    if not all(isinstance(v, str) for v in software.values()):
        raise invalid_card(_("software versions must be text"))
    try:
        datetime.fromisoformat(card["created"])
    except (TypeError, ValueError):
        raise invalid_card(_("created must be an ISO date such as 2025-01-31")) from None
    return card


def default_card(architecture: str, name: str, **fields: Any) -> dict[str, Any]:
    """A valid card for an untrained single-network bundle, with ``fields`` overriding.

    Software versions and the creation date are filled in; unknown field names raise
    TypeError so that a misspelt override cannot slip through.
    """
    import torch  # here, not above: the card schema loads without torch
    import torchvision

    card: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "name": name,
        "architecture": architecture,
        "num_networks": 1,
        "classes": ["other", "WBS"],
        "positive_class": "WBS",
        "input_size": 224,
        "normalization": {"mean": list(IMAGENET_MEAN), "std": list(IMAGENET_STD)},
        "threshold": 0.5,
        "threshold_rule": "default 0.5 (untrained)",
        "calibration": {
            "method": "platt",
            "slope": 1.0,
            "intercept": 0.0,
            "prevalence": None,
            "fitted_on": "none: identity map",
        },
        "flip_tta": True,
        **OPTIONAL_FIELDS,
        "intended_use": INTENDED_USE,
        "status": "untrained",
        "training_data": {"synthetic": False, "subjects": {}, "description": "none"},
        "cv_metrics": {},
        "operating_point": {},
        "training": {"command": "", "config": {}},
        "data_hash": "",
        "software": {
            "torch": torch.__version__,
            "torchvision": torchvision.__version__,
            "wbs_desktop": __version__,
        },
        "created": date.today().isoformat(),
    }
    unknown = sorted(set(fields) - set(card))
    if unknown:
        raise TypeError(f"unknown card field(s): {', '.join(unknown)}")
    card.update(fields)
    return validate_card(card)


def parse_card(text: str) -> dict[str, Any]:
    """A model card from its JSON text: bounded in size and depth, strictly parsed, valid."""
    size = len(text.encode("utf-8"))
    if size > MAX_CARD_BYTES:
        raise invalid_card(
            _("it is {size:,} bytes long, more than the {max_card_bytes:,} allowed").format(
                size=size, max_card_bytes=MAX_CARD_BYTES
            )
        )
    return validate_card(strict_json(text, invalid_card))

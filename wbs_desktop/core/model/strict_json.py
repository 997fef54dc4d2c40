"""Parsing untrusted JSON (a model file's header and card, the model list) in bounded time
and memory: ``json.loads`` recurses once per nesting level and accepts NaN, Infinity and
numbers of any length, so each of these is refused first."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any

import numpy as np

from wbs_desktop.core.i18n import _

MAX_JSON_DEPTH = 16
MAX_DIGITS = 18  # in a whole number: float-convertible, and no quadratic int()

_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_OPENERS = np.frombuffer(b"[{", dtype=np.uint8)
_CLOSERS = np.frombuffer(b"]}", dtype=np.uint8)


def _nesting_depth(text: str) -> int:
    """How deep arrays and objects nest in JSON ``text``, counted without recursion and in
    time linear in its length (``json.loads`` recurses once per level, so deep input ends
    in RecursionError). Brackets inside strings do not count."""
    codes = np.frombuffer(_JSON_STRING.sub('""', text).encode("utf-8"), dtype=np.uint8)
    steps = np.isin(codes, _OPENERS).astype(np.int32) - np.isin(codes, _CLOSERS)
    return int(np.cumsum(steps).max(initial=0))


def strict_json(text: str, refuse: Callable[[str], Exception]) -> Any:
    """Parse untrusted JSON in bounded time and memory, or raise ``refuse(problem)``.

    Refused: nesting deeper than MAX_JSON_DEPTH, the non-standard NaN and Infinity, float
    literals that overflow to infinity (1e999) and whole numbers of more than MAX_DIGITS
    digits; ``text`` itself must already be of bounded length.
    """

    def constant(name: str) -> Any:
        raise refuse(_("it holds {name}, which is not a number").format(name=name))

    def real(literal: str) -> float:
        value = float(literal)
        if not math.isfinite(value):
            raise refuse(_("the number {value} is too large").format(value=literal[:20]))
        return value

    def whole(literal: str) -> int:
        if len(literal.lstrip("-")) > MAX_DIGITS:
            raise refuse(
                _("a whole number of {literal} digits is too large").format(literal=len(literal))
            )
        return int(literal)

    if _nesting_depth(text) > MAX_JSON_DEPTH:
        raise refuse(
            _("it nests deeper than {max_json_depth} levels").format(max_json_depth=MAX_JSON_DEPTH)
        )
    try:
        return json.loads(text, parse_constant=constant, parse_float=real, parse_int=whole)
    except json.JSONDecodeError as exc:
        raise refuse(_("it is not valid JSON")) from exc

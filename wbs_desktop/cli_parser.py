"""The ``wbs-desktop`` command line's options, in the language of the messages.

argparse writes a few words of its own (``usage:``, the section titles, ``-h``'s help);
:class:`Parser` takes those from the app's catalogue too, so ``wbs-desktop --language zh_CN
predict --help`` is Chinese throughout. The language has to be known before the parser is
built, hence :func:`asked_language`.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from wbs_desktop import __version__
from wbs_desktop.cli_case import add_case_options
from wbs_desktop.core.i18n import LANGUAGES, _


class HelpFormatter(argparse.HelpFormatter):
    def add_usage(
        self, usage: str | None, actions: Any, groups: Any, prefix: str | None = None
    ) -> None:
        super().add_usage(usage, actions, groups, _("usage: ") if prefix is None else prefix)


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose own words follow the language; its subcommands' parsers
    are of this class too (argparse makes them of the parent's class)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = _("positional arguments")
        self._optionals.title = _("options")
        self.add_argument("-h", "--help", action="help", help=_("show this help and exit"))


def normalise_language(text: str) -> str:
    """``--language``: en or zh_CN (zh-CN, zh_CN.UTF-8 too)."""
    code = text.strip().replace("-", "_").split(".")[0]
    if code.lower() in ("en", "en_us", "en_gb", "zh", "zh_cn"):
        return "en" if code.lower().startswith("en") else "zh_CN"
    raise argparse.ArgumentTypeError(
        _("choose one of {languages}, not {text!r}").format(
            languages=", ".join(LANGUAGES), text=text
        )
    )


def asked_language(argv: Sequence[str] | None) -> str | None:
    """The ``--language`` given in ``argv``, if any and valid (the full parser reports a
    wrong one)."""
    early = argparse.ArgumentParser(add_help=False, exit_on_error=False)
    early.add_argument("--language")
    try:
        given = early.parse_known_args(argv)[0].language
        return normalise_language(given) if given else None
    except (argparse.ArgumentError, argparse.ArgumentTypeError):
        return None


def _whole_number(text: str) -> int:
    if not text.strip().isdigit():
        raise argparse.ArgumentTypeError(
            _("expected a whole number (0 or more), not {text!r}").format(text=text)
        )
    return int(text)


def _model_options(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--model", help=_("bundle file, or the file name of an installed model"))
    sub.add_argument("--device", default="auto", help=_("auto (default), cpu or cuda"))


def build_parser() -> argparse.ArgumentParser:
    """Every subcommand and option; ``command`` names the subcommand (None: the GUI)."""
    from wbs_desktop.core.outputs.render import COLORMAPS, DEFAULT_COLORMAP

    parser = Parser(
        prog="wbs-desktop",
        description=_(
            "WBS Screen: offline screening aid for a Williams-Beuren syndrome facial "
            "gestalt. Research and decision support only; it does not diagnose."
        ),
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"%(prog)s {__version__}",
        help=_("show the version and exit"),
    )
    parser.add_argument(
        "--language",
        type=normalise_language,
        metavar="{en,zh_CN}",
        help=_(
            "language of messages, summaries, warnings and reports (default: the system's; "
            "the app: the one chosen last); JSON keys and CSV headers never change"
        ),
    )
    commands = parser.add_subparsers(
        dest="command", metavar="COMMAND", title=_("commands"), parser_class=Parser
    )

    predict = commands.add_parser("predict", help=_("score photos"))
    predict.add_argument("photos", nargs="+", metavar="PHOTO")
    predict.add_argument("--json", action="store_true", help=_("one JSON object per photo"))
    predict.add_argument("--heatmap-out", metavar="DIR", help=_("save Grad-CAM overlays as PNG"))
    _model_options(predict)
    add_case_options(predict)

    align = commands.add_parser("align", help=_("write the aligned face crop of a photo"))
    align.add_argument("photo", metavar="PHOTO")
    align.add_argument("--out", required=True, type=Path, help=_("output PNG"))
    align.add_argument("--size", type=int, help=_("crop side in pixels (default 224)"))
    align.add_argument("--json", action="store_true", help=_("the result as JSON"))

    models = commands.add_parser("models", help=_("list the installed model bundles"))
    models.add_argument("--json", action="store_true", help=_("the list as JSON"))

    selftest = commands.add_parser("selftest", help=_("analyse the bundled sample photo"))
    _model_options(selftest)

    batch = commands.add_parser("batch", help=_("screen every photo in a folder into a CSV"))
    batch.add_argument("folder", metavar="FOLDER")
    batch.add_argument("--csv", required=True, type=Path, help=_("output CSV file"))
    batch.add_argument(
        "--workers",
        type=_whole_number,
        help=_(
            "processes that read photos and find faces; 0 does it in this process "
            "(default: 0 on a CPU of fewer than 8 cores, else a quarter of them; all cores "
            "but one beside a GPU)"
        ),
    )
    batch.add_argument(
        "--manifest",
        metavar="CASES.csv",
        help=_(
            "columns path, patient_id, dob, photo_date, sex: the CSV adds each photo's "
            "patient and age, and one row per patient with their photos combined"
        ),
    )
    _model_options(batch)

    report = commands.add_parser("report", help=_("write a PDF or PNG report for one photo"))
    report.add_argument("photos", nargs="+", metavar="PHOTO", help=_("several: one case"))
    report.add_argument("--out", required=True, type=Path, help=_("F.pdf or F.png"))
    report.add_argument("--crop-face", action="store_true", help=_("show only the face"))
    report.add_argument(
        "--colormap", choices=COLORMAPS, default=DEFAULT_COLORMAP, help=_("the heatmap's colours")
    )
    _model_options(report)
    add_case_options(report)

    add_gui_options(commands.add_parser("gui", help=_("start the desktop app (the default)")))
    return parser


def add_gui_options(parser: argparse.ArgumentParser) -> None:
    """The desktop app's options, for ``wbs-desktop gui`` and the app's own executable."""
    parser.add_argument("photo", nargs="?", metavar="PHOTO", help=_("a photo to analyse at once"))
    parser.add_argument("--model", help=_("bundle file, or the file name of an installed model"))
    parser.add_argument(
        "--device",
        choices=("auto", "cpu", "cuda"),
        help=_("auto, cpu or cuda (default: the last choice)"),
    )
    # Saves the window once the first result is shown, then quits (README picture, tests).
    parser.add_argument("--screenshot", metavar="PATH", help=argparse.SUPPRESS)


def gui_parser() -> argparse.ArgumentParser:
    """The command line of the app's own executable, ``wbs-screen``."""
    parser = Parser(prog="wbs-screen", description=_("Start WBS Screen."))
    add_gui_options(parser)
    parser.add_argument(
        "--language",
        choices=LANGUAGES,
        help=_("en or zh_CN (default: the last choice, else the system's)"),
    )
    return parser

"""The main window's actions (text, shortcut, tip, icon), its menus and its toolbar.

Nothing here is connected to what an action does: ``MainWindow`` wires each action's
``triggered`` to its controller. Every action is added to the window itself, so its
shortcut works even with the menu bar hidden.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QSizePolicy, QStyle, QToolBar, QWidget

from wbs_desktop.core.i18n import LANGUAGE_NAMES
from wbs_desktop.gui.language import QT_TRANSLATE_NOOP
from wbs_desktop.gui.model_picker import ModelPicker

Shortcut = QKeySequence | QKeySequence.StandardKey | str | None
_CONTEXT = "WindowActions"


def _tr(text: str) -> str:
    return QCoreApplication.translate(_CONTEXT, text)


class WindowActions:
    """Builds the actions of ``window`` and puts them in its menus and toolbar."""

    def __init__(self, window: QMainWindow, model_picker: ModelPicker) -> None:
        self._window = window
        self._texts: list[tuple[QAction | QMenu | QToolBar, str, str]] = []
        sp = QStyle.StandardPixmap
        keys = QKeySequence.StandardKey
        self.new_case_action = self._action(
            QT_TRANSLATE_NOOP("WindowActions", "&New case"),
            keys.New,
            QT_TRANSLATE_NOOP("WindowActions", "Clear the photo, its result and the case details"),
        )
        self.open_action = self._action(
            QT_TRANSLATE_NOOP("WindowActions", "&Open photo…"),
            keys.Open,
            QT_TRANSLATE_NOOP("WindowActions", "Open a photo file"),
            sp.SP_DialogOpenButton,
        )
        self.paste_action = self._action(
            QT_TRANSLATE_NOOP("WindowActions", "&Paste photo"),
            keys.Paste,
            QT_TRANSLATE_NOOP("WindowActions", "Analyse the picture on the clipboard"),
            sp.SP_FileDialogContentsView,
        )
        self.camera_action = self._action(
            QT_TRANSLATE_NOOP("WindowActions", "&Camera…"),
            "Ctrl+K",
            QT_TRANSLATE_NOOP("WindowActions", "Capture a photo with a camera"),
            sp.SP_ComputerIcon,
        )
        self.batch_action = self._action(
            QT_TRANSLATE_NOOP("WindowActions", "Screen a &folder…"),
            "Ctrl+B",
            QT_TRANSLATE_NOOP("WindowActions", "Screen every photo in a folder"),
            sp.SP_DirOpenIcon,
        )
        self.report_action = self._action(
            QT_TRANSLATE_NOOP("WindowActions", "&Save report…"),
            keys.Save,
            QT_TRANSLATE_NOOP("WindowActions", "Save a PDF or PNG report of this result"),
            sp.SP_DialogSaveButton,
        )
        self.crop_action = self._action(
            QT_TRANSLATE_NOOP("WindowActions", "Crop report photo to the &face"),
            None,
            QT_TRANSLATE_NOOP("WindowActions", "Reports show only the face, not the whole photo"),
            checkable=True,
        )
        self.reanalyse_action = self._action(
            QT_TRANSLATE_NOOP("WindowActions", "&Analyse again"),
            "F5",
            QT_TRANSLATE_NOOP("WindowActions", "Analyse the photo again"),
            sp.SP_BrowserReload,
        )
        self.quit_action = self._action(QT_TRANSLATE_NOOP("WindowActions", "&Quit"), keys.Quit)
        self.landmarks_action = self._action(
            QT_TRANSLATE_NOOP("WindowActions", "&Landmarks"),
            "Ctrl+L",
            QT_TRANSLATE_NOOP("WindowActions", "Show the face box and landmarks"),
        )
        self.heat_action = self._action(
            QT_TRANSLATE_NOOP("WindowActions", "&Heatmap on photo"),
            "Ctrl+H",
            QT_TRANSLATE_NOOP("WindowActions", "Show the heatmap over the photo"),
        )
        self.more_opacity = self._action(
            QT_TRANSLATE_NOOP("WindowActions", "More opaque heatmap"), "Ctrl+]"
        )
        self.less_opacity = self._action(
            QT_TRANSLATE_NOOP("WindowActions", "More transparent heatmap"), "Ctrl+["
        )
        self.next_colormap = self._action(
            QT_TRANSLATE_NOOP("WindowActions", "Next colour &map"), "Ctrl+M"
        )
        self.add_model_action = self._action(
            QT_TRANSLATE_NOOP("WindowActions", "&Add model file…"),
            "Ctrl+Shift+M",
            QT_TRANSLATE_NOOP("WindowActions", "Use a model bundle file"),
        )
        self.card_action = self._action(
            QT_TRANSLATE_NOOP("WindowActions", "Model &card"),
            "Ctrl+I",
            QT_TRANSLATE_NOOP("WindowActions", "The model's card: data, validation, threshold"),
        )
        self.use_action = self._action(
            QT_TRANSLATE_NOOP("WindowActions", "&Intended use"),
            keys.HelpContents,
            QT_TRANSLATE_NOOP("WindowActions", "What WBS Screen is for, and what not"),
            sp.SP_MessageBoxInformation,
        )
        self.about_action = self._action(QT_TRANSLATE_NOOP("WindowActions", "&About WBS Screen"))
        self.dismiss_action = self._action(
            QT_TRANSLATE_NOOP("WindowActions", "Dismiss message"), "Esc"
        )
        # Enabled once there is something to act on: a result, a photo, a model.
        for action in (
            self.report_action,
            self.reanalyse_action,
            self.batch_action,
            self.card_action,
        ):
            action.setEnabled(False)

        menu = window.menuBar()
        file_menu = self._menu(menu.addMenu(""), QT_TRANSLATE_NOOP("WindowActions", "&File"))
        file_menu.addAction(self.new_case_action)
        file_menu.addSeparator()
        file_menu.addAction(self.open_action)
        self.recent_menu = self._menu(
            file_menu.addMenu(""), QT_TRANSLATE_NOOP("WindowActions", "Open &recent")
        )
        file_menu.addAction(self.paste_action)
        file_menu.addAction(self.camera_action)
        file_menu.addSeparator()
        file_menu.addAction(self.batch_action)
        file_menu.addSeparator()
        file_menu.addAction(self.report_action)
        file_menu.addAction(self.crop_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        view_menu = self.view_menu = self._menu(
            menu.addMenu(""), QT_TRANSLATE_NOOP("WindowActions", "&View")
        )
        for action in (
            self.landmarks_action,
            self.heat_action,
            self.more_opacity,
            self.less_opacity,
            self.next_colormap,
            self.reanalyse_action,
        ):
            view_menu.addAction(action)
        # Each language under its own name, in its own script: not translated.
        language_menu = self._menu(
            view_menu.addMenu(""), QT_TRANSLATE_NOOP("WindowActions", "&Language")
        )
        group = QActionGroup(window)
        self.language_actions: dict[str, QAction] = {}
        for code, name in LANGUAGE_NAMES.items():
            action = QAction(name, window, checkable=True)
            group.addAction(action)
            language_menu.addAction(action)
            self.language_actions[code] = action
        model_menu = self._menu(menu.addMenu(""), QT_TRANSLATE_NOOP("WindowActions", "&Model"))
        model_menu.addAction(self.card_action)
        model_menu.addAction(self.add_model_action)
        help_menu = self._menu(menu.addMenu(""), QT_TRANSLATE_NOOP("WindowActions", "&Help"))
        help_menu.addAction(self.use_action)
        help_menu.addAction(self.about_action)

        toolbar = QToolBar()
        self._texts.append((toolbar, QT_TRANSLATE_NOOP("WindowActions", "Main"), ""))
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for action in (self.open_action, self.paste_action, self.camera_action):
            toolbar.addAction(action)
        toolbar.addSeparator()
        toolbar.addAction(self.batch_action)
        toolbar.addAction(self.report_action)
        toolbar.addSeparator()
        toolbar.addWidget(model_picker)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        toolbar.addAction(self.use_action)
        window.addToolBar(toolbar)

    def _menu(self, menu: QMenu, title: str) -> QMenu:
        self._texts.append((menu, title, ""))
        return menu

    def retranslate(self) -> None:
        """Every action's text and tips, menu title and the toolbar's name, in the current
        language (the tip ends with the shortcut, as the platform writes it)."""
        for item, text, tip in self._texts:
            if isinstance(item, QMenu):
                item.setTitle(_tr(text))
            elif isinstance(item, QToolBar):
                item.setWindowTitle(_tr(text))
            else:
                shown = _tr(text)
                hint = _tr(tip) if tip else shown.replace("…", "")
                keys = item.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
                item.setText(shown)
                item.setToolTip(hint + (f" ({keys})" if keys else ""))
                item.setStatusTip(hint)

    def check_language(self, language: str) -> None:
        """Tick the language in use in View > Language."""
        if language in self.language_actions:
            self.language_actions[language].setChecked(True)

    def _action(
        self,
        text: str,
        shortcut: Shortcut = None,
        tip: str = "",
        icon: QStyle.StandardPixmap | None = None,
        checkable: bool = False,
    ) -> QAction:
        action = QAction(self._window)
        if icon is not None:
            action.setIcon(self._window.style().standardIcon(icon))
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setCheckable(checkable)
        self._texts.append((action, text, tip))
        self._window.addAction(action)
        return action

"""The main window's actions (text, shortcut, tip, icon), its menus and its toolbar.

Nothing here is connected to what an action does: ``MainWindow`` wires each action's
``triggered`` to its controller. Every action is added to the window itself, so its
shortcut works even with the menu bar hidden.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QSizePolicy, QStyle, QToolBar, QWidget

from wbs_desktop.gui.model_picker import ModelPicker

Shortcut = QKeySequence | QKeySequence.StandardKey | str | None


class WindowActions:
    """Builds the actions of ``window`` and puts them in its menus and toolbar."""

    def __init__(self, window: QMainWindow, model_picker: ModelPicker) -> None:
        self._window = window
        sp = QStyle.StandardPixmap
        keys = QKeySequence.StandardKey
        self.new_case_action = self._action(
            "&New case", keys.New, "Clear the photo, its result and the case details"
        )
        self.open_action = self._action(
            "&Open photo…", keys.Open, "Open a photo file", sp.SP_DialogOpenButton
        )
        self.paste_action = self._action(
            "&Paste photo",
            keys.Paste,
            "Analyse the picture on the clipboard",
            sp.SP_FileDialogContentsView,
        )
        self.camera_action = self._action(
            "&Camera…", "Ctrl+K", "Capture a photo with a camera", sp.SP_ComputerIcon
        )
        self.batch_action = self._action(
            "Screen a &folder…", "Ctrl+B", "Screen every photo in a folder", sp.SP_DirOpenIcon
        )
        self.report_action = self._action(
            "&Save report…",
            keys.Save,
            "Save a PDF or PNG report of this result",
            sp.SP_DialogSaveButton,
        )
        self.crop_action = self._action(
            "Crop report photo to the &face",
            None,
            "Reports show only the face, not the whole photo",
            checkable=True,
        )
        self.reanalyse_action = self._action(
            "&Analyse again", "F5", "Analyse the photo again", sp.SP_BrowserReload
        )
        self.quit_action = self._action("&Quit", keys.Quit)
        self.landmarks_action = self._action(
            "&Landmarks", "Ctrl+L", "Show the face box and landmarks"
        )
        self.heat_action = self._action(
            "&Heatmap on photo", "Ctrl+H", "Show the heatmap over the photo"
        )
        self.more_opacity = self._action("More opaque heatmap", "Ctrl+]")
        self.less_opacity = self._action("More transparent heatmap", "Ctrl+[")
        self.next_colormap = self._action("Next colour &map", "Ctrl+M")
        self.add_model_action = self._action(
            "&Add model file…", "Ctrl+Shift+M", "Use a model bundle file"
        )
        self.card_action = self._action(
            "Model &card", "Ctrl+I", "The model's card: data, validation, threshold"
        )
        self.use_action = self._action(
            "&Intended use",
            keys.HelpContents,
            "What WBS Screen is for, and what not",
            sp.SP_MessageBoxInformation,
        )
        self.about_action = self._action("&About WBS Screen")
        self.dismiss_action = self._action("Dismiss message", "Esc")
        # Enabled once there is something to act on: a result, a photo, a model.
        for action in (
            self.report_action,
            self.reanalyse_action,
            self.batch_action,
            self.card_action,
        ):
            action.setEnabled(False)

        menu = window.menuBar()
        file_menu = menu.addMenu("&File")
        file_menu.addAction(self.new_case_action)
        file_menu.addSeparator()
        file_menu.addAction(self.open_action)
        self.recent_menu = file_menu.addMenu("Open &recent")
        file_menu.addAction(self.paste_action)
        file_menu.addAction(self.camera_action)
        file_menu.addSeparator()
        file_menu.addAction(self.batch_action)
        file_menu.addSeparator()
        file_menu.addAction(self.report_action)
        file_menu.addAction(self.crop_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        view_menu = self.view_menu = menu.addMenu("&View")
        for action in (
            self.landmarks_action,
            self.heat_action,
            self.more_opacity,
            self.less_opacity,
            self.next_colormap,
            self.reanalyse_action,
        ):
            view_menu.addAction(action)
        model_menu = menu.addMenu("&Model")
        model_menu.addAction(self.card_action)
        model_menu.addAction(self.add_model_action)
        help_menu = menu.addMenu("&Help")
        help_menu.addAction(self.use_action)
        help_menu.addAction(self.about_action)

        toolbar = QToolBar("Main")
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

    def _action(
        self,
        text: str,
        shortcut: Shortcut = None,
        tip: str = "",
        icon: QStyle.StandardPixmap | None = None,
        checkable: bool = False,
    ) -> QAction:
        action = QAction(text, self._window)
        if icon is not None:
            action.setIcon(self._window.style().standardIcon(icon))
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        shortcut_text = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        action.setToolTip(
            f"{tip or text.replace('…', '')}" + (f" ({shortcut_text})" if shortcut_text else "")
        )
        action.setStatusTip(tip or text.replace("…", ""))
        action.setCheckable(checkable)
        self._window.addAction(action)
        return action

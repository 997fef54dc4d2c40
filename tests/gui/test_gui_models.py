"""Choosing the model: switch, add a file (checksum or confirmed hash), refused, device."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from tests.conftest import installed_default, write_bundle

DEFAULT = installed_default()


def test_switching_models_reanalyses_the_photo(
    window, qtbot, analysed, sample_photo: Path, tmp_path: Path
) -> None:
    first = analysed(window, lambda: window.open_path(sample_photo))
    assert first.result.model["name"] == DEFAULT["name"]
    bundle = write_bundle(tmp_path, "resnet18", networks=2, seed=5)
    second = analysed(window, lambda: window.choose_model(str(bundle), ""))
    assert second.result.model["name"] == "test resnet18"
    assert len(second.result.network_scores) == 2
    assert "across its 2 networks" in window.result_panel.score_line.text()
    assert window.bundle.path == bundle
    assert window.model_picker.current_path() == str(bundle)
    assert window.model_picker.index_of(str(bundle)) >= 0
    assert window.settings.model_path == str(bundle)
    # The card is one click away.
    window.card_action.trigger()
    assert "test resnet18" in window.dialogs[-1].browser.toPlainText()
    window.dialogs[-1].close()
    # Back to the installed default through the picker's list.
    default_index = window.model_picker.models.findText(f"{DEFAULT['name']} (default)")
    assert default_index >= 0
    third = analysed(window, lambda: window.model_picker.models.activated.emit(default_index))
    assert third.result.model["name"] == DEFAULT["name"]


def test_a_model_file_without_checksum_needs_the_users_confirmation(
    window, qtbot, tmp_path: Path
) -> None:
    bundle = write_bundle(tmp_path, "mobilenet_v2", seed=9)
    sidecar = bundle.with_name(bundle.name + ".sha256")
    sha = sidecar.read_text().split()[0]
    sidecar.unlink()

    window.add_model_file(str(bundle))
    qtbot.waitUntil(lambda: window.hash_box is not None, timeout=30_000)
    assert sha in window.hash_box.informativeText()
    window.hash_box.button(QMessageBox.StandardButton.No).click()
    assert window.bundle.path != bundle

    window.add_model_file(str(bundle))
    qtbot.waitUntil(lambda: window.hash_box is not None, timeout=30_000)
    with qtbot.waitSignal(window.model_ready, timeout=60_000):
        window.hash_box.button(QMessageBox.StandardButton.Yes).click()
    assert window.bundle.path == bundle
    assert window.settings.added_models[str(bundle)] == sha


def test_a_tampered_model_is_refused_and_the_old_one_kept(
    window, qtbot, failed, tmp_path: Path
) -> None:
    bundle = write_bundle(tmp_path, "mobilenet_v2", seed=11)
    data = bytearray(bundle.read_bytes())
    data[-10] ^= 0xFF
    bundle.write_bytes(bytes(data))
    before = window.bundle
    message = failed(window, lambda: window.add_model_file(str(bundle)))
    assert message.startswith("The model could not be used.")
    assert "modified or damaged (checksum mismatch)" in message
    assert window.bundle is before
    assert window.model_picker.current_path() == str(before.path)


def test_device_choice_is_remembered_and_used(window, analysed, sample_photo: Path) -> None:
    devices = [
        window.model_picker.devices.itemData(i) for i in range(window.model_picker.devices.count())
    ]
    assert devices[:2] == ["auto", "cpu"]
    analysed(window, lambda: window.open_path(sample_photo))
    analysis = analysed(window, lambda: window.choose_device("cpu"))
    assert window.settings.device == "cpu"
    assert str(analysis.bundle.device) == "cpu"

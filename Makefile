# WBS Screen: `make run` starts the app, `make test` runs the whole suite; both set up .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: venv run test test-fast lint bench package translations clean

venv: $(STAMP)

# MediaPipe goes in without its declared dependencies (pyproject.toml lists those it needs, and
# why). A venv made before that holds its opencv-contrib-python, which writes the same `cv2`
# folder as opencv-python-headless: it is removed and headless's files put back.
$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; assert (3, 10) <= sys.version_info[:2] <= (3, 12), "Python 3.10-3.12 is required"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m pip install --quiet --no-deps 'mediapipe==0.10.21'
	if $(BIN)/python -m pip show --quiet opencv-contrib-python 2>/dev/null; then \
		$(BIN)/python -m pip uninstall --quiet -y opencv-contrib-python && \
		$(BIN)/python -m pip install --quiet --force-reinstall --no-deps 'opencv-python-headless>=4.8,<5'; fi
	$(BIN)/python packaging/translations.py compile
	touch $(STAMP)

run: venv
	$(BIN)/wbs-desktop

test: venv
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

# Everything but the tests marked slow (the frozen-app build, two-process DDP, a killed and
# resumed training run, vgg16 pretraining): 2.5 min here.
test-fast: venv
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -m "not slow"

# ruff (rules and format), import-linter (the layers, pyproject.toml) and mypy; CI runs it.
lint: venv
	$(BIN)/ruff check wbs_desktop training tests packaging
	$(BIN)/ruff format --check wbs_desktop training tests packaging
	$(BIN)/lint-imports
	$(BIN)/mypy

# Extract every translatable text (core: Babel -> .po; GUI: pyside6-lupdate -> .ts) into the
# catalogues under resources/, then compile them (.mo, .qm). `make venv` compiles only.
translations: venv
	$(BIN)/python packaging/translations.py all

bench: venv
	$(BIN)/python tests/benchmarks/bench_core.py

# One-folder PyInstaller build in dist/wbs-screen plus dist/wbs-screen-*.tar.gz and .sha256
# (packaging/README.md). Options: make package PACKAGE_ARGS="--no-archive --dist /tmp/out"
package: venv
	$(BIN)/python -m pip install --quiet -e '.[package]'
	$(BIN)/python packaging/build.py $(PACKAGE_ARGS)

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache .mypy_cache .import_linter_cache

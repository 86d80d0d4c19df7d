# The README's two commands are `make run` and `make test`; both create .venv when missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
VERSION := $(shell sed -n 's/^__version__ = "\(.*\)"/\1/p' wizard_desktop/__init__.py)
ARCH := $(shell uname -m)
BUNDLE := dist/WizardDesktop
ARCHIVE := dist/WizardDesktop-$(VERSION)-linux-$(ARCH).tar.gz
# One stamp per extra (`base`: none) and version of pyproject.toml: editing it reinstalls.
PYPROJECT_SUM := $(shell cksum < pyproject.toml | cut -d' ' -f1)
stamp = $(VENV)/.installed-$(1)-$(PYPROJECT_SUM)

.PHONY: run test lint app install-desktop screenshots bench clean

$(VENV)/.installed-%-$(PYPROJECT_SUM): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.$(if $(filter base,$*),,[$*])'
	touch $@

run: $(call stamp,base)
	$(BIN)/python -m wizard_desktop

test: $(call stamp,test)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -p no:cacheprovider $(PYTEST_ARGS)

lint: $(call stamp,test)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

app: $(call stamp,package)
	$(BIN)/pyinstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build/pyinstaller build.spec
	cp bundling/install-desktop.sh $(BUNDLE)/
	sed 's/@VERSION@/$(VERSION)/' bundling/README-bundle.txt > $(BUNDLE)/README.txt
	tar -C dist -czf $(ARCHIVE) WizardDesktop
	@echo "Built $(BUNDLE)/WizardDesktop and $(ARCHIVE)"

bench: $(call stamp,package)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/run.py

screenshots: $(call stamp,test)
	QT_QPA_PLATFORM=offscreen $(BIN)/python tools/screenshots.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python tools/screenshots_views.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python tools/screenshots_report.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python tools/screenshots_attachments.py

install-desktop:
	test -x $(BUNDLE)/WizardDesktop || $(MAKE) app
	sh bundling/install-desktop.sh $(BUNDLE)

clean:
	rm -rf $(VENV) build dist *.egg-info

# Two commands do everything on a fresh machine: `make site` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: site test setup lock check serve schema golden bench clean

site: setup  ## set up and build the site into site/
	$(PY) build.py build

test: setup  ## set up everything (Python, npm, Chromium) and run every test, lint and type check
	./scripts/system-deps.sh
	npm ci --no-audit --no-fund --loglevel=error
	$(PY) -m pytest -n auto --dist loadscope

setup: $(VENV)/.installed

# Every package at the version requirements-ci.txt pins, each file checked against its hash: a release
# swapped on PyPI is refused. A pull request can change this file too (see SECURITY.md). `make lock`
# writes the file again.
$(VENV)/.installed: requirements-ci.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r requirements-ci.txt
	touch $@

lock: setup  ## pin pyproject.toml's dependencies (with the test extra) and their hashes in requirements-ci.txt
	$(PY) -m pip install --quiet pip-tools
	$(VENV)/bin/pip-compile --quiet --extra test --generate-hashes --strip-extras --allow-unsafe \
		--no-emit-index-url --output-file requirements-ci.txt pyproject.toml

check: setup  ## validate data, pages and quotes; write nothing
	$(PY) build.py check

serve: setup  ## live preview on http://127.0.0.1:8000/
	$(PY) build.py serve

schema: setup  ## regenerate schemas/ from the models and data
	$(PY) build.py schema

golden: setup  ## regenerate the golden site on purpose, after an intended change
	rm -rf tests/expected/minimal
	tmp=$$(mktemp -d) && cp -R tests/projects/minimal "$$tmp/minimal" && cp -R templates "$$tmp/minimal/" \
	  && XDG_CACHE_HOME="$$tmp/cache" $(PY) build.py --project "$$tmp/minimal" build --out tests/expected/minimal; \
	  status=$$?; rm -rf "$$tmp"; exit $$status

clean:  ## remove the built sites and this project's build cache (see sitegen/cache.py: cache_folder)
	rm -rf site .preview .pages-preview .cache .site.spare ..preview.spare ..pages-preview.spare
	[ ! -x $(PY) ] || $(PY) -c 'import pathlib, shutil, sitegen.cache as c; shutil.rmtree(c.cache_folder(pathlib.Path.cwd()))'

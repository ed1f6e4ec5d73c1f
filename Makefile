# The two commands a newcomer needs: `make run` and `make test`.
# Everything else here is what those two call; nothing is done by hand.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SYSSTAMP := instance/.system-packages
SYS_PACKAGES := fonts-wqy-microhei libharfbuzz-subset0 poppler-utils libpango-1.0-0 libpangoft2-1.0-0
TEST_SYS_PACKAGES := chromium postgresql

.PHONY: messages run test lint setup test-setup system-packages test-system-packages bench clean-venv

run: setup
	$(BIN)/qms init
	$(BIN)/qms demo
	$(BIN)/qms serve --host 127.0.0.1 --port 5000 --with-scheduler --mail-sink

test: test-setup lint
	$(BIN)/python -m tests.run_all

# Style and layers: ruff (pyproject [tool.ruff], today's exceptions listed there) and the
# import-linter contracts (pyproject [tool.importlinter]: app > procedures > reminders > records >
# documents > auth > core; procedures call each other only through a published service).
lint: test-setup
	$(BIN)/ruff check qms tests bench
	$(BIN)/lint-imports --no-cache

bench: setup
	$(BIN)/python bench/run.py
	$(BIN)/python bench/desk.py
	$(BIN)/python bench/instruments.py
	$(BIN)/python bench/customers.py
	$(BIN)/python bench/search.py
	$(BIN)/python bench/lines.py
	$(BIN)/python bench/complaints.py
	$(BIN)/python bench/trace.py
	$(BIN)/python bench/workorders.py
	$(BIN)/python bench/analysis_survey.py
	$(BIN)/python bench/analysis_indicators.py

setup: system-packages $(STAMP)

test-setup: setup test-system-packages $(VENV)/.installed-test

# Debian packages: installed only when missing, so a second run is quick.
system-packages:
	@missing=""; for p in $(SYS_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; fi

test-system-packages:
	@missing=""; for p in $(TEST_SYS_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; fi

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e .
	touch $(STAMP)

$(VENV)/.installed-test: pyproject.toml $(STAMP)
	$(BIN)/pip install -q -e '.[test]'
	touch $@

clean-venv:
	rm -rf $(VENV)

# After adding UI strings: refresh the catalog, then translate the empty msgstr lines
# (tests/test_i18n.py fails until every string has its Chinese).
messages: setup
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o instance/messages.pot .
	$(BIN)/pybabel update -i instance/messages.pot -d qms/translations -l zh_Hans_CN --no-fuzzy-matching --ignore-obsolete

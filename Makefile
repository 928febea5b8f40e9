# Two commands do everything on a fresh machine: `make demo` and `make test`. Each installs
# what it needs into .tools/ (Node 24, pnpm, the workspace's packages, moto, the linters).

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
export PATH := $(CURDIR)/.tools/bin:$(PATH)

JEST := node --experimental-vm-modules --no-warnings=ExperimentalWarning node_modules/jest/bin/jest.js
ACTIONS := $(sort $(wildcard actions/*))

.PHONY: bench reset-reports setup setup-linters demo test typecheck lint lint-ts lint-workflows test-unit test-emulator test-terraform test-integration build check-dist clean

setup:
	@bash scripts/bootstrap.sh
	@bash scripts/ensure-moto.sh >/dev/null

setup-linters:
	@bash scripts/install-linters.sh
	@bash scripts/install-terraform-tools.sh

demo: setup
	node scripts/demo/demo.ts

test: reset-reports setup setup-linters typecheck lint test-unit test-emulator test-terraform test-integration check-dist demo
	@echo "make test: every check passed"
	@node scripts/test-summary.ts

typecheck:
	pnpm exec tsc -p tsconfig.json

lint: lint-ts lint-workflows

lint-ts:
	pnpm exec eslint --max-warnings 0 .

lint-workflows:
	bash scripts/lint-workflows.sh

REPORTS := .tools/reports

reset-reports:
	@rm -rf $(REPORTS)

test-unit:
	@mkdir -p $(REPORTS)
	$(JEST) --selectProjects unit --json --outputFile=$(REPORTS)/unit.json

test-emulator:
	@mkdir -p $(REPORTS)
	"$$(bash scripts/ensure-moto.sh)" -m pytest -q packages/emulator/server/tests --junitxml=$(REPORTS)/emulator.xml

test-terraform:
	terraform fmt -check -recursive terraform
	python3 terraform/tests/check_contracts.py
	@mkdir -p $(REPORTS)
	"$$(bash scripts/ensure-moto.sh)" -m pytest -q terraform/tests --junitxml=$(REPORTS)/terraform.xml
	python3 terraform/tests/module_docs.py --check
	bash terraform/tests/lint.sh

test-integration:
	@mkdir -p $(REPORTS)
	$(JEST) --selectProjects integration --runInBand --json --outputFile=$(REPORTS)/integration.json

build:
	@for action in $(ACTIONS); do echo "ncc: $$action"; (cd $$action && pnpm run build); done

# Rebuilds every bundle and fails when the committed dist/ differs, new files included
# (git diff would miss untracked files that ncc adds).
check-dist: build
	@drift=$$(git status --porcelain -- actions/*/dist); \
	if [ -n "$$drift" ]; then \
	  echo "These bundles differ from their source; run 'make build' and commit actions/*/dist:"; \
	  echo "$$drift"; exit 1; \
	fi; echo "check-dist: every bundle matches its source"

# Benchmarks are not part of make test: each bench/<topic>/run.sh measures one goal side by side
# with its comparison and prints a Markdown table; docs/benchmarks.md records the results.
bench: setup
	@bash scripts/install-bench-tools.sh
	@for script in bench/*/run.sh; do echo "== $$script"; bash "$$script"; done

clean:
	rm -rf .tools node_modules actions/*/node_modules packages/*/node_modules

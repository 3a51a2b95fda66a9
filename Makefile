# Every target installs what it needs first, so each works on a fresh machine.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
RUN_DIR := .run
BUF_AGAINST ?= ../.git\#branch=main,subdir=protos
GENERATED := karmada/meta karmada/core karmada/cluster karmada/policy karmada/work \
	karmada/networking karmada/multicluster karmada/coordination apiserver/storage/etcdpb

.PHONY: install run test unit lint protos check-protos docs check-docs bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@{ command -v etcd && command -v openssl; } >/dev/null 2>&1 || { \
		echo "installing etcd and openssl (Debian packages)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq etcd-server openssl >/dev/null; }
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

# The main job, in the foreground: etcd + apiserver, scheduler, controller manager and three
# simulated members, joined, with samples/nginx applied; Ctrl-C stops it (hack/run.py).
run: install
	@$(PY) hack/run.py --run-dir $(RUN_DIR)

test: install lint
	$(VENV)/bin/pytest -q

unit: install
	$(VENV)/bin/pytest -q tests/unit

lint: install check-protos check-docs
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(VENV)/bin/lint-imports
	cd protos && ../$(VENV)/bin/buf lint
	@if git rev-parse --verify -q main >/dev/null && git cat-file -e main:protos/buf.yaml 2>/dev/null; then \
		cd protos && ../$(VENV)/bin/buf breaking --against '$(BUF_AGAINST)'; \
	else echo "buf breaking: no protos on main yet, skipped"; fi

protos: install
	$(PY) hack/gen_protos.py

# Regenerates the stubs and fails if that changed anything committed.
check-protos: protos
	@if git rev-parse --git-dir >/dev/null 2>&1; then \
		changes=$$(git status --porcelain -- $(GENERATED)); \
		if [ -n "$$changes" ]; then echo "generated stubs are stale; run make protos and commit:"; \
			echo "$$changes"; exit 1; fi; fi

# docs/api.md, configuration.md and metrics.md are generated from the protos, the
# argument parsers and the registered metrics.
docs: install
	$(PY) hack/gen_docs.py

check-docs: install
	$(PY) hack/gen_docs.py --check

bench: install
	$(PY) -m bench

clean:
	rm -rf $(VENV) $(RUN_DIR) .mypy_cache .ruff_cache .pytest_cache

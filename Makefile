# tcms: `make run` serves the API, `make test` runs every check. `make help` lists the rest.
#
# Unless DATABASE_URL is set, both run a private PostgreSQL cluster for this checkout
# (installing Debian's postgresql package the first time if needed). The clusters live in
# .data/ and listen on a unix socket only; scripts/pg.sh does the work.

.DEFAULT_GOAL := help
SHELL := /bin/bash

GO    ?= go
SQLC  ?= github.com/sqlc-dev/sqlc/cmd/sqlc@v1.31.1
# A fuzz target is package:FuncName; each one runs for FUZZTIME in `make test`.
FUZZ_TARGETS ?= ./rpc:FuzzParseXMLCall ./rpc:FuzzParseJSONCall ./store:FuzzWhere
FUZZTIME     ?= 5s

# What the server reads (docs/running.md). An empty DATABASE_URL means the private cluster.
DATABASE_URL      ?=
TEST_DATABASE_URL ?=
TCMS_ADDR         ?= 127.0.0.1:8080
export TCMS_ADDR

# The private clusters. Socket paths must stay under 107 bytes, hence /tmp; the port only
# names the socket file (no TCP), so two checkouts never clash. HASH tells checkouts apart.
HASH      := $(shell pwd -P | sha256sum | cut -c1-8)
RUN_DATA  := .data/pg
RUN_SOCK  := /tmp/tcms-$(HASH)-run
RUN_PORT  := 5432
TEST_DATA := .data/test-pg
TEST_SOCK := /tmp/tcms-$(HASH)-test
TEST_PORT := 5432
# Tests may lose data on a crash; the run cluster keeps PostgreSQL's durable defaults.
TEST_PG_OPTS := -c fsync=off -c full_page_writes=off -c synchronous_commit=off
RUN_URL   := postgres:///tcms?host=$(RUN_SOCK)&port=$(RUN_PORT)&user=postgres&sslmode=disable
TEST_URL  := postgres:///postgres?host=$(TEST_SOCK)&port=$(TEST_PORT)&user=postgres&sslmode=disable

# Where the clusters go when the postgres user cannot reach this checkout (a clone under
# /root): .data/pg then links there. PGBIN (server binaries) defaults to the newest
# /usr/lib/postgresql/*/bin; PG_DRY_RUN=1 prints the package installation instead.
PG_HOME ?= /var/lib/tcms/$(HASH)
PG      := PG_HOME=$(PG_HOME) bash scripts/pg.sh
export PGBIN PG_DRY_RUN

GOFILES = $$(find . \( -name '.?*' -o -path ./bin \) -prune -o -name '*.go' -print)

.PHONY: help run test build lint generate docs fuzz stop clean-data db-url pg-run pg-test

help: ## list the targets
	@awk -F ':.*## ' '/^[a-z-]+:.*## /{printf "  make %-11s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

run: export DATABASE_URL := $(or $(DATABASE_URL),$(RUN_URL))
run: $(if $(DATABASE_URL),,pg-run) build ## serve the API on TCMS_ADDR (migrates and sets up first)
	bin/tcms migrate
	bin/tcms initial-setup
	exec bin/tcms serve

test: export TEST_DATABASE_URL := $(or $(TEST_DATABASE_URL),$(TEST_URL))
test: $(if $(TEST_DATABASE_URL),,pg-test) lint ## gofmt, vet, sqlc diff, tests and short fuzzing
	$(GO) run $(SQLC) diff
	$(GO) test -count=1 ./...
	@$(MAKE) --no-print-directory fuzz

build: ## build bin/tcms
	$(GO) build -o bin/tcms ./cmd/tcms

lint: ## gofmt and go vet
	@files=$$(gofmt -l $(GOFILES)); [ -z "$$files" ] || { echo "gofmt needed:"; echo "$$files"; exit 1; }
	$(GO) vet ./...

generate: ## regenerate the sqlc code from schema.sql and queries/
	$(GO) run $(SQLC) generate

docs: ## regenerate docs/api.md from the method registry
	$(GO) run ./cmd/tcms docs > docs/api.md.tmp
	mv docs/api.md.tmp docs/api.md

define newline


endef
fuzz: ## fuzz each of FUZZ_TARGETS for FUZZTIME
	$(foreach t,$(FUZZ_TARGETS),$(GO) test -run='^$$' -fuzz='^$(lastword $(subst :, ,$t))$$' -fuzztime=$(FUZZTIME) $(firstword $(subst :, ,$t))$(newline))

stop: ## stop the private PostgreSQL clusters
	@$(PG) stop $(RUN_DATA) $(TEST_DATA)

clean-data: ## stop the private clusters and delete all their data
	@$(PG) remove $(RUN_DATA) $(TEST_DATA)
	rm -rf .data

db-url: ## print DATABASE_URL for the private run cluster (for bin/tcms by hand)
	@echo '$(RUN_URL)'

pg-run: ## (internal) start the run cluster, .data/pg
	@$(PG) start $(RUN_DATA) $(RUN_SOCK) $(RUN_PORT) tcms

pg-test: ## (internal) start the test cluster, .data/test-pg
	@$(PG) start $(TEST_DATA) $(TEST_SOCK) $(TEST_PORT) postgres $(TEST_PG_OPTS)

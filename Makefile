# claimgate -- `make` (or `make help`) lists the targets.

GO           ?= go
BIN          ?= bin/claimgate
PKGS         ?= ./...
VERSION      ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
COMMIT       ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
LDFLAGS      := -X main.version=$(VERSION) -X main.commit=$(COMMIT)
TEST_TIMEOUT ?= 10m
FUZZTIME     ?= 30s
BENCHTIME    ?= 1s
COVERPROFILE ?= cover.out
STATICCHECK  := $(shell $(GO) env GOPATH)/bin/staticcheck

.DEFAULT_GOAL := help
.PHONY: help build run test bench fuzz lint cover clean

help: ## list the targets (this)
	@echo "Usage: make TARGET [VAR=value]"
	@echo
	@awk 'BEGIN {FS = ":.*## "} /^[a-z][a-z-]*:.*## / {printf "  %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)
	@echo
	@echo "Variables: PKGS=$(PKGS) FUZZTIME=$(FUZZTIME) BENCHTIME=$(BENCHTIME) TEST_TIMEOUT=$(TEST_TIMEOUT)"

build: ## build bin/claimgate, stamped with the version and commit
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/claimgate

# The embedded SQLite store (var/claimgate.db) is used unless claimgate.yaml or
# CLAIMGATE_DATABASE_URL names another database. --demo starts the payer simulator in-process
# on 127.0.0.1:2222 (var/sim), the payer SIMPAYER and the demo submitter (token in
# var/demo-token). `rm -rf var` starts over.
run: build ## build and run the whole loop: daemon, embedded store, payer simulator (127.0.0.1:8080)
	./$(BIN) serve --demo

test: ## run every test with the race detector
	$(GO) test -race -timeout $(TEST_TIMEOUT) $(PKGS)

bench: ## run every benchmark (BENCHTIME each) with allocation counts
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) $(PKGS)

fuzz: ## run every Fuzz target, one after the other, FUZZTIME each
	@set -e; for pkg in $$($(GO) list $(PKGS)); do \
		for target in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
			echo "== $$pkg $$target ($(FUZZTIME))"; \
			$(GO) test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) $$pkg; \
		done; \
	done

lint: $(STATICCHECK) ## gofmt (must list nothing), go vet and staticcheck
	@unformatted=$$(find . -name '*.go' -not -path './.git/*' -not -path '*/testdata/*' -print0 | xargs -0 gofmt -l); \
	if [ -n "$$unformatted" ]; then echo "gofmt -l lists files to format (run gofmt -w):"; echo "$$unformatted"; exit 1; fi
	$(GO) vet $(PKGS)
	$(STATICCHECK) $(PKGS)

$(STATICCHECK):
	GOBIN=$(dir $(STATICCHECK)) $(GO) install honnef.co/go/tools/cmd/staticcheck@latest

cover: ## run the tests with coverage; per-function summary, cover.html for a browser
	$(GO) test -race -timeout $(TEST_TIMEOUT) -covermode atomic -coverprofile $(COVERPROFILE) $(PKGS)
	$(GO) tool cover -func $(COVERPROFILE) | tail -n 1
	$(GO) tool cover -html $(COVERPROFILE) -o cover.html
	@echo "open cover.html for the line-by-line view"

clean: ## remove build and coverage output
	rm -rf bin $(COVERPROFILE) cover.html

# Intake load generator (gateway/api BenchmarkIntakeLoad): BENCH_API_CLIENTS concurrent clients
# post BENCH_API_COUNT distinct valid encounters to a real HTTP server, against Postgres
# (CLAIMGATE_TEST_DATABASE_URL, a fresh schema) and then SQLite; it reports accepted/s,
# p50_ms, p99_ms and errors.
BENCH_API_COUNT   ?= 20000
BENCH_API_CLIENTS ?= 16
.PHONY: bench-api
bench-api: ## intake load benchmark: encounters/s, p50/p99 latency, errors (Postgres, SQLite)
	CLAIMGATE_BENCH_CLIENTS=$(BENCH_API_CLIENTS) $(GO) test -run '^$$' -bench '^BenchmarkIntakeLoad$$' \
		-benchtime $(BENCH_API_COUNT)x -timeout $(TEST_TIMEOUT) ./gateway/api

# Posting an 835 of 20,000 claim payments: claims/s into PostgreSQL (from accepted_277, with
# webhooks, from submitted, payment rows only) and SQLite; and the `edi parse --totals` path
# against a bare splitter over a 50 MB 835 (ratios).
BENCH_POST_COUNT ?= 3
.PHONY: bench-post
bench-post: ## 835 posting (claims/s, Postgres and SQLite) and the --totals path vs a bare splitter
	$(GO) test -run '^$$' -bench '^BenchmarkPost' -benchtime 3x -count $(BENCH_POST_COUNT) -timeout 60m ./gateway/remit
	$(GO) test -run '^$$' -bench '^BenchmarkTotalsVsSplitter$$' -benchtime 10x -count $(BENCH_POST_COUNT) ./edi/x835

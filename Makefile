# Developer and CI tasks. Every development tool is pinned in the tools
# module (tools/go.mod), not in the library's go.mod, so that programs that
# import the library do not download them (CONTRIBUTING.md, "Tools"); every
# machine still builds the same versions.
GO        ?= go
# A go.work of a developer's own would mix the two modules' dependencies:
# every target sees each module as CI and users do.
export GOWORK := off
# The third-party tools (oapi-codegen, staticcheck, oasdiff, apidiff,
# pkgsite), run from the repository root with the tools module's versions.
TOOL      := $(GO) tool -modfile=tools/go.mod
# The project's own checks (tools/cmd/NAME) are built here and run from the
# repository root: $(call run-cmd,NAME) args...
TOOLS_BIN := $(CURDIR)/.tools/bin
run-cmd    = $(GO) build -C tools -o $(TOOLS_BIN)/$(1) ./cmd/$(1) && $(TOOLS_BIN)/$(1)
PKGS      := ./...
# The nested modules: directories with a go.mod of their own that requires
# the library (replace => .. during development), so that only their users
# download their dependencies (CONTRIBUTING.md, "Modules"). Every target
# below that checks the library checks each of them too, from its own
# directory (go -C DIR). The CLI module, whose packages are all commands and
# which has no coverage gate, is checked by lines of its own below.
MODULES   := redislimit
# Hand-written packages that the coverage gate measures (gen/ is excluded),
# in the library and, as COVERPKG.DIR, in each nested module (default ./...).
COVERPKG  := ./api/...,./auth/...,./client/...,./cloudconnexatest/...
COVERPKG.redislimit := .
# The command line, a module of its own (its go.mod requires this checkout
# through a replace directive; CONTRIBUTING.md, "The CLI module").
CLI       := cmd/cloudconnexa
COVER_MIN ?= 85
UPSTREAM  ?=
# What make quick compares the work tree with.
BASE      ?= main
DEPS      ?=
# The drift gate's committed inputs: documented deviations and the vendor file CI checks.
SPEC_DIFF_IGNORE ?= api/spec-diff-ignore.txt
VENDOR_DOC       := api/testdata/vendor-v1.1.0.json
# How long each fuzz target runs in `make fuzz` (and so in CI).
FUZZTIME  ?= 3s
# How many cases each property-based test (pgregory.net/rapid) runs in `make fuzz`.
RAPID_CHECKS ?= 5000

.PHONY: all ci quick modgraph-check api-baseline fuzz generate check-generated fmt fmt-check vet lint test cover cover-check bench spec-validate spec-diff spec-diff-vendor spec-changes fake examples quickstart api-diff api-check install-check tidy-check docs-check docs

all: check-generated fmt-check vet lint test

## ci: everything .ci/run checks, in order.
ci: fmt-check tidy-check modgraph-check docs-check vet lint check-generated api-check spec-diff-vendor test cover-check fuzz examples quickstart

## fuzz: every fuzz target of auth, client and cloudconnexatest, FUZZTIME each,
## and the property-based tests (TestProperty*) with RAPID_CHECKS cases each
## (make test runs rapid's default of 100).
fuzz:
	$(GO) test -count=1 ./internal/pacing ./internal/httpsafe ./auth ./client -run '^TestProperty' -rapid.checks=$(RAPID_CHECKS)
	@for pkg in ./auth ./client ./cloudconnexatest ./internal/httpsafe; do \
		for fn in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
			echo "fuzz $$pkg $$fn ($(FUZZTIME))"; \
			$(GO) test -run '^$$' -fuzz "^$$fn$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
		done; \
	done

## generate: regenerate gen/, the resource API and docs/resources.md from api/openapi.yaml.
generate:
	$(GO) generate ./...

# Everything `go generate` writes: gen/, and the resource API outside it.
GENERATED := gen/ client/resources.gen.go client/resources_gen_test.go docs/resources.md $(CLI)/commands.gen.go

## check-generated: regenerate and fail if generated files differ from what is committed.
check-generated: generate
	@git diff --exit-code -- $(GENERATED) || { echo "generated code is stale: run 'make generate' and commit"; exit 1; }
	@test -z "$$(git status --porcelain -- $(GENERATED))" || { git status --porcelain -- $(GENERATED); echo "generated files are untracked"; exit 1; }

fmt:
	gofmt -w .

## tidy-check: fail when go.mod or go.sum of the library, of a nested module, of the
## tools module or of the CLI module differ from what go mod tidy makes of them.
tidy-check:
	@$(GO) mod tidy -diff || { echo "go.mod/go.sum are not tidy: run 'go mod tidy' and commit"; exit 1; }
	@for m in $(MODULES); do \
		$(GO) -C $$m mod tidy -diff || { echo "$$m/go.mod/go.sum are not tidy: run 'go -C $$m mod tidy' and commit"; exit 1; }; \
	done
	@$(GO) -C tools mod tidy -diff || { echo "tools/go.mod/go.sum are not tidy: run 'go -C tools mod tidy' and commit"; exit 1; }
	@$(GO) -C $(CLI) mod tidy -diff || { echo "$(CLI)/go.mod/go.sum are not tidy: run 'go -C $(CLI) mod tidy' and commit"; exit 1; }

## modgraph-check: a fresh program that imports only client (a module of its own
## that requires this checkout) has at most MODGRAPH_MAX other modules in its
## graph (go list -m all), counted offline from the module cache.
# 23 (CONTRIBUTING.md, "Tools" lists them): go-redis and its three are in
# redislimit's module, not the library's. pgregory.net/rapid (test-only, no
# dependencies of its own) is in the graph because go.mod lists it; no
# package of a consumer's build uses it.
MODGRAPH_MAX ?= 23
modgraph-check:
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	mod=$$($(GO) list -m); \
	cp go.sum "$$tmp/go.sum"; \
	printf 'package main\n\nimport _ "%s/client"\n\nfunc main() {}\n' "$$mod" > "$$tmp/main.go"; \
	cd "$$tmp"; \
	$(GO) mod init example.com/consumer 2>/dev/null; \
	$(GO) mod edit -require="$$mod@v0.0.0" -replace="$$mod=$(CURDIR)"; \
	GOPROXY=off GOFLAGS=-mod=mod $(GO) list -deps ./... >/dev/null; \
	GOPROXY=off $(GO) list -m -e -f '{{if not .Main}}{{.Path}} {{.Version}}{{end}}' all | sed '/^$$/d' > modules.txt; \
	n=$$(wc -l < modules.txt); \
	if [ "$$n" -gt $(MODGRAPH_MAX) ]; then \
		cat modules.txt; echo "a program importing only client has $$n modules in its graph (go list -m all), more than $(MODGRAPH_MAX)"; exit 1; \
	fi; \
	echo "a program importing only client has $$n modules in its graph (maximum $(MODGRAPH_MAX))"

## docs-check: every relative link and #anchor of README.md, CONTRIBUTING.md and
## docs/*.md resolves and every Go block in them compiles (tools/cmd/doccheck);
## then doccheck's own tests that build blocks with the go command against the
## library and its nested modules (build tag doccheck_build: too slow cold for
## make test, which runs the rest of doccheck's tests).
DOCCHECK_BUILD_TESTS := ^(TestSnippets|TestMissingImport|TestNestedModule)$$
docs-check:
	@$(call run-cmd,doccheck) -modules "$(MODULES)"
	$(GO) -C tools test -count=1 -tags doccheck_build -run '$(DOCCHECK_BUILD_TESTS)' ./cmd/doccheck

## docs: serve the API reference of the working tree locally with pkgsite.
DOCS_ADDR ?= localhost:6060
docs:
	@echo "API reference: http://$(DOCS_ADDR)/github.com/cloudconnexa-go/cloudconnexa (Ctrl-C stops)"
	$(TOOL) pkgsite -http=$(DOCS_ADDR) -list=false .

fmt-check:
	@out=$$(gofmt -l .); test -z "$$out" || { echo "gofmt needed:"; echo "$$out"; exit 1; }

## vet, lint: go vet and staticcheck over every module.
vet:
	$(GO) vet $(PKGS)
	@for m in $(MODULES); do echo "$(GO) -C $$m vet ./..."; $(GO) -C $$m vet ./... || exit 1; done
	$(GO) -C tools vet -tags doccheck_build ./...
	$(GO) -C $(CLI) vet ./...

lint:
	$(TOOL) staticcheck $(PKGS)
	@for m in $(MODULES); do echo "(cd $$m && $(GO) tool -modfile=$(CURDIR)/tools/go.mod staticcheck ./...)"; \
		(cd $$m && $(GO) tool -modfile=$(CURDIR)/tools/go.mod staticcheck ./...) || exit 1; \
	done
	$(GO) -C tools tool staticcheck -tags doccheck_build ./...
	cd $(CLI) && $(GO) tool -modfile=$(CURDIR)/tools/go.mod staticcheck ./...

## test: the test suite (the command the README gives), with the race detector and
## coverage (coverage.out in each module's directory), in the library and in every
## nested module; then the tests of the tools module's own commands and of the CLI.
test:
	$(GO) test -race -count=1 -coverpkg=$(COVERPKG) -coverprofile=coverage.out $(PKGS)
	@$(GO) tool cover -func=coverage.out | awk '/^total:/ {print "total coverage of the hand-written packages ($(COVERPKG)): " $$3 " of statements"}'
	@set -e; $(foreach m,$(MODULES),\
		echo "$(GO) -C $(m) test -race -count=1 -coverpkg=$(or $(COVERPKG.$(m)),./...) -coverprofile=coverage.out ./..."; \
		$(GO) -C $(m) test -race -count=1 -coverpkg=$(or $(COVERPKG.$(m)),./...) -coverprofile=coverage.out ./...; \
		$(GO) -C $(m) tool cover -func=coverage.out | awk '/^total:/ {print "total coverage of $(m) ($(or $(COVERPKG.$(m)),./...)): " $$3 " of statements"}';)
	$(GO) -C tools test -race -count=1 ./...
	$(GO) -C $(CLI) test -race -count=1 ./...

## quick: the fast loop while working: gofmt, vet and test (no -race, go's
## test cache) of the packages a change since BASE (default main) touches;
## DEPS=1 adds every package whose tests build on them (scripts/quick.sh).
## It drops nothing from `make test` or `make ci`, which stay what CI runs.
quick:
	@BASE=$(BASE) DEPS=$(DEPS) GO=$(GO) ./scripts/quick.sh

cover: test
	$(GO) tool cover -html=coverage.out -o coverage.html

## cover-check: fail when statement coverage of the hand-written packages is below
## COVER_MIN, in the library and in each nested module, each measured on its own.
cover-check:
	@for m in . $(MODULES); do \
		total=$$($(GO) -C $$m tool cover -func=coverage.out | awk '/^total:/ {sub("%","",$$3); print $$3}'); \
		test -n "$$total" || { echo "$$m/coverage.out: no coverage measured: run make test"; exit 1; }; \
		echo "coverage of hand-written packages in $$m: $$total% (minimum $(COVER_MIN)%)"; \
		awk -v t="$$total" -v m="$(COVER_MIN)" 'BEGIN { exit (t+0 >= m+0) ? 0 : 1 }' || { echo "coverage of $$m below $(COVER_MIN)%"; exit 1; }; \
	done

## bench: the benchmarks of the library (bench/) and of each nested module that has a bench/.
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./bench/
	@for m in $(MODULES); do test -d $$m/bench || continue; \
		echo "$(GO) -C $$m test -run '^\$$' -bench . -benchmem ./bench/"; \
		$(GO) -C $$m test -run '^$$' -bench . -benchmem ./bench/ || exit 1; \
	done

## spec-validate: load and validate api/openapi.yaml with kin-openapi.
spec-validate:
	$(GO) test -count=1 -run 'TestSpec|TestInventory|TestVendor|TestOperation' ./api/

## spec-diff: the drift gate. Normalises a vendor-published document (tools/internal/specnorm; the result is
## kept in .spec-diff/), compares ours with it using oasdiff's breaking-change checks, and fails on any
## breaking change that $(SPEC_DIFF_IGNORE) does not list as a documented deviation:
##   make spec-diff UPSTREAM=path/to/vendor.json
spec-diff:
	@test -n "$(UPSTREAM)" || { echo "usage: make spec-diff UPSTREAM=<vendor openapi file>"; exit 2; }
	@mkdir -p .spec-diff
	@$(call run-cmd,specdiff) -ignore $(SPEC_DIFF_IGNORE) -normalised .spec-diff/upstream.normalised.json api/openapi.yaml $(UPSTREAM)

## spec-diff-vendor: the gate against the committed vendor v1.1.0 document (run by CI).
spec-diff-vendor:
	@$(MAKE) --no-print-directory spec-diff UPSTREAM=$(VENDOR_DOC)

## spec-changes: what the vendor changed between the committed vendor document and a new one, both
## normalised, so our own deviations do not appear: make spec-changes UPSTREAM=path/to/new-vendor.json
spec-changes:
	@test -n "$(UPSTREAM)" || { echo "usage: make spec-changes UPSTREAM=<vendor openapi file>"; exit 2; }
	@mkdir -p .spec-diff
	@$(call run-cmd,specnorm) $(VENDOR_DOC) .spec-diff/previous.normalised.json
	@$(call run-cmd,specnorm) $(UPSTREAM) .spec-diff/upstream.normalised.json
	$(TOOL) oasdiff changelog .spec-diff/previous.normalised.json .spec-diff/upstream.normalised.json --format singleline

## api-diff: the Go API of every importable package (gen/ included) compared with the
## baseline, in Go terms: the committed $(API_BASELINE) (apidiff export data of the
## newest release) when there is one, else the first commit.
API_BASELINE ?= tools/apicompat/baseline.zip
api-diff:
	@$(call run-cmd,apicompat) -baseline $(API_BASELINE) -modules "$(MODULES)"

## api-check: fail when an incompatible Go API change is not declared under
## "### Breaking" in "## [Unreleased]" of CHANGELOG.md (CONTRIBUTING.md says how).
api-check:
	@$(call run-cmd,apicompat) -baseline $(API_BASELINE) -modules "$(MODULES)" -check

## api-baseline: (re)write $(API_BASELINE) from the working tree, recording the newest
## release of CHANGELOG.md; run at a release commit (CONTRIBUTING.md, "Cutting a release").
api-baseline:
	@$(call run-cmd,apicompat) -baseline $(API_BASELINE) -modules "$(MODULES)" -write-baseline

## install-check: go install …/cmd/cloudconnexa-fake@<version> from a clean module cache,
## served by a file:// proxy built from HEAD; then the binary's -version.
## INSTALL_AS=v0.1.0 serves HEAD as that release (step 4 of a release, CONTRIBUTING.md).
INSTALL_AS ?=
install-check:
	@$(call run-cmd,installcheck) $(if $(INSTALL_AS),-version $(INSTALL_AS))

## fake: run the fake CloudConnexa server on localhost.
fake:
	$(GO) run ./cmd/cloudconnexa-fake

## examples: build the examples, and every package of each nested module (its examples
## among them).
examples:
	$(GO) build ./examples/...
	@for m in $(MODULES); do echo "$(GO) -C $$m build ./..."; $(GO) -C $$m build ./... || exit 1; done

quickstart:
	env -u CLOUDCONNEXA_BASE_URL -u CLOUDCONNEXA_CLIENT_ID -u CLOUDCONNEXA_CLIENT_SECRET $(GO) run ./examples/quickstart

# The README's test command is `make test`: it runs everything CI runs.
SHELL := /bin/bash
GO ?= go

.PHONY: test vet lint unit load fuzz bench-smoke test-deploy e2e bench bootstrap clean local

test: vet lint unit load fuzz bench-smoke test-deploy e2e

# Modules apart from the root one, so that their dependencies stay theirs
# (deploy/ has its own target, test-deploy).
SUBMODULES := otellambdamcp e2e/clients/mcpgo bench/peers/mcpgo

vet:
	$(GO) vet ./...
	@for m in $(SUBMODULES); do echo "(cd $$m && $(GO) vet ./...)"; (cd $$m && $(GO) vet ./...) || exit 1; done

# staticcheck at the pinned version (.ci/staticcheck-version), installed
# from the Go module proxy into a folder of this checkout the first time.
STATICCHECK_VERSION := $(shell cat .ci/staticcheck-version)
STATICCHECK := $(CURDIR)/bin/staticcheck-$(STATICCHECK_VERSION)
$(STATICCHECK):
	GOBIN=$(CURDIR)/bin $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	mv $(CURDIR)/bin/staticcheck $@

# Every Go file the repository holds is gofmt'ed (deploy/ included; files
# under node_modules are npm's, not ours).
lint: $(STATICCHECK)
	@files=$$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path '*/node_modules/*'); \
	unformatted=$$(gofmt -l $$files </dev/null); \
	if [ -n "$$unformatted" ]; then echo "not gofmt'ed: $$unformatted"; exit 1; fi
	$(STATICCHECK) ./...
	@for m in $(SUBMODULES); do echo "(cd $$m && $(STATICCHECK) ./...)"; (cd $$m && $(STATICCHECK) ./...) || exit 1; done

unit:
	$(GO) test -race -count=1 -v ./...
	@for m in $(SUBMODULES); do echo "(cd $$m && $(GO) test -race -count=1 -v ./...)"; (cd $$m && $(GO) test -race -count=1 -v ./...) || exit 1; done

# The load tests at full size (10,000 requests each), without the race
# detector; under it, unit runs them at a tenth of that.
load:
	$(GO) test -count=1 -v -run '^TestLoad' .

# Every fuzz target (package:target) for a bounded number of inputs (a
# count, not a time: a time limit that ends while an input runs fails the
# run); a crash is kept under the package's testdata/fuzz/ by go test and
# becomes a permanent seed once committed.
FUZZTIME ?= 10000x
FUZZ_TARGETS := .:FuzzEvent .:FuzzRequest .:FuzzBasePath .:FuzzJSONDepth .:FuzzJSONTrailing .:FuzzPeekRPC .:FuzzParseEvent .:FuzzInvokeStream \
	./auth:FuzzAuthorizerInvoke ./auth:FuzzBearerToken ./requeststate:FuzzOpen \
	./internal/runtimeapi:FuzzDecodeFunctionError ./internal/localfront:FuzzWriteProxyResponse ./internal/localfront:FuzzReadPrelude \
	.:FuzzSSETail .:FuzzLastEventEnd .:FuzzSSEEvent .:FuzzDimensionValue ./auth:FuzzNumericDate ./internal/textcut:FuzzCut \
	./cmd/mcp-client:FuzzRedacted ./cmd/mcp-client:FuzzStreamWatch ./cmd/mcp-client:FuzzHostPort ./internal/localfront:FuzzDecodeBody \
	.:FuzzLateAnswer ./auth:FuzzUnreadVars .:FuzzPrefixLocation ./internal/textcut:FuzzPrintable \
	.:FuzzJoinedValues .:FuzzWideText ./auth:FuzzCompactSerialization .:FuzzRequestHeaderChecks .:FuzzJSONProgress \
	./auth:FuzzScopeHierarchy ./auth:FuzzClaimDates ./auth:FuzzDiscoveryDocument ./auth:FuzzAuthorizerContext ./cmd/mcp-client:FuzzArgsFile \
	.:FuzzAcceptance .:FuzzHeaderValues ./internal/localfront:FuzzDecodeAuthorizerResponse
fuzz:
	@for pt in $(FUZZ_TARGETS); do \
		pkg=$${pt%%:*}; target=$${pt#*:}; \
		echo "$(GO) test -run '^$$' -fuzz '^$$target\$$' -fuzztime $(FUZZTIME) $$pkg"; \
		$(GO) test -run '^$$' -fuzz "^$$target\$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	done

# Every benchmark once, so that none rots; `make bench` measures.
bench-smoke:
	$(GO) test -run '^$$' -bench . -benchtime 1x ./...

# The figures of docs/benchmarks.md: the in-process benchmarks, then the
# bench command (Runtime API, sizes, HTTP against the peers).
BENCHFLAGS ?=
bench:
	npm ci --prefix bench/peers/ts --no-audit --no-fund
	$(GO) test -run '^$$' -bench . -benchmem .
	$(GO) run ./cmd/lambdamcp-bench $(BENCHFLAGS)

# The official MCP conformance suites (both eras) and real clients (TypeScript
# SDK, inspector CLI) against the local server and the real bootstraps behind
# the local Lambda front in every shape. Node.js 22 comes from the npm registry.
e2e:
	npm ci --prefix e2e --no-audit --no-fund
	$(GO) run ./e2e

# The CDK app (its own Go module): offline synthesis of every variant.
test-deploy:
	$(MAKE) -C deploy test-deploy

# The Lambda bootstrap for provided.al2023 on arm64.
bootstrap:
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build -tags lambda.norpc -trimpath -ldflags='-s -w' -o bootstrap ./cmd/mcp-server

# What the targets leave in the checkout: the bootstrap, the staticcheck of
# lint, and deploy/'s builds and templates (npm's node_modules stay).
clean:
	rm -rf bootstrap bin
	$(MAKE) -C deploy clean

SHAPE ?= rest
# The reference server behind the local Lambda front (SHAPE=rest|http|url|alb).
local:
	$(GO) run ./cmd/lambdamcp-local -shape $(SHAPE) -build ./cmd/mcp-server

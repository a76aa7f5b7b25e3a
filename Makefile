# The README's test command is `make test`: it runs everything CI runs.
SHELL := /bin/bash
GO ?= go

.PHONY: test vet unit test-deploy bootstrap clean local

test: vet unit test-deploy

vet:
	$(GO) vet ./...

unit:
	$(GO) test -race -count=1 -v ./...

# The CDK app (its own Go module): offline synthesis of every variant.
test-deploy:
	$(MAKE) -C deploy test-deploy

# The Lambda bootstrap for provided.al2023 on arm64.
bootstrap:
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build -tags lambda.norpc -trimpath -ldflags='-s -w' -o bootstrap ./cmd/mcp-server

clean:
	rm -f bootstrap

SHAPE ?= rest
# The reference server behind the local Lambda front (SHAPE=rest|http|url|alb).
local:
	$(GO) run ./cmd/lambdamcp-local -shape $(SHAPE) -build ./cmd/mcp-server

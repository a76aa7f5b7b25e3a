# The README's test command is `make test`: it runs everything CI runs.
SHELL := /bin/bash
GO ?= go

.PHONY: test vet unit bootstrap clean local

test: vet unit

vet:
	$(GO) vet ./...

unit:
	$(GO) test -race -count=1 -v ./...

# The Lambda bootstrap for provided.al2023 on arm64.
bootstrap:
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build -tags lambda.norpc -trimpath -ldflags='-s -w' -o bootstrap ./cmd/mcp-server

clean:
	rm -f bootstrap

SHAPE ?= rest
# The reference server behind the local Lambda front (SHAPE=rest|http|url|alb).
local:
	$(GO) run ./cmd/lambdamcp-local -shape $(SHAPE) -build ./cmd/mcp-server

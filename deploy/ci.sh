#!/usr/bin/env bash
# What CI runs for the deploy module: installs the pinned CDK CLI and Node.js 24 from the npm
# registry (package-lock.json), then vets, staticchecks, synthesises every variant in the tests,
# and runs the app once through the CLI as `cdk deploy` would. Offline apart from the Go module
# proxy and npm.
set -euo pipefail
cd "$(dirname "$0")"

npm ci --no-audit --no-fund
# npm installs the Node.js package only on linux x64/arm64; elsewhere the machine's node is used.
export PATH="$PWD/node_modules/.bin:$PATH"
export CDK_DISABLE_VERSION_CHECK=1 CDK_DISABLE_CLI_TELEMETRY=1
echo "node $(node --version), cdk $(cdk --version)"

go mod download
go vet ./...
# staticcheck at the repository's pinned version (.ci/staticcheck-version), the binary `make lint`
# uses: the root Makefile installs it into bin/ the first time (its target is the absolute path).
staticcheck="$(cd .. && pwd -P)/bin/staticcheck-$(cat ../.ci/staticcheck-version)"
make -s -C .. "$staticcheck"
"$staticcheck" ./...
go test -count=1 -v ./...

# The CLI path: cdk.json's app, context parsing, asset staging. No AWS account is needed to synth.
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
cdk synth --no-notices --quiet --output "$out/rest"
cdk synth --no-notices --quiet --output "$out/http" -c variant=http -c cognito=true
# A server of one's own, in a module of its own named by a folder relative to deploy/ (where cdk
# runs the app): its package is what the function runs, as the binary's build information says.
mkdir -p "$out/hello/cmd/hello"
printf 'module example.com/hello\n\ngo 1.26\n' > "$out/hello/go.mod"
printf 'package main\n\nfunc main() {}\n' > "$out/hello/cmd/hello/main.go"
cdk synth --no-notices --quiet --output "$out/own" -c variant=url \
  -c serverDir="$(realpath --relative-to=. "$out/hello")" -c serverPackage=./cmd/hello
got="$(go version -m "$out"/own/asset.*/bootstrap | awk '$1 == "path" { print $2 }')"
if [ "$got" != example.com/hello/cmd/hello ]; then
  echo "cdk synth -c serverDir -c serverPackage: the server runs '$got', want example.com/hello/cmd/hello" >&2
  exit 1
fi

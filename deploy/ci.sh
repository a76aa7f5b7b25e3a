#!/usr/bin/env bash
# What CI runs for the deploy module: installs the pinned CDK CLI and Node.js 24 from the npm
# registry (package-lock.json), then vets, synthesises every variant in the tests, and runs the
# app once through the CLI as `cdk deploy` would. Offline apart from the Go module proxy and npm.
set -euo pipefail
cd "$(dirname "$0")"

npm ci --no-audit --no-fund
# npm installs the Node.js package only on linux x64/arm64; elsewhere the machine's node is used.
export PATH="$PWD/node_modules/.bin:$PATH"
export CDK_DISABLE_VERSION_CHECK=1 CDK_DISABLE_CLI_TELEMETRY=1
echo "node $(node --version), cdk $(cdk --version)"

go mod download
go vet ./...
go test -count=1 -v ./...

# The CLI path: cdk.json's app, context parsing, asset staging. No AWS account is needed to synth.
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
cdk synth --no-notices --quiet --output "$out/rest"
cdk synth --no-notices --quiet --output "$out/http" -c variant=http -c cognito=true
# A server of one's own (here an example of this repository): its package is what the
# function runs, as the binary's build information says.
cdk synth --no-notices --quiet --output "$out/own" -c variant=url -c serverPackage=./examples/structured/cmd/structured
want='github.com/lambdamcp/lambdamcp/examples/structured/cmd/structured'
got="$(go version -m "$out"/own/asset.*/bootstrap | awk '$1 == "path" { print $2 }')"
if [ "$got" != "$want" ]; then
  echo "cdk synth -c serverPackage: the server runs '$got', want '$want'" >&2
  exit 1
fi

#!/usr/bin/env bash
# Builds actionlint (the GitHub Actions workflow linter our tests run) from the Go module proxy into
# .cache/bin, once. Prints its path.
set -euo pipefail
cd "$(dirname "$0")/.."
version=v1.7.12
bin=.cache/bin/actionlint
if [ -x "$bin" ] && "$bin" -version 2>/dev/null | head -1 | grep -q "${version#v}"; then echo "$PWD/$bin"; exit 0; fi
mkdir -p .cache/bin
echo "building actionlint $version (go install)…" >&2
GOBIN="$PWD/.cache/bin" GOFLAGS=-mod=mod go install "github.com/rhysd/actionlint/cmd/actionlint@$version" >&2
echo "$PWD/$bin"

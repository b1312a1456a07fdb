#!/usr/bin/env bash
# test.sh: the whole test suite. Installs what the tests need first
# (scripts/test-deps.sh), then vets and runs every test with the race
# detector. Tests that need a tool fail under CI=true if it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/test-deps.sh
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
	echo "test: gofmt needed on:" >&2
	echo "$unformatted" >&2
	exit 1
fi
go vet ./...
go test -race -timeout 20m "$@" ./...

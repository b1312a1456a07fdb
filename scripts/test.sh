#!/usr/bin/env bash
# test.sh: the whole test suite. Installs what the tests need first
# (scripts/test-deps.sh), then vets and runs every test with the race
# detector, then the packages with tagged tests again with their tags:
# nosimclips (the camera build) and x264 (cgo against the host's libx264),
# then the browser SDK's and page's tests (scripts/web-test.sh: Node and
# headless Chromium). Tests that need a tool, and the x264 run, fail under
# CI=true if it is missing.
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
# web/'s npm packages (playwright-core) before the Go tests: natlab's
# browser test drives Chromium with them.
scripts/web-test.sh --install
# The QEMU rig runs on its own, after the rest: its emulated camera must
# keep real time (25 fps through x264 on two emulated cores), which it
# cannot while other packages' tests take the host's cores.
go test -race -timeout 20m "$@" $(go list ./... | grep -v '/rig$')
go test -race -timeout 20m "$@" ./rig/
# The camera build's tag (scripts/cross-build.sh): sim clips from files.
go vet -tags nosimclips ./capture/sim/
go test -race -tags nosimclips "$@" ./capture/sim/

x264_pkgs=$(grep -rlE --include='*_test.go' '^//go:build .*\bx264\b' . | xargs -r -n1 dirname | sort -u | xargs)
if pkg-config --exists x264 2>/dev/null; then
	go vet -tags x264 $x264_pkgs
	go test -race -tags x264 -timeout 10m "$@" $x264_pkgs
elif [ -n "${CI:-}" ]; then
	echo "test: libx264 not found under CI: scripts/test-deps.sh must install libx264-dev" >&2
	exit 1
else
	echo "test: skipping the x264 tests ($x264_pkgs): no libx264; scripts/test-deps.sh installs libx264-dev" >&2
fi

# The browser SDK and player page: Node unit tests, headless Chromium.
scripts/web-test.sh

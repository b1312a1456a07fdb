#!/usr/bin/env bash
# web-test.sh: the browser SDK's and player page's tests (web/).
#   1. installs web/'s npm packages when node_modules is missing or older
#      than package-lock.json (npm ci, quietly; idempotent);
#   2. checks that the committed bundle (web/dist) is what web/src builds;
#   3. runs the SDK's unit tests in Node (node --test);
#   4. runs the browser tests: Debian's Chromium driven by playwright-core
#      against the dev cloud, sim cameras and gateway (web/test/devserver);
#      against separate `p2pcam cloud`, `p2pcamd` and `p2pcam serve`
#      processes (deploy.test.mjs: P2P, LAN mode and the gateway over
#      HTTP-FLV, the gateway's own page); the relay handover (relay.test.mjs:
#      a full camera sends the page to nginx-rtmp's HLS; needs nginx and
#      libnginx-mod-rtmp); and the SDK's MQTT client against
#      mosquitto's WebSocket listener (mqtt.test.mjs). The Go binaries are
#      built once, into a temp dir the test files share.
# Under CI=true a missing node, npm or chromium is a failure; otherwise
# the step is skipped with a message saying what to install.
#   5. runs the page and timeline tests again against `p2pcam demo`, the
#      README's main command (P2PCAM_WEB_SERVER=demo; the demo records).
# With --install it stops after step 1 (scripts/test.sh, for natlab).
set -euo pipefail
cd "$(dirname "$0")/../web"

missing() {
	if [ "${CI:-}" = true ]; then
		echo "web-test: $1 not found under CI: $2" >&2
		exit 1
	fi
	echo "web-test: skipping: $1 not found ($2)" >&2
	exit 0
}
command -v node >/dev/null || missing node "apt-get install nodejs npm"
command -v npm >/dev/null || missing npm "apt-get install npm"

stamp=node_modules/.p2pcam-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
	echo "web-test: npm ci" >&2
	npm ci --no-audit --no-fund --loglevel=error
	echo "$want" >"$stamp"
fi
# --install: the packages only, for the Go tests that drive Chromium
# (natlab's browser test), which scripts/test.sh runs before the rest.
if [ "${1:-}" = --install ]; then
	exit 0
fi

node build.mjs --check
timeout 300 npm test --silent

chromium=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
	missing chromium "apt-get install chromium (scripts/test-deps.sh does), or set CHROMIUM"
fi
P2PCAM_WEB_BIN_DIR=$(mktemp -d)
export P2PCAM_WEB_BIN_DIR
trap 'rm -rf "$P2PCAM_WEB_BIN_DIR"' EXIT
timeout 900 node --test --test-concurrency=1 test/browser/
P2PCAM_WEB_SERVER=demo timeout 600 node --test --test-concurrency=1 test/browser/page.test.mjs test/browser/timeline.test.mjs

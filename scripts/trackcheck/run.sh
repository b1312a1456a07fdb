#!/bin/sh
# Plays the sim camera's media tracks in headless Chromium and prints
# Chromium's stats as JSON. Needs /usr/bin/chromium and playwright-core
# (npm install playwright-core in a folder on NODE_PATH, or here).
set -eu
dir=$(cd "$(dirname "$0")" && pwd)
bin=$(mktemp -d)
trap 'kill $pid 2>/dev/null; rm -rf "$bin"' EXIT
go build -o "$bin/trackcheck" "$dir"
TRACKCHECK_SPEAKER=${TRACKCHECK_SPEAKER:-} "$bin/trackcheck" >"$bin/addr" 2>"$bin/log" &
pid=$!
while [ ! -s "$bin/addr" ]; do sleep 0.1; done
node "$dir/check.js" "http://$(head -1 "$bin/addr")/"
grep -E 'talkback done|h264:' "$bin/log" >&2

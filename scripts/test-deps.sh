#!/usr/bin/env bash
# test-deps.sh: install what the test suite needs, once. Idempotent and
# quiet: it prints only what it installs. Needs root (or sudo) for apt.
set -euo pipefail

apt_pkgs=()
need() { command -v "$1" >/dev/null 2>&1 || apt_pkgs+=("$2"); }
need ffmpeg ffmpeg
need ffprobe ffmpeg
need mosquitto mosquitto
need mosquitto_passwd mosquitto
# the NAT lab (natlab/, scripts/natlab/)
need ip iproute2
need ss iproute2
need tc iproute2
need iptables iptables
need turnserver coturn
# the browser tests (web/, scripts/web-test.sh): Debian's Chromium driven
# by playwright-core
need chromium chromium
# the relay tests (mux/rtmp, agent): nginx with Debian's RTMP module
[ -x /usr/sbin/nginx ] || apt_pkgs+=(nginx)
[ -f /usr/lib/nginx/modules/ngx_rtmp_module.so ] || apt_pkgs+=(libnginx-mod-rtmp)
# the x264-tagged tests (cgo against the host's libx264; scripts/test.sh)
need gcc gcc
need pkg-config pkg-config
host_x264="libx264-dev:$(dpkg --print-architecture)"
if ! dpkg-query -W -f='${Status}' "$host_x264" 2>/dev/null | grep -q 'ok installed'; then
	apt_pkgs+=("$host_x264")
fi

if ((${#apt_pkgs[@]})); then
	sudo=""
	if [ "$(id -u)" != 0 ]; then
		command -v sudo >/dev/null || { echo "test-deps: need root or sudo to apt-get install ${apt_pkgs[*]}" >&2; exit 1; }
		sudo=sudo
	fi
	echo "test-deps: installing ${apt_pkgs[*]} (apt)"
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -qq >/dev/null
	$sudo apt-get install -y -qq --no-install-recommends "${apt_pkgs[@]}" >/dev/null
fi

cd "$(dirname "$0")/.."
go mod download
scripts/qemu-rig/deps.sh

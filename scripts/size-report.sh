#!/usr/bin/env bash
# size-report.sh: where p2pcamd's bytes go, per target (docs/size.md).
#
#   scripts/size-report.sh                  armv7
#   scripts/size-report.sh --only arm64,mipsle
#   scripts/size-report.sh --top 30         more origins (default 20)
#   scripts/size-report.sh --sim-clips      the build with the clips in
#
# Builds p2pcamd the way scripts/cross-build.sh does (the camera build)
# twice, into a temporary folder: stripped, which is what ships, and with
# symbols, to see what the bytes are. For each target it prints the
# stripped size, what xz -9 makes of it (roughly what a squashfs/xz image
# stores), the ELF sections, and the code (.text) by origin from
# `go tool nm -size`: a module, a group of standard packages, or a
# standard package tree (internal, log, time...).
# .gopclntab (function and line tables, stack maps) grows with the code:
# about 0.65 bytes for each byte of it.
set -euo pipefail

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; }

root=$(cd "$(dirname "$0")/.." && pwd)
only=armv7
top=20
extra=()
while (($#)); do
	case "$1" in
	--only) only=${2:?--only needs a comma list, e.g. armv7,arm64}; shift 2 ;;
	--only=*) only=${1#*=}; shift ;;
	--top) top=${2:?--top needs a number}; shift 2 ;;
	--top=*) top=${1#*=}; shift ;;
	--sim-clips) extra+=(--sim-clips); shift ;;
	-h | --help) usage; exit 0 ;;
	*) echo "size-report: unknown argument $1 (see --help)" >&2; exit 2 ;;
	esac
done
for tool in xz size; do
	command -v "$tool" >/dev/null || { echo "size-report: $tool missing: apt-get install xz-utils binutils" >&2; exit 3; }
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$root/scripts/cross-build.sh" --only "$only" --cmd p2pcamd --out "$tmp/stripped" "${extra[@]}" >/dev/null
"$root/scripts/cross-build.sh" --only "$only" --cmd p2pcamd --out "$tmp/symbols" --keep-symbols "${extra[@]}" >/dev/null

# mb BYTES: BYTES in MB (10^6), two decimals.
mb() { awk -v b="$1" 'BEGIN { printf "%.2f MB", b / 1e6 }'; }

IFS=, read -r -a targets <<<"$only"
for t in "${targets[@]}"; do
	bin=$tmp/stripped/p2pcamd-linux-$t
	size=$(stat -c %s "$bin")
	xzsize=$(xz -9 -c "$bin" | wc -c)
	echo "== p2pcamd-linux-$t: $size bytes ($(mb "$size")), xz -9: $xzsize bytes ($(mb "$xzsize"))"
	echo "sections:"
	size -A "$bin" | awk '$1 ~ /^\./ && $1 !~ /bss$/ && $1 != ".shstrtab" && $2 >= 10000 {
		printf "  %-12s %9d\n", $1, $2 }'
	echo "code (.text) by origin:"
	go tool nm -size "$tmp/symbols/p2pcamd-linux-$t" | awk '
		$3 != "T" && $3 != "t" { next }
		{
			n = $4
			sub(/^type:\.(eq|hash)\./, "", n)
			# The package: up to the first dot after the last slash.
			s = n; if (match(s, /^[^[ ]*\//)) s = substr(s, RLENGTH + 1)
			pkg = substr(n, 1, length(n) - length(s)) substr(s, 1, index(s ".", ".") - 1)
			o = pkg
			if (pkg ~ /^github\.com\/p2pcam\//) o = "p2pcam (this repository)"
			else if (pkg ~ /^(github\.com|golang\.org|gopkg\.in)\//) {
				split(pkg, p, "/"); o = p[1] "/" p[2] "/" p[3]
			}
			else if (pkg ~ /^(crypto|vendor\/golang\.org\/x\/crypto)(\/|$)/) o = "crypto"
			else if (pkg ~ /^(net\/http|net\/textproto|mime|vendor\/golang\.org\/x\/(net\/http|net\/idna|text))(\/|$)/) o = "net/http"
			else if (pkg ~ /^(net|syscall|internal\/poll|os)(\/|$)/) o = "net, os, syscall"
			else if (pkg ~ /^(runtime|internal\/runtime)(\/|$)/) o = "runtime"
			else if (pkg ~ /^(encoding\/|math\/big$)/) o = pkg
			else if (pkg ~ /^regexp(\/|$)/) o = "regexp"
			else if (pkg ~ /^(reflect|internal\/reflectlite)$/) o = "reflect"
			else { split(pkg, p, "/"); o = p[1] }
			sum[o] += $2; total += $2
		}
		END {
			for (o in sum) printf "%10d %s\n", sum[o], o
			printf "%10d total\n", total
		}' | sort -rn | awk -v top="$top" 'NR <= top + 1 { printf "  %9d %s\n", $1, substr($0, index($0, $2)) }'
done

#!/usr/bin/env bash
# impair.sh: set or clear the impairments of a NAT lab's two routers, in
# both directions: random loss (iptables statistic, in the NATLAB_IMPAIR
# chain that FORWARD jumps to first) and a rate limit (tc tbf on each
# router's WAN and LAN legs). tc netem is not available on every kernel,
# so there is no delay. Can run at any time; each call replaces the last.
#
# Usage: impair.sh -p PREFIX [-l LOSS] [-b RATE] [-r ROUTERS]
#   -l LOSS     fraction of forwarded packets dropped, each way (e.g. 0.05;
#               0 or absent: none). A path through both routers loses
#               about 1-(1-LOSS)^2 each way.
#   -b RATE     tbf rate, e.g. 4mbit (absent: no limit)
#   -r ROUTERS  which routers: "natc natv" (default), "natc" or "natv"
set -euo pipefail
prefix="" loss=0 rate="" routers="natc natv"
while getopts "p:l:b:r:h" opt; do
	case $opt in
	p) prefix=$OPTARG ;;
	l) loss=$OPTARG ;;
	b) rate=$OPTARG ;;
	r) routers=$OPTARG ;;
	h) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) exit 2 ;;
	esac
done
die() { echo "natlab impair: $*" >&2; exit 1; }
[ -n "$prefix" ] || die "-p PREFIX needed"
[[ $loss =~ ^(0|0?\.[0-9]+|1)$ ]] || die "loss $loss: want a fraction 0..1"
for r in $routers; do
	ns=$prefix$r
	[ -e "/run/netns/$ns" ] || die "no namespace $ns: run up.sh first"
	ip netns exec "$ns" iptables -w -F NATLAB_IMPAIR
	if [ "$loss" != 0 ]; then
		ip netns exec "$ns" iptables -w -A NATLAB_IMPAIR -m statistic --mode random --probability "$loss" -j DROP
	fi
	for dev in wan lan; do
		tc -n "$ns" qdisc del dev "$dev" root 2>/dev/null || true
		if [ -n "$rate" ]; then
			# burst: at least one 1500-byte packet per tick, ~10 ms of traffic
			tc -n "$ns" qdisc add dev "$dev" root tbf rate "$rate" burst 32kb latency 200ms ||
				die "tc tbf failed on $ns $dev"
		fi
	done
done

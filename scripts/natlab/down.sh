#!/usr/bin/env bash
# down.sh: tear down a NAT lab built by up.sh: stop every process left in
# its namespaces (coturn, the broker, a camera or viewer started there),
# then delete the namespaces (which deletes their veths and the bridge).
# Idempotent and quiet. The state directory (logs) is left alone.
#
# Usage: down.sh -p PREFIX     the lab up.sh printed as NATLAB_PREFIX
#        down.sh -a            every lab (p2pl-*), e.g. after crashed runs;
#                              this stops parallel runs' labs too
set -euo pipefail
pattern=""
while getopts "p:ah" opt; do
	case $opt in
	p) [[ $OPTARG =~ ^[A-Za-z0-9._-]{1,40}$ ]] || { echo "natlab down: bad prefix $OPTARG" >&2; exit 2; }
	   pattern="$OPTARG" ;;
	a) pattern="p2pl-" ;;
	h) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) exit 2 ;;
	esac
done
[ -n "$pattern" ] || { echo "usage: down.sh -p PREFIX | -a" >&2; exit 2; }
[ -d /run/netns ] || exit 0

nss=()
for f in /run/netns/"$pattern"*; do
	[ -e "$f" ] || continue
	ns=${f##*/}
	# A prefix names exactly its lab: PREFIX + one of the lab's names.
	case ${ns#"$pattern"} in
	pub | natc | natv | cam | view) nss+=("$ns") ;;
	*) [ "$pattern" = p2pl- ] && [[ $ns =~ ^p2pl-.*-(pub|natc|natv|cam|view)$ ]] && nss+=("$ns") ;;
	esac
done
((${#nss[@]})) || exit 0

pids() { for ns in "${nss[@]}"; do ip netns pids "$ns" 2>/dev/null || true; done; }
mapfile -t p < <(pids)
if ((${#p[@]})); then
	kill -TERM "${p[@]}" 2>/dev/null || true
	for ((i = 0; i < 40; i++)); do
		mapfile -t p < <(pids)
		((${#p[@]})) || break
		sleep 0.05
	done
	if ((${#p[@]})); then
		kill -KILL "${p[@]}" 2>/dev/null || true
		sleep 0.1
	fi
fi
for ns in "${nss[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
exit 0

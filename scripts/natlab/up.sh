#!/usr/bin/env bash
# up.sh: build the real-network NAT lab, a small internet in network
# namespaces (needs root, iproute2, iptables; coturn's turnserver for TURN):
#
#   PREFIXpub   203.0.113.0/24 on a bridge: the dev broker (p2pcam cloud)
#               on 203.0.113.2:1883, coturn on 203.0.113.3:3478 (relays on
#               the same IP), the routers' gateway 203.0.113.1; anything
#               sent elsewhere (a private address) is dropped silently
#   PREFIXnatc  camera's NAT router: WAN 203.0.113.10, LAN 10.1.0.1/24
#   PREFIXnatv  viewer's NAT router: WAN 203.0.113.20, LAN 10.2.0.1/24
#   PREFIXcam   the camera host, 10.1.0.2, default route via natc
#   PREFIXview  the viewer host, 10.2.0.2, default route via natv
#
# NAT modes (-c for the camera's router, -v for the viewer's):
#   cone       MASQUERADE. Linux keeps the source port whenever the
#              resulting 5-tuple is free, which for one LAN host it always
#              is, so the mapping is endpoint-independent; conntrack only
#              lets back packets of an established 5-tuple, so the
#              filtering is address-and-port-dependent: a port-restricted
#              cone NAT (RFC 4787: EIM + APDF). Hole punching works.
#   symmetric  MASQUERADE --random-fully: a fresh random port for every
#              new 5-tuple, i.e. address-and-port-dependent mapping and
#              filtering: a symmetric NAT. Two of them need TURN.
# Each router forwards LAN->WAN and ESTABLISHED,RELATED back, nothing else,
# and drops unsolicited packets on its WAN side (INPUT): without that drop
# a peer's early punching packet leaves a conntrack entry that makes the
# router pick another port for the answer, and cone punching fails.
#
# Usage: up.sh [-p PREFIX] [-s STATEDIR] [-c MODE] [-v MODE] [-l LOSS]
#              [-L ROUTERS] [-b RATE] [-P P2PCAM -C CLOUDDIR]
#   -p PREFIX  namespace name prefix (default p2pl-$$-: unique per run)
#   -s DIR     state: coturn config and log, broker log, the daemons' pids
#              (default /tmp/PREFIXstate)
#   -c, -v     NAT mode of the camera's and the viewer's router: cone
#              (default) or symmetric
#   -l LOSS    drop this fraction (e.g. 0.05) of the packets each router
#              forwards, in each direction (impair.sh; 0: none)
#   -L ROUTERS which routers drop and limit: "natc natv" (default: a path
#              through both loses about twice LOSS), "natc" or "natv"
#   -b RATE    tc tbf rate limit on each router, each direction (e.g. 4mbit)
#   -P BIN     the p2pcam binary: run the dev broker (p2pcam cloud) in pub,
#   -C DIR     on this cloud state directory (accounts: p2pcam cloud adduser)
#   -T         no coturn
#
# It writes the TURN secret to coturn's static-auth-secret and, hex-encoded,
# to CLOUDDIR/turn.secret, so `p2pcam cloud turn-creds --dir CLOUDDIR` makes
# credentials that coturn takes. Running it again with the same prefix
# rebuilds the lab. On success it prints shell assignments and nothing
# else: NATLAB_PREFIX, NATLAB_STATE, NATLAB_PUB, NATLAB_CAM, NATLAB_VIEW,
# NATLAB_NATC, NATLAB_NATV, NATLAB_BROKER, NATLAB_STUN, NATLAB_TURN,
# NATLAB_TURN_SECRET. Tear down with down.sh -p PREFIX.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

prefix="p2pl-$$-" state="" camnat=cone viewnat=cone loss=0 impaired="natc natv" rate="" p2pcam="" clouddir="" coturn=1
while getopts "p:s:c:v:l:L:b:P:C:Th" opt; do
	case $opt in
	p) prefix=$OPTARG ;;
	s) state=$OPTARG ;;
	c) camnat=$OPTARG ;;
	v) viewnat=$OPTARG ;;
	l) loss=$OPTARG ;;
	L) impaired=$OPTARG ;;
	b) rate=$OPTARG ;;
	P) p2pcam=$OPTARG ;;
	C) clouddir=$OPTARG ;;
	T) coturn=0 ;;
	h) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) exit 2 ;;
	esac
done
die() { echo "natlab up: $*" >&2; exit 1; }
for m in "$camnat" "$viewnat"; do
	[[ $m == cone || $m == symmetric ]] || die "NAT mode $m: want cone or symmetric"
done
[[ $prefix =~ ^[A-Za-z0-9._-]{1,40}$ ]] || die "bad prefix $prefix"
[[ -n $p2pcam && -z $clouddir ]] && die "-P needs -C CLOUDDIR"
[ "$(id -u)" = 0 ] || die "needs root (network namespaces)"
for tool in ip iptables; do command -v $tool >/dev/null || die "$tool not found: run scripts/test-deps.sh"; done
((coturn)) && { command -v turnserver >/dev/null || die "turnserver not found (apt coturn): run scripts/test-deps.sh"; }
[ -n "$state" ] || state="/tmp/${prefix}state"

"$here/down.sh" -p "$prefix" # idempotent: start from nothing
mkdir -p "$state"
state=$(cd "$state" && pwd)
rm -f "$state/pids" # the daemons' pids, one a line

pub=${prefix}pub natc=${prefix}natc natv=${prefix}natv cam=${prefix}cam view=${prefix}view
# On any failure, leave nothing half-built behind.
trap '"$here/down.sh" -p "$prefix"' ERR

for ns in $pub $natc $natv $cam $view; do
	ip netns add "$ns"
	ip -n "$ns" link set lo up
	# IPv4 only: fewer ICE candidates, nothing that bypasses the NATs.
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done

# pub: a bridge joining the routers' WAN legs; the servers live on it.
ip -n "$pub" link add br0 type bridge
ip -n "$pub" addr add 203.0.113.2/24 dev br0
ip -n "$pub" addr add 203.0.113.3/24 dev br0
ip -n "$pub" addr add 203.0.113.1/24 dev br0 # the routers' gateway to "the internet"
ip -n "$pub" link set br0 up
# The rest of the internet is a black hole: a default route out of a veth
# whose other end drops everything (a permanent neighbour entry with a MAC
# nobody has), so sending to an address that is nowhere, such as a peer's
# private host candidate, vanishes silently as on the real internet. With no
# route, sendto fails with ENETUNREACH, and coturn closes the allocation
# that asked for it (a blackhole route fails with EINVAL, likewise).
ip -n "$pub" link add void type veth peer name void-end
ip -n "$pub" link set void up
ip -n "$pub" link set void-end up
ip -n "$pub" neigh add 192.0.2.1 lladdr 02:00:00:00:00:01 dev void nud permanent
ip -n "$pub" route add default via 192.0.2.1 dev void onlink

# router NS WAN_IP LAN_NET(first three octets) HOST_NS MODE
router() {
	local r=$1 wan=$2 lan=$3 host=$4 mode=$5 port=$6
	ip link add wan netns "$r" type veth peer name "$port" netns "$pub"
	ip -n "$pub" link set "$port" master br0 up
	ip -n "$r" addr add "$wan/24" dev wan
	ip -n "$r" link set wan up
	ip -n "$r" route add default via 203.0.113.1
	ip link add lan netns "$r" type veth peer name eth0 netns "$host"
	ip -n "$r" addr add "$lan.1/24" dev lan
	ip -n "$r" link set lan up
	ip -n "$host" addr add "$lan.2/24" dev eth0
	ip -n "$host" link set eth0 up
	ip -n "$host" route add default via "$lan.1"
	ip netns exec "$r" sysctl -qw net.ipv4.ip_forward=1
	local ipt=(ip netns exec "$r" iptables -w)
	"${ipt[@]}" -N NATLAB_IMPAIR
	"${ipt[@]}" -P FORWARD DROP
	"${ipt[@]}" -A FORWARD -j NATLAB_IMPAIR
	"${ipt[@]}" -A FORWARD -i lan -o wan -j ACCEPT
	"${ipt[@]}" -A FORWARD -i wan -o lan -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
	"${ipt[@]}" -A INPUT -i wan -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
	"${ipt[@]}" -A INPUT -i wan -j DROP
	local masq=(-t nat -A POSTROUTING -o wan -j MASQUERADE)
	[ "$mode" = symmetric ] && masq+=(--random-fully)
	"${ipt[@]}" "${masq[@]}"
}
router "$natc" 203.0.113.10 10.1.0 "$cam" "$camnat" natc
router "$natv" 203.0.113.20 10.2.0 "$view" "$viewnat" natv

if [[ $loss != 0 || -n $rate ]]; then
	"$here/impair.sh" -p "$prefix" -r "$impaired" -l "$loss" ${rate:+-b "$rate"}
fi

# wait_listen NS PROTO(t|u) ADDR: until something listens there (5 s).
wait_listen() {
	local i
	for ((i = 0; i < 100; i++)); do
		ip netns exec "$1" ss -Hln"$2" "src $3" 2>/dev/null | grep -q . && return 0
		sleep 0.05
	done
	return 1
}

secret=""
if ((coturn)); then
	secret=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
	cat >"$state/turnserver.conf" <<EOF
listening-ip=203.0.113.3
relay-ip=203.0.113.3
listening-port=3478
min-port=49152
max-port=65535
realm=p2pcam
fingerprint
lt-cred-mech
use-auth-secret
static-auth-secret=$secret
no-tls
no-dtls
no-cli
no-tcp-relay
no-stdout-log
simple-log
log-file=$state/turnserver.log
pidfile=$state/turnserver.pid
userdb=$state/turndb
EOF
	: >"$state/turnserver.log"
	ip netns exec "$pub" setsid turnserver -c "$state/turnserver.conf" </dev/null >>"$state/turnserver.log" 2>&1 &
	echo $! >>"$state/pids"
	wait_listen "$pub" u 203.0.113.3:3478 || { tail -20 "$state/turnserver.log" >&2; die "turnserver did not start"; }
fi

if [ -n "$p2pcam" ]; then
	mkdir -p "$clouddir"
	# p2pcam cloud keeps its TURN secret hex-encoded; coturn's is a string:
	# make them the same key.
	[ -n "$secret" ] && printf %s "$secret" | od -An -tx1 | tr -d ' \n' >"$clouddir/turn.secret" && echo >>"$clouddir/turn.secret"
	ip netns exec "$pub" setsid "$p2pcam" cloud --dir "$clouddir" --mqtt 203.0.113.2:1883 --turn 127.0.0.1:0 \
		</dev/null >"$state/broker.log" 2>&1 &
	echo $! >>"$state/pids"
	wait_listen "$pub" t 203.0.113.2:1883 || { cat "$state/broker.log" >&2; die "the broker did not start"; }
fi
trap - ERR

cat <<EOF
NATLAB_PREFIX=$prefix
NATLAB_STATE=$state
NATLAB_PUB=$pub
NATLAB_CAM=$cam
NATLAB_VIEW=$view
NATLAB_NATC=$natc
NATLAB_NATV=$natv
NATLAB_BROKER=mqtt://203.0.113.2:1883
NATLAB_STUN=stun:203.0.113.3:3478
NATLAB_TURN=turn:203.0.113.3:3478?transport=udp
NATLAB_TURN_SECRET=$secret
EOF

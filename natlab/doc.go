// Package natlab is the real-network NAT lab: the p2pcamd and p2pcam
// binaries, a real TURN server (coturn) and the dev broker, run in Linux
// network namespaces joined by veth pairs, with iptables NAT routers
// between them. Where viewer's TestNATMatrix checks ICE against pion's
// simulated NATs, this lab checks it against the kernel's.
//
// The lab (scripts/natlab/up.sh, down.sh, impair.sh) is a small internet:
//
//	             pub 203.0.113.0/24 (a bridge)
//	  broker 203.0.113.2:1883       coturn 203.0.113.3:3478
//	        |                                  |
//	natc WAN 203.0.113.10            natv WAN 203.0.113.20
//	natc LAN 10.1.0.1                natv LAN 10.2.0.1
//	        |                                  |
//	cam 10.1.0.2 (p2pcamd)           view 10.2.0.2 (p2pcam view)
//
// Each router runs in one of two modes, and TestNATBehaviour checks what
// they really are with UDP probes:
//
//   - cone: iptables MASQUERADE. Linux NAT keeps a flow's source port
//     whenever the translated 5-tuple is still free, which with one LAN
//     host it always is, so the mapping is endpoint-independent (the same
//     public port towards every destination); conntrack lets in only the
//     replies of a flow already sent, so the filtering is address-and-
//     port-dependent. In RFC 4787 terms EIM/APDF: a port-restricted cone.
//     The mapping is endpoint-independent only while the port is free: a
//     second LAN host on the same port towards the same destination, or a
//     conntrack entry left by an unsolicited inbound packet, makes the
//     router pick another port. That is why each router drops unsolicited
//     packets on its WAN side in INPUT: a dropped packet's conntrack entry
//     is never confirmed, so a peer's early punching packet cannot steal
//     the 5-tuple the answer needs.
//   - symmetric: MASQUERADE --random-fully: every new 5-tuple gets a random
//     public port, so the mapping is address-and-port-dependent (APDM/APDF),
//     a symmetric NAT. Two of them cannot punch through each other: ICE
//     must relay through TURN.
//
// Each router forwards LAN to WAN and ESTABLISHED,RELATED traffic back,
// nothing else. impair.sh adds random loss (iptables statistic, each
// router, both directions) and a rate limit (tc tbf); tc netem is not
// available on every kernel, so there is no added delay.
//
// TestBrowserNAT puts the player page in the lab: the dev cloud with its
// HTTP side (the page, MQTT over WebSocket, /api/login) on the broker's
// address, 203.0.113.2:8088, and headless Chromium, driven by
// web/test/natlab/view.mjs (playwright-core), in the viewer's namespace.
// The page signs in with its form, opens the sim camera and must decode
// video: directly (srflx) between two cone NATs, through coturn when either
// NAT is symmetric. Chromium needs one flag there: the page comes over
// plain HTTP from a non-loopback address, not a secure context, so without
// --unsafely-treat-insecure-origin-as-secure it has no crypto.subtle to
// check the camera's signature. mDNS host candidates (hidden host IPs)
// do not matter: a host candidate behind a NAT is unreachable anyway.
// BenchmarkBrowserFirstFrame measures page open to first decoded frame;
// BenchmarkLossTracksVsFLV the page's media tracks against the Go
// viewer's FLV data channel under 0, 5 and 10 % loss each way.
// The test also checks that the camera's ICE agent (controlled) ends on
// Chromium's pair (controlling): p2pcamd logs each pair it selects
// ("viewer path"). Chromium nominates pairs it then does not choose; the
// camera follows the last nomination (link's followNomination). It used to fail now and then after 4 s:
// the camera's ICE gave up on a session still checking after
// disconnected + failed timeout, and Chromium's checks, through TURN
// especially, came later than that on a loaded machine (link.SetupTimeout).
//
// The tests need root, iproute2, iptables and coturn (scripts/test-deps.sh
// installs them); they skip without them, or fail under CI. The browser
// test needs node, Chromium and web/node_modules (cd web && npm ci, or
// scripts/web-test.sh) too. Run:
//
//	go test -race -v ./natlab/
//	go test -run '^$' -bench 'TimeToFirstFrame|LossyStream' -benchtime 20x ./natlab/
//	go test -race -v -run TestBrowserNAT ./natlab/
//	go test -run '^$' -bench BrowserFirstFrame -benchtime 10x ./natlab/
//	go test -run '^$' -bench LossTracksVsFLV -benchtime 3x ./natlab/
//
// By hand: eval "$(scripts/natlab/up.sh -c cone -v symmetric)", then run
// p2pcamd and p2pcam view under ip netns exec $NATLAB_CAM and
// $NATLAB_VIEW, and scripts/natlab/down.sh -p $NATLAB_PREFIX.
package natlab

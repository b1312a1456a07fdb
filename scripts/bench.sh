#!/usr/bin/env bash
# bench.sh: the benchmarks behind the figures in the issues' closing
# notes. Not part of the test suite: it takes a few minutes and its numbers
# depend on the machine. Extra arguments go to `go test` (e.g. -count 3).
#
#   codec/h264  Annex-B parsing throughput, SPS parsing
#   mux/flv     FLV muxing MB/s and allocations per frame, demuxing
#   mux/rtp     H.264 RTP packetizing of a 3 kB IDR access unit
#   agent       PCMA coding of the microphone for media tracks: time per 20 ms
#   stream      fan-out of a 4 Mbps stream to 32 viewers: ns and allocs per
#               frame, p50/p99 publish-to-written latency, CPU per viewer
#   cmd/p2pcamd RSS of p2pcamd --board sim with 4 LAN viewers, time from
#               request to first FLV video tag (warm and cold source), CPU
#               per P2P viewer of a 4 Mbps stream, FLV on a data channel
#               (DTLS + SCTP) and RTP on media tracks (SRTP); most fds and
#               RSS of p2pcamd while 2,000 idle LAN connections are
#               attempted, with the default limits and with them lifted;
#               time from Dial to the first FLV video tag over P2P, quiet
#               and during an offer flood from another account, with the
#               daemon's fds and RSS; the relay (nginx-rtmp): 200 relay
#               viewers while the camera sends one push, redirect -> first
#               frame (cold and warm), camera and nginx CPU
#   link        throughput of one data channel on loopback; one 10 kB frame
#               on a media track and on a data channel; a paced 2 Mbps
#               stream over an impaired pion vnet path (RTT x loss x RTO cap)
#   cloud       400 wrong MQTT passwords from 20 connections at bcrypt's real
#               cost, with the login back-off and without: flood time,
#               passwords checked, a bystander's login time
#   record      CPU, bytes and writes/s of recording a 2 Mbps stream, and the
#               heap the recorder holds (with it vs without); index
#               query and month mask over 30 days of one-minute segments;
#               index rebuild from 43200 files; playback request -> first
#               frame (cmd/p2pcamd)
#   scale       5,000 simulated cameras and 200 viewers on one mosquitto:
#               connect time, broker memory per connection and CPU quiet
#               and busy, session set-ups/s and latency, time for every
#               camera to be back after the broker is killed and restarted
#   codec/aac   AAC-LC encode and decode of 16 kHz mono: time per frame
#   capture/v4l2cam  YUYV to I420 conversion, sub-stream scaling
#   web         page open -> first decoded frame in headless Chromium on
#               loopback, step by step (performance marks), median of 10,
#               media tracks and FLV, and a returning visit (remembered
#               sign-in) (web/test/bench/firstframe.mjs); the cloud's
#               sign-in with the password against the remembered one
#   natlab      (root) time to first frame direct and through TURN across
#               the NAT lab; a 2 Mbps stream under 0 %, 1 %, 5 % loss; the
#               player page in Chromium through the lab: page open ->
#               first decoded frame, first and returning visits (median of
#               10); 0, 5 and 10 % loss each
#               way, media tracks (Chromium) against FLV on a data channel
#               (p2pcam view): delay to live, lag, longest freeze
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/test-deps.sh
go test -run '^$' -bench . -benchmem -benchtime 2s "$@" ./codec/h264/ ./mux/flv/ ./mux/rtp/
go test -run '^$' -bench PCMATap -benchmem "$@" ./agent/
go test -run '^$' -bench . -benchmem "$@" ./stream/
go test -run '^$' -bench . -benchtime 3s "$@" ./link/
go test -run '^$' -bench 'RSS|P2PCPU' -benchtime 1x "$@" ./cmd/p2pcamd/
go test -run '^$' -bench TimeToFirst -benchtime 50x "$@" ./cmd/p2pcamd/
go test -run '^$' -bench LANIdleFlood -benchtime 3x "$@" ./cmd/p2pcamd/
go test -run '^$' -bench LoginFlood -benchtime 1x "$@" ./cloud/
go test -run '^$' -bench APISignIn -benchtime 20x "$@" ./cloud/
go test -run '^$' -bench ConnectDuringOfferFlood -benchtime 20x "$@" ./cmd/p2pcamd/
go test -run '^$' -bench . -benchmem "$@" ./codec/aac/
go test -run '^$' -bench Fleet -benchtime 1x -timeout 10m "$@" ./scale/ -args -cameras 5000 -viewers 200
go test -run '^$' -bench 'Record2Mbps|RecorderMemory' -benchtime 3000x "$@" ./record/
go test -run '^$' -bench 'Query|Month|Load' "$@" ./record/
go test -run '^$' -bench PlaybackFirstFrame -benchtime 30x "$@" ./cmd/p2pcamd/
go test -run '^$' -bench BenchmarkRelay -benchtime 1x "$@" ./cmd/p2pcamd/
go test -run '^$' -bench 'Scale|ToI420' -benchmem "$@" ./capture/v4l2cam/
if command -v node >/dev/null && [ -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
	(cd web && { [ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error; } &&
		node test/bench/firstframe.mjs 10 tracks && node test/bench/firstframe.mjs 10 flv &&
		node test/bench/firstframe.mjs 10 tracks returning)
else
	echo "bench: skipping the browser's first frame: no node or chromium (scripts/test-deps.sh installs them)" >&2
fi
if [ "$(id -u)" = 0 ]; then
	go test -run '^$' -bench TimeToFirstFrame -benchtime 10x "$@" ./natlab/
	go test -run '^$' -bench LossyStream -benchtime 3x "$@" ./natlab/
	scripts/web-test.sh --install # web/'s npm packages (playwright-core)
	go test -run '^$' -bench BrowserFirstFrame -benchtime 10x "$@" ./natlab/
	go test -run '^$' -bench LossTracksVsFLV -benchtime 1x -timeout 30m "$@" ./natlab/
else
	echo "bench: skipping the NAT lab benchmarks: they need root (network namespaces, iptables)" >&2
fi

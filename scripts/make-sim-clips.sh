#!/usr/bin/env bash
# make-sim-clips.sh: regenerate the H.264 clips the sim board embeds.
#
# One clip per quality (super 1280x720, high 640x360, standard 320x180):
# constrained baseline (no B-frames), 25 fps, a keyframe every second with
# SPS/PPS repeated before each IDR, timing info in the SPS VUI, Annex-B.
# Four seconds each, looped by the file source. Run it from anywhere:
#   scripts/make-sim-clips.sh [outdir]
set -euo pipefail
out="${1:-$(cd "$(dirname "$0")/.." && pwd)/capture/sim/clips}"
command -v ffmpeg >/dev/null || { echo "make-sim-clips: ffmpeg not found; apt-get install ffmpeg" >&2; exit 1; }
mkdir -p "$out"

clip() { # name size bitrate level
	ffmpeg -hide_banner -loglevel error -y \
		-f lavfi -i "testsrc2=size=$2:rate=25,format=yuv420p" -t 4 \
		-c:v libx264 -profile:v baseline -level "$4" -preset veryfast -tune zerolatency \
		-b:v "$3" -maxrate "$3" -bufsize "$3" -g 25 -keyint_min 25 -sc_threshold 0 \
		-x264-params "repeat-headers=1:aud=0" -bsf:v h264_mp4toannexb \
		-f h264 "$out/$1.h264"
	echo "$1: $2 $(stat -c %s "$out/$1.h264") bytes"
}
clip super 1280x720 900k 3.1
clip high 640x360 350k 3.0
clip standard 320x180 120k 2.1

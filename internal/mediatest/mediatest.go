// Package mediatest checks media bytes with the real ffprobe and ffmpeg,
// and finds the other real tools tests run (mosquitto, coturn). Where a
// tool is missing, a test is skipped with a message saying how to install
// it, except under CI (CI=true), where it fails: CI installs the tools,
// and a skipped check there would hide a broken setup.
package mediatest

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"strconv"
	"testing"
)

// Require returns the path of tool, or skips (fails under CI) the test.
func Require(t testing.TB, tool string) string {
	t.Helper()
	path, err := exec.LookPath(tool)
	if err == nil {
		return path
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s not found under CI: .ci/run must install it (scripts/test-deps.sh)", tool)
	}
	t.Skipf("%s not found: run scripts/test-deps.sh, which installs it, to run this test", tool)
	return ""
}

// Stream is one stream as ffprobe reports it.
type Stream struct {
	CodecType  string `json:"codec_type"`
	CodecName  string `json:"codec_name"`
	Profile    string `json:"profile"`
	Width      int    `json:"width"`
	Height     int    `json:"height"`
	SampleRate string `json:"sample_rate"`
	Channels   int    `json:"channels"`
}

// Packet is one packet as ffprobe reports it.
type Packet struct {
	CodecType string `json:"codec_type"`
	PTS       int64  `json:"pts"`
	DTS       int64  `json:"dts"`
	Flags     string `json:"flags"` // "K__" for a keyframe
	Size      string `json:"size"`
}

// Keyframe reports whether ffprobe flagged the packet as a keyframe.
func (p Packet) Keyframe() bool { return len(p.Flags) > 0 && p.Flags[0] == 'K' }

// Probe is ffprobe's view of a file.
type Probe struct {
	Streams []Stream `json:"streams"`
	Packets []Packet `json:"packets"`
}

// FFprobe runs ffprobe on the file at path.
func FFprobe(t testing.TB, path string) Probe {
	t.Helper()
	ffprobe := Require(t, "ffprobe")
	out, err := exec.Command(ffprobe, "-v", "error", "-show_streams", "-show_packets", "-of", "json", path).Output()
	if err != nil {
		t.Fatalf("ffprobe %s: %v", path, stderrOf(err))
	}
	var p Probe
	if err := json.Unmarshal(out, &p); err != nil {
		t.Fatalf("ffprobe output: %v", err)
	}
	return p
}

// Video returns the first video stream, failing the test if there is none.
func (p Probe) Video(t testing.TB) Stream {
	t.Helper()
	for _, s := range p.Streams {
		if s.CodecType == "video" {
			return s
		}
	}
	t.Fatalf("no video stream in %+v", p.Streams)
	return Stream{}
}

// Audio returns the first audio stream, failing the test if there is none.
func (p Probe) Audio(t testing.TB) Stream {
	t.Helper()
	for _, s := range p.Streams {
		if s.CodecType == "audio" {
			return s
		}
	}
	t.Fatalf("no audio stream in %+v", p.Streams)
	return Stream{}
}

// VideoPackets returns the video packets in file order.
func (p Probe) VideoPackets() []Packet { return p.packetsOf("video") }

// AudioPackets returns the audio packets in file order.
func (p Probe) AudioPackets() []Packet { return p.packetsOf("audio") }

func (p Probe) packetsOf(kind string) []Packet {
	var out []Packet
	for _, pk := range p.Packets {
		if pk.CodecType == kind {
			out = append(out, pk)
		}
	}
	return out
}

// CheckMonotonic fails the test unless each stream's packet timestamps
// strictly increase.
func (p Probe) CheckMonotonic(t testing.TB) {
	t.Helper()
	last := map[string]int64{}
	for i, pk := range p.Packets {
		if prev, ok := last[pk.CodecType]; ok && pk.DTS <= prev {
			t.Fatalf("packet %d (%s): dts %d after %d: not strictly increasing", i, pk.CodecType, pk.DTS, prev)
		}
		last[pk.CodecType] = pk.DTS
	}
}

// CheckDecodes decodes the file at path with ffmpeg -xerror and fails the
// test on any decoder error or warning. Frames keep their timestamps
// (-fps_mode passthrough, input time base): timing is ffprobe's check, not this one's.
func CheckDecodes(t testing.TB, path string) {
	t.Helper()
	ffmpeg := Require(t, "ffmpeg")
	cmd := exec.Command(ffmpeg, "-v", "error", "-xerror", "-i", path, "-fps_mode", "passthrough", "-enc_time_base", "-1", "-f", "null", "-")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil || stderr.Len() > 0 {
		t.Fatalf("ffmpeg cannot decode %s cleanly: %v\n%s", path, err, stderr.String())
	}
}

// WriteTemp writes b to a file in the test's temp dir and returns its path.
func WriteTemp(t testing.TB, name string, b []byte) string {
	t.Helper()
	path := t.TempDir() + "/" + name
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func stderrOf(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return err.Error() + ": " + strconv.Quote(string(ee.Stderr))
	}
	return err.Error()
}

package v4l2cam

import (
	"fmt"
	"math"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/p2pcam/p2pcam/capture"
)

// Spec is a parsed "v4l2:" source spec: which camera, the picture it
// is asked for, and how its pictures become H.264.
//
//	v4l2:/dev/video0?width=1280&height=720&fps=30&format=h264
//	v4l2:/dev/video0?format=yuyv&encoder=/dev/video11&bitrate=2M&gop=50
//	v4l2:/dev/video0?width=640&height=360&fps=15&format=yuyv&encoder=x264&bitrate=600k
//	v4l2:/dev/video0?width=640&height=360&fps=15&format=yuyv&encoder=x264&bitrate=250k&scale=320x180
//
// Three ways to H.264:
//   - format=h264: the camera encodes (UVC cameras that offer H.264); its
//     buffers are framed as they are.
//   - encoder=/dev/videoN: a V4L2 memory-to-memory stateful encoder (the
//     Raspberry Pi's bcm2835-codec is /dev/video11) encodes the raw
//     pictures.
//   - encoder=x264: libx264 in this process; needs a p2pcamd built with
//     -tags x264 (scripts/cross-build.sh --x264).
//
// Options (all optional):
//
//	width, height  picture size; default: the camera's current size. The
//	               camera may adjust it to the nearest it supports.
//	fps            frames per second; default: the camera's current rate
//	format         h264, yuyv, uyvy, nv12, yu12 or mjpeg; default: h264
//	               without an encoder, else the first raw format the
//	               camera offers among yuyv, nv12, yu12, uyvy, mjpeg (one
//	               the M2M encoder takes as it is first)
//	encoder        x264 or the path of an M2M encoder; needed for raw formats
//	bitrate        target bits per second of an encoder: 2000000, 2000k, 2M;
//	               default 2M. Changes at run time through SetBitrate.
//	gop            frames from one IDR to the next; default 2 s of frames
//	profile        H.264 profile of an M2M encoder: baseline,
//	               constrained-baseline, main or high; default: the
//	               encoder's own (x264 here always makes high-compatible
//	               constrained baseline: preset ultrafast, tune zerolatency)
//	scale          WxH: encode the camera's pictures shrunk to this size
//	               (even sides, no larger than the camera's picture), by
//	               area averaging in p2pcamd; raw formats only. Default:
//	               the camera's size.
//	stats          how often a "capture stats" line is logged (frames,
//	               drops, capture-to-emit delay, encode time): a Go
//	               duration, or off; default 1m
//	ctrl.NAME      a camera control to set when the camera opens: NAME is
//	               the control's name as p2pcamd --list-devices shows it,
//	               in lower case with _ for anything else
//	               ("Power Line Frequency" is power_line_frequency); the
//	               value is a number, or a menu item's name written the
//	               same way (ctrl.power_line_frequency=50_hz). Any number
//	               of them.
//
// Streams that name the same raw camera (the same device path, with an
// encoder) share it: p2pcamd opens it once, when the first of them
// starts, and hands each picture to every one of them, each with an
// encoder of its own (a second M2M encoder instance, or x264) on a
// goroutine of its own. So one camera makes a main stream and a scaled
// sub-stream:
//
//	high     = v4l2:/dev/video0?format=yuyv&width=1280&height=720&fps=25&encoder=x264&bitrate=2M
//	standard = v4l2:/dev/video0?format=yuyv&width=1280&height=720&fps=25&encoder=x264&bitrate=600k&scale=640x360
//
// They must ask the same of the camera (format, width, height, fps:
// each spec says it in full, as either may start first); the encoder
// options are their own. The camera closes when the last of them stops.
type Spec struct {
	Device        string
	Width, Height int
	FPS           float64
	Format        string // "" (auto), "h264", "yuyv", "uyvy", "nv12", "yu12" or "mjpeg"
	Encoder       string // "", "x264" or a device path
	Bitrate       int    // bits per second; 0: the default
	GOP           int    // frames; 0: the default
	Profile       string
	// ScaleWidth and ScaleHeight are the size the pictures are scaled
	// to before encoding; 0 when they are encoded at the camera's size.
	ScaleWidth, ScaleHeight int
	// Stats is the interval of the "capture stats" log line; 0 is the
	// default (1m), negative turns it off ("stats=off").
	Stats time.Duration
	// Controls are the camera controls set when it opens, sorted by
	// name.
	Controls []Control
}

// Control is a camera control a spec sets: its name and value as
// ControlName writes them (a number, or a menu item's name).
type Control struct{ Name, Value string }

// ControlName writes a control's or a menu item's name the way a spec
// gives it: lower case, every run of other characters one _, none at
// either end ("Power Line Frequency" is power_line_frequency, "50 Hz"
// is 50_hz).
func ControlName(name string) string {
	var b strings.Builder
	gap := false
	for _, r := range strings.ToLower(name) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			if gap && b.Len() > 0 {
				b.WriteByte('_')
			}
			gap = false
			b.WriteRune(r)
		} else {
			gap = true
		}
	}
	return b.String()
}

// maxControlLen bounds a control's name and value in a spec.
const maxControlLen = 64

// Limits of a spec: far beyond any camera, they only catch typos.
const (
	maxV4L2Side    = 16384
	maxV4L2FPS     = 1000
	maxV4L2Bitrate = 1 << 30
	maxV4L2GOP     = 1 << 16
)

// Defaults of an encoder's settings.
const (
	// DefaultBitrate is the bit rate of an encoder when the spec
	// gives none.
	DefaultBitrate = 2_000_000
	// DefaultGOPSeconds is the key frame interval, in seconds of
	// frames, when the spec gives no gop: short, so that a new viewer
	// gets a picture quickly (the hub caches one GOP).
	DefaultGOPSeconds = 2
	// DefaultStats is how often the "capture stats" line is logged.
	DefaultStats = time.Minute
)

// v4l2Formats lists the format names a spec accepts; raw ones follow
// "h264" in the order auto selection prefers them.
var v4l2Formats = []string{"h264", "yuyv", "nv12", "yu12", "uyvy", "mjpeg"}

var v4l2Profiles = []string{"baseline", "constrained-baseline", "main", "high"}

const v4l2SpecForm = "want v4l2:/dev/videoN?width=W&height=H&fps=F&format=h264|yuyv|uyvy|nv12|yu12|mjpeg&encoder=x264|/dev/videoM&bitrate=B&gop=G&scale=WxH"

// ParseSpec parses what follows "v4l2:" in a source spec. Errors
// match capture.ErrBadSpec and say what is accepted.
func ParseSpec(arg string) (Spec, error) {
	bad := func(format string, args ...any) (Spec, error) {
		return Spec{}, fmt.Errorf("%w v4l2:%s: %s; %s", capture.ErrBadSpec, arg, fmt.Sprintf(format, args...), v4l2SpecForm)
	}
	dev, query, _ := strings.Cut(arg, "?")
	if !strings.HasPrefix(dev, "/") || path.Clean(dev) != dev {
		return bad("device %q is not a clean absolute path such as /dev/video0", dev)
	}
	values, err := url.ParseQuery(query)
	if err != nil {
		return bad("options: %v", err)
	}
	s := Spec{Device: dev}
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	slices.Sort(keys) // report the first bad option deterministically
	for _, k := range keys {
		vs := values[k]
		if len(vs) != 1 {
			return bad("option %s given %d times", k, len(vs))
		}
		v := vs[0]
		switch k {
		case "width", "height":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > maxV4L2Side {
				return bad("%s %q is not a number of pixels from 1 to %d", k, v, maxV4L2Side)
			}
			if k == "width" {
				s.Width = n
			} else {
				s.Height = n
			}
		case "fps":
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || !(f > 0) || f > maxV4L2FPS {
				return bad("fps %q is not a rate above 0 and up to %d", v, maxV4L2FPS)
			}
			s.FPS = f
		case "format":
			v = strings.ToLower(v)
			if !slices.Contains(v4l2Formats, v) {
				return bad("unknown format %q", v)
			}
			s.Format = v
		case "encoder":
			if v != "x264" && (!strings.HasPrefix(v, "/") || path.Clean(v) != v) {
				return bad("encoder %q is neither x264 nor a clean device path such as /dev/video11", v)
			}
			s.Encoder = v
		case "bitrate":
			n, ok := parseBitrate(v)
			if !ok {
				return bad("bitrate %q is not bits per second such as 2000000, 2000k or 2M (1k up to 1G)", v)
			}
			s.Bitrate = n
		case "gop":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > maxV4L2GOP {
				return bad("gop %q is not a number of frames from 1 to %d", v, maxV4L2GOP)
			}
			s.GOP = n
		case "profile":
			v = strings.ToLower(v)
			if !slices.Contains(v4l2Profiles, v) {
				return bad("unknown profile %q (want %s)", v, strings.Join(v4l2Profiles, ", "))
			}
			s.Profile = v
		case "scale":
			w, h, ok := parseSize(v)
			if !ok {
				return bad("scale %q is not WxH with even sides from %d to %d, such as 640x360", v, minScaleSide, maxV4L2Side)
			}
			s.ScaleWidth, s.ScaleHeight = w, h
		case "stats":
			if v == "off" {
				s.Stats = -1
				break
			}
			d, err := time.ParseDuration(v)
			if err != nil || d < time.Second {
				return bad("stats %q is not off or a duration of at least 1s", v)
			}
			s.Stats = d
		default:
			name, ok := strings.CutPrefix(k, "ctrl.")
			if !ok {
				return bad("unknown option %q", k)
			}
			if name == "" || len(name) > maxControlLen || ControlName(name) != name {
				return bad("control %q: write its name as p2pcamd --list-devices shows it, in lower case with _ between words (power_line_frequency)", name)
			}
			if v = strings.ToLower(v); v == "" || len(v) > maxControlLen || (ControlName(v) != v && !isInteger(v)) {
				return bad("control %s value %q: want a number or a menu item's name in lower case with _ between words (50_hz)", name, vs[0])
			}
			s.Controls = append(s.Controls, Control{Name: name, Value: v}) // keys are sorted
		}
	}
	if (s.Width == 0) != (s.Height == 0) {
		return bad("give both width and height, or neither")
	}
	switch {
	case s.Format == "h264" && s.Encoder != "":
		return bad("format h264 is encoded by the camera: drop encoder=%s", s.Encoder)
	case s.Format != "" && s.Format != "h264" && s.Encoder == "":
		return bad("format %s is raw video: add encoder=/dev/videoN (a V4L2 M2M encoder) or encoder=x264", s.Format)
	case s.Profile != "" && !s.usesM2M():
		return bad("profile applies to an M2M encoder (encoder=/dev/videoN) only")
	case s.ScaleWidth > 0 && s.Encoder == "":
		return bad("scale needs raw pictures to shrink: add a raw format and encoder=x264 or encoder=/dev/videoN (an H.264 camera's stream cannot be scaled)")
	case s.ScaleWidth > 0 && s.Width > 0 && (s.ScaleWidth > s.Width || s.ScaleHeight > s.Height):
		return bad("scale %dx%d is larger than the picture %dx%d: scale only shrinks", s.ScaleWidth, s.ScaleHeight, s.Width, s.Height)
	}
	return s, nil
}

// minScaleSide is the smallest side scale= takes: encoders work on
// 16x16 macroblocks, and the Raspberry Pi's takes nothing under 32.
const minScaleSide = 16

// parseSize parses "WxH" with even sides from minScaleSide to
// maxV4L2Side.
func parseSize(v string) (w, h int, ok bool) {
	ws, hs, found := strings.Cut(v, "x")
	if !found {
		return 0, 0, false
	}
	w, err1 := strconv.Atoi(ws)
	h, err2 := strconv.Atoi(hs)
	side := func(n int) bool { return n >= minScaleSide && n <= maxV4L2Side && n%2 == 0 }
	if err1 != nil || err2 != nil || !side(w) || !side(h) {
		return 0, 0, false
	}
	return w, h, true
}

// parseBitrate parses "2000000", "2000k" or "2M" (decimal multiples).
func parseBitrate(v string) (int, bool) {
	mult := 1.0
	switch {
	case strings.HasSuffix(v, "k"), strings.HasSuffix(v, "K"):
		mult, v = 1e3, v[:len(v)-1]
	case strings.HasSuffix(v, "M"):
		mult, v = 1e6, v[:len(v)-1]
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) {
		return 0, false
	}
	n := f * mult
	if n < 1000 || n > maxV4L2Bitrate {
		return 0, false
	}
	return int(n), true
}

// isInteger reports whether v is a decimal integer, maybe negative.
func isInteger(v string) bool {
	_, err := strconv.ParseInt(v, 10, 64)
	return err == nil
}

// sameCamera reports whether s and o ask the same of the camera they
// name, and so can share it (see Spec).
func (s Spec) sameCamera(o Spec) bool {
	return s.Device == o.Device && s.Format == o.Format && s.Width == o.Width && s.Height == o.Height && s.FPS == o.FPS &&
		slices.Equal(s.Controls, o.Controls)
}

// cameraString says what a spec asks of its camera, for messages.
func (s Spec) cameraString() string {
	format := s.Format
	if format == "" {
		format = "any raw format"
	}
	size := "its current size"
	if s.Width > 0 {
		size = fmt.Sprintf("%dx%d", s.Width, s.Height)
	}
	fps := "its current rate"
	if s.FPS > 0 {
		fps = strconv.FormatFloat(s.FPS, 'g', -1, 64) + " fps"
	}
	out := fmt.Sprintf("%s, %s, %s", format, size, fps)
	for _, c := range s.Controls {
		out += fmt.Sprintf(", %s=%s", c.Name, c.Value)
	}
	return out
}

// usesM2M reports whether a V4L2 memory-to-memory device encodes.
func (s Spec) usesM2M() bool { return s.Encoder != "" && s.Encoder != "x264" }

// bitrate returns the bit rate to ask of an encoder.
func (s Spec) bitrate() int {
	if s.Bitrate > 0 {
		return s.Bitrate
	}
	return DefaultBitrate
}

// gop returns the key frame interval for a frame rate (0: unknown).
func (s Spec) gop(fps float64) int {
	if s.GOP > 0 {
		return s.GOP
	}
	if fps <= 0 {
		fps = 30
	}
	return max(1, int(math.Round(fps*DefaultGOPSeconds)))
}

// statsEvery returns the stats interval; 0 means off.
func (s Spec) statsEvery() time.Duration {
	switch {
	case s.Stats < 0:
		return 0
	case s.Stats == 0:
		return DefaultStats
	}
	return s.Stats
}

// String returns the spec in its canonical "v4l2:" form, which
// ParseSpec reads back to the same value.
func (s Spec) String() string {
	q := url.Values{}
	if s.Width > 0 {
		q.Set("width", strconv.Itoa(s.Width))
		q.Set("height", strconv.Itoa(s.Height))
	}
	if s.FPS > 0 {
		q.Set("fps", strconv.FormatFloat(s.FPS, 'g', -1, 64))
	}
	if s.Format != "" {
		q.Set("format", s.Format)
	}
	if s.Encoder != "" {
		q.Set("encoder", s.Encoder)
	}
	if s.Bitrate > 0 {
		q.Set("bitrate", strconv.Itoa(s.Bitrate))
	}
	if s.GOP > 0 {
		q.Set("gop", strconv.Itoa(s.GOP))
	}
	if s.Profile != "" {
		q.Set("profile", s.Profile)
	}
	if s.ScaleWidth > 0 {
		q.Set("scale", fmt.Sprintf("%dx%d", s.ScaleWidth, s.ScaleHeight))
	}
	switch {
	case s.Stats < 0:
		q.Set("stats", "off")
	case s.Stats > 0:
		q.Set("stats", s.Stats.String())
	}
	for _, c := range s.Controls {
		q.Set("ctrl."+c.Name, c.Value)
	}
	out := "v4l2:" + s.Device
	if len(q) > 0 {
		// url.Values.Encode escapes '/' in device paths; both forms parse.
		out += "?" + q.Encode()
	}
	return out
}

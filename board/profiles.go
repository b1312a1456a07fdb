package board

import "github.com/p2pcam/p2pcam/media"

// The Raspberry Pi header pins every Pi profile uses (BCM numbering,
// header pin in brackets): GPIO17 [11] status LED, GPIO27 [13] IR-cut
// filter, GPIO22 [15] light sensor. docs/boards.md shows the wiring.
const (
	piLED    = 17
	piIRCut  = 27
	piSensor = 22
)

// rpi4Super is the Pi 4's stream: rpicam-vid owns the CSI camera
// (libcamera lets one process have it) and encodes on the VideoCore's
// H.264 block through the bcm2835-codec M2M device /dev/video11. -n: no
// preview; --inline: SPS/PPS before every IDR; --intra 25: an IDR a second
// so new viewers start fast; --flush: no stdout buffering. The hardware
// encoder makes no B-frames.
const rpi4Super = "exec:rpicam-vid -t 0 -n --codec h264 --inline --intra 25 --flush" +
	" --width 1920 --height 1080 --framerate 25 --bitrate 4000000 -o -"

// rpi5Super is the Pi 5's stream: the Pi 5 has no H.264 hardware encoder,
// so rpicam-vid encodes with libx264 through libav. --low-latency selects
// x264's ultrafast preset and zerolatency tune, which turns B-frames off
// (without it rpicam-apps asks x264 for one B-frame, which the protocol
// forbids); --libav-format h264 writes Annex-B to stdout, where x264
// repeats SPS/PPS before every IDR.
const rpi5Super = "exec:rpicam-vid -t 0 -n --codec libav --libav-format h264 --libav-video-codec libx264" +
	" --low-latency --intra 25 --width 1920 --height 1080 --framerate 25 --bitrate 4000000 -o -"

// qemuCamera is what the qemu-virt board's streams ask of vivid; they
// must ask the same to share it.
const qemuCamera = "v4l2:/dev/video0?format=yuyv&width=640&height=360&fps=25&encoder=x264"

// profiles returns every known board.
func profiles() []Profile {
	return []Profile{
		{
			Name:        "sim",
			Description: "simulated camera: built-in 25 fps test clips, no hardware",
			Streams: map[media.Quality]string{
				media.QualitySuper:    "sim:super",
				media.QualityHigh:     "sim:high",
				media.QualityStandard: "sim:standard",
			},
			Encoder:       "none",
			AudioCapture:  "sim",  // the agent's synthetic voice
			AudioPlayback: "null", // talkback discarded
			PTZ:           "sim",  // a simulated pan-tilt head
		},
		{
			Name:        "rpi4",
			Description: "Raspberry Pi 4 with a CSI camera (rpicam-vid, VideoCore H.264 encoder), USB microphone",
			Streams:     map[media.Quality]string{media.QualitySuper: rpi4Super},
			Video:       []string{"/dev/video0"}, // unicam, raw Bayer: only through libcamera
			Encoder:     "m2m:/dev/video11",
			// A C-Media USB sound adapter or mic has card id "Device";
			// the 3.5 mm jack is the bcm2835 "Headphones" card.
			AudioCapture:  "hw:CARD=Device,DEV=0",
			AudioPlayback: "hw:CARD=Headphones,DEV=0",
			StatusLED:     GPIO{Chip: "pinctrl-bcm2711", Line: piLED},
			IRCut:         GPIO{Chip: "pinctrl-bcm2711", Line: piIRCut},
			LightSensor:   GPIO{Chip: "pinctrl-bcm2711", Line: piSensor},
			Watchdog:      "/dev/watchdog", // bcm2835_wdt, at most 15 s
			// Not the Pi 400: it has no camera connector.
			Model: []string{"Raspberry Pi 4 Model B*", "Raspberry Pi Compute Module 4*"},
		},
		{
			Name:          "rpi5",
			Description:   "Raspberry Pi 5 with a CSI camera (rpicam-vid, libx264 software encoder), USB audio",
			Streams:       map[media.Quality]string{media.QualitySuper: rpi5Super},
			Video:         []string{"/dev/video0"}, // rp1-cfe, through libcamera
			Encoder:       "x264",
			AudioCapture:  "hw:CARD=Device,DEV=0",
			AudioPlayback: "hw:CARD=Device,DEV=0", // no 3.5 mm jack: the USB adapter's output
			StatusLED:     GPIO{Chip: "pinctrl-rp1", Line: piLED},
			IRCut:         GPIO{Chip: "pinctrl-rp1", Line: piIRCut},
			LightSensor:   GPIO{Chip: "pinctrl-rp1", Line: piSensor},
			Watchdog:      "/dev/watchdog",
			// Not the Pi 500: no camera connector.
			Model: []string{"Raspberry Pi 5 Model B*", "Raspberry Pi Compute Module 5*"},
		},
		{
			Name:        "uvc",
			Description: "any Linux machine with a USB webcam that emits H.264 (UVC)",
			Streams: map[media.Quality]string{
				media.QualityHigh: "v4l2:/dev/video0?format=h264&width=1280&height=720&fps=25",
			},
			Video:   []string{"/dev/video0"},
			Encoder: "camera",
			// The webcam's microphone is usually the card after the
			// machine's own; its id comes from the product name.
			AudioCapture:  "hw:1,0",
			AudioPlayback: "hw:0,0",
		},
		{
			Name:        "qemu-virt",
			Description: "the QEMU arm64 rig (-M virt): vivid raw camera, x264 in p2pcamd, ALSA loopback",
			// One camera, two encoders: vivid is opened once and each
			// picture goes to both; standard's is scaled down first.
			Streams: map[media.Quality]string{
				media.QualityHigh:     qemuCamera + "&bitrate=1000000&gop=25",
				media.QualityStandard: qemuCamera + "&bitrate=300000&gop=25&scale=320x180",
			},
			Video:   []string{"/dev/video0"},
			Encoder: "x264",
			// snd-aloop loops each PCM device to the other: what the
			// speaker plays into hw:Loopback,0 the microphone captures
			// at hw:Loopback,1, so talkback comes back in the live
			// stream (the rig test's round trip). Whichever end opens
			// first sets the rate, format and channels of both.
			AudioCapture:  "hw:Loopback,1",
			AudioPlayback: "hw:Loopback,0",
			// The virt machine's PL061 (line 3 is the power button's).
			// Nothing drives its inputs: they read low, so the sensor
			// says "light" and the filter stays in.
			StatusLED:   GPIO{Chip: "9030000.pl061", Line: 0},
			IRCut:       GPIO{Chip: "9030000.pl061", Line: 1},
			LightSensor: GPIO{Chip: "9030000.pl061", Line: 2},
			// With -device i6300esb and the i6300esb module.
			Watchdog:   "/dev/watchdog",
			Model:      []string{"linux,dummy-virt"},
			Compatible: []string{"linux,dummy-virt"},
		},
	}
}

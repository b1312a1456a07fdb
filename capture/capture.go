// Package capture turns cameras, files and commands into media frames.
//
// A Source runs until its context ends and hands each access unit to an
// emit callback; the stream hub starts a source when its first viewer
// arrives and stops it when the last one has gone. Open turns a source
// spec into a source:
//
//	file:PATH        loop an Annex-B H.264 file in real time (here)
//	exec:COMMAND     run COMMAND and read Annex-B H.264 from its stdout
//	                 (here)
//	sim:QUALITY      the sim board's built-in clips (package capture/sim)
//	v4l2:DEVICE?...  a V4L2 camera, H.264 from the camera itself, a V4L2
//	                 M2M encoder or libx264; streams that name the same
//	                 raw camera share it, and may scale (package
//	                 capture/v4l2cam)
//
// The packages of sim: and v4l2: import this one, so Open takes their
// kinds from the composition root (Kind). Framer and Backoff are the
// building blocks every H.264 source here and there uses.
//
// The device layers sit in subpackages of their own: v4l2 (video devices,
// no cgo), alsa (sound), x264 (libx264 through cgo, built with -tags
// x264). A source whose encoder can be steered implements BitrateSetter
// and KeyframeForcer, for congestion control.
package capture

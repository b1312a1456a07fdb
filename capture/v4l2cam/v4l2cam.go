// Package v4l2cam is the V4L2 camera pipeline: a capture.Source that
// reads a camera through the device layer (package capture/v4l2) and
// makes H.264, from the camera itself, a V4L2 M2M encoder or libx264
// (package capture/x264), as a "v4l2:" spec says (Spec).
//
// A raw camera may feed several streams (a main stream and a scaled
// sub-stream): one goroutine streams it and copies each picture out to
// a bounded queue per stream (fanout.go); each stream converts, scales
// (scale.go: area averaging; yuv.go: pixel formats) and encodes on its
// own goroutine (m2m.go, x264.go), then frames and stamps the access
// units (sink.go).
//
// Streams share a camera by meeting in a Cameras set (cameras.go). The
// set is an object the caller makes and owns, not package state: the
// composition root (package agent) makes one with NewCameras and makes
// every V4L2 source of the process from it (Cameras.NewSource), so the
// sharing is explicit and tests run sets side by side.
//
// Dependencies point inward: this package imports capture (Env, Source,
// the shared errors, Framer, Backoff), and capture knows nothing of it.
// So capture.Open cannot turn a "v4l2:" spec into a source by itself;
// the composition root hands it the kind (Cameras.Kind), bound to its
// set, as it hands it the sim board's "sim:" kind. (The other way out, a
// switch over every kind in the agent, would split the spec grammar in
// two; with kinds, one parser cuts "KIND:ARG" and one error message
// lists every form accepted.)
package v4l2cam

// Package media holds the value types that flow through the p2pcam pipeline:
// a capture source produces Frames, the stream hub fans them out, and muxers
// (FLV for live view, later recording) turn them into bytes. It has no
// dependencies so that capture, mux, talkback and agent can all share it
// without importing one another.
package media

// Package v4l2 talks to Linux Video4Linux2 devices without cgo: USB (UVC)
// cameras, drivers such as vivid, and stateful memory-to-memory encoders
// such as bcm2835-codec.
//
// It is the device layer a capture source sits on. [Open] a node, read
// its [Capability], list formats, frame sizes, frame intervals and
// controls, negotiate a format and a frame rate, then stream with
// memory-mapped buffers: [Device.RequestBuffers], [Device.Queue],
// [Device.StreamOn], and [Device.Next] (or [Device.Wait] and
// [Device.Dequeue]) to take each filled [Buffer]. Single-planar
// (VIDEO_CAPTURE/VIDEO_OUTPUT) and multi-planar (the _MPLANE types)
// queues are both supported. [List] and [Describe] discover the devices
// of a host for "p2pcamd --list-devices".
//
// Every system call goes through the [Sys] interface, so that tests can
// put a fake kernel in its place; package v4l2test has one.
//
// The struct mirrors follow linux/videodev2.h for each GOARCH; their
// sizes and the ioctl request numbers are pinned in layout_test.go
// against values compiled from the kernel headers (testdata/layout.c).
// On 32-bit ports v4l2_buffer is laid out with the legacy 32-bit struct
// timeval, which every kernel accepts (see types.go).
//
// The package builds on Linux only.
package v4l2

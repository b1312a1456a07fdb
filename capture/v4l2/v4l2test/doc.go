// Package v4l2test provides a fake V4L2 kernel for tests of code built
// on package v4l2: a [Kernel] implementing v4l2.Sys that serves fake
// [Device]s, such as the UVC-like camera of [NewCamera] (YUYV and
// H.264) and the bcm2835-codec-like M2M encoder of [NewEncoder].
//
// The fake decodes every ioctl argument at the byte level, with
// offsets it derives from the C layout rules itself, and answers as
// the kernel's videobuf2 and control framework do: format negotiation
// that adjusts requests, REQBUFS/QUERYBUF/mmap/QBUF/DQBUF with
// generated or recorded frames, poll readiness, controls with
// validation, and a device that can vanish (ENODEV) or stall. Each
// Device records the requests it saw (Calls).
package v4l2test

// Package ioctltest holds what the kernel-interface packages
// (capture/alsa, capture/v4l2, board/gpio, board/watchdog, internal/ioc)
// share in their tests and fakes: the per-GOARCH tables that pin struct
// layouts and ioctl request numbers to what the C compiler makes of the
// kernel headers (layout.go), and the descriptor plumbing of a fake
// kernel: a table of fake descriptors (fd_table.go) and a poll(2) over a
// mix of fake and real ones (poll.go).
package ioctltest

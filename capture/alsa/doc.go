// Package alsa captures and plays PCM audio through the Linux ALSA kernel
// interface directly, without cgo or alsa-lib: the PCM device files
// /dev/snd/pcmC{card}D{device}c (capture) and ...p (playback) and the
// control devices /dev/snd/controlC{card}.
//
// [Open] a device by its ALSA name ("hw:0,0", "hw:Loopback,1",
// "hw:CARD=Loopback,DEV=1") or by path, with the [Params] wanted. The
// hardware parameters are negotiated as alsa-lib's *_near calls do
// (SNDRV_PCM_IOCTL_HW_REFINE, then HW_PARAMS): a device that cannot do
// what was asked gets the nearest it can, and [PCM.Params] says what
// that is. Samples are signed 16-bit, interleaved. [PCM.Read] and
// [PCM.Write] move whole buffers and recover from overruns and
// underruns by themselves ([PCM.XRuns] counts them). [List] and
// [Describe] discover the PCM devices of a host.
//
// A PCM is opened non-blocking: a Read or Write that must wait polls
// the device together with an eventfd, which [PCM.Close] signals, so that
// Close from another goroutine ends a pending Read or Write at once
// (with an error matching [ErrClosed]) and only then closes the
// descriptor.
//
// Every system call goes through the [Sys] interface, so that tests can
// put a fake kernel in its place; package alsatest has one, with fake
// microphones and speakers. Code that only moves samples should depend
// on the [Capturer] and [Player] interfaces.
//
// The struct mirrors follow sound/asound.h for each GOARCH; their sizes
// and the ioctl request numbers are pinned in layout_test.go against
// values compiled from the kernel headers (testdata/layout.c). On 32-bit
// ports snd_pcm_status uses the legacy 32-bit time_t layout, which every
// kernel accepts (see types.go).
//
// The package builds on Linux only.
package alsa

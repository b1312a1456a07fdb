// Package alsatest provides fakes for tests of code built on package
// alsa.
//
// At the kernel level, a [Kernel] implements alsa.Sys and serves fake
// sound cards: control devices, and PCM streams ([Device]) such as the
// microphone of [NewMic], which captures a given []int16 at its rate,
// and the speaker of [NewSpeaker], which records what is written to
// it. The fake decodes every ioctl argument at the byte level, with
// offsets it derives from the C layout rules itself, and answers as the
// kernel's PCM core does: hardware parameter refinement against the
// device's constraints (rates, channels, period and buffer sizes),
// the stream state machine, READI/WRITEI paced by a clock at the
// negotiated rate, poll readiness, and injected overruns, suspends and
// unplugs. It also writes the /proc/asound files of its cards, so that
// alsa.Scanner can list them. Each Device records the requests it saw.
//
// At the interface level, [Mic] implements alsa.Capturer and [Speaker]
// implements alsa.Player without any ALSA underneath, for tests of code
// that only moves samples.
package alsatest

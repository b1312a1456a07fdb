// Package capture turns cameras, files and commands into media frames.
//
// A Source runs until its context ends and hands each access unit to an
// emit callback; the stream hub starts a source when its first viewer
// arrives and stops it when the last one has gone. Sources here:
//
//	file:PATH        loop an Annex-B H.264 file in real time
//	exec:COMMAND     run COMMAND and read Annex-B H.264 from its stdout
//	sim:QUALITY      the sim board's built-in clips (package capture/sim)
//
// Hardware sources (V4L2, ALSA) live in subpackages of their own.
package capture

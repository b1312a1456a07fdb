// Package pcm handles uncompressed S16 audio: WAV files in and out, and
// conversion between rates and channel counts.
package pcm

// Package talkback plays what a viewer says through the camera's speaker.
// A viewer sends an FLV stream of audio (voice?channel=0: a POST body in
// LAN mode, the request's data channel over P2P); talkback demuxes it,
// decodes AAC-LC, G.711 or PCM, buffers a little against network jitter,
// converts to the speaker's rate and channels, and writes to ALSA.
//
// ServeFrames takes audio already cut into frames instead: G.711 from a
// viewer's WebRTC audio track (voice?channel=0&transport=track).
//
// One viewer talks at a time: a second one gets ErrBusy. A talker that
// sends nothing for IdleTimeout loses the speaker.
//
// It tolerates what vendor apps send: an audio-only FLV header, tag
// timestamps from the wall clock, and AAC tags padded with zeros.
package talkback

package protocol

import (
	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/media"
)

// Viewer is who sent a request, as its transport established it.
type Viewer struct {
	// Addr names the viewer in logs: an address, or a P2P session.
	Addr string
	// Subject is the viewer's id from its token; empty when the transport
	// does not authenticate.
	Subject string
	// Perms is what the viewer's token allows.
	Perms auth.Permission
	// Session names the session whose playback the playback_* commands
	// steer where the transport has none of its own (LAN mode: a
	// SessionHeader); empty, Addr names it.
	Session string
}

// Permission returns what a viewer needs for a request of kind k.
func (k Kind) Permission() auth.Permission {
	switch k {
	case KindLive, KindTrack:
		return auth.PermLive
	case KindPlayback:
		return auth.PermPlayback
	case KindDownload:
		return auth.PermDownload
	case KindVoice:
		return auth.PermVoice
	}
	return auth.PermCommand
}

// Head is the head of an answer, sent before its body.
type Head struct {
	ContentType string
	// Width and Height are the picture size of a track feed, when known;
	// 0 otherwise.
	Width, Height int
	// Quality is the quality served when it differs from the one asked
	// for (the board has no stream of that quality); empty otherwise.
	Quality media.Quality
}

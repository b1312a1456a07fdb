// Package discovery finds cameras on the local network without a cloud:
// a viewer broadcasts a UDP probe, and each camera's Responder answers
// with a probe match naming the camera, its LAN mode URL and whether it
// needs a token. The messages model X-P2P's LAN discovery (JSON with
// "method":"probe" and "method":"probeMatch", tied by a clientToken);
// docs/protocol.md, LAN discovery, has the port and every field.
//
// An answer is never bigger than its probe, so a spoofed probe cannot
// make a camera amplify traffic toward someone else, and answers are
// rate-limited per sender and in total.
package discovery

// DefaultPort is the UDP port cameras answer probes on.
const DefaultPort = 3072

// Package link is the WebRTC side of a P2P session, shared by the camera
// (agent/p2p) and the viewer SDK (viewer): how a pion API is set up for
// fast connection and quick detection of dead peers, how a request's data
// channel carries its answer (a head message, then the body), and which
// network path a session ended up on.
package link

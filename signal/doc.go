// Package signal defines how viewers and cameras find each other over
// MQTT 5: the topics, the retained device info (sys_p2p_info), and the
// offer/answer/candidate messages that set up a WebRTC session. It holds
// no connection logic; the camera's peer (agent/p2p) and the viewer SDK
// (viewer) both speak it. docs/protocol.md describes it for other
// implementations.
package signal

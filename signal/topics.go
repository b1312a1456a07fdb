package signal

import (
	"fmt"
	"strings"
)

// Topic layout. PRODUCT and DEVICE are a device's identity, as in Tencent
// IoT Explorer; VIEWER is a viewer's broker user name. A device's client
// id is PRODUCT/DEVICE; a viewer's is VIEWER:SUFFIX (ViewerClientID), one
// per session, so that one account can hold several sessions while no
// account can take another's client id.
//
//	p2pcam/PRODUCT/DEVICE/info     retained device info, published by the device
//	p2pcam/PRODUCT/DEVICE/rpc      viewers publish offers and candidates here
//	p2pcam/viewer/VIEWER/inbox     a viewer's replies: answers, candidates, errors
//	p2pcam/ota/PRODUCT/release     retained release announcement (ota.Announcement), published by the cloud
//	p2pcam/PRODUCT/DEVICE/events   the device's events, for the accounts it is shared with
//
// A device may publish only to its own info topic and to viewer inboxes,
// and subscribe only to its own rpc topic. A viewer may publish to any
// device's rpc topic, read any device's info, and subscribe only to its
// own inbox. A device reads its product's release topic, which only the
// cloud (or, with mosquitto, a release account) writes. The dev cloud's broker enforces exactly this (cloud.Allowed)
// and writes the equivalent mosquitto ACL (cloud.MosquittoACL).
const (
	topicRoot   = "p2pcam"
	viewerInbox = "viewer"
)

// DeviceID names a camera: "PRODUCT/DEVICE".
type DeviceID struct {
	Product, Device string
}

// ParseDeviceID parses "PRODUCT/DEVICE". Each part is 1 to 64 characters
// of letters, digits, '-', '_' and '.', so that it is safe in a topic.
func ParseDeviceID(s string) (DeviceID, error) {
	p, d, ok := strings.Cut(s, "/")
	if !ok || !validName(p) || !validName(d) {
		return DeviceID{}, fmt.Errorf("%w: device %q: want PRODUCT/DEVICE of letters, digits, '-', '_' or '.'", ErrMalformed, s)
	}
	return DeviceID{Product: p, Device: d}, nil
}

// String returns "PRODUCT/DEVICE".
func (id DeviceID) String() string { return id.Product + "/" + id.Device }

// InfoTopic is where the device keeps its retained info.
func (id DeviceID) InfoTopic() string { return topicRoot + "/" + id.String() + "/info" }

// RPCTopic is where viewers send the device offers and candidates.
func (id DeviceID) RPCTopic() string { return topicRoot + "/" + id.String() + "/rpc" }

// ReleaseTopic is where the cloud keeps the retained announcement of a
// product's newest release (ota.Announcement).
func ReleaseTopic(product string) string { return topicRoot + "/ota/" + product + "/release" }

// EventsTopic is where the device publishes its events (package event):
// only the device writes it, only accounts it is shared with read it.
func (id DeviceID) EventsTopic() string { return topicRoot + "/" + id.String() + "/events" }

// InboxTopic is the viewer's reply topic.
func InboxTopic(viewer string) string { return topicRoot + "/" + viewerInbox + "/" + viewer + "/inbox" }

// ViewerClientID returns the MQTT client id of a viewer's session: the
// user name, a colon (which no name contains) and a suffix.
func ViewerClientID(user, suffix string) string { return user + ":" + suffix }

// IsViewerClientID reports whether clientID is one of user's session
// client ids: "USER:SUFFIX" with a suffix of 1 to 64 name characters.
func IsViewerClientID(user, clientID string) bool {
	suffix, ok := strings.CutPrefix(clientID, user+":")
	return ok && validName(suffix)
}

// ValidClientID reports whether s is usable as a viewer id in a topic.
func ValidClientID(s string) bool { return validName(s) }

func validName(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for _, c := range []byte(s) {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '.':
		default:
			return false
		}
	}
	return true
}

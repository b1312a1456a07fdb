package cloud

import (
	"strings"

	"github.com/p2pcam/p2pcam/signal"
)

// anyDevice and anyViewer are the topic patterns of every device's and
// every viewer's topics, built from the signal package's layout.
var (
	anyDevice  = signal.DeviceID{Product: "+", Device: "+"}
	anyViewer  = "+"
	anyProduct = "+"
)

// topicRules returns the topic patterns (MQTT filters with '+') that u may
// read (subscribe to and receive) and write (publish to). It is the one
// statement of the access rules; Allowed and MosquittoACL both use it.
// An account whose name does not fit its role gets none.
func topicRules(u User) (read, write []string) {
	switch u.Role {
	case RoleDevice:
		id, err := signal.ParseDeviceID(u.Name)
		if err != nil {
			return nil, nil
		}
		return []string{id.RPCTopic(), signal.ReleaseTopic(id.Product)},
			[]string{id.InfoTopic(), signal.InboxTopic(anyViewer)}
	case RoleViewer:
		if !signal.ValidClientID(u.Name) {
			return nil, nil
		}
		return []string{signal.InboxTopic(u.Name), anyDevice.InfoTopic()},
			[]string{anyDevice.RPCTopic()}
	case RoleRelease:
		if !signal.ValidClientID(u.Name) {
			return nil, nil
		}
		return nil, []string{signal.ReleaseTopic(anyProduct)}
	}
	return nil, nil
}

// Allowed reports whether u may publish to topic (write) or subscribe to
// and receive it (read). For a read, topic may be a filter with '+' and
// '#' wildcards: it is allowed only if every topic it could match is
// allowed, so a viewer may subscribe to p2pcam/+/+/info but not to
// p2pcam/viewer/+/inbox or #. A write must name a concrete topic.
//
// A device "P/D" reads p2pcam/P/D/rpc and p2pcam/ota/P/release, and writes p2pcam/P/D/info and any
// viewer's p2pcam/viewer/V/inbox. A viewer "V" reads p2pcam/viewer/V/inbox
// and any device's info, and writes any device's rpc. A release account
// writes any product's p2pcam/ota/P/release. Everything else,
// $SYS and shared subscriptions included, is denied.
func Allowed(u User, topic string, write bool) bool {
	if !validFilter(topic) || write && strings.ContainsAny(topic, "+#") {
		return false
	}
	read, writable := topicRules(u)
	patterns := read
	if write {
		patterns = writable
	}
	for _, p := range patterns {
		if covers(p, topic) {
			return true
		}
	}
	return false
}

// validFilter reports whether f is a well-formed MQTT topic filter: not
// empty, '+' only as a whole level, '#' only as the whole last level.
func validFilter(f string) bool {
	if f == "" {
		return false
	}
	levels := strings.Split(f, "/")
	for i, l := range levels {
		if strings.ContainsAny(l, "+#") && l != "+" && l != "#" {
			return false
		}
		if l == "#" && i != len(levels)-1 {
			return false
		}
	}
	return true
}

// covers reports whether every topic matched by filter is also matched by
// pattern. Both are well-formed filters; a concrete topic is a filter
// matching only itself.
func covers(pattern, filter string) bool {
	p := strings.Split(pattern, "/")
	f := strings.Split(filter, "/")
	for i, pl := range p {
		if pl == "#" {
			return true // matches all that is left, even nothing
		}
		if i == len(f) {
			return false
		}
		switch fl := f[i]; {
		case fl == "#":
			return false // f goes on past what p allows
		case fl == "+":
			if pl != "+" {
				return false
			}
		default:
			if pl != "+" && pl != fl {
				return false
			}
		}
	}
	return len(f) == len(p)
}

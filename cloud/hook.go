package cloud

import (
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"
	"golang.org/x/crypto/bcrypt"

	"github.com/p2pcam/p2pcam/signal"
)

// accessHook is the broker's mochi-mqtt hook: it logs accounts in and
// applies Allowed to every publish, subscription and delivery.
type accessHook struct {
	mqtt.HookBase
	log     *slog.Logger
	credKey []byte // checks session credentials (MQTTCredential); nil: none

	logins  *loginGuard                         // back-off on failed logins, shared with the token service
	users   atomic.Pointer[map[string]User]     // replaced whole by setUsers
	shared  atomic.Pointer[map[string][]string] // devices shared with each user; replaced whole by setShares
	closing atomic.Bool                         // set by shutDown: every login is refused
}

// setUsers replaces the accounts; connected clients keep their session.
func (h *accessHook) setUsers(users map[string]User) { h.users.Store(&users) }

// setShares replaces the shares: a viewer's next subscription, and every
// delivery from then on, is checked against them.
func (h *accessHook) setShares(shares []Share) {
	m := sharedDevices(shares)
	h.shared.Store(&m)
}

// sharedWith returns the devices shared with the user called name.
func (h *accessHook) sharedWith(name string) []string {
	if m := h.shared.Load(); m != nil {
		return (*m)[name]
	}
	return nil
}

// user returns the account called name.
func (h *accessHook) user(name string) (User, bool) {
	u, ok := (*h.users.Load())[name]
	return u, ok
}

// shutDown makes the hook refuse every login from now on.
func (h *accessHook) shutDown() { h.closing.Store(true) }

// ID names the hook in mochi's logs.
func (h *accessHook) ID() string { return "p2pcam-access" }

// Provides tells mochi which events the hook handles.
func (h *accessHook) Provides(b byte) bool {
	return b == mqtt.OnConnectAuthenticate || b == mqtt.OnACLCheck
}

// dummyHash is compared against when the user is unknown, so that a
// refusal takes as long whether or not the name exists.
var dummyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte(GeneratePassword()), hashCost)
	return h
})

// OnConnectAuthenticate accepts a CONNECT only from a known user with the
// right password and a client id of its own (clientIDAllowed), and whose will
// message, if any, goes to a topic the user may write. mochi answers a
// refusal with CONNACK reason 0x86, bad user name or password. The bcrypt
// comparison is made once per connection: later checks rely on mochi
// having accepted the connection. An account or address backing off
// after failed logins (loginGuard) is refused without one, and without a
// log line each.
func (h *accessHook) OnConnectAuthenticate(cl *mqtt.Client, pk packets.Packet) bool {
	name := string(pk.Connect.Username)
	refuse := func(reason string) bool {
		h.log.Warn("cloud: mqtt login refused", "user", name, "client", pk.Connect.ClientIdentifier,
			"remote", cl.Net.Remote, "reason", reason)
		return false
	}
	if h.closing.Load() {
		return refuse("broker shutting down")
	}
	if !pk.Connect.UsernameFlag || name == "" {
		return refuse("anonymous")
	}
	u, ok := h.user(name)
	if ok && !clientIDAllowed(u, pk.Connect.ClientIdentifier) {
		return refuse("client id must be the device id, or USER:SESSION for a viewer")
	}
	remote := cl.Net.Remote
	if h.logins.wait("mqtt", name, ok, remote) > 0 {
		return false
	}
	if !ok {
		bcrypt.CompareHashAndPassword(dummyHash(), pk.Connect.Password)
		h.logins.failed(name, false, remote)
		return refuse("unknown user")
	}
	now := time.Now()
	if u.Role == RoleViewer && expiredCredential(h.credKey, name, string(pk.Connect.Password), now) {
		return refuse("session credential expired: log in to the token service again")
	}
	session := u.Role == RoleViewer && checkMQTTCredential(h.credKey, name, string(pk.Connect.Password), now)
	if !session && bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), pk.Connect.Password) != nil {
		h.logins.failed(name, true, remote)
		return refuse("wrong password or invalid session credential")
	}
	h.logins.succeeded(name, remote)
	if pk.Connect.WillFlag && !Allowed(u, pk.Connect.WillTopic, true) {
		return refuse("will topic not allowed: " + pk.Connect.WillTopic)
	}
	h.log.Info("cloud: mqtt login", "user", name, "role", u.Role, "remote", cl.Net.Remote)
	return true
}

// OnACLCheck applies AllowedFor for the connection's user and the
// devices shared with it. Since mochi checks each delivery too, a
// viewer whose share is removed stops getting that device's events. mochi calls it
// with write for a publish (a denied QoS 0 publish is dropped, a QoS 1 or
// 2 one gets reason 0x87, not authorized) and without write both for a
// subscription filter (denied: SUBACK 0x87) and for each message about
// to be delivered.
func (h *accessHook) OnACLCheck(cl *mqtt.Client, topic string, write bool) bool {
	u, ok := h.user(string(cl.Properties.Username))
	if ok && clientIDAllowed(u, cl.ID) && AllowedFor(u, h.sharedWith(u.Name), topic, write) {
		return true
	}
	op := "read"
	if write {
		op = "write"
	}
	h.log.Warn("cloud: mqtt access denied", "user", string(cl.Properties.Username), "client", cl.ID,
		"op", op, "topic", topic)
	return false
}

// clientIDAllowed reports whether account u may connect as clientID: a
// device only as its own id, a viewer as one of its session ids
// (signal.ViewerClientID). No account can take another's client id, and
// with it the other's session.
func clientIDAllowed(u User, clientID string) bool {
	if u.Role == RoleDevice {
		return clientID == u.Name
	}
	return signal.IsViewerClientID(u.Name, clientID)
}

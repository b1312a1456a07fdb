package agent

import (
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"
)

// P2PConfig configures P2P mode: MQTT signalling and WebRTC sessions.
type P2PConfig struct {
	// Broker is the MQTT 5 broker, "mqtt://HOST:PORT" or
	// "mqtts://HOST:PORT". Empty turns P2P off.
	Broker string `toml:"broker"`
	// Username and Password are the device's broker credentials; the
	// username defaults to the device id, which is also the client id.
	Username string `toml:"username"`
	Password string `toml:"password"`
	// PasswordFile holds the password instead, so the config file can be
	// world-readable.
	PasswordFile string `toml:"password_file"`
	// BrokerVouches says that the broker stamps each message with its
	// publisher's user name (signal.SenderProperty) and strips any the
	// publisher wrote: the dev cloud's broker does, mosquitto cannot.
	// Then an offer counts only from the user its token names, and a
	// session's later messages only from that user. Set it for a broker
	// that does not, and the camera ignores every message.
	BrokerVouches bool `toml:"broker_vouches"`
	// ICEServers are the STUN and TURN servers.
	ICEServers []ICEServer `toml:"ice_servers"`
	// SCTPRTOMax caps the data channels' retransmission timeout. It
	// defaults to link.SCTPRTOMax. It must exceed the round trip of every path the
	// camera serves: below it a lost packet costs less, above it every
	// packet is sent twice and the stream collapses.
	SCTPRTOMax time.Duration `toml:"sctp_rto_max"`
}

// ICEServer is a STUN or TURN server.
type ICEServer struct {
	URLs       []string `toml:"urls"` // e.g. "stun:host:3478", "turn:host:3478?transport=udp"
	Username   string   `toml:"username"`
	Credential string   `toml:"credential"`
}

// Enabled reports whether P2P mode is on.
func (p P2PConfig) Enabled() bool { return p.Broker != "" }

// password returns the broker password from the config or its file.
func (p P2PConfig) password() (string, error) {
	if p.PasswordFile == "" {
		return p.Password, nil
	}
	b, err := os.ReadFile(p.PasswordFile)
	if err != nil {
		return "", fmt.Errorf("p2p.password_file: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

func (p P2PConfig) validate(haveTrustedKeys bool) []error {
	if !p.Enabled() {
		return nil
	}
	var errs []error
	if p.SCTPRTOMax < 50*time.Millisecond || p.SCTPRTOMax > time.Minute {
		errs = append(errs, fmt.Errorf("p2p.sctp_rto_max = %v: want 50ms to 1m", p.SCTPRTOMax))
	}
	u, err := url.Parse(p.Broker)
	if err != nil || (u.Scheme != "mqtt" && u.Scheme != "mqtts") || u.Host == "" {
		errs = append(errs, fmt.Errorf("p2p.broker = %q: want mqtt://HOST:PORT or mqtts://HOST:PORT", p.Broker))
	}
	if !haveTrustedKeys {
		errs = append(errs, fmt.Errorf("p2p needs auth.trusted_keys: the camera will not take viewers it cannot authenticate"))
	}
	if p.Password != "" && p.PasswordFile != "" {
		errs = append(errs, fmt.Errorf("p2p: set password or password_file, not both"))
	}
	for i, s := range p.ICEServers {
		if len(s.URLs) == 0 {
			errs = append(errs, fmt.Errorf("p2p.ice_servers[%d]: no urls", i))
		}
		for _, u := range s.URLs {
			if !strings.HasPrefix(u, "stun:") && !strings.HasPrefix(u, "turn:") && !strings.HasPrefix(u, "turns:") {
				errs = append(errs, fmt.Errorf("p2p.ice_servers[%d]: %q: want stun:, turn: or turns:", i, u))
			}
		}
	}
	return errs
}

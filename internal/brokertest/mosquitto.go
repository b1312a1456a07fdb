package brokertest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/internal/mediatest"
	"github.com/p2pcam/p2pcam/internal/syncbuf"
)

// Account is a broker login.
type Account struct {
	Name, Password string
}

// Mosquitto runs a real mosquitto on a free loopback port with the
// accounts in a password file made by mosquitto_passwd and acl as its
// acl_file, and returns its address (host:port). It is killed when the
// test ends. Without mosquitto the test is skipped (it fails under CI).
func Mosquitto(t testing.TB, accounts []Account, acl string) string {
	t.Helper()
	return StartMosquitto(t, accounts, acl, MosquittoOptions{}).Addr
}

// MosquittoWebSocket is Mosquitto with a second listener for MQTT over
// WebSocket (`listener PORT` + `protocol websockets`, the same accounts
// and ACL); it returns the TCP address and the ws:// URL.
func MosquittoWebSocket(t testing.TB, accounts []Account, acl string) (addr, wsURL string) {
	t.Helper()
	m := StartMosquitto(t, accounts, acl, MosquittoOptions{WebSockets: true})
	return m.Addr, m.WebSocketURL
}

// MosquittoProcess is a running mosquitto that a test can restart.
type MosquittoProcess struct {
	Addr         string // TCP listener, host:port
	WebSocketURL string // ws://host:port/mqtt, or "" without one

	t       testing.TB
	bin     string
	conf    string
	cmd     *exec.Cmd
	exited  chan struct{}
	stderr  *syncbuf.Buffer
	stopped bool
}

// MosquittoOptions are StartMosquitto's choices; the zero value is
// Mosquitto's broker.
type MosquittoOptions struct {
	WebSockets bool // add a WebSocket listener
	// Quiet logs only warnings and errors: a load test's thousands of
	// clients would otherwise spend the broker's time on its log.
	Quiet bool
}

// StartMosquitto runs mosquitto as Mosquitto does and returns the
// process. Thousands of accounts are fine: their password file is hashed
// by one `mosquitto_passwd -U`.
func StartMosquitto(t testing.TB, accounts []Account, acl string, opt MosquittoOptions) *MosquittoProcess {
	t.Helper()
	m := &MosquittoProcess{t: t, bin: mediatest.Require(t, "mosquitto"), stderr: new(syncbuf.Buffer)}
	passwd := mediatest.Require(t, "mosquitto_passwd")
	dir := t.TempDir()

	var plain strings.Builder
	for _, a := range accounts {
		fmt.Fprintf(&plain, "%s:%s\n", a.Name, a.Password)
	}
	pwFile := filepath.Join(dir, "passwd")
	if err := os.WriteFile(pwFile, []byte(plain.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(passwd, "-U", pwFile).CombinedOutput(); err != nil {
		t.Fatalf("mosquitto_passwd -U: %v\n%s", err, out)
	}
	aclFile := filepath.Join(dir, "acl")
	if err := os.WriteFile(aclFile, []byte(acl), 0o600); err != nil {
		t.Fatal(err)
	}
	port := FreeTCPPort(t)
	m.Addr = fmt.Sprintf("127.0.0.1:%d", port)
	conf := fmt.Sprintf("listener %d 127.0.0.1\n", port)
	if opt.WebSockets {
		wsPort := FreeTCPPort(t)
		conf += fmt.Sprintf("listener %d 127.0.0.1\nprotocol websockets\n", wsPort)
		m.WebSocketURL = fmt.Sprintf("ws://127.0.0.1:%d/mqtt", wsPort)
	}
	conf += fmt.Sprintf(`allow_anonymous false
password_file %s
acl_file %s
persistence false
max_connections -1
log_dest stderr
`, pwFile, aclFile)
	if opt.Quiet {
		conf += "log_type warning\nlog_type error\n"
	} else {
		conf += "log_type all\n"
	}
	// Started as root, mosquitto would switch to the "mosquitto" user,
	// which cannot read the test's private directory.
	if u, err := user.Current(); err == nil {
		conf += "user " + u.Username + "\n"
	}
	m.conf = filepath.Join(dir, "mosquitto.conf")
	if err := os.WriteFile(m.conf, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		m.Stop()
		if t.Failed() {
			t.Logf("mosquitto log:\n%s", m.stderr.String())
		}
	})
	m.Start()
	return m
}

// Start starts the broker (again, after Stop) and waits until it listens.
func (m *MosquittoProcess) Start() {
	m.t.Helper()
	m.cmd = exec.Command(m.bin, "-c", m.conf)
	m.cmd.Stderr = m.stderr
	if err := m.cmd.Start(); err != nil {
		m.t.Fatal(err)
	}
	m.stopped = false
	m.exited = make(chan struct{})
	go func(cmd *exec.Cmd, exited chan struct{}) { _ = cmd.Wait(); close(exited) }(m.cmd, m.exited)

	listening := []string{m.Addr}
	if m.WebSocketURL != "" {
		listening = append(listening, strings.TrimSuffix(strings.TrimPrefix(m.WebSocketURL, "ws://"), "/mqtt"))
	}
	// A restarted broker's listen queue may be full of a fleet's
	// reconnecting clients, so the probe waits for its turn.
	deadline := time.Now().Add(30 * time.Second)
	for {
		for len(listening) > 0 {
			conn, err := net.DialTimeout("tcp", listening[0], 500*time.Millisecond)
			if err != nil {
				break
			}
			conn.Close()
			listening = listening[1:]
		}
		if len(listening) == 0 {
			return
		}
		select {
		case <-m.exited:
			m.t.Fatalf("mosquitto exited:\n%s", m.stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			m.t.Fatalf("mosquitto not listening on %s after 30s:\n%s", m.Addr, m.stderr.String())
		}
	}
}

// Stop kills the broker, as a crash or a power cut would, and waits for
// it to exit. Its clients see their connections drop.
func (m *MosquittoProcess) Stop() {
	if m.stopped || m.cmd == nil {
		return
	}
	m.stopped = true
	_ = m.cmd.Process.Signal(syscall.SIGKILL)
	select {
	case <-m.exited:
	case <-time.After(5 * time.Second):
		m.t.Error("mosquitto did not exit")
	}
}

// PID is the running broker's process id.
func (m *MosquittoProcess) PID() int { return m.cmd.Process.Pid }

// FreeTCPPort returns a loopback TCP port that was free a moment ago.
func FreeTCPPort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

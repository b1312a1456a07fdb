package brokertest

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/internal/mediatest"
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
	addr, _ := mosquitto(t, accounts, acl, false)
	return addr
}

// MosquittoWebSocket is Mosquitto with a second listener for MQTT over
// WebSocket (`listener PORT` + `protocol websockets`, the same accounts
// and ACL); it returns the TCP address and the ws:// URL.
func MosquittoWebSocket(t testing.TB, accounts []Account, acl string) (addr, wsURL string) {
	t.Helper()
	return mosquitto(t, accounts, acl, true)
}

func mosquitto(t testing.TB, accounts []Account, acl string, websockets bool) (addr, wsURL string) {
	t.Helper()
	mosquitto := mediatest.Require(t, "mosquitto")
	passwd := mediatest.Require(t, "mosquitto_passwd")
	dir := t.TempDir()

	pwFile := filepath.Join(dir, "passwd")
	for i, a := range accounts {
		args := []string{"-b", pwFile, a.Name, a.Password}
		if i == 0 {
			args = append([]string{"-c"}, args...)
		}
		if out, err := exec.Command(passwd, args...).CombinedOutput(); err != nil {
			t.Fatalf("mosquitto_passwd %s: %v\n%s", a.Name, err, out)
		}
	}
	aclFile := filepath.Join(dir, "acl")
	if err := os.WriteFile(aclFile, []byte(acl), 0o600); err != nil {
		t.Fatal(err)
	}
	port := FreeTCPPort(t)
	conf := fmt.Sprintf("listener %d 127.0.0.1\n", port)
	if websockets {
		wsPort := FreeTCPPort(t)
		conf += fmt.Sprintf("listener %d 127.0.0.1\nprotocol websockets\n", wsPort)
		wsURL = fmt.Sprintf("ws://127.0.0.1:%d/mqtt", wsPort)
	}
	conf += fmt.Sprintf(`allow_anonymous false
password_file %s
acl_file %s
persistence false
log_dest stderr
log_type all
`, pwFile, aclFile)
	// Started as root, mosquitto would switch to the "mosquitto" user,
	// which cannot read the test's private directory.
	if u, err := user.Current(); err == nil {
		conf += "user " + u.Username + "\n"
	}
	confFile := filepath.Join(dir, "mosquitto.conf")
	if err := os.WriteFile(confFile, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(mosquitto, "-c", confFile)
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			t.Error("mosquitto did not exit")
		}
		if t.Failed() {
			t.Logf("mosquitto log:\n%s", stderr.String())
		}
	})

	addr = fmt.Sprintf("127.0.0.1:%d", port)
	listening := []string{addr}
	if wsURL != "" {
		listening = append(listening, strings.TrimSuffix(strings.TrimPrefix(wsURL, "ws://"), "/mqtt"))
	}
	deadline := time.Now().Add(5 * time.Second)
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
			return addr, wsURL
		}
		select {
		case <-exited:
			t.Fatalf("mosquitto exited:\n%s", stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("mosquitto not listening on %s after 5s:\n%s", addr, stderr.String())
		}
	}
}

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

// lockedBuffer is a bytes.Buffer safe for a writer and a reader.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

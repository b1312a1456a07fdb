package cloud

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/internal/clock"
)

// TestLoginGuard drives the back-off rules with a fake clock: each step
// is a failure (f), success (s) or clock advance (+D) for an account at
// an address, and the wait a login as user from addr then has.
func TestLoginGuard(t *testing.T) {
	type step struct {
		op, user, addr string // op: f, s, or +DURATION
		wait           time.Duration
	}
	fails := func(n int, user, addr string) []step {
		var s []step
		for range n {
			s = append(s, step{"f", user, addr, -1})
		}
		return s
	}
	cat := func(parts ...[]step) []step {
		var s []step
		for _, p := range parts {
			s = append(s, p...)
		}
		return s
	}
	const a, b, c = "192.0.2.1:1000", "192.0.2.2:1000", "192.0.2.3:1000"
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"five failures are free", cat(fails(5, "alice", a), []step{{"?", "alice", a, 0}})},
		{"then the address and account wait, doubling", cat(fails(8, "alice", a), []step{{"?", "alice", a, 4 * time.Second}, {"?", "bob", a, 4 * time.Second}})},
		{"the account waits at any address", cat(fails(7, "alice", a), []step{{"?", "alice", b, 2 * time.Second}, {"?", "bob", b, 0}})},
		{"an unknown user's failures count against the address only", cat(fails(7, "mallory", a), []step{{"?", "mallory", b, 0}, {"?", "alice", a, 2 * time.Second}, {"?", "alice", b, 0}})},
		{"the account's wait is capped at 30 s", cat(fails(20, "alice", a), []step{{"?", "alice", b, 30 * time.Second}, {"?", "alice", a, time.Minute}})},
		{"the waits run out", cat(fails(20, "alice", a), []step{{"+30s", "", "", 0}, {"?", "alice", b, 0}, {"?", "alice", a, 30 * time.Second}, {"+30s", "", "", 0}, {"?", "alice", a, 0}})},
		{"a success clears the account, not the address", cat(fails(7, "alice", a), []step{{"s", "alice", b, 0}, {"?", "alice", c, 0}, {"?", "alice", a, 2 * time.Second}})},
		{"alice's own address is exempt from her account's wait", cat([]step{{"s", "alice", c, 0}}, fails(20, "alice", a), []step{{"?", "alice", b, 30 * time.Second}, {"?", "alice", c, 0}})},
		{"the exemption lapses after a day", cat([]step{{"s", "alice", c, 0}, {"+24h", "", "", 0}}, fails(20, "alice", a), []step{{"?", "alice", c, 30 * time.Second}})},
		{"failures are forgotten after 15 minutes", cat(fails(7, "alice", a), []step{{"+15m", "", "", 0}}, fails(1, "alice", a), []step{{"?", "alice", a, 0}})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := clock.NewFake(time.Unix(1e9, 0))
			g := newLoginGuard(LoginThrottle{Clock: clk}, quietLogger())
			for i, s := range tc.steps {
				switch {
				case s.op == "f":
					g.failed(s.user, s.user != "mallory", s.addr)
				case s.op == "s":
					g.succeeded(s.user, s.addr)
				case strings.HasPrefix(s.op, "+"):
					d, err := time.ParseDuration(s.op[1:])
					if err != nil {
						t.Fatal(err)
					}
					clk.Advance(d)
				default:
					if w := g.wait("test", s.user, s.user != "mallory", s.addr); w != s.wait {
						t.Errorf("step %d: %s from %s waits %v, want %v", i, s.user, s.addr, w, s.wait)
					}
				}
			}
		})
	}
}

func TestLoginGuardBoundedTrust(t *testing.T) {
	clk := clock.NewFake(time.Unix(1e9, 0))
	g := newLoginGuard(LoginThrottle{Clock: clk}, quietLogger())
	for i := range 3 * maxTrusted {
		g.succeeded("alice", fmt.Sprintf("10.%d.%d.%d:1", i>>16&255, i>>8&255, i&255))
	}
	if n := len(g.trusted); n > maxTrusted {
		t.Fatalf("%d trusted pairs, want at most %d", n, maxTrusted)
	}
}

func TestExpiredCredential(t *testing.T) {
	key := []byte("k")
	now := time.Unix(2e9, 0)
	for _, tc := range []struct {
		name, user, cred string
		want             bool
	}{
		{"expired", "alice", MQTTCredential(key, "alice", now.Add(-time.Second)), true},
		{"valid", "alice", MQTTCredential(key, "alice", now.Add(time.Minute)), false},
		{"another user's", "bob", MQTTCredential(key, "alice", now.Add(-time.Second)), false},
		{"another key's", "alice", MQTTCredential([]byte("x"), "alice", now.Add(-time.Second)), false},
		{"a password", "alice", "pw-alice", false},
	} {
		if got := expiredCredential(key, tc.user, tc.cred, now); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

// apiLogin posts a login to the token service from the local IP from and
// returns the status and Retry-After.
func apiLogin(t *testing.T, url, from, user, password string) (int, string) {
	t.Helper()
	d := &net.Dialer{Timeout: 5 * time.Second, LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
	client := &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true}}
	resp, err := client.Post(url+"/api/login", "application/json", strings.NewReader(fmt.Sprintf(`{"user":%q,"password":%q}`, user, password)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Retry-After")
}

// Issue 16 item 4: 400 wrong passwords for alice from 20 connections of
// one address, half to the broker and half to the token service. The
// back-off, shared by both, lets only the first few reach bcrypt, logs
// the refusals once, and locks no one else out: bob and alice at the
// address she logged in from before get in during the attack, and alice
// anywhere once the capped waits run out. The clock is fake: waits end
// when the test says.
func TestLoginBackoffBothPaths(t *testing.T) {
	clk := clock.NewFake(time.Now())
	var logs logBuffer
	d := Directory{Users: testUsers(t, accounts...)}
	d, err := d.WithShare("acme/cam1", "alice", auth.PermLive)
	if err != nil {
		t.Fatal(err)
	}
	c := startCloud(t, Config{Directory: d, Issuer: newIssuer(t), Logger: logs.logger(),
		MQTT: BrokerConfig{Users: d.Users, Throttle: LoginThrottle{Clock: clk}}})
	srv := httptest.NewServer(c.Handler())
	t.Cleanup(srv.Close)
	mqttAddr := c.Broker.Addr().String()
	const attacker, elsewhere, home = "127.0.0.1", "127.0.0.2", "127.0.0.3"
	mqttLogin := func(from, user, password string) error {
		_, _, err := dialMQTT(t, mqttAddr, mqttLogin{user: user, clientID: user + ":s" + strings.ReplaceAll(from, ".", ""), password: password, from: from})
		return err
	}

	if code, _ := apiLogin(t, srv.URL, home, "alice", "pw-alice"); code != http.StatusOK {
		t.Fatalf("alice at home before the attack: %d", code)
	}

	const workers, each = 20, 20
	start := time.Now()
	var mu sync.Mutex
	codes := map[int]int{}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if (w+i)%2 == 0 {
					if mqttLogin(attacker, "alice", fmt.Sprint("guess", w, i)) == nil {
						t.Error("a wrong password was accepted")
					}
					continue
				}
				code, _ := apiLogin(t, srv.URL, attacker, "alice", fmt.Sprint("guess", w, i))
				mu.Lock()
				codes[code]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	took := time.Since(start)
	checked := codes[http.StatusUnauthorized] + strings.Count(logs.String(), `msg="cloud: mqtt login refused"`)
	t.Logf("%d wrong passwords in %v: %d checked with bcrypt, API answers %v", workers*each, took.Round(time.Millisecond), checked, codes)
	// Five free failures, and those already past the check when the
	// fifth was counted: at most one per connection.
	if checked > DefaultLoginFree+workers {
		t.Errorf("%d wrong passwords checked with bcrypt, want at most %d", checked, DefaultLoginFree+workers)
	}
	// 503 is the token service's bound on concurrent bcrypt checks.
	if codes[http.StatusTooManyRequests] == 0 || codes[http.StatusTooManyRequests]+codes[http.StatusUnauthorized]+codes[http.StatusServiceUnavailable] != workers*each/2 {
		t.Errorf("API answers %v: want 401 then 429", codes)
	}
	if n := strings.Count(logs.String(), "too many failures, backing off"); n != 1 {
		t.Errorf("the back-off was logged %d times in one interval, want once", n)
	}

	for _, tc := range []struct {
		name, from, user, password string
		ok                         bool
	}{
		{"alice at the attacker's address", attacker, "alice", "pw-alice", false},
		{"alice at an address new to her", elsewhere, "alice", "pw-alice", false},
		{"alice at home", home, "alice", "pw-alice", true},
		{"bob", elsewhere, "bob", "pw-bob", true},
	} {
		code, retry := apiLogin(t, srv.URL, tc.from, tc.user, tc.password)
		if got := code == http.StatusOK; got != tc.ok || !tc.ok && (code != http.StatusTooManyRequests || retry == "") {
			t.Errorf("during the attack, %s over the API: %d (Retry-After %q), want ok=%v or 429", tc.name, code, retry, tc.ok)
		}
		if err := mqttLogin(tc.from, tc.user, tc.password); (err == nil) != tc.ok {
			t.Errorf("during the attack, %s over MQTT: %v, want ok=%v", tc.name, err, tc.ok)
		}
	}

	clk.Advance(DefaultAccountWaitMax)
	if code, _ := apiLogin(t, srv.URL, elsewhere, "alice", "pw-alice"); code != http.StatusOK {
		t.Errorf("alice elsewhere after the account's cap: %d", code)
	}
	clk.Advance(DefaultAddressWaitMax - DefaultAccountWaitMax)
	if err := mqttLogin(attacker, "alice", "pw-alice"); err != nil {
		t.Errorf("alice at the attacker's address after the address's cap: %v", err)
	}
}

// A page reconnecting with an expired session credential is refused
// without counting as a failed login.
func TestExpiredCredentialIsNoFailure(t *testing.T) {
	c := startCloud(t, Config{})
	addr := c.Broker.Addr().String()
	expired := MQTTCredential(c.credKey, "alice", time.Now().Add(-time.Minute))
	for i := range 3 * DefaultLoginFree {
		if _, _, err := dialMQTT(t, addr, mqttLogin{user: "alice", clientID: fmt.Sprint("alice:r", i), password: expired}); err == nil {
			t.Fatal("an expired credential was accepted")
		}
	}
	if _, _, err := dialMQTT(t, addr, mqttLogin{user: "alice", clientID: "alice:ok", password: "pw-alice"}); err != nil {
		t.Fatalf("alice after reconnects with an expired credential: %v", err)
	}
}

// BenchmarkLoginFlood is issue 16's probe at bcrypt's real cost: 400
// wrong passwords for alice over MQTT from 20 connections of one
// address, then bob's login from another. It reports how long the flood
// took, how many of its passwords reached bcrypt, and bob's login time;
// with the default back-off and with it off (Free: a billion).
func BenchmarkLoginFlood(b *testing.B) {
	hashCost = defaultHashCost
	defer func() { hashCost = bcrypt.MinCost }()
	users := testUsers(b, accounts...)
	for _, mode := range []struct {
		name string
		cfg  LoginThrottle
	}{
		{"throttled", LoginThrottle{}},
		{"unthrottled", LoginThrottle{Free: 1e9}},
	} {
		b.Run(mode.name, func(b *testing.B) {
			for b.Loop() {
				var logs logBuffer
				br := startBroker(b, BrokerConfig{Users: users, Throttle: mode.cfg, Logger: logs.logger()})
				addr := br.Addr().String()
				const workers, each = 20, 20
				start := time.Now()
				var wg sync.WaitGroup
				for w := range workers {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for i := range each {
							if _, _, err := dialMQTT(b, addr, mqttLogin{user: "alice", clientID: fmt.Sprintf("alice:w%di%d", w, i),
								password: "guess", from: "127.0.0.1"}); err == nil {
								b.Error("a wrong password was accepted")
							}
						}
					}()
				}
				wg.Wait()
				flood := time.Since(start)
				start = time.Now()
				if _, _, err := dialMQTT(b, addr, mqttLogin{user: "bob", clientID: "bob:s1", password: "pw-bob", from: "127.0.0.2"}); err != nil {
					b.Fatalf("bob after the flood: %v", err)
				}
				bob := time.Since(start)
				b.ReportMetric(flood.Seconds()*1000, "flood-ms")
				b.ReportMetric(float64(strings.Count(logs.String(), `msg="cloud: mqtt login refused"`)), "bcrypt-checks")
				b.ReportMetric(bob.Seconds()*1000, "bob-login-ms")
			}
		})
	}
}

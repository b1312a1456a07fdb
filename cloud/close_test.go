package cloud

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eclipse/paho.golang/packets"
)

// stormRounds is how many brokers TestBrokerCloseDuringConnectStorm
// closes under load. mochi v2.7.9's own Close hung within a few dozen
// rounds of this test (see Broker).
const stormRounds = 40

// rawLogin connects to addr, logs in as a with a fresh session id and
// waits for the CONNACK; quit closes the connection at once (the broker
// then forgets the client), otherwise it is left open for Close to end.
func rawLogin(addr string, a testAccount, n int, quit bool) error {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	c.SetDeadline(time.Now().Add(2 * time.Second))
	cp := packets.NewControlPacket(packets.CONNECT)
	conn := cp.Content.(*packets.Connect)
	conn.ProtocolName, conn.ProtocolVersion = "MQTT", 5
	conn.ClientID = fmt.Sprintf("%s:storm%d", a.name, n)
	conn.UsernameFlag, conn.Username = true, a.name
	conn.PasswordFlag, conn.Password = true, []byte(a.password)
	conn.CleanStart, conn.KeepAlive = true, 30
	if _, err := cp.WriteTo(c); err != nil {
		c.Close()
		return err
	}
	_, err = packets.ReadPacket(bufio.NewReader(c))
	if quit || err != nil {
		c.Close()
	}
	return err
}

// TestBrokerCloseDuringConnectStorm closes brokers while clients log in
// and leave as fast as they can: every Close must return promptly, and
// leave no goroutine behind.
func TestBrokerCloseDuringConnectStorm(t *testing.T) {
	users := testUsers(t, accAlice)
	before := runtime.NumGoroutine()
	for round := range stormRounds {
		b, err := NewBroker(BrokerConfig{Listen: "127.0.0.1:0", Users: users, Logger: quietLogger()})
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Start(); err != nil {
			t.Fatal(err)
		}
		addr := b.Addr().String()
		ctx, stop := context.WithCancel(context.Background())
		var logins atomic.Int64
		enough := make(chan struct{})
		var once sync.Once
		var wg sync.WaitGroup
		for w := range 8 {
			wg.Go(func() {
				// Bounded: the broker closes after the first 20
				// logins; a worker stops at its first failure after
				// that, or after 500 attempts.
				for i := range 500 {
					if ctx.Err() != nil {
						return
					}
					if rawLogin(addr, accAlice, w*1000+i, i%2 == 0) == nil && logins.Add(1) >= 20 {
						once.Do(func() { close(enough) })
					}
				}
			})
		}
		select {
		case <-enough:
		case <-time.After(10 * time.Second):
			t.Fatalf("round %d: only %d logins in 10 s", round, logins.Load())
		}
		closed := make(chan error, 1)
		go func() { closed <- b.Close() }()
		select {
		case err := <-closed:
			if err != nil {
				t.Fatalf("round %d: Close: %v", round, err)
			}
		case <-time.After(10 * time.Second):
			buf := make([]byte, 1<<20)
			t.Fatalf("round %d: Close hung during a connect storm:\n%s", round, buf[:runtime.Stack(buf, true)])
		}
		stop()
		wg.Wait()
	}
	// mochi's goroutines end a little after Close returns; poll, bounded.
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before+2 && time.Now().Before(deadline) {
		runtime.Gosched()
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before+2 {
		buf := make([]byte, 1<<20)
		t.Fatalf("%d goroutines before, %d after the storm:\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}

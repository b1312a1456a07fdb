package main

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Issue 16 item 5: a TLS client on the plain-HTTP LAN port is answered at
// once (400, "use http://"), whatever its ClientHello holds. net/http
// alone holds a ClientHello that happens to contain no newline byte until
// its 5 s header timeout.
func TestLANTLSHandshakeFailsFast(t *testing.T) {
	d := startDaemon(t, "")
	noNewline := append([]byte{0x16, 0x03, 0x01, 0x00, 0xc8}, bytes.Repeat([]byte{0x41}, 0xc8)...)
	for _, tc := range []struct {
		name   string
		hello  []byte // raw bytes to send; nil: a Go TLS client
		curves []tls.CurveID
		within time.Duration
	}{
		{"Go TLS client", nil, nil, time.Second},
		{"Go TLS client, small hello (X25519)", nil, []tls.CurveID{tls.X25519}, time.Second},
		{"ClientHello without a newline byte", noNewline, nil, time.Second},
		{"ClientHello cut short", noNewline[:40], nil, 2500 * time.Millisecond}, // waits tlsDrainWait (1 s) for the rest
	} {
		t.Run(tc.name, func(t *testing.T) {
			for range 5 {
				start := time.Now()
				c, err := net.DialTimeout("tcp", d.addr, 5*time.Second)
				if err != nil {
					t.Fatal(err)
				}
				_ = c.SetDeadline(time.Now().Add(10 * time.Second))
				if tc.hello == nil {
					tc := tls.Client(c, &tls.Config{InsecureSkipVerify: true, CurvePreferences: tc.curves})
					err = tc.Handshake()
					if err == nil || !strings.Contains(err.Error(), "does not look like a TLS handshake") {
						t.Fatalf("handshake: %v, want it refused as not TLS", err)
					}
				} else {
					if _, err := c.Write(tc.hello); err != nil {
						t.Fatal(err)
					}
					resp, err := http.ReadResponse(bufio.NewReader(c), nil)
					if err != nil {
						t.Fatalf("no answer to a ClientHello: %v", err)
					}
					body, err := io.ReadAll(resp.Body)
					if resp.StatusCode != http.StatusBadRequest || err != nil || !strings.Contains(string(body), "use http://") {
						t.Fatalf("answer %d %q (%v), want 400 saying use http://", resp.StatusCode, body, err)
					}
				}
				c.Close()
				if took := time.Since(start); took > tc.within {
					t.Fatalf("refused after %v, want within %v", took, tc.within)
				}
			}
		})
	}
	// The port still serves HTTP.
	if code, _ := d.get(t, "healthz"); code != http.StatusOK {
		t.Fatalf("healthz after the TLS clients: %d", code)
	}
}

// Streams outlive the idle and write timeouts: a live viewer and a
// talker, each for longer than both, are not cut.
func TestLANStreamsOutliveTimeouts(t *testing.T) {
	d := startDaemon(t, "[lan]\nidle_timeout = \"1s\"\nwrite_timeout = \"1s\"\n")
	live := make(chan []byte, 1)
	go func() {
		_, body, err := d.fetch(liveURL(d, "standard"), 4*time.Second)
		if err != nil {
			t.Errorf("live: %v", err)
		}
		live <- body
	}()

	// A talker sending 2.5 s of audio in real time.
	talk := g711Talk(t, 2.5)
	pr, pw := io.Pipe()
	go func() {
		const pieces = 25
		step := (len(talk) + pieces - 1) / pieces
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for i := 0; i < len(talk); i += step {
			if _, err := pw.Write(talk[i:min(i+step, len(talk))]); err != nil {
				return
			}
			<-tick.C
		}
		pw.Close()
	}()
	client := &http.Client{Timeout: 20 * time.Second}
	resp, err := client.Post(d.url("voice?channel=0"), "video/x-flv", pr)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var sum struct {
		PlayedMS int64 `json:"played_ms"`
		Error    string
	}
	if err := json.NewDecoder(resp.Body).Decode(&sum); err != nil || resp.StatusCode != 200 || sum.PlayedMS < 2000 || sum.Error != "" {
		t.Errorf("talk of 2.5 s: %s %+v (%v), want about 2500 ms played", resp.Status, sum, err)
	}
	checkFLV(t, "live", <-live, 320, 180, 3*25)
}

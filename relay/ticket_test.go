package relay

import (
	"errors"
	"net/url"
	"testing"
	"time"
)

func TestTicket(t *testing.T) {
	master := []byte("master secret of the cloud, 32 b")
	secret := DeviceSecret(master, "acme/cam1")
	now := time.Unix(1764000000, 0)
	tk := Ticket{Stream: "acme~cam1~high", Subject: "alice", Expiry: now.Add(TicketTTL)}
	good := tk.Query(secret)
	if len(good) > 120 {
		t.Errorf("ticket %q is %d bytes: nginx-rtmp keeps 255 with the stream name", good, len(good))
	}
	tests := []struct {
		name   string
		secret []byte
		stream string
		query  string
		at     time.Time
		ok     bool
	}{
		{"good", secret, tk.Stream, good, now, true},
		{"expired", secret, tk.Stream, good, now.Add(TicketTTL + time.Second), false},
		{"another stream", secret, "acme~cam1~super", good, now, false},
		{"another camera's secret", DeviceSecret(master, "acme/cam2"), tk.Stream, good, now, false},
		{"no ticket", secret, tk.Stream, "", now, false},
		{"other subject", secret, tk.Stream, replace(good, "sub", "bob"), now, false},
		{"later expiry", secret, tk.Stream, replace(good, "exp", "99999999999"), now, false},
		{"bad exp", secret, tk.Stream, replace(good, "exp", "x"), now, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q, _ := url.ParseQuery(tc.query)
			got, err := CheckTicket(tc.secret, tc.stream, q, tc.at)
			if (err == nil) != tc.ok {
				t.Fatalf("err = %v, want ok %v", err, tc.ok)
			}
			if err != nil && !errors.Is(err, ErrBadTicket) {
				t.Fatalf("err = %v, want ErrBadTicket", err)
			}
			if err == nil && got.Subject != "alice" {
				t.Fatalf("subject %q", got.Subject)
			}
		})
	}
	if s, err := ParseSecret(SecretString(secret)); err != nil || string(s) != string(secret) {
		t.Fatalf("ParseSecret: %v", err)
	}
	if _, err := ParseSecret("short"); !errors.Is(err, ErrBadConfig) {
		t.Fatalf("ParseSecret(short): %v", err)
	}
}

func replace(query, key, value string) string {
	q, _ := url.ParseQuery(query)
	q.Set(key, value)
	return q.Encode()
}

func FuzzCheckTicket(f *testing.F) {
	secret := DeviceSecret([]byte("m"), "acme/cam1")
	now := time.Unix(1764000000, 0)
	f.Add(Ticket{Stream: "acme~cam1~high", Subject: "alice", Expiry: now.Add(time.Minute)}.Query(secret))
	f.Add("sub=&exp=1&sig=x")
	f.Add("")
	f.Fuzz(func(t *testing.T, query string) {
		q, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		if tk, err := CheckTicket(secret, "acme~cam1~high", q, now); err == nil && tk.Expiry.Before(now) {
			t.Fatalf("accepted an expired ticket %+v", tk)
		}
	})
}

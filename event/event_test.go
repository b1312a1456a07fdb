package event

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// decodeCases drive TestDecode, FuzzDecode's seeds and BenchmarkDecode.
var decodeCases = []struct {
	name string
	in   string
	err  error // nil: valid
}{
	{"input", `{"type":"input","time":"2026-12-06T10:00:00.123Z","channel":0,"data":{"name":"doorbell","active":true}}`, nil},
	{"no data", `{"type":"stream","time":"2026-12-06T10:00:00Z","channel":0}`, nil},
	{"maker type", `{"type":"door.open_2","time":"2026-12-06T10:00:00Z","channel":3,"data":{}}`, nil},
	{"empty type", `{"type":"","time":"2026-12-06T10:00:00Z","channel":0}`, ErrInvalid},
	{"upper type", `{"type":"Motion","time":"2026-12-06T10:00:00Z","channel":0}`, ErrInvalid},
	{"long type", `{"type":"` + strings.Repeat("a", 33) + `","time":"2026-12-06T10:00:00Z"}`, ErrInvalid},
	{"negative channel", `{"type":"motion","time":"2026-12-06T10:00:00Z","channel":-1}`, ErrInvalid},
	{"big channel", `{"type":"motion","time":"2026-12-06T10:00:00Z","channel":256}`, ErrInvalid},
	{"data array", `{"type":"motion","time":"2026-12-06T10:00:00Z","data":[1]}`, ErrInvalid},
	{"data string", `{"type":"motion","time":"2026-12-06T10:00:00Z","data":"x"}`, ErrInvalid},
	{"unknown field", `{"type":"motion","time":"2026-12-06T10:00:00Z","x":1}`, ErrInvalid},
	{"bad time", `{"type":"motion","time":"yesterday"}`, ErrInvalid},
	{"two values", `{"type":"motion","time":"2026-12-06T10:00:00Z"}{}`, ErrInvalid},
	{"not json", `motion`, ErrInvalid},
	{"not utf8", "{\"type\":\"motion\",\"time\":\"2026-12-06T10:00:00Z\",\"data\":{\"a\":\"\xff\"}}", ErrInvalid},
	{"too large", `{"type":"motion","time":"2026-12-06T10:00:00Z","data":{"a":"` + strings.Repeat("x", MaxSize) + `"}}`, ErrTooLarge},
}

func TestDecode(t *testing.T) {
	for _, tt := range decodeCases {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Decode([]byte(tt.in))
			if !errors.Is(err, tt.err) {
				t.Fatalf("Decode = %+v, %v; want error %v", e, err, tt.err)
			}
			if err != nil {
				return
			}
			b, err := e.Marshal()
			if err != nil {
				t.Fatalf("Marshal of a decoded event: %v", err)
			}
			again, err := Decode(b)
			if err != nil || again.Type != e.Type || !again.Time.Equal(e.Time) || again.Channel != e.Channel || string(again.Data) != string(e.Data) {
				t.Fatalf("round trip: %+v, %v; want %+v", again, err, e)
			}
		})
	}
}

func TestNewAndMarshal(t *testing.T) {
	at := time.Date(2026, 12, 6, 10, 0, 0, 123e6, time.UTC)
	e := New(TypeInput, at, map[string]any{"name": "doorbell", "active": true})
	b, err := e.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"type":"input","time":"2026-12-06T10:00:00.123Z","channel":0,"data":{"active":true,"name":"doorbell"}}`
	if string(b) != want {
		t.Fatalf("Marshal = %s\nwant      %s", b, want)
	}
	if _, err := (Event{Type: "BAD", Time: at}).Marshal(); !errors.Is(err, ErrInvalid) {
		t.Fatalf("Marshal of a bad type: %v, want ErrInvalid", err)
	}
	big := New("x", at, map[string]string{"a": strings.Repeat("y", MaxSize)})
	if _, err := big.Marshal(); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Marshal of a big event: %v, want ErrTooLarge", err)
	}
}

func FuzzDecode(f *testing.F) {
	for _, tt := range decodeCases {
		f.Add([]byte(tt.in))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := Decode(b)
		if err != nil {
			if !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("Decode error %v is neither ErrInvalid nor ErrTooLarge", err)
			}
			return
		}
		out, err := e.Marshal()
		if err != nil {
			t.Fatalf("a decoded event does not marshal: %v", err)
		}
		if _, err := Decode(out); err != nil {
			t.Fatalf("a marshalled event does not decode: %v: %s", err, out)
		}
	})
}

func BenchmarkDecode(b *testing.B) {
	in := []byte(decodeCases[0].in)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(in); err != nil {
			b.Fatal(err)
		}
	}
}

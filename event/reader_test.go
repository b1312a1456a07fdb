package event

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func TestReader(t *testing.T) {
	good := decodeCases[0].in
	in := good + "\n\n" + "not json\n" + `{"type":"` + strings.Repeat("x", MaxSize+10) + "\"}\n" + good + "\r\n" + good
	r := NewReader(strings.NewReader(in))
	want := []error{nil, ErrInvalid, ErrTooLarge, nil, nil, io.EOF, io.EOF}
	for i, w := range want {
		e, err := r.Next()
		if !errors.Is(err, w) {
			t.Fatalf("event %d: %+v, %v; want error %v", i, e, err, w)
		}
		if err == nil && e.Type != "input" {
			t.Fatalf("event %d: type %q", i, e.Type)
		}
	}
}

func FuzzReader(f *testing.F) {
	for _, tt := range decodeCases {
		f.Add([]byte(tt.in + "\n" + tt.in))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r := NewReader(strings.NewReader(string(b)))
		for range len(b) + 2 { // every call consumes a line or ends
			_, err := r.Next()
			if err == io.EOF {
				return
			}
			if err != nil && !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("Next: %v", err)
			}
		}
		t.Fatal("Reader did not reach the end")
	})
}

package flv

import (
	"bytes"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestAMF0Encoding(t *testing.T) {
	tests := []struct {
		name string
		v    any
		want []byte
	}{
		{"number", 1.0, []byte{0, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0}},
		{"int", 7, []byte{0, 0x40, 0x1c, 0, 0, 0, 0, 0, 0}},
		{"true", true, []byte{1, 1}},
		{"false", false, []byte{1, 0}},
		{"string", "ab", []byte{2, 0, 2, 'a', 'b'}},
		{"empty string", "", []byte{2, 0, 0}},
		{"null", nil, []byte{5}},
		{"undefined", Undefined{}, []byte{6}},
		{"date", Date{Millis: 1, TimeZone: -1}, []byte{11, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 0xff, 0xff}},
		{"object", Object{{"a", true}}, []byte{3, 0, 1, 'a', 1, 1, 0, 0, 9}},
		{"empty object", Object{}, []byte{3, 0, 0, 9}},
		{"ECMA array", ECMAArray{{"a", true}, {"b", false}}, []byte{8, 0, 0, 0, 2, 0, 1, 'a', 1, 1, 0, 1, 'b', 1, 0, 0, 0, 9}},
		{"strict array", []any{true, nil}, []byte{10, 0, 0, 0, 2, 1, 1, 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AppendAMF0([]byte{0xee}, tt.v)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, append([]byte{0xee}, tt.want...)) {
				t.Errorf("AppendAMF0(%#v):\n got % x\nwant ee % x", tt.v, got, tt.want)
			}
		})
	}
}

func TestAMF0RoundTrip(t *testing.T) {
	long := strings.Repeat("x", 70000)
	tests := []struct {
		name string
		v    any
		want any // when decoding changes the value (int to float64)
	}{
		{"number", 3.5, nil},
		{"negative zero", math.Copysign(0, -1), nil},
		{"infinity", math.Inf(1), nil},
		{"int", 42, 42.0},
		{"bool", true, nil},
		{"string", "onMetaData", nil},
		{"UTF-8 string", "µ-law", nil},
		{"long string", long, nil},
		{"null", nil, nil},
		{"undefined", Undefined{}, nil},
		{"date", Date{Millis: 1.7e12}, nil},
		{"object", Object{{"width", 640.0}, {"name", "cam"}, {"on", false}}, nil},
		{"empty name", Object{{"", 1.0}}, nil},
		{"ECMA array", ECMAArray{{"width", 640.0}, {"height", 360.0}}, nil},
		{"empty ECMA array", ECMAArray{}, nil},
		{"empty object", Object{}, nil},
		{"empty strict array", []any{}, nil},
		{"strict array", []any{1.0, "a", nil, Undefined{}}, nil},
		{"nested", Object{{"a", ECMAArray{{"b", []any{Object{{"c", long}}}}}}}, nil},
		{"deepest allowed", nest(MaxAMF0Depth), nil},
		{"most elements", manyProps(MaxAMF0Elements), nil},
		{"most array elements", make([]any, MaxAMF0Elements), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := AppendAMF0(nil, tt.v)
			if err != nil {
				t.Fatalf("AppendAMF0: %v", err)
			}
			// Two values in a row, as in a script tag.
			b = append(b, b...)
			got, err := DecodeAMF0(b)
			if err != nil {
				t.Fatalf("DecodeAMF0: %v", err)
			}
			want := tt.want
			if want == nil {
				want = tt.v
			}
			if !reflect.DeepEqual(got, []any{want, want}) {
				t.Errorf("decoded %#v, want %#v twice", got, want)
			}
		})
	}
}

// nest returns n objects nested in each other.
func nest(n int) any {
	var v any = 1.0
	for range n {
		v = Object{{"o", v}}
	}
	return v
}

// manyProps returns an ECMA array of n properties.
func manyProps(n int) ECMAArray {
	a := make(ECMAArray, n)
	for i := range a {
		a[i] = Property{"p", float64(i)}
	}
	return a
}

func TestDecodeAMF0Empty(t *testing.T) {
	if got, err := DecodeAMF0(nil); err != nil || len(got) != 0 {
		t.Errorf("DecodeAMF0(nil) = %v, %v; want nothing", got, err)
	}
}

func TestDecodeAMF0CountTerminatedECMAArray(t *testing.T) {
	// Some encoders end an ECMA array after its count, without 00 00 09.
	b := []byte{8, 0, 0, 0, 1, 0, 1, 'a', 1, 1}
	got, err := DecodeAMF0(b)
	if err != nil {
		t.Fatal(err)
	}
	if want := []any{ECMAArray{{"a", true}}}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v, want %#v", got, want)
	}
}

func TestDecodeAMF0Malformed(t *testing.T) {
	tooDeep, err := AppendAMF0(nil, nest(MaxAMF0Depth))
	if err != nil {
		t.Fatal(err)
	}
	// Wrap once more by hand: the encoder refuses to.
	tooDeep = append(append([]byte{3, 0, 1, 'o'}, tooDeep...), 0, 0, 9)
	deepArrays := bytes.Repeat([]byte{10, 0, 0, 0, 1}, 100)
	tooMany, err := AppendAMF0(nil, manyProps(MaxAMF0Elements+1))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"truncated number", []byte{0, 0x3f, 0xf0}, "truncated"},
		{"truncated boolean", []byte{1}, "truncated"},
		{"truncated string length", []byte{2, 0}, "truncated"},
		{"string past end", []byte{2, 0, 5, 'a', 'b'}, "need 5 bytes at offset 3, have 2"},
		{"long string past end", []byte{12, 0xff, 0xff, 0xff, 0xff, 'a'}, "long string of 4294967295 bytes"},
		{"truncated date", []byte{11, 0, 0, 0, 0, 0, 0, 0, 0, 0}, "truncated"},
		{"reference", []byte{7, 0, 1}, "unsupported type marker 0x07"},
		{"movieclip", []byte{4}, "unsupported type marker 0x04"},
		{"AMF3 switch", []byte{0x11, 1}, "unsupported type marker 0x11"},
		{"unsupported", []byte{0x0d}, "unsupported type marker 0x0d"},
		{"object end at top level", []byte{9}, "object end marker outside an object"},
		{"object end after a value", []byte{5, 0, 0, 9}, "truncated"},
		{"object without end", []byte{3, 0, 1, 'a', 5}, "truncated"},
		{"object name past end", []byte{3, 0, 9, 'a'}, "truncated"},
		{"object value missing", []byte{3, 0, 1, 'a'}, "truncated"},
		{"ECMA array without count", []byte{8, 0, 0}, "truncated"},
		{"ECMA array short of its count", []byte{8, 0, 0, 0, 2, 0, 1, 'a', 5}, "truncated"},
		{"strict array count too large", []byte{10, 0xff, 0xff, 0xff, 0xff, 5}, "4294967295 elements, limit 1024"},
		{"strict array past end", []byte{10, 0, 0, 0, 3, 5, 5}, "3 elements, only 2 bytes left"},
		{"strict array bad element", []byte{10, 0, 0, 0, 1, 0x0d}, "unsupported type marker"},
		{"too deep", tooDeep, "nested deeper than 16"},
		{"deep arrays", deepArrays, "nested deeper than 16"},
		{"too many properties", tooMany, "more than 1024 properties"},
		{"bad value after a good one", []byte{5, 0xff}, "unsupported type marker 0xff at offset 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeAMF0(tt.in)
			if err == nil || !strings.HasPrefix(err.Error(), "flv: amf0: ") || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("DecodeAMF0(% x) = %v, %v; want an error with %q", tt.in, got, err, tt.want)
			}
			if got != nil {
				t.Errorf("values %v returned with the error", got)
			}
		})
	}
}

func TestAppendAMF0Rejects(t *testing.T) {
	cyclic := []any{nil}
	cyclic[0] = cyclic
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"unsupported type", time.Second, "cannot encode time.Duration"},
		{"struct", struct{}{}, "cannot encode struct {}"},
		{"too deep", nest(MaxAMF0Depth + 1), "nested deeper than 16"},
		{"cycle", cyclic, "nested deeper than 16"},
		{"long name", Object{{strings.Repeat("n", 1<<16), 1.0}}, "name of 65536 bytes"},
		{"bad nested value", ECMAArray{{"a", []any{int64(1)}}}, "cannot encode int64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := AppendAMF0(nil, tt.v); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("AppendAMF0: %v, want an error with %q", err, tt.want)
			}
		})
	}
}

func TestObjectGet(t *testing.T) {
	o := Object{{"a", 1.0}, {"b", "x"}, {"a", 2.0}}
	if v, ok := o.Get("a"); !ok || v != 1.0 {
		t.Errorf(`Get("a") = %v, %v; want the first a, 1`, v, ok)
	}
	if v, ok := ECMAArray(o).Get("b"); !ok || v != "x" {
		t.Errorf(`Get("b") = %v, %v`, v, ok)
	}
	if _, ok := o.Get("c"); ok {
		t.Error(`Get("c") found a property`)
	}
}

func TestDateTime(t *testing.T) {
	want := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	if got := (Date{Millis: float64(want.UnixMilli())}).Time(); !got.Equal(want) {
		t.Errorf("Time() = %v, want %v", got, want)
	}
}

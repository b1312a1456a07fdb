package flv

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"
)

// AMF0 type markers.
const (
	amf0Number      = 0x00
	amf0Boolean     = 0x01
	amf0String      = 0x02
	amf0Object      = 0x03
	amf0Null        = 0x05
	amf0Undefined   = 0x06
	amf0ECMAArray   = 0x08
	amf0ObjectEnd   = 0x09
	amf0StrictArray = 0x0a
	amf0Date        = 0x0b
	amf0LongString  = 0x0c
)

// Decoder limits: untrusted input cannot make DecodeAMF0 recurse or
// allocate without bound.
const (
	// MaxAMF0Depth is how deeply objects and arrays may nest.
	MaxAMF0Depth = 16
	// MaxAMF0Elements is the most properties or elements one object or
	// array may hold.
	MaxAMF0Elements = 1024
)

// Property is one named value of an AMF0 object or ECMA array.
type Property struct {
	Name  string
	Value any
}

// Object is an AMF0 anonymous object: properties in their wire order.
type Object []Property

// Get returns the value of the first property called name.
func (o Object) Get(name string) (any, bool) { return getProperty(o, name) }

// ECMAArray is an AMF0 ECMA (associative) array, the form onMetaData
// takes: properties in their wire order.
type ECMAArray []Property

// Get returns the value of the first property called name.
func (a ECMAArray) Get(name string) (any, bool) { return getProperty(a, name) }

func getProperty(props []Property, name string) (any, bool) {
	for _, p := range props {
		if p.Name == name {
			return p.Value, true
		}
	}
	return nil, false
}

// Undefined is the AMF0 undefined value. (AMF0 null decodes to nil.)
type Undefined struct{}

// Date is an AMF0 date: milliseconds since the Unix epoch, UTC, and a
// time zone field the format reserves (it should be 0).
type Date struct {
	Millis   float64
	TimeZone int16
}

// Time returns the date as a time.Time in UTC.
func (d Date) Time() time.Time { return time.UnixMilli(int64(d.Millis)).UTC() }

// AppendAMF0 appends the AMF0 encoding of v to dst. v may be float64 or
// int (number), bool, string (a long string when over 65535 bytes), nil
// (null), Undefined, Date, Object, ECMAArray, or []any (strict array),
// nested at most MaxAMF0Depth deep.
func AppendAMF0(dst []byte, v any) ([]byte, error) {
	return appendAMF0(dst, v, 0)
}

func appendAMF0(dst []byte, v any, depth int) ([]byte, error) {
	switch v := v.(type) {
	case float64:
		return appendNumber(dst, v), nil
	case int:
		return appendNumber(dst, float64(v)), nil
	case bool:
		b := byte(0)
		if v {
			b = 1
		}
		return append(dst, amf0Boolean, b), nil
	case string:
		if len(v) > math.MaxUint16 {
			dst = append(dst, amf0LongString)
			dst = binary.BigEndian.AppendUint32(dst, uint32(len(v)))
			return append(dst, v...), nil
		}
		dst = append(dst, amf0String)
		return appendShortString(dst, v)
	case nil:
		return append(dst, amf0Null), nil
	case Undefined:
		return append(dst, amf0Undefined), nil
	case Date:
		dst = append(dst, amf0Date)
		dst = binary.BigEndian.AppendUint64(dst, math.Float64bits(v.Millis))
		return binary.BigEndian.AppendUint16(dst, uint16(v.TimeZone)), nil
	case Object:
		if depth >= MaxAMF0Depth {
			return dst, errAMF0TooDeep
		}
		return appendProperties(append(dst, amf0Object), v, depth+1)
	case ECMAArray:
		if depth >= MaxAMF0Depth {
			return dst, errAMF0TooDeep
		}
		dst = append(dst, amf0ECMAArray)
		dst = binary.BigEndian.AppendUint32(dst, uint32(len(v)))
		return appendProperties(dst, v, depth+1)
	case []any:
		if depth >= MaxAMF0Depth {
			return dst, errAMF0TooDeep
		}
		dst = append(dst, amf0StrictArray)
		dst = binary.BigEndian.AppendUint32(dst, uint32(len(v)))
		var err error
		for _, e := range v {
			if dst, err = appendAMF0(dst, e, depth+1); err != nil {
				return dst, err
			}
		}
		return dst, nil
	}
	return dst, fmt.Errorf("flv: amf0: cannot encode %T", v)
}

func appendNumber(dst []byte, f float64) []byte {
	return binary.BigEndian.AppendUint64(append(dst, amf0Number), math.Float64bits(f))
}

// appendShortString appends a 16-bit length and s (no type marker).
func appendShortString(dst []byte, s string) ([]byte, error) {
	if len(s) > math.MaxUint16 {
		return dst, fmt.Errorf("flv: amf0: name of %d bytes does not fit a 16-bit length", len(s))
	}
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(s)))
	return append(dst, s...), nil
}

// appendProperties appends name-value pairs and the object end marker.
func appendProperties(dst []byte, props []Property, depth int) ([]byte, error) {
	var err error
	for _, p := range props {
		if dst, err = appendShortString(dst, p.Name); err != nil {
			return dst, err
		}
		if dst, err = appendAMF0(dst, p.Value, depth); err != nil {
			return dst, err
		}
	}
	return append(dst, 0, 0, amf0ObjectEnd), nil
}

var errAMF0TooDeep = fmt.Errorf("flv: amf0: nested deeper than %d", MaxAMF0Depth)

// DecodeAMF0 decodes the sequence of AMF0 values that fills b, such as a
// script tag's body (for onMetaData: the string "onMetaData", then an
// ECMAArray). Values decode to float64, bool, string, Object, nil (null),
// Undefined, ECMAArray, []any (strict array) and Date. Other markers
// (references, AMF3 and the like) are errors, as is any truncated value,
// nesting deeper than MaxAMF0Depth, or a container of more than
// MaxAMF0Elements elements; on error no values are returned. Strings are
// copied: the result does not alias b.
func DecodeAMF0(b []byte) ([]any, error) {
	d := amf0Decoder{b: b}
	var vals []any
	for d.off < len(d.b) {
		v, err := d.value(0)
		if err != nil {
			return nil, err
		}
		vals = append(vals, v)
	}
	return vals, nil
}

// amf0Decoder reads AMF0 values from b, starting at off.
type amf0Decoder struct {
	b   []byte
	off int
}

// take returns the next n bytes, or an error if fewer are left.
func (d *amf0Decoder) take(n int) ([]byte, error) {
	if n < 0 || n > len(d.b)-d.off {
		return nil, fmt.Errorf("flv: amf0: truncated: need %d bytes at offset %d, have %d", n, d.off, len(d.b)-d.off)
	}
	p := d.b[d.off : d.off+n]
	d.off += n
	return p, nil
}

func (d *amf0Decoder) u16() (int, error) {
	p, err := d.take(2)
	if err != nil {
		return 0, err
	}
	return int(binary.BigEndian.Uint16(p)), nil
}

func (d *amf0Decoder) u32() (uint32, error) {
	p, err := d.take(4)
	if err != nil {
		return 0, err
	}
	return binary.BigEndian.Uint32(p), nil
}

// str reads n bytes as a string; n is bounded by the input left.
func (d *amf0Decoder) str(n int) (string, error) {
	p, err := d.take(n)
	return string(p), err
}

// value decodes one value; depth counts the containers around it.
func (d *amf0Decoder) value(depth int) (any, error) {
	at := d.off
	m, err := d.take(1)
	if err != nil {
		return nil, err
	}
	switch m[0] {
	case amf0Number:
		p, err := d.take(8)
		if err != nil {
			return nil, err
		}
		return math.Float64frombits(binary.BigEndian.Uint64(p)), nil
	case amf0Boolean:
		p, err := d.take(1)
		if err != nil {
			return nil, err
		}
		return p[0] != 0, nil
	case amf0String:
		n, err := d.u16()
		if err != nil {
			return nil, err
		}
		return d.str(n)
	case amf0LongString:
		n, err := d.u32()
		if err != nil {
			return nil, err
		}
		if uint64(n) > uint64(len(d.b)-d.off) {
			return nil, fmt.Errorf("flv: amf0: long string of %d bytes at offset %d, %d left", n, at, len(d.b)-d.off)
		}
		return d.str(int(n))
	case amf0Null:
		return nil, nil
	case amf0Undefined:
		return Undefined{}, nil
	case amf0Date:
		p, err := d.take(10)
		if err != nil {
			return nil, err
		}
		return Date{
			Millis:   math.Float64frombits(binary.BigEndian.Uint64(p)),
			TimeZone: int16(binary.BigEndian.Uint16(p[8:])),
		}, nil
	case amf0Object:
		if depth >= MaxAMF0Depth {
			return nil, errAMF0TooDeep
		}
		props, err := d.properties(at, depth+1, -1)
		return Object(props), err
	case amf0ECMAArray:
		if depth >= MaxAMF0Depth {
			return nil, errAMF0TooDeep
		}
		count, err := d.u32()
		if err != nil {
			return nil, err
		}
		props, err := d.properties(at, depth+1, int64(count))
		return ECMAArray(props), err
	case amf0StrictArray:
		if depth >= MaxAMF0Depth {
			return nil, errAMF0TooDeep
		}
		return d.strictArray(depth + 1)
	case amf0ObjectEnd:
		return nil, fmt.Errorf("flv: amf0: object end marker outside an object at offset %d", at)
	}
	return nil, fmt.Errorf("flv: amf0: unsupported type marker 0x%02x at offset %d", m[0], at)
}

// properties decodes name-value pairs up to the object end marker (an
// empty name followed by 0x09). For an ECMA array, count is its declared
// length: some encoders omit the end marker, so an array whose input ends
// right after count properties is accepted too. For an object count is -1.
// at is the container's offset, for errors.
func (d *amf0Decoder) properties(at, depth int, count int64) ([]Property, error) {
	props := []Property{}
	for {
		if d.off == len(d.b) && int64(len(props)) == count {
			return props, nil
		}
		n, err := d.u16()
		if err != nil {
			return props, err
		}
		if n == 0 && d.off < len(d.b) && d.b[d.off] == amf0ObjectEnd {
			d.off++
			return props, nil
		}
		if len(props) == MaxAMF0Elements {
			return props, fmt.Errorf("flv: amf0: object or array at offset %d has more than %d properties", at, MaxAMF0Elements)
		}
		name, err := d.str(n)
		if err != nil {
			return props, err
		}
		v, err := d.value(depth)
		if err != nil {
			return props, err
		}
		props = append(props, Property{Name: name, Value: v})
	}
}

// strictArray decodes a 32-bit count and that many values.
func (d *amf0Decoder) strictArray(depth int) ([]any, error) {
	at := d.off
	count, err := d.u32()
	if err != nil {
		return nil, err
	}
	if count > MaxAMF0Elements {
		return nil, fmt.Errorf("flv: amf0: strict array at offset %d has %d elements, limit %d", at, count, MaxAMF0Elements)
	}
	// Every value takes at least one byte.
	if int(count) > len(d.b)-d.off {
		return nil, fmt.Errorf("flv: amf0: strict array at offset %d has %d elements, only %d bytes left", at, count, len(d.b)-d.off)
	}
	vals := make([]any, 0, count)
	for range count {
		v, err := d.value(depth)
		if err != nil {
			return vals, err
		}
		vals = append(vals, v)
	}
	return vals, nil
}

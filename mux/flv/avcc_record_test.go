package flv

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

func TestAVCConfigRoundTrip(t *testing.T) {
	rec, err := appendAVCConfig(nil, testSPS, testPPS)
	if err != nil {
		t.Fatal(err)
	}
	want := append([]byte{1, 0x42, 0xc0, 0x1e, 0xff, 0xe1, 0, byte(len(testSPS))}, testSPS...)
	want = append(append(want, 1, 0, byte(len(testPPS))), testPPS...)
	if !bytes.Equal(rec, want) {
		t.Fatalf("record:\n got % x\nwant % x", rec, want)
	}
	cfg, err := ParseAVCConfig(rec)
	if err != nil {
		t.Fatal(err)
	}
	wantCfg := AVCConfig{Profile: 0x42, Compat: 0xc0, Level: 0x1e, LengthSize: 4, SPS: [][]byte{testSPS}, PPS: [][]byte{testPPS}}
	if !reflect.DeepEqual(cfg, wantCfg) {
		t.Errorf("parsed %+v, want %+v", cfg, wantCfg)
	}
}

func TestParseAVCConfig(t *testing.T) {
	sps := []byte{0x67, 0x64, 0x00, 0x1f}
	pps := []byte{0x68, 0xee}
	rec := func(head []byte, tail ...byte) []byte { return append(append([]byte{}, head...), tail...) }
	good := rec([]byte{1, 0x64, 0, 0x1f, 0xff, 0xe1, 0, 4}, append(append(sps, 1, 0, 2), pps...)...)
	tests := []struct {
		name    string
		in      []byte
		want    *AVCConfig // nil when an error is expected
		wantErr string
	}{
		{"good", good, &AVCConfig{Profile: 0x64, Level: 0x1f, LengthSize: 4, SPS: [][]byte{sps}, PPS: [][]byte{pps}}, ""},
		{"high profile extension ignored", rec(good, 0xfd, 0xf8, 0xf8, 0), &AVCConfig{Profile: 0x64, Level: 0x1f, LengthSize: 4, SPS: [][]byte{sps}, PPS: [][]byte{pps}}, ""},
		{"2-byte lengths, two SPS, no PPS",
			rec([]byte{1, 0x64, 0, 0x1f, 0xfd, 0xe2, 0, 4}, append(append(append(sps, 0, 4), sps...), 0)...),
			&AVCConfig{Profile: 0x64, Level: 0x1f, LengthSize: 2, SPS: [][]byte{sps, sps}, PPS: [][]byte{}}, ""},
		{"empty", nil, nil, "truncated"},
		{"short", good[:5], nil, "truncated"},
		{"version 0", rec([]byte{0}, good[1:]...), nil, "version 0"},
		{"length size 3", rec(good[:4], append([]byte{0xfe}, good[5:]...)...), nil, "length size 3"},
		{"no SPS", rec(good[:5], 0xe0, 1, 0, 2, 0x68, 0xee), nil, "no SPS"},
		{"SPS overruns", rec(good[:6], 0, 40, 0x67, 0x64), nil, "declares 40 bytes"},
		{"SPS length cut", rec(good[:6], 0), nil, "truncated"},
		{"SPS too short", rec(good[:6], 0, 3, 0x67, 0x64, 0, 1, 0, 2, 0x68, 0xee), nil, "SPS 0 of 3 bytes"},
		{"SPS NAL type", rec(good[:6], 0, 4, 0x68, 0x64, 0, 0x1f, 1, 0, 2, 0x68, 0xee), nil, "NAL type 8, want 7"},
		{"no PPS count", good[:12], nil, "truncated"},
		{"PPS overruns", good[:len(good)-1], nil, "PPS 0 declares 2 bytes, 1 left"},
		{"empty PPS", rec(good[:12], 1, 0, 0), nil, "empty PPS 0"},
		{"PPS NAL type", rec(good[:12], 1, 0, 1, 0x67), nil, "NAL type 7, want 8"},
		{"PPS count overruns", rec(good[:12], 5, 0, 2, 0x68, 0xee), nil, "truncated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseAVCConfig(tt.in)
			if tt.want == nil {
				if err == nil || !strings.HasPrefix(err.Error(), "flv: avc config: ") || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseAVCConfig: %v, want an error with %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, *tt.want) {
				t.Errorf("got %+v, want %+v", got, *tt.want)
			}
		})
	}
}

func TestAppendAVCConfigRejects(t *testing.T) {
	tests := []struct {
		name     string
		sps, pps []byte
		want     string
	}{
		{"short SPS", []byte{0x67, 0x42, 0}, testPPS, "SPS of 3 bytes"},
		{"huge SPS", append([]byte{0x67}, make([]byte, 1<<16)...), testPPS, "16-bit length"},
		{"empty PPS", testSPS, nil, "empty PPS"},
		{"huge PPS", testSPS, append([]byte{0x68}, make([]byte, 1<<16)...), "16-bit length"},
		{"SPS type", testPPS, testPPS, "SPS has NAL type 8"},
		{"PPS type", testSPS, testSPS, "PPS has NAL type 7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := appendAVCConfig([]byte{9}, tt.sps, tt.pps)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("appendAVCConfig: %v, want an error with %q", err, tt.want)
			}
			if !bytes.Equal(got, []byte{9}) {
				t.Errorf("appended % x on error", got[1:])
			}
		})
	}
}

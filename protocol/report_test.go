package protocol

import (
	"errors"
	"strings"
	"testing"
)

var reportTests = []struct {
	name, body string
	wantErr    string // "" for a good report
}{
	{"minimal", `{"board":"sim","agent":"p2pcamd/dev","talkback":{"state":"off"}}`, ""},
	{"full", `{"device":"acme/cam1","board":"sim","agent":"p2pcamd/1","time":"2026-01-02T03:04:05Z","started":"2026-01-02T03:00:00Z",
		"viewers":[{"who":"alice","addr":"p2p:12345678","transport":"p2p","path":"host","request":"ipc.flv?action=live","kind":"live","quality":"high","bitrate_bps":800000,"bytes":12345,"since":"2026-01-02T03:01:00Z"}],
		"max_viewers":4,"p2p_sessions":1,
		"streams":[{"quality":"high","state":"running","width":640,"height":360,"fps":25,"bitrate_bps":800000,"subscribers":1,"frames":10,"dropped_frames":0}],
		"talkback":{"state":"talking","who":"bob"},"broker":{"enabled":true,"url":"mqtt://h:1883","connected":true,"reconnects":2}}`, ""},
	{"not JSON", `<html>`, "invalid character"},
	{"empty", ``, "EOF"},
	{"no board", `{"agent":"x","talkback":{"state":"off"}}`, "no board"},
	{"bad transport", `{"board":"b","agent":"a","talkback":{"state":"off"},"viewers":[{"transport":"carrier pigeon"}]}`, "viewer transport"},
	{"negative bytes", `{"board":"b","agent":"a","talkback":{"state":"off"},"viewers":[{"transport":"lan","bytes":-1}]}`, "negative viewer"},
	{"bad stream state", `{"board":"b","agent":"a","talkback":{"state":"off"},"streams":[{"state":"melting"}]}`, "stream state"},
	{"negative fps", `{"board":"b","agent":"a","talkback":{"state":"off"},"streams":[{"state":"idle","fps":-1}]}`, "negative stream"},
	{"bad talkback", `{"board":"b","agent":"a","talkback":{"state":"singing"}}`, "talkback state"},
	{"negative reconnects", `{"board":"b","agent":"a","talkback":{"state":"idle"},"broker":{"reconnects":-3}}`, "negative broker"},
	{"too big", `{"board":"` + strings.Repeat("x", MaxReportSize) + `"}`, "more than"},
}

func TestDecodeReport(t *testing.T) {
	for _, tt := range reportTests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := DecodeReport([]byte(tt.body))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, ErrBadReport) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want ErrBadReport with %q (report %+v)", err, tt.wantErr, r)
			}
		})
	}
}

func FuzzDecodeReport(f *testing.F) {
	for _, tt := range reportTests {
		if len(tt.body) < 4096 {
			f.Add([]byte(tt.body))
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := DecodeReport(b)
		if err != nil {
			if !errors.Is(err, ErrBadReport) {
				t.Fatalf("error %v is not ErrBadReport", err)
			}
			return
		}
		if err := r.check(); err != nil {
			t.Fatalf("accepted a report that fails its check: %v", err)
		}
	})
}

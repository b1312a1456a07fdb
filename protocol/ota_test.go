package protocol

import (
	"errors"
	"testing"

	"github.com/p2pcam/p2pcam/auth"
)

var otaStatusCases = []struct {
	in string
	ok bool
}{
	{`{"state":"downloading","running":"1.0.0","version":"1.1.0","bytes":10,"total":100,"percent":10}`, true},
	{`{"state":"failed","running":"1.0.0","error":"ota: no valid signature by a trusted release key"}`, true},
	{`{"state":"idle","running":"dev","bytes":0,"total":0,"percent":0}`, true},
	{`{"state":"trial","running":"1.1.0","version":"1.1.0","bytes":0,"total":0,"percent":0}`, true},
	{`{"state":"confirmed","running":"1.1.0","version":"1.1.0","bytes":0,"total":0,"percent":0}`, true},
	{`{"state":"rolled_back","running":"1.0.0","version":"1.1.0","error":"not confirmed after 3 starts"}`, true},
	{`{"state":"exploded","running":"1.0.0"}`, false},
	{`{"state":"idle","percent":101}`, false},
	{`{"state":"idle","bytes":-1}`, false},
	{`{"state":"idle"} {}`, false},
	{`[]`, false},
	{``, false},
}

func TestDecodeOTAStatus(t *testing.T) {
	for _, tc := range otaStatusCases {
		_, err := DecodeOTAStatus([]byte(tc.in))
		if tc.ok != (err == nil) || (err != nil && !errors.Is(err, ErrBadOTAStatus)) {
			t.Errorf("%s: err %v, want ok %v", tc.in, err, tc.ok)
		}
	}
}

// installed is not final: the camera restarts into the update's trial.
func TestOTAStatusDone(t *testing.T) {
	cases := []struct {
		state        string
		done, failed bool
	}{
		{OTAIdle, true, false},
		{OTADownloading, false, false},
		{OTAVerifying, false, false},
		{OTADownloaded, true, false},
		{OTAInstalling, false, false},
		{OTAInstalled, false, false},
		{OTATrial, false, false},
		{OTAConfirmed, true, false},
		{OTARolledBack, true, true},
		{OTAFailed, true, true},
	}
	for _, tc := range cases {
		s := OTAStatus{State: tc.state}
		if s.Done() != tc.done || s.Failed() != tc.failed {
			t.Errorf("%s: Done %v Failed %v, want %v %v", tc.state, s.Done(), s.Failed(), tc.done, tc.failed)
		}
	}
}

func TestOTAPermission(t *testing.T) {
	for _, cmd := range []string{CmdOTAUpdate, CmdOTAStatus} {
		req, err := Parse("command?action=inner_define&channel=0&cmd=" + cmd)
		if err != nil {
			t.Fatal(err)
		}
		if got := req.Permission(); got != auth.PermUpdate {
			t.Errorf("%s needs %v, want update", cmd, got)
		}
	}
}

func FuzzDecodeOTAStatus(f *testing.F) {
	for _, tc := range otaStatusCases {
		f.Add([]byte(tc.in))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := DecodeOTAStatus(b)
		if err != nil {
			if !errors.Is(err, ErrBadOTAStatus) {
				t.Fatalf("error %v does not wrap ErrBadOTAStatus", err)
			}
			return
		}
		if s.Percent < 0 || s.Percent > 100 || s.Bytes < 0 {
			t.Fatalf("out of range: %+v", s)
		}
	})
}

package mqttclient

import "testing"

func TestTransientRefusals(t *testing.T) {
	for _, tc := range []struct {
		reason byte
		want   bool
	}{
		{0x86, false}, // bad user name or password
		{0x87, false}, // not authorized
		{0x85, false}, // client identifier not valid
		{0x88, true},  // server unavailable
		{0x89, true},  // server busy
		{0x97, true},  // quota exceeded
		{0x9F, true},  // connection rate exceeded
	} {
		if got := transient(tc.reason); got != tc.want {
			t.Errorf("transient(%#x) = %v, want %v", tc.reason, got, tc.want)
		}
	}
}

package viewer

import (
	"fmt"
	"testing"
)

// nvrCases are answers to get_nvr_list, good and bad: they drive the
// parse test and seed the fuzz test.
var nvrCases = []struct {
	name, body string
	want       string // fmt of the channels; "" when parsing fails
}{
	{"three", `[{"DeviceName":"sim","Channel":"0","Online":"1"},{"DeviceName":"porch","Channel":"1","Online":"1"},{"DeviceName":"garage","Channel":"2","Online":"0"}]`,
		"[{sim 0 true} {porch 1 true} {garage 2 false}]"},
	{"empty", `[]`, "[]"},
	{"object", `{"DeviceName":"x"}`, ""},
	{"channel not a number", `[{"DeviceName":"x","Channel":"one","Online":"1"}]`, ""},
	{"channel too big", `[{"DeviceName":"x","Channel":"256","Online":"1"}]`, ""},
	{"negative channel", `[{"DeviceName":"x","Channel":"-1","Online":"1"}]`, ""},
	{"online not 0 or 1", `[{"DeviceName":"x","Channel":"1","Online":"yes"}]`, ""},
	{"not json", `status 404`, ""},
}

func TestParseNVRList(t *testing.T) {
	for _, c := range nvrCases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseNVRList([]byte(c.body))
			if c.want == "" {
				if err == nil {
					t.Fatalf("ParseNVRList = %v, want an error", got)
				}
				return
			}
			if err != nil || fmt.Sprint(got) != c.want {
				t.Fatalf("ParseNVRList = %v, %v; want %s", got, err, c.want)
			}
		})
	}
}

// FuzzParseNVRList: an error or channels in range, never a panic.
func FuzzParseNVRList(f *testing.F) {
	for _, c := range nvrCases {
		f.Add(c.body)
	}
	f.Fuzz(func(t *testing.T, body string) {
		list, err := ParseNVRList([]byte(body))
		if err != nil {
			return
		}
		for _, ch := range list {
			if ch.Channel < 0 || ch.Channel > 255 {
				t.Fatalf("channel %+v from %q", ch, body)
			}
		}
	})
}

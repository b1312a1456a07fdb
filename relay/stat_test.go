package relay

import (
	"errors"
	"testing"
)

// statPage is nginx-rtmp 1.2.2's rtmp_stat output (trimmed) for one
// publisher and two players of acme~cam1~high, one player elsewhere.
const statPage = `<?xml version="1.0" encoding="utf-8" ?>
<rtmp><nginx_version>1.22.1</nginx_version><nginx_rtmp_version>1.1.4</nginx_rtmp_version>
<server><application><name>live</name><live>
<stream><name>acme~cam1~high</name><time>5000</time><bw_in>0</bw_in>
<client><id>3</id><address>127.0.0.1</address><time>5000</time><flashver>FMLE/3.0</flashver><dropped>0</dropped><avsync>0</avsync><timestamp>4960</timestamp><publishing/><active/></client>
<client><id>4</id><address>127.0.0.1</address><time>3000</time><dropped>0</dropped><avsync>0</avsync><timestamp>4960</timestamp><active/></client>
<client><id>5</id><address>127.0.0.1</address><time>1000</time><dropped>0</dropped><avsync>0</avsync><timestamp>4960</timestamp></client>
<meta><video><width>640</width></video></meta><nclients>3</nclients><publishing/><active/></stream>
<stream><name>acme~cam2~high</name><client><id>7</id><active/></client><nclients>1</nclients></stream>
</live></application>
<application><name>other</name><live><stream><name>acme~cam1~high</name><client><id>9</id></client></stream></live></application>
</server></rtmp>`

var statCases = []struct {
	name, page, app, stream string
	want                    int
	err                     error
}{
	{"two players", statPage, "live", "acme~cam1~high", 2, nil},
	{"other stream", statPage, "live", "acme~cam2~high", 1, nil},
	{"not listed", statPage, "live", "acme~cam3~high", 0, nil},
	{"other app", statPage, "other", "acme~cam1~high", 1, nil},
	{"empty server", `<rtmp><server></server></rtmp>`, "live", "x", 0, nil},
	{"not xml", `<html><body>502`, "live", "x", 0, ErrBadStat},
	{"empty", ``, "live", "x", 0, ErrBadStat},
}

func TestParseStat(t *testing.T) {
	for _, tc := range statCases {
		t.Run(tc.name, func(t *testing.T) {
			n, err := ParseStat([]byte(tc.page), tc.app, tc.stream)
			if !errors.Is(err, tc.err) || (err == nil && tc.err != nil) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			if n != tc.want {
				t.Fatalf("players = %d, want %d", n, tc.want)
			}
		})
	}
}

func FuzzParseStat(f *testing.F) {
	for _, tc := range statCases {
		f.Add([]byte(tc.page))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		n, err := ParseStat(b, "live", "acme~cam1~high")
		if n < 0 || (err != nil && n != 0) {
			t.Fatalf("ParseStat = %d, %v", n, err)
		}
	})
}

package fetch

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkRate downloads 1 MiB at a cap of 512 KiB/s and reports the
// throughput reached (MB/s from b.SetBytes, and capped_KiB/s): it should
// sit at the cap (the bucket starts full, so slightly above it).
func BenchmarkRate(b *testing.B) {
	const size, capRate = 1 << 20, 512 << 10
	f := &file{}
	f.set(testData(size))
	ts := httptest.NewServer(&server{f: f, ranges: true})
	defer ts.Close()
	b.SetBytes(size)
	b.ReportAllocs()
	var elapsed time.Duration
	for i := 0; b.Loop(); i++ {
		cfg := testConfig()
		cfg.MaxRate = capRate
		start := time.Now()
		if _, err := Get(context.Background(), ts.URL, filepath.Join(b.TempDir(), "b"), cfg); err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(start)
	}
	b.ReportMetric(float64(size)*float64(b.N)/elapsed.Seconds()/1024, "KiB/s")
}

// BenchmarkResume downloads 8 MiB uncapped, whole and cut four times,
// so that the difference in ns/op is what resuming costs.
func BenchmarkResume(b *testing.B) {
	const size = 8 << 20
	for _, bc := range []struct {
		name string
		cuts []int
	}{
		{"whole", nil},
		{"cut4", []int{1 << 20, 1 << 20, 1 << 20, 1 << 20}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			f := &file{}
			f.set(testData(size))
			b.SetBytes(size)
			b.ReportAllocs()
			for b.Loop() {
				s := &server{f: f, ranges: true, cuts: bc.cuts}
				ts := httptest.NewServer(s)
				cfg := testConfig()
				if _, err := Get(context.Background(), ts.URL, filepath.Join(b.TempDir(), "b"), cfg); err != nil {
					b.Fatal(err)
				}
				ts.Close()
			}
		})
	}
}

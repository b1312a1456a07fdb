package main

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// procStatusKB reads a field such as VmHWM (peak RSS) from /proc.
func procStatusKB(pid int, field string) (int, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			return strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
		}
	}
	return 0, fmt.Errorf("%s not in /proc/%d/status", field, pid)
}

// procCPU returns a process's user+system CPU time from /proc/PID/stat.
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// Fields after the parenthesised command name; utime and stime are
	// fields 14 and 15 of the whole line, in clock ticks (100 Hz).
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("short /proc/%d/stat", pid)
	}
	ut, err1 := strconv.Atoi(f[11])
	st, err2 := strconv.Atoi(f[12])
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("bad /proc/%d/stat", pid)
	}
	return time.Duration(ut+st) * 10 * time.Millisecond, nil
}

// BenchmarkRSSFourViewers runs p2pcamd --board sim with four LAN viewers
// (one per quality, and a second on super) for 10 s and reports its peak
// and final resident set size, and the CPU it used per viewer (capture
// and muxing included) as a percentage of one core.
func BenchmarkRSSFourViewers(b *testing.B) {
	for b.Loop() {
		d := startDaemon(b, "")
		cpu0, err := procCPU(d.cmd.Process.Pid)
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		var wg sync.WaitGroup
		for _, q := range []string{"standard", "high", "super", "super"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, _, _ = d.fetch(liveURL(d, q), 10*time.Second)
			}()
		}
		wg.Wait()
		pid := d.cmd.Process.Pid
		cpu, err := procCPU(pid)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(100*(cpu-cpu0).Seconds()/time.Since(start).Seconds()/4, "cpu%/viewer")
		hwm, err1 := procStatusKB(pid, "VmHWM")
		rss, err2 := procStatusKB(pid, "VmRSS")
		if err1 != nil || err2 != nil {
			b.Fatal(err1, err2)
		}
		b.ReportMetric(float64(hwm)/1024, "peak-RSS-MB")
		b.ReportMetric(float64(rss)/1024, "RSS-MB")
	}
}

// BenchmarkTimeToFirstVideoTag measures a new viewer's wait, from sending
// the request to reading the first FLV video tag, on loopback, with the
// stream already running (warm) and with it stopped (cold: the request
// starts the source).
func BenchmarkTimeToFirstVideoTag(b *testing.B) {
	for _, mode := range []struct {
		name, config string
	}{
		{"warm", "max_viewers = 32\n"},
		{"cold", "max_viewers = 32\n[stream]\nidle_timeout = \"1ms\"\n"},
	} {
		b.Run(mode.name, func(b *testing.B) {
			d := startDaemon(b, mode.config)
			if mode.name == "warm" {
				keep, err := http.Get(liveURL(d, "high"))
				if err != nil {
					b.Fatal(err)
				}
				defer keep.Body.Close()
				go io.Copy(io.Discard, keep.Body)
			}
			var worst time.Duration
			for b.Loop() {
				if mode.name == "cold" {
					b.StopTimer()
					time.Sleep(20 * time.Millisecond) // let the idle timeout stop the source
					b.StartTimer()
				}
				start := time.Now()
				resp, err := http.Get(liveURL(d, "high"))
				if err != nil {
					b.Fatal(err)
				}
				readToFirstVideoFrame(b, resp.Body)
				worst = max(worst, time.Since(start))
				resp.Body.Close()
			}
			b.ReportMetric(float64(worst.Microseconds())/1000, "worst-ms")
		})
	}
}

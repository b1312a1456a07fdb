package scale

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// clockTick is the kernel's USER_HZ, the unit of /proc/PID/stat times;
// 100 on every Linux architecture Go supports.
const clockTick = 10 * time.Millisecond

// procSample is a process's CPU time and resident memory at one moment.
type procSample struct {
	at    time.Time
	cpu   time.Duration // user + system
	rssKB int64
}

// sampleProc reads pid's CPU time from /proc/PID/stat and its resident
// set from /proc/PID/status.
func sampleProc(pid int) (procSample, error) {
	s := procSample{at: time.Now()}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return s, err
	}
	// The command name may hold spaces: fields start after its ')'.
	rest := string(stat[strings.LastIndexByte(string(stat), ')')+2:])
	f := strings.Fields(rest)
	if len(f) < 13 {
		return s, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f))
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64) // field 14
	stime, err2 := strconv.ParseInt(f[12], 10, 64) // field 15
	if err1 != nil || err2 != nil {
		return s, fmt.Errorf("/proc/%d/stat: bad times %q %q", pid, f[11], f[12])
	}
	s.cpu = time.Duration(utime+stime) * clockTick
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return s, err
	}
	for line := range strings.SplitSeq(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			s.rssKB, err = strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return s, err
		}
	}
	return s, fmt.Errorf("/proc/%d/status: no VmRSS", pid)
}

// cpuShare is the share of one core pid used between a and b.
func cpuShare(a, b procSample) float64 {
	return float64(b.cpu-a.cpu) / float64(b.at.Sub(a.at))
}

package usercmd

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// script writes an executable shell script and returns its path. The
// scripts are test programs; Run itself never uses a shell.
func script(t testing.TB, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cmd.sh")
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

var runTests = []struct {
	name    string
	body    string // script; "" for a missing program
	prog    Program
	input   string
	want    string // stdout, when err is nil
	err     error
	code    int    // ExitError.Code when err is *ExitError
	stderr  string // in ExitError.Stderr
	maxTime time.Duration
}{
	{name: "echo stdin", body: "cat", input: `{"cmd":"x"}`, want: `{"cmd":"x"}`},
	{name: "args", body: `printf '%s,' "$@"`, prog: Program{Args: []string{"a b", "$HOME", ";ls"}}, want: "a b,$HOME,;ls,"},
	{name: "env is only what is given", body: `printf '%s' "$P2PCAM_COMMAND:$HOME"`, prog: Program{Env: []string{"P2PCAM_COMMAND=light", "PATH=/usr/bin:/bin"}}, want: "light:"},
	{name: "exit status", body: "echo broken >&2; exit 3", err: (*ExitError)(nil), code: 3, stderr: "broken"},
	{name: "timeout", body: "sleep 30", prog: Program{Timeout: 200 * time.Millisecond}, err: ErrTimeout, maxTime: 10 * time.Second},
	{name: "timeout kills children", body: "sleep 30 & sleep 30; wait", prog: Program{Timeout: 200 * time.Millisecond}, err: ErrTimeout, maxTime: 10 * time.Second},
	{name: "flood", body: "while :; do echo xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx; done", prog: Program{MaxOutput: 1000}, err: ErrOutputTooLarge, maxTime: 10 * time.Second},
	{name: "just at the limit", body: "printf 12345", prog: Program{MaxOutput: 5}, want: "12345"},
	{name: "missing", err: ErrNotFound},
}

func TestRun(t *testing.T) {
	r, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range runTests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.prog
			p.Path = filepath.Join(t.TempDir(), "missing")
			if tt.body != "" {
				p.Path = script(t, tt.body)
			}
			if err := p.Validate(); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			out, err := r.Run(context.Background(), p, []byte(tt.input))
			if tt.maxTime > 0 && time.Since(start) > tt.maxTime {
				t.Errorf("Run took %v, want under %v", time.Since(start), tt.maxTime)
			}
			var ee *ExitError
			switch {
			case tt.err == nil:
				if err != nil || string(out) != tt.want {
					t.Fatalf("Run = %q, %v; want %q", out, err, tt.want)
				}
			case errors.As(tt.err, &ee):
				if !errors.As(err, &ee) || ee.Code != tt.code || !strings.Contains(ee.Stderr, tt.stderr) {
					t.Fatalf("Run = %q, %v; want exit status %d with %q", out, err, tt.code, tt.stderr)
				}
			default:
				if !errors.Is(err, tt.err) {
					t.Fatalf("Run = %q, %v; want %v", out, err, tt.err)
				}
			}
		})
	}
}

func TestRunBusy(t *testing.T) {
	r, err := New(Config{MaxRunning: 1})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	marker := filepath.Join(dir, "started")
	// The first program says it started, then sleeps until cancelled.
	slow := Program{Path: script(t, "echo > "+marker+"; sleep 30"), Timeout: 20 * time.Second}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	var slowErr error
	go func() {
		defer wg.Done()
		_, slowErr = r.Run(ctx, slow, nil)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := os.Stat(marker); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the first program did not start within 10s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := r.Run(context.Background(), Program{Path: script(t, "true")}, nil); !errors.Is(err, ErrBusy) {
		t.Errorf("second Run = %v, want ErrBusy", err)
	}
	cancel()
	wg.Wait()
	if !errors.Is(slowErr, context.Canceled) {
		t.Errorf("cancelled Run = %v, want context.Canceled", slowErr)
	}
	if out, err := r.Run(context.Background(), Program{Path: script(t, "echo ok")}, nil); err != nil || string(out) != "ok\n" {
		t.Errorf("Run after the slot freed = %q, %v", out, err)
	}
}

func TestValidate(t *testing.T) {
	for _, p := range []Program{
		{},
		{Path: "x", Timeout: -1},
		{Path: "x", Timeout: MaxTimeout + 1},
		{Path: "x", MaxOutput: -1},
		{Path: "x", MaxOutput: MaxOutputLimit + 1},
	} {
		if p.Validate() == nil {
			t.Errorf("Validate(%+v) = nil", p)
		}
	}
	if _, err := New(Config{MaxRunning: -1}); err == nil {
		t.Error("New with MaxRunning -1 = nil error")
	}
}

// The cost of one command: start a program, feed it, read its reply.
func BenchmarkRun(b *testing.B) {
	r, err := New(Config{})
	if err != nil {
		b.Fatal(err)
	}
	p := Program{Path: "/bin/cat"}
	in := []byte(`{"cmd":"echo","channel":0,"params":{"level":"3"}}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Run(context.Background(), p, in); err != nil {
			b.Fatal(err)
		}
	}
}

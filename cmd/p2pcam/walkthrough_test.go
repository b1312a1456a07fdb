package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/cloud/tokenapi"
)

// buildTools builds p2pcam and p2pcamd into a temporary directory.
func buildTools(t *testing.T) (p2pcam, p2pcamd string) {
	t.Helper()
	dir := t.TempDir()
	p2pcam, p2pcamd = filepath.Join(dir, "p2pcam"), filepath.Join(dir, "p2pcamd")
	for bin, pkg := range map[string]string{p2pcam: ".", p2pcamd: "../p2pcamd"} {
		if out, err := exec.Command("go", "build", "-o", bin, pkg).CombinedOutput(); err != nil {
			t.Fatalf("build %s: %v\n%s", pkg, err, out)
		}
	}
	return p2pcam, p2pcamd
}

// startProcess runs bin in dir until the test ends and returns the first
// lines of its standard output that match want, one submatch each.
func startProcess(t *testing.T, dir, bin string, want []*regexp.Regexp, args ...string) []string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Stderr = io.Discard
	if testing.Verbose() {
		cmd.Stderr = os.Stderr
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	})
	found := make(chan []string, 1)
	go func() {
		var got []string
		sc := bufio.NewScanner(stdout)
		for len(got) < len(want) && sc.Scan() {
			if m := want[len(got)].FindStringSubmatch(sc.Text()); m != nil {
				got = append(got, m[1])
			}
		}
		found <- got
		io.Copy(io.Discard, stdout)
	}()
	select {
	case got := <-found:
		if len(got) < len(want) {
			t.Fatalf("%s %v ended before printing %v", bin, args, want[len(got)])
		}
		return got
	case <-time.After(20 * time.Second):
		t.Fatalf("%s %v printed no %v within 20 s", bin, args, want)
	}
	return nil
}

// The README's "watch over P2P" walkthrough, command by command (on free
// ports and over loopback): accounts, a share, the cloud, a camera that
// trusts the cloud's issuer, and a viewer that logs in at the cloud.
func TestREADMEWalkthrough(t *testing.T) {
	p2pcam, p2pcamd := buildTools(t)
	dir := t.TempDir()
	// The cloud keeps its state in the user's config directory: here, a
	// temporary one.
	config := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", config)
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(p2pcam, args...)
		cmd.Dir = dir
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("p2pcam %v: %v", args, err)
		}
		return strings.TrimSpace(string(out))
	}
	camPass := run("cloud", "adduser", "acme/cam1", "--role", "device")
	alicePass := run("cloud", "adduser", "alice")
	if err := os.WriteFile(filepath.Join(dir, "cam1.password"), []byte(camPass+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	run("cloud", "share", "acme/cam1", "alice", "--perm", "live,voice,command")
	ends := startProcess(t, dir, p2pcam, []*regexp.Regexp{
		regexp.MustCompile(`^mqtt (\S+)`), regexp.MustCompile(`^web  (http://\S+)/`),
	}, "cloud", "--mqtt", "127.0.0.1:0", "--turn", "127.0.0.1:0", "--http", "127.0.0.1:0")
	broker, web := ends[0], ends[1]

	conf := fmt.Sprintf("device = \"acme/cam1\"\n[auth]\ntrusted_keys = [%q]\ndevice_key = \"cam1.key\"\n[p2p]\nbroker = %q\npassword_file = \"cam1.password\"\nbroker_vouches = true\n",
		run("cloud", "issuer"), broker)
	if err := os.WriteFile(filepath.Join(dir, "cam1.toml"), []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cam := exec.Command(p2pcamd, "--config", "cam1.toml", "--board", "sim", "--lan", "off")
	cam.Dir = dir
	if err := cam.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cam.Process.Signal(os.Interrupt)
		_ = cam.Wait()
	})

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// appConnectNum counts the asking session: the camera serves it.
	cmd := exec.CommandContext(ctx, p2pcam, "cmd", "--cloud", web, "--broker", broker, "--user", "alice", "--device", "acme/cam1", "--loopback",
		"action=inner_define&channel=0&cmd=get_device_st&type=live")
	cmd.Env = append(os.Environ(), "P2PCAM_PASSWORD="+alicePass)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), `[{"status":"0","appConnectNum":"1"}]`) {
		t.Fatalf("p2pcam cmd through the cloud's token service: %v\n%s", err, out)
	}

	// p2pcam status, the camera named as its argument, over P2P: the
	// broker connection, the streams and who watches.
	cmd = exec.CommandContext(ctx, p2pcam, "status", "--cloud", web, "--broker", broker, "--user", "alice", "--loopback", "acme/cam1")
	cmd.Env = append(os.Environ(), "P2PCAM_PASSWORD="+alicePass)
	out, err = cmd.CombinedOutput()
	for _, want := range []string{"acme/cam1: board sim", "broker:   " + broker + " connected since", "talkback: ", "STREAM", "high", "VIEWERS: 0 of at most 4 (P2P sessions: 1)"} {
		if err != nil || !strings.Contains(string(out), want) {
			t.Fatalf("p2pcam status: %v: output lacks %q:\n%s", err, want, out)
		}
	}

	// Nothing secret lands in the working directory: the cloud's state
	// is in the config directory.
	for _, name := range []string{"p2pcam-cloud", "issuer.key", "users.toml"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			t.Errorf("%s was written to the working directory", name)
		}
	}
	if _, err := os.Stat(filepath.Join(config, "p2pcam/cloud/users.toml")); err != nil {
		t.Errorf("the cloud's users file is not in the config directory: %v", err)
	}

	// An account added and shared while the cloud runs can log in at
	// once: the cloud reloads its users file.
	bobPass := run("cloud", "adduser", "bob")
	run("cloud", "share", "acme/cam1", "bob", "--perm", "live")
	deadline := time.Now().Add(3 * cloudReload)
	for {
		// adduser and share write the file twice: a reload may come
		// between them, and bob logs in before his share is in.
		resp, err := tokenapi.Login(ctx, web, "bob", bobPass)
		if err == nil {
			if _, ok := resp.Grant("acme/cam1"); ok {
				break
			}
			err = fmt.Errorf("bob's login lacks acme/cam1: %+v", resp.Devices)
		}
		if time.Now().After(deadline) {
			t.Fatalf("bob cannot log in with his share %v after being added: %v", 3*cloudReload, err)
		}
		time.Sleep(100 * time.Millisecond) // the cloud polls its file; bounded above
	}

	// A device that is not shared with alice is refused by the cloud,
	// with what to do about it.
	cmd = exec.CommandContext(ctx, p2pcam, "cmd", "--cloud", web, "--broker", broker, "--user", "alice", "--device", "acme/cam2", "--loopback",
		"action=inner_define&channel=0&cmd=get_device_st&type=live")
	cmd.Env = append(os.Environ(), "P2PCAM_PASSWORD="+alicePass)
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "p2pcam cloud share acme/cam2 alice") {
		t.Errorf("unshared device: %v\n%s", err, out)
	}
}

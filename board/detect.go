package board

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// The device-tree files Detect reads; /proc/device-tree links to the
// second on current kernels.
var dtDirs = []string{"proc/device-tree", "sys/firmware/devicetree/base"}

// Detect picks the profile for the machine whose root file system is fsys
// (os.DirFS("/") in production) and says why:
//
//  1. a profile whose Model pattern matches the device-tree model
//     ("Raspberry Pi 4 Model B Rev 1.4"; QEMU's virt machine says
//     "linux,dummy-virt");
//  2. else one whose Compatible pattern matches an entry of the
//     device-tree compatible list;
//  3. else "uvc" when /dev/video0 is a UVC camera that offers H.264;
//  4. else "sim".
//
// A missing device tree (x86 PCs) is not an error; an unreadable one is.
func Detect(fsys fs.FS) (p Profile, reason string, err error) {
	model, err := readDT(fsys, "model")
	if err != nil {
		return Profile{}, "", err
	}
	compat, err := readDT(fsys, "compatible")
	if err != nil {
		return Profile{}, "", err
	}
	all := profiles()
	if model != "" {
		for _, p := range all {
			if pat, ok := matchAny(p.Model, model); ok {
				return p, fmt.Sprintf("device-tree model %q matches %q", model, pat), nil
			}
		}
	}
	entries := splitNUL(compat)
	for _, p := range all {
		for _, c := range entries {
			if pat, ok := matchAny(p.Compatible, c); ok {
				return p, fmt.Sprintf("device-tree compatible %q matches %q", c, pat), nil
			}
		}
	}
	var why string
	switch {
	case model != "":
		why = fmt.Sprintf("device-tree model %q is no known board", model)
	case compat != "":
		why = fmt.Sprintf("device-tree compatible %q is no known board", strings.Join(entries, ", "))
	default:
		why = "no device tree"
	}
	cam, camWhy := uvcH264(fsys, "video0")
	if cam {
		p, err := Lookup("uvc")
		return p, why + "; " + camWhy, err
	}
	p, err = Lookup("sim")
	return p, why + "; " + camWhy + "; simulating a camera", err
}

// readDT reads a device-tree property as a string without its final
// NUL; "" when there is no device tree or no such property.
func readDT(fsys fs.FS, prop string) (string, error) {
	for _, dir := range dtDirs {
		b, err := fs.ReadFile(fsys, dir+"/"+prop)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("board: detect: %w; name the board with --board", err)
		}
		return string(bytes.TrimRight(b, "\x00\n")), nil
	}
	return "", nil
}

func splitNUL(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\x00")
}

// matchAny returns the first of patterns that matches s.
func matchAny(patterns []string, s string) (string, bool) {
	for _, pat := range patterns {
		if ok, _ := path.Match(pat, s); ok {
			return pat, true
		}
	}
	return "", false
}

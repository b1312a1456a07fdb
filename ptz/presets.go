package ptz

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
)

// MaxPresets is the highest preset number: apps show a row of buttons,
// and heads that keep presets themselves (Pelco-D) take up to 64 or so.
const MaxPresets = 64

// maxPresetsFile bounds the presets file read at start: MaxPresets
// entries take under 4 KiB.
const maxPresetsFile = 64 << 10

// presets maps preset numbers to positions. It is copied, not changed.
type presets map[int]Position

// presetsFile is the file's JSON: {"presets":{"1":{"pan":0,"tilt":0}}}.
type presetsFile struct {
	Presets map[string]Position `json:"presets"`
}

func checkPreset(n int) error {
	if n < 1 || n > MaxPresets {
		return fmt.Errorf("%w: %d: want 1 to %d", ErrBadPreset, n, MaxPresets)
	}
	return nil
}

// ParsePreset parses a preset number.
func ParsePreset(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%w: %q: want 1 to %d", ErrBadPreset, s, MaxPresets)
	}
	return n, checkPreset(n)
}

// with returns a copy with preset n at p; n = 0 copies only.
func (ps presets) with(n int, p Position) presets {
	out := make(presets, len(ps)+1)
	for k, v := range ps {
		out[k] = v
	}
	if n != 0 {
		out[n] = p
	}
	return out
}

// loadPresets reads path; a missing file (or no path) holds no presets.
func loadPresets(path string) (presets, error) {
	if path == "" {
		return presets{}, nil
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return presets{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("ptz: presets: %w", err)
	}
	return decodePresets(b, path)
}

// decodePresets decodes a presets file; name is for errors.
func decodePresets(b []byte, name string) (presets, error) {
	bad := func(why string, args ...any) error {
		return fmt.Errorf("%w %s: %s; fix it or delete it (the presets are lost then)", ErrBadPresetsFile, name, fmt.Sprintf(why, args...))
	}
	if len(b) > maxPresetsFile {
		return nil, bad("%d bytes, more than %d", len(b), maxPresetsFile)
	}
	var f presetsFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, bad("%v", err)
	}
	out := presets{}
	for k, p := range f.Presets {
		n, err := ParsePreset(k)
		if err != nil {
			return nil, bad("%v", err)
		}
		out[n] = p
	}
	return out, nil
}

// save writes ps to path atomically (a new file renamed over the old);
// no path saves nothing.
func (ps presets) save(path string) error {
	if path == "" {
		return nil
	}
	f := presetsFile{Presets: map[string]Position{}}
	for n, p := range ps {
		f.Presets[strconv.Itoa(n)] = p
	}
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".presets-*")
	if err != nil {
		return fmt.Errorf("ptz: save presets: %w", err)
	}
	defer os.Remove(tmp.Name()) // after the rename, there is nothing to remove
	_, err = tmp.Write(append(b, '\n'))
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("ptz: save presets: %w", err)
	}
	return nil
}

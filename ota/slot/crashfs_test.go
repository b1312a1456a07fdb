package slot

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// crashFS is an in-memory file system that models a power cut: file data
// is durable only once fsync'ed, and a name (created, renamed or removed)
// only once its directory is fsync'ed. crash() throws away what was not
// durable. It can fail its n-th call (failAt) or cut the power after its
// n-th call (cutAfter: every later call fails), counting each call that
// changes something: mkdir, create, write, fsync, close, rename, remove,
// dir fsync. Directories are durable as soon as they are made: a lost
// directory loses its files, which a lost name already covers.
type crashFS struct {
	mu       sync.Mutex
	names    map[string]*inode // what the running program sees
	durable  map[string]*inode // what survives a crash
	dirs     map[string]bool
	calls    int
	failAt   int      // fail this call (1-based); 0: none
	cutAfter int      // power cut after this call; 0: none
	trace    []string // the calls, for messages
}

type inode struct {
	data, synced []byte
}

var (
	errInjected = errors.New("injected failure")
	errPowerCut = errors.New("power cut")
)

func newCrashFS() *crashFS {
	return &crashFS{names: map[string]*inode{}, durable: map[string]*inode{}, dirs: map[string]bool{"/": true}}
}

// call counts a call named op and returns the error to inject, if any.
func (c *crashFS) call(op string) error {
	c.calls++
	c.trace = append(c.trace, op)
	if c.cutAfter > 0 && c.calls > c.cutAfter {
		return errPowerCut
	}
	if c.calls == c.failAt {
		return fmt.Errorf("%s: %w", op, errInjected)
	}
	return nil
}

// crash cuts the power and boots again: only durable names and data are
// left, and no failures are injected any more.
func (c *crashFS) crash() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.names = map[string]*inode{}
	for name, ino := range c.durable {
		n := &inode{data: clone(ino.synced), synced: clone(ino.synced)}
		c.names[name] = n
		c.durable[name] = n
	}
	c.failAt, c.cutAfter, c.calls = 0, 0, 0
}

func clone(b []byte) []byte { return append([]byte(nil), b...) }

func (c *crashFS) MkdirAll(dir string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.call("mkdir " + dir); err != nil {
		return err
	}
	for d := filepath.Clean(dir); !c.dirs[d]; d = filepath.Dir(d) {
		c.dirs[d] = true
	}
	return nil
}

func (c *crashFS) Create(name string, perm os.FileMode) (File, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.call("create " + name); err != nil {
		return nil, err
	}
	if !c.dirs[filepath.Dir(name)] {
		return nil, fmt.Errorf("create %s: %w", name, fs.ErrNotExist)
	}
	ino := &inode{}
	c.names[name] = ino
	return &crashFile{fs: c, name: name, ino: ino}, nil
}

func (c *crashFS) ReadFile(name string) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cutAfter > 0 && c.calls >= c.cutAfter {
		return nil, errPowerCut
	}
	ino, ok := c.names[name]
	if !ok {
		return nil, fmt.Errorf("open %s: %w", name, fs.ErrNotExist)
	}
	return clone(ino.data), nil
}

func (c *crashFS) Rename(oldname, newname string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.call("rename " + oldname + " " + newname); err != nil {
		return err
	}
	ino, ok := c.names[oldname]
	if !ok {
		return fmt.Errorf("rename %s: %w", oldname, fs.ErrNotExist)
	}
	if filepath.Dir(oldname) != filepath.Dir(newname) {
		return fmt.Errorf("rename %s %s: crashFS renames within a directory only", oldname, newname)
	}
	delete(c.names, oldname)
	c.names[newname] = ino
	return nil
}

func (c *crashFS) Remove(name string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.call("remove " + name); err != nil {
		return err
	}
	if _, ok := c.names[name]; !ok {
		return fmt.Errorf("remove %s: %w", name, fs.ErrNotExist)
	}
	delete(c.names, name)
	return nil
}

func (c *crashFS) SyncDir(dir string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.call("fsync dir " + dir); err != nil {
		return err
	}
	dir = filepath.Clean(dir)
	for name := range c.durable {
		if filepath.Dir(name) == dir {
			delete(c.durable, name)
		}
	}
	for name, ino := range c.names {
		if filepath.Dir(name) == dir {
			c.durable[name] = ino
		}
	}
	return nil
}

func (c *crashFS) Exists(name string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.names[name]
	return ok || c.dirs[name]
}

// files lists the names the program sees, for messages.
func (c *crashFS) files() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var n []string
	for name, ino := range c.names {
		n = append(n, fmt.Sprintf("%s (%d bytes)", name, len(ino.data)))
	}
	sort.Strings(n)
	return strings.Join(n, ", ")
}

type crashFile struct {
	fs     *crashFS
	name   string
	ino    *inode
	closed bool
}

func (f *crashFile) Write(p []byte) (int, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if err := f.fs.call("write " + f.name); err != nil {
		return 0, err
	}
	if f.closed {
		return 0, fs.ErrClosed
	}
	f.ino.data = append(f.ino.data, p...)
	return len(p), nil
}

func (f *crashFile) Sync() error {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if err := f.fs.call("fsync " + f.name); err != nil {
		return err
	}
	f.ino.synced = clone(f.ino.data)
	return nil
}

func (f *crashFile) Close() error {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if f.closed {
		return fs.ErrClosed
	}
	f.closed = true
	return f.fs.call("close " + f.name)
}

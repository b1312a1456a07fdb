package slot

import (
	"io"
	"os"
)

// FS is the file system calls the store makes, so that tests can fail
// each one in turn and cut the power between any two.
type FS interface {
	// MkdirAll is os.MkdirAll with mode 0755.
	MkdirAll(dir string) error
	// Create creates or truncates name with mode perm, for writing.
	Create(name string, perm os.FileMode) (File, error)
	// ReadFile is os.ReadFile.
	ReadFile(name string) ([]byte, error)
	// Rename is os.Rename: atomic within a directory.
	Rename(oldname, newname string) error
	// Remove is os.Remove.
	Remove(name string) error
	// SyncDir fsyncs a directory, making the renames and creations in it
	// durable.
	SyncDir(dir string) error
	// Exists reports whether name exists.
	Exists(name string) bool
}

// File is a file being written.
type File interface {
	io.Writer
	// Sync is fsync.
	Sync() error
	Close() error
}

// OSFS is the real file system.
type OSFS struct{}

// MkdirAll implements FS.
func (OSFS) MkdirAll(dir string) error { return os.MkdirAll(dir, 0o755) }

// Create implements FS.
func (OSFS) Create(name string, perm os.FileMode) (File, error) {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return nil, err
	}
	// The mode asked for, whatever the umask: a slot binary must be
	// executable.
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// ReadFile implements FS.
func (OSFS) ReadFile(name string) ([]byte, error) { return os.ReadFile(name) }

// Rename implements FS.
func (OSFS) Rename(oldname, newname string) error { return os.Rename(oldname, newname) }

// Remove implements FS.
func (OSFS) Remove(name string) error { return os.Remove(name) }

// SyncDir implements FS.
func (OSFS) SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// Exists implements FS.
func (OSFS) Exists(name string) bool {
	_, err := os.Stat(name)
	return err == nil
}

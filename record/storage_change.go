package record

import (
	"errors"
	"os"
	"syscall"
)

// Storage states of a StorageChange.
const (
	StorageOK       = "ok"        // recording (again)
	StorageFull     = "full"      // the card or quota filled: the oldest recording was deleted
	StorageRemoved  = "removed"   // the directory or its mount is gone
	StorageReadOnly = "read_only" // the file system turned read-only
	StorageFailed   = "failed"    // any other storage error
)

// StorageChange is what Config.OnStorage hears.
type StorageChange struct {
	State  string `json:"state"`            // one of the Storage constants
	Reason string `json:"reason,omitempty"` // the error, for every state but StorageOK
}

// storageState classifies a storage error.
func storageState(err error) string {
	switch {
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, errNoRoom):
		return StorageFull
	case errors.Is(err, syscall.EROFS):
		return StorageReadOnly
	case errors.Is(err, os.ErrNotExist), errors.Is(err, syscall.ENODEV), errors.Is(err, syscall.EIO), errors.Is(err, errNotMounted):
		return StorageRemoved
	}
	return StorageFailed
}

// tell passes a change to Config.OnStorage.
func (r *Recorder) tell(state string, err error) {
	if r.cfg.OnStorage == nil {
		return
	}
	c := StorageChange{State: state}
	if err != nil {
		c.Reason = err.Error()
	}
	r.cfg.OnStorage(c)
}

//go:build !linux

package usercmd

import "os/exec"

// ownGroup does nothing off Linux: a kill reaches the program only.
func ownGroup(cmd *exec.Cmd) {}

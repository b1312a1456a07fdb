//go:build !unix

package capture

import "os/exec"

// configureProcessGroup leaves the command's defaults: on this system
// cancellation kills the shell only.
func configureProcessGroup(cmd *exec.Cmd) {}

// killProcessGroup kills the command's own process.
func killProcessGroup(cmd *exec.Cmd) { _ = cmd.Process.Kill() }

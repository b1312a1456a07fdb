//go:build unix

package capture

import (
	"os/exec"
	"syscall"
)

// configureProcessGroup runs the command in a process group of its own and
// makes cancellation signal the whole group, so that every process of a
// pipeline stops with it.
func configureProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
	}
}

// killProcessGroup kills every process of the command's group.
func killProcessGroup(cmd *exec.Cmd) {
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
}

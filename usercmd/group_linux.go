package usercmd

import (
	"os/exec"
	"syscall"
)

// ownGroup puts the program in its own process group and makes a kill
// reach the whole group, so that a script's children die with it.
func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}

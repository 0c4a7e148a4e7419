//go:build linux

package pgembed

import "syscall"

// sysProcAttr puts the child in its own process group (so a terminal's ^C
// reaches only us, and Stop can kill the group) and asks the kernel to
// SIGKILL it when the thread that forked it dies: killing the parent with
// SIGKILL then leaves no orphan server. See launch for the thread caveat.
func sysProcAttr(cred *syscall.Credential) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL, Credential: cred}
}

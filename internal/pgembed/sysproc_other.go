//go:build unix && !linux

package pgembed

import "syscall"

// sysProcAttr puts the child in its own process group. Without Linux's
// Pdeathsig, a parent killed with SIGKILL leaves the server running; the
// next Start on the same dir then reports it as in use.
func sysProcAttr(cred *syscall.Credential) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Credential: cred}
}

package pgembed

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Running returns the superuser's and role's DSNs for database on the
// postgres that is running now on dataDir (as `franja serve` leaves it):
// the socket directory and port from its postmaster.pid, the passwords from
// the data directory's secret. ok is false when no postgres runs there, it
// is not ready, or the secret cannot be read. Administration commands use it
// to share a running server's cluster instead of failing with ErrInUse.
func Running(dataDir, database, role string) (owner, service string, ok bool) {
	b, err := os.ReadFile(filepath.Join(dataDir, "pgdata", "postmaster.pid"))
	if err != nil {
		return "", "", false
	}
	// Lines: pid, data dir, start time, port, socket dir, listen address,
	// shared memory key, status.
	lines := strings.Split(string(b), "\n")
	if len(lines) < 8 || strings.TrimSpace(lines[7]) != "ready" {
		return "", "", false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(lines[0]))
	if err != nil || pid <= 0 || !alive(pid) {
		return "", "", false
	}
	port, err := strconv.Atoi(strings.TrimSpace(lines[3]))
	socket := strings.TrimSpace(lines[4])
	if socket == "" || err != nil {
		return "", "", false
	}
	s := &Server{opts: Options{DataDir: dataDir, SocketOnly: true}, socketDir: socket, port: port}
	if s.readSecret(false) != nil {
		return "", "", false
	}
	return s.DSN(database), s.RoleDSN(role, database), true
}

// alive reports whether process pid exists (signal 0 checks without
// sending anything; EPERM means it exists under another user).
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || err == syscall.EPERM
}

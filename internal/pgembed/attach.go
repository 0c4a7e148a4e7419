package pgembed

import (
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Running returns a DSN for database on the postgres that is running now on
// dataDir (as `franja serve` leaves it), read from its postmaster.pid: the
// socket directory and port it listens on. ok is false when no postgres
// runs there, or it is not ready. Administration commands use it to share
// a running server's cluster instead of failing with ErrInUse.
func Running(dataDir, database string) (dsn string, ok bool) {
	b, err := os.ReadFile(filepath.Join(dataDir, "pgdata", "postmaster.pid"))
	if err != nil {
		return "", false
	}
	// Lines: pid, data dir, start time, port, socket dir, listen address,
	// shared memory key, status.
	lines := strings.Split(string(b), "\n")
	if len(lines) < 8 || strings.TrimSpace(lines[7]) != "ready" {
		return "", false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(lines[0]))
	if err != nil || pid <= 0 || !alive(pid) {
		return "", false
	}
	port, socket := strings.TrimSpace(lines[3]), strings.TrimSpace(lines[4])
	if socket == "" || port == "" {
		return "", false
	}
	u := url.URL{Scheme: "postgres", User: url.User(SuperUser), Path: "/" + database}
	u.RawQuery = url.Values{"host": {socket}, "port": {port}, "sslmode": {"disable"}}.Encode()
	return u.String(), true
}

// alive reports whether process pid exists (signal 0 checks without
// sending anything; EPERM means it exists under another user).
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || err == syscall.EPERM
}

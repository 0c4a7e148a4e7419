package pgembed

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
)

// maxSocketPath bounds the Unix socket path: sockaddr_un holds 108 bytes
// including the terminating NUL on Linux (104 on macOS, hence the margin
// taken by socketFile's longest name).
const maxSocketPath = 103

// DefaultDataDir returns where Franja keeps its cluster: FRANJA_DATA_DIR when
// set; /var/lib/franja as root (root's home is 0700, which the postgres user
// could not traverse); otherwise $XDG_DATA_HOME/franja or ~/.local/share/franja.
func DefaultDataDir(getenv func(string) string) string {
	return defaultDataDir(getenv, os.Geteuid())
}

func defaultDataDir(getenv func(string) string, euid int) string {
	if d := getenv("FRANJA_DATA_DIR"); d != "" {
		return d
	}
	if euid == 0 {
		return "/var/lib/franja"
	}
	if x := getenv("XDG_DATA_HOME"); x != "" {
		return filepath.Join(x, "franja")
	}
	home := getenv("HOME")
	if home == "" {
		home, _ = os.UserHomeDir()
	}
	return filepath.Join(home, ".local", "share", "franja")
}

// runAs returns the credential to run initdb and postgres with: nil when not
// root (run as ourselves); as root, the postgres OS user, else nobody, since
// initdb and postgres refuse to run as root.
func runAs() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
		gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
		if err1 != nil || err2 != nil {
			continue
		}
		return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
	}
	return nil, fmt.Errorf("pgembed: running as root needs a `postgres` or `nobody` OS user to run the server as")
}

// makeDir creates dir (0700) and, as root, hands it to cred's user.
func makeDir(dir string, cred *syscall.Credential) error {
	// Parents we create must stay traversable by cred's user: 0755.
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return fmt.Errorf("pgembed: %w", err)
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("pgembed: %w", err)
	}
	if cred == nil {
		return nil
	}
	if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
		return fmt.Errorf("pgembed: %w", err)
	}
	return os.Chmod(dir, 0o700)
}

// checkTraversable reports an error when cred's user cannot reach dir, which
// happens as root with a dir under /root (0700): initdb would fail with a
// less helpful "permission denied".
func checkTraversable(dir string, cred *syscall.Credential) error {
	if cred == nil {
		return nil
	}
	for p := filepath.Dir(dir); ; p = filepath.Dir(p) {
		var st syscall.Stat_t
		if err := syscall.Stat(p, &st); err != nil {
			return fmt.Errorf("pgembed: %w", err)
		}
		if !searchable(st, cred) {
			return fmt.Errorf("pgembed: the server runs as uid %d, which cannot traverse %s to reach %s: "+
				"choose a data dir outside it (FRANJA_DATA_DIR)", cred.Uid, p, dir)
		}
		if p == filepath.Dir(p) {
			return nil
		}
	}
}

// searchable reports whether cred may search (x) a directory with st.
func searchable(st syscall.Stat_t, cred *syscall.Credential) bool {
	mode := uint32(st.Mode)
	switch {
	case st.Uid == cred.Uid:
		return mode&0o100 != 0
	case st.Gid == cred.Gid:
		return mode&0o010 != 0
	default:
		return mode&0o001 != 0
	}
}

// socketDir returns the directory for the server's Unix socket: dataDir/run,
// or a fresh short directory under /tmp when that path would be too long for
// a socket address. temp tells the caller to remove it on stop.
func socketDir(dataDir string, cred *syscall.Credential) (dir string, temp bool, err error) {
	dir = filepath.Join(dataDir, "run")
	if len(dir)+len("/.s.PGSQL.65535.lock") <= maxSocketPath {
		return dir, false, makeDir(dir, cred)
	}
	dir, err = os.MkdirTemp("/tmp", "franja-pg-")
	if err != nil {
		return "", false, fmt.Errorf("pgembed: %w", err)
	}
	return dir, true, makeDir(dir, cred)
}

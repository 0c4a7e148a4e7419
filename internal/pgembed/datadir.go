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
// root (run as ourselves); as root, the postgres OS user, since initdb and
// postgres refuse to run as root. nobody is not a fallback: other daemons
// share it, and it would own the cluster.
func runAs() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("pgembed: as root the server must run as the `postgres` OS user, and there is none: " +
			"install the server package (apt-get install postgresql creates it), run franja as another user, or set DATABASE_URL")
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("pgembed: the postgres user has uid %q, gid %q", u.Uid, u.Gid)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// makeDir creates dir (0700) and, as root, hands it to cred's user.
//
// As root it never follows or hands over what it did not make safe: the
// directories it works in belong to the server's user, who could plant a
// symlink (run -> /etc) for root to chown on the next start. So a symlink
// is refused, a directory it creates is handed over, and an existing one
// must already belong to that user, or be an empty directory of root's (a
// FRANJA_DATA_DIR made ready by an administrator), never anything else.
func makeDir(dir string, cred *syscall.Credential) error {
	// Parents we create must stay traversable by cred's user: 0755.
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return fmt.Errorf("pgembed: %w", err)
	}
	mkErr := os.Mkdir(dir, 0o700)
	if mkErr != nil && !errors.Is(mkErr, fs.ErrExist) {
		return fmt.Errorf("pgembed: %w", mkErr)
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("pgembed: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("pgembed: %s is not a directory (a symlink or a file): refusing to use it", dir)
	}
	if cred == nil {
		return nil
	}
	st := fi.Sys().(*syscall.Stat_t)
	switch {
	case mkErr == nil, st.Uid == 0 && isEmptyDir(dir):
		if err := os.Lchown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return fmt.Errorf("pgembed: %w", err)
		}
		return os.Chmod(dir, 0o700)
	case st.Uid == cred.Uid:
		return nil
	default:
		return fmt.Errorf("pgembed: %s exists and belongs to uid %d, not to the server's user (uid %d): "+
			"use a new or empty directory (FRANJA_DATA_DIR)", dir, st.Uid, cred.Uid)
	}
}

func isEmptyDir(dir string) bool {
	entries, err := os.ReadDir(dir)
	return err == nil && len(entries) == 0
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

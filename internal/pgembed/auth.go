package pgembed

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5"
)

// The cluster authenticates every connection, over the socket too, with a
// password (scram-sha-256): not trust, because on Debian the postgres OS
// user the server runs as is shared with the system's PostgreSQL, whose
// server-side programs (COPY … TO PROGRAM) would otherwise reach ours as
// superuser. The passwords derive from one secret kept in the data
// directory (DataDir/secret, mode 0600, owned by the user running Franja:
// as root, the server's user cannot read it).
const secretFile = "secret"

// hbaConf is the pg_hba.conf the cluster runs with.
const hbaConf = `# Written by Franja: every connection authenticates with a password.
# TYPE  DATABASE  USER  ADDRESS       METHOD
local   all       all                 scram-sha-256
host    all       all   127.0.0.1/32  scram-sha-256
host    all       all   ::1/128       scram-sha-256
`

// Password returns the password of role on this cluster.
func (s *Server) Password(role string) string {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte("franja role password: " + role))
	return hex.EncodeToString(m.Sum(nil))
}

// readSecret reads DataDir/secret, or creates it when create is set and it
// is missing. It refuses a symlink or a file others may read.
func (s *Server) readSecret(create bool) error {
	path := filepath.Join(s.opts.DataDir, secretFile)
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW, 0)
	if errors.Is(err, fs.ErrNotExist) && create {
		return s.writeSecret(path)
	}
	if err != nil {
		return fmt.Errorf("pgembed: reading the cluster's secret: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("pgembed: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 || fi.Sys().(*syscall.Stat_t).Uid != uint32(os.Geteuid()) {
		return fmt.Errorf("pgembed: %s must be a file of yours with mode 0600 (it is %v): fix it with chmod 600", path, fi.Mode().Perm())
	}
	b, err := io.ReadAll(io.LimitReader(f, 1024))
	if err != nil {
		return fmt.Errorf("pgembed: %w", err)
	}
	s.secret = []byte(strings.TrimSpace(string(b)))
	if len(s.secret) < 32 {
		return fmt.Errorf("pgembed: %s is too short to be the cluster's secret", path)
	}
	return nil
}

func (s *Server) writeSecret(path string) error {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return fmt.Errorf("pgembed: %w", err)
	}
	secret := hex.EncodeToString(b[:])
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return fmt.Errorf("pgembed: writing the cluster's secret: %w", err)
	}
	if _, err := f.WriteString(secret + "\n"); err != nil {
		f.Close()
		return fmt.Errorf("pgembed: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("pgembed: %w", err)
	}
	s.secret = []byte(secret)
	return nil
}

// writeServerFile writes content to path for the server's user: created
// afresh beside it (never through a symlink), handed over, then renamed
// into place.
func (s *Server) writeServerFile(path, content string) error {
	tmp := path + ".franja-tmp"
	_ = os.Remove(tmp)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return fmt.Errorf("pgembed: %w", err)
	}
	_, werr := f.WriteString(content)
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("pgembed: %w", err)
	}
	if s.cred != nil {
		if err := os.Lchown(tmp, int(s.cred.Uid), int(s.cred.Gid)); err != nil {
			_ = os.Remove(tmp)
			return fmt.Errorf("pgembed: %w", err)
		}
	}
	return os.Rename(tmp, path)
}

// trusting reports whether the cluster's pg_hba.conf trusts connections:
// a cluster made before passwords (they are set up on its next start).
func (s *Server) trusting() bool {
	b, err := os.ReadFile(filepath.Join(s.pgdata, "pg_hba.conf"))
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) > 0 && !strings.HasPrefix(f[0], "#") && f[len(f)-1] == "trust" {
			return true
		}
	}
	return false
}

// secure moves a trusting cluster (made by an earlier version) to
// passwords: it sets the superuser's password through the still-trusted
// socket, then installs the password-only pg_hba.conf and reloads it.
func (s *Server) secure(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, s.dsn(SuperUser, "", "postgres"))
	if err != nil {
		return fmt.Errorf("pgembed: connecting to set passwords: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if err := setPassword(ctx, conn, SuperUser, s.Password(SuperUser)); err != nil {
		return err
	}
	if err := s.writeServerFile(filepath.Join(s.pgdata, "pg_hba.conf"), hbaConf); err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, "SELECT pg_reload_conf()"); err != nil {
		return fmt.Errorf("pgembed: reloading pg_hba.conf: %w", err)
	}
	s.opts.Logger.Info("the embedded PostgreSQL now authenticates with a password", "secret", filepath.Join(s.opts.DataDir, secretFile))
	return nil
}

func setPassword(ctx context.Context, conn *pgx.Conn, role, password string) error {
	// ALTER ROLE takes no parameters: the password is hex, so quoting it
	// as a literal is safe.
	q := "ALTER ROLE " + pgx.Identifier{role}.Sanitize() + " PASSWORD '" + password + "'"
	if _, err := conn.Exec(ctx, q); err != nil {
		return fmt.Errorf("pgembed: setting the password of %s: %w", role, err)
	}
	return nil
}

// EnsureRole creates the login role role (no superuser, no other
// privilege) unless it exists, and sets its password (see Password). Two
// callers racing to create it both succeed.
func (s *Server) EnsureRole(ctx context.Context, role string) error {
	conn, err := pgx.Connect(ctx, s.DSN("postgres"))
	if err != nil {
		return fmt.Errorf("pgembed: connecting: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	_, err = conn.Exec(ctx, "CREATE ROLE "+pgx.Identifier{role}.Sanitize()+" LOGIN")
	if err != nil && !isDuplicate(err) {
		return fmt.Errorf("pgembed: creating role %s: %w", role, err)
	}
	return setPassword(ctx, conn, role, s.Password(role))
}

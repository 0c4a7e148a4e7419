// Package pgembed runs a real PostgreSQL server as a child process, from the
// server binaries installed on the machine: for `franja` without a
// DATABASE_URL, and for tests without a TEST_DATABASE_URL.
//
// postgres runs directly as our child (not through pg_ctl), in its own process
// group and, on Linux, with a parent-death signal, so no server outlives us.
// As root, initdb and postgres run as the `postgres` OS user (or nobody).
package pgembed

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// SuperUser is the role initdb creates. Every role authenticates with a
// password derived from the data directory's secret (see auth.go).
const SuperUser = "franja"

// ErrInUse reports that another running postgres owns the data directory.
var ErrInUse = errors.New("pgembed: data directory in use by another running postgres")

// errBind reports that postgres could not listen on the chosen port.
var errBind = errors.New("pgembed: could not bind the TCP port")

// Options configures Start. The zero value is usable as root or not.
type Options struct {
	DataDir  string // holds pgdata/, run/ and postgres.log; default DefaultDataDir(os.Getenv)
	BinDir   string // holds initdb and postgres; default FindBinDir(os.Getenv)
	Database string // created when missing; default "franja"

	// SocketOnly disables TCP (listen_addresses=''): connect through the
	// Unix socket in DataDir/run only.
	SocketOnly bool
	// Fast trades durability for speed (fsync, synchronous_commit and
	// full_page_writes off): for throwaway test clusters only.
	Fast bool
	// Settings are extra server settings, passed as `-c key=value`.
	Settings map[string]string

	StartTimeout time.Duration // default 30s
	StopTimeout  time.Duration // before SIGKILL; default 10s
	Logger       *slog.Logger  // default discards
}

// Server is a running postgres started by Start.
type Server struct {
	opts       Options
	cred       *syscall.Credential // nil: run as ourselves
	pgdata     string
	socketDir  string
	tempSocket bool // socketDir is ours to remove
	logPath    string
	log        *os.File
	port       int
	child      *child
	secret     []byte
	// upgrade: the cluster trusted its connections (made by an earlier
	// version); passwords are set up once it runs.
	upgrade bool

	stopOnce sync.Once
	stopErr  error
}

// Start runs postgres on opts.DataDir, running initdb first if the directory
// holds no cluster yet, waits until it accepts connections and creates
// opts.Database when missing. Stop it with Stop.
func Start(ctx context.Context, opts Options) (*Server, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &Server{opts: opts, pgdata: filepath.Join(opts.DataDir, "pgdata"), logPath: filepath.Join(opts.DataDir, "postgres.log")}
	if s.cred, err = runAs(); err != nil {
		return nil, err
	}
	if err := s.prepare(); err != nil {
		s.release()
		return nil, err
	}
	began := time.Now()
	if err := s.startPostgres(ctx); err != nil {
		s.release()
		return nil, err
	}
	s.opts.Logger.Info("postgres ready", "dir", opts.DataDir, "pid", s.Pid(), "elapsed", time.Since(began).Round(time.Millisecond))
	if s.upgrade {
		if err := s.secure(ctx); err != nil {
			return nil, errors.Join(err, s.Stop())
		}
	}
	if err := s.CreateDatabase(ctx, opts.Database); err != nil {
		return nil, errors.Join(err, s.Stop())
	}
	return s, nil
}

func (o Options) withDefaults() (Options, error) {
	var err error
	if o.DataDir == "" {
		o.DataDir = DefaultDataDir(os.Getenv)
	}
	if o.DataDir, err = filepath.Abs(o.DataDir); err != nil {
		return o, fmt.Errorf("pgembed: %w", err)
	}
	if o.BinDir == "" {
		if o.BinDir, err = FindBinDir(os.Getenv); err != nil {
			return o, err
		}
	}
	if o.Database == "" {
		o.Database = "franja"
	}
	if o.StartTimeout <= 0 {
		o.StartTimeout = 30 * time.Second
	}
	if o.StopTimeout <= 0 {
		o.StopTimeout = 10 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o, nil
}

// prepare makes the directories, the cluster (first run only) and the log.
func (s *Server) prepare() error {
	if err := makeDir(s.opts.DataDir, s.cred); err != nil {
		return err
	}
	if err := checkTraversable(s.opts.DataDir, s.cred); err != nil {
		return err
	}
	var err error
	if s.socketDir, s.tempSocket, err = socketDir(s.opts.DataDir, s.cred); err != nil {
		return err
	}
	if err := s.prepareSecret(); err != nil {
		return err
	}
	if err := s.initdb(); err != nil {
		return err
	}
	return s.openLog()
}

// prepareSecret reads the cluster's secret, making one for a new cluster or
// for one that still trusts its connections (then upgraded once started).
func (s *Server) prepareSecret() error {
	_, err := os.Stat(filepath.Join(s.pgdata, "PG_VERSION"))
	fresh := err != nil
	if !fresh && s.trusting() {
		s.upgrade = true
	}
	err = s.readSecret(fresh || s.upgrade)
	if err != nil && !fresh && !s.upgrade {
		return fmt.Errorf("%w\n(the cluster in %s authenticates with passwords derived from that file: restore it, "+
			"or move the data directory away to start afresh)", err, s.opts.DataDir)
	}
	return err
}

// initdb creates the cluster unless pgdata already holds one. It builds into
// a side directory and renames it, so an interrupted initdb never leaves a
// half-made pgdata behind.
func (s *Server) initdb() error {
	if _, err := os.Stat(filepath.Join(s.pgdata, "PG_VERSION")); err == nil {
		return nil
	}
	if _, err := os.Stat(s.pgdata); err == nil {
		return fmt.Errorf("pgembed: %s exists but holds no PostgreSQL cluster (no PG_VERSION): move it away", s.pgdata)
	}
	tmp := s.pgdata + ".initdb"
	if err := os.RemoveAll(tmp); err != nil {
		return fmt.Errorf("pgembed: %w", err)
	}
	// initdb reads the superuser's password from a file the server's user
	// can read; it is removed at once.
	pwfile := filepath.Join(s.opts.DataDir, "initdb.pw")
	if err := s.writeServerFile(pwfile, s.Password(SuperUser)+"\n"); err != nil {
		return err
	}
	defer os.Remove(pwfile)
	args := []string{"-D", tmp, "-U", SuperUser, "--auth=scram-sha-256", "--pwfile=" + pwfile, "-E", "UTF8", "--locale=C"}
	if s.opts.Fast {
		args = append(args, "--no-sync")
	}
	began := time.Now()
	cmd := command(filepath.Join(s.opts.BinDir, "initdb"), s.cred, s.opts.DataDir, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := run(cmd); err != nil {
		return fmt.Errorf("pgembed: initdb %s: %w\n%s", tmp, err, out.Bytes())
	}
	s.opts.Logger.Info("initdb done", "dir", s.pgdata, "elapsed", time.Since(began).Round(time.Millisecond))
	return os.Rename(tmp, s.pgdata)
}

// openLog opens postgres.log for appending, starting afresh past 16 MiB.
func (s *Server) openLog() error {
	if fi, err := os.Stat(s.logPath); err == nil && fi.Size() > 16<<20 {
		_ = os.Rename(s.logPath, s.logPath+".1")
	}
	// O_NOFOLLOW: the log sits in a directory the server's user owns, and a
	// symlink planted there must not make root append to another file. The
	// server writes through the descriptor it inherits, so the file need not
	// be handed over.
	f, err := os.OpenFile(s.logPath, os.O_WRONLY|os.O_APPEND|os.O_CREATE|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return fmt.Errorf("pgembed: opening the server log: %w", err)
	}
	s.log = f
	return nil
}

// startPostgres launches the server, retrying once with another port when
// the free port we picked was taken in between.
func (s *Server) startPostgres(ctx context.Context) error {
	for attempt := 0; ; attempt++ {
		port := 5432 // names the socket file only when SocketOnly
		if !s.opts.SocketOnly {
			var err error
			if port, err = freePort(); err != nil {
				return err
			}
		}
		err := s.startOnce(ctx, port)
		if errors.Is(err, errBind) && attempt == 0 {
			continue
		}
		return err
	}
}

// startOnce launches postgres on port and waits until it is ready.
func (s *Server) startOnce(ctx context.Context, port int) error {
	from, _ := s.log.Seek(0, 2)
	cmd := command(filepath.Join(s.opts.BinDir, "postgres"), s.cred, s.opts.DataDir, s.args(port)...)
	cmd.Stdout, cmd.Stderr = s.log, s.log
	c, err := launch(cmd)
	if err != nil {
		return fmt.Errorf("pgembed: starting postgres: %w", err)
	}
	if err := s.waitReady(ctx, c); err != nil {
		_ = syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
		<-c.done
		return s.startError(err, from)
	}
	s.child, s.port = c, port
	return nil
}

// args returns the postgres command line.
func (s *Server) args(port int) []string {
	listen := "127.0.0.1"
	if s.opts.SocketOnly {
		listen = ""
	}
	args := []string{"-D", s.pgdata, "-p", strconv.Itoa(port),
		"-c", "unix_socket_directories=" + s.socketDir, "-c", "listen_addresses=" + listen}
	if s.opts.Fast {
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	for _, k := range slices.Sorted(maps.Keys(s.opts.Settings)) {
		args = append(args, "-c", k+"="+s.opts.Settings[k])
	}
	return args
}

// waitReady polls postmaster.pid until its status line reads "ready".
func (s *Server) waitReady(ctx context.Context, c *child) error {
	deadline := time.NewTimer(s.opts.StartTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !s.ready(c.cmd.Process.Pid) {
		select {
		case <-c.done:
			return fmt.Errorf("postgres exited during startup (%v)", c.err)
		case <-ctx.Done():
			return ctx.Err()
		case <-deadline.C:
			return fmt.Errorf("postgres not ready after %s", s.opts.StartTimeout)
		case <-tick.C:
		}
	}
	return nil
}

// ready reports whether postmaster.pid names pid and says "ready" on its
// status line (line 8, PM_STATUS_READY), written once connections are open.
func (s *Server) ready(pid int) bool {
	b, err := os.ReadFile(filepath.Join(s.pgdata, "postmaster.pid"))
	if err != nil {
		return false
	}
	lines := strings.Split(string(b), "\n")
	return len(lines) >= 8 && strings.TrimSpace(lines[0]) == strconv.Itoa(pid) &&
		strings.TrimSpace(lines[7]) == "ready"
}

// startError explains a failed start with the log written since from.
func (s *Server) startError(err error, from int64) error {
	logTail := tail(s.logPath, from, 20)
	switch {
	case strings.Contains(logTail, "already exists") && strings.Contains(logTail, "lock file"):
		return fmt.Errorf("%w: %s (stop it first, or use another data dir); %s:\n%s", ErrInUse, s.opts.DataDir, s.logPath, logTail)
	case strings.Contains(logTail, "could not bind") || strings.Contains(logTail, "could not create any TCP/IP sockets"):
		return fmt.Errorf("%w: %v; %s:\n%s", errBind, err, s.logPath, logTail)
	}
	return fmt.Errorf("pgembed: %v; %s:\n%s", err, s.logPath, logTail)
}

// Stop shuts the server down with SIGINT (fast shutdown: sessions are
// disconnected, data is flushed), waits up to StopTimeout, then kills its
// process group. It is safe to call more than once.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		s.stopErr = s.stop()
		s.release()
	})
	return s.stopErr
}

func (s *Server) stop() error {
	c := s.child
	select {
	case <-c.done:
		return fmt.Errorf("pgembed: postgres had already exited (%v); see %s", c.err, s.logPath)
	default:
	}
	_ = c.cmd.Process.Signal(os.Interrupt)
	timer := time.NewTimer(s.opts.StopTimeout)
	defer timer.Stop()
	select {
	case <-c.done:
		return nil
	case <-timer.C:
		_ = syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
		<-c.done
		return fmt.Errorf("pgembed: postgres did not stop within %s and was killed", s.opts.StopTimeout)
	}
}

// release closes the log and removes a temporary socket dir.
func (s *Server) release() {
	if s.log != nil {
		_ = s.log.Close()
	}
	if s.tempSocket {
		_ = os.RemoveAll(s.socketDir)
	}
}

// DSN returns a postgres:// URL for database on this server, accepted by pgx
// and by golang-migrate's pgx5 driver. Socket-only servers get the
// `postgres://user@/db?host=/socket/dir` form.
func (s *Server) DSN(database string) string {
	return s.dsn(SuperUser, s.Password(SuperUser), database)
}

// RoleDSN is DSN for role (see EnsureRole) instead of the superuser.
func (s *Server) RoleDSN(role, database string) string {
	return s.dsn(role, s.Password(role), database)
}

func (s *Server) dsn(role, password, database string) string {
	u := url.URL{Scheme: "postgres", User: url.User(role), Path: "/" + database}
	if password != "" {
		u.User = url.UserPassword(role, password)
	}
	q := url.Values{"sslmode": {"disable"}}
	if s.opts.SocketOnly {
		q.Set("host", s.socketDir)
	} else {
		u.Host = net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port))
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// Pid returns the postmaster's process id.
func (s *Server) Pid() int { return s.child.cmd.Process.Pid }

// Port returns the TCP port (5432, naming the socket only, when SocketOnly).
func (s *Server) Port() int { return s.port }

// SocketDir returns the directory holding the server's Unix socket.
func (s *Server) SocketDir() string { return s.socketDir }

// DataDir returns the directory holding the cluster, socket and log.
func (s *Server) DataDir() string { return s.opts.DataDir }

// LogPath returns the server's log file.
func (s *Server) LogPath() string { return s.logPath }

// Done is closed when the server process has exited, stopped or not.
func (s *Server) Done() <-chan struct{} { return s.child.done }

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pgembed: finding a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

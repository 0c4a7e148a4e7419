package pgembed

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"franja/migrations"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(childEnv); dir != "" {
		runChild(dir) // never returns
	}
	os.Exit(m.Run())
}

// childEnv makes the test binary act as a parent process that starts a
// server and then blocks until killed.
const childEnv = "PGEMBED_TEST_CHILD_DIR"

// runChild starts a server on dir, prints "<pid> <dsn>", and blocks.
//
// Start is called from a goroutine that locks its OS thread and exits
// without unlocking, so Go retires that thread: were the server forked from
// it, Pdeathsig would kill the server right away. The main goroutine holds
// the main thread, which Go never retires, so that goroutine cannot run there.
func runChild(dir string) {
	runtime.LockOSThread()
	type result struct {
		s   *Server
		err error
	}
	res := make(chan result)
	go func() {
		runtime.LockOSThread()
		s, err := Start(context.Background(), Options{DataDir: dir, SocketOnly: true, Fast: true})
		res <- result{s, err}
	}()
	r := <-res
	if r.err != nil {
		fmt.Fprintln(os.Stderr, r.err)
		os.Exit(2)
	}
	time.Sleep(200 * time.Millisecond) // let the locked thread be retired
	fmt.Printf("%d %s\n", r.s.Pid(), r.s.DSN("franja"))
	select {}
}

// dataDir returns a fresh directory that, as root, the postgres user can
// reach (t.TempDir's parent is 0700 and owned by root).
func dataDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("/var/tmp", "pgembed-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// start starts a server on dir and stops it at the end of the test.
func start(t *testing.T, opts Options) *Server {
	t.Helper()
	s, err := Start(t.Context(), opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { s.Stop() })
	return s
}

func queryInt(t *testing.T, dsn, q string) int {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatalf("connect %s: %v", dsn, err)
	}
	defer conn.Close(context.Background())
	var n int
	if err := conn.QueryRow(t.Context(), q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func execSQL(t *testing.T, dsn string, stmts ...string) {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatalf("connect %s: %v", dsn, err)
	}
	defer conn.Close(context.Background())
	for _, q := range stmts {
		if _, err := conn.Exec(t.Context(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

func TestStartRestartKeepsData(t *testing.T) {
	dir := dataDir(t)
	opts := Options{DataDir: dir, Database: "keep", Fast: true}
	s := start(t, opts)
	if !strings.HasPrefix(s.DSN("keep"), "postgres://franja:"+s.Password(SuperUser)+"@127.0.0.1:") {
		t.Errorf("DSN = %q, want a TCP URL on 127.0.0.1", s.DSN("keep"))
	}
	if got := queryInt(t, s.DSN("keep"), "select 1"); got != 1 {
		t.Fatalf("select 1 = %d", got)
	}
	execSQL(t, s.DSN("keep"), "create table kept (n int)", "insert into kept values (42)")
	pid := s.Pid()
	if err := s.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if processAlive(pid) {
		t.Fatalf("postgres pid %d still alive after Stop", pid)
	}

	s2 := start(t, opts)
	if got := queryInt(t, s2.DSN("keep"), "select n from kept"); got != 42 {
		t.Errorf("after restart, kept.n = %d, want 42", got)
	}
}

func TestSocketOnlyDSNWorksWithMigrate(t *testing.T) {
	s := start(t, Options{DataDir: dataDir(t), SocketOnly: true, Fast: true})
	dsn := s.DSN("franja")
	if !strings.HasPrefix(dsn, "postgres://franja:"+s.Password(SuperUser)+"@/franja?") {
		t.Errorf("DSN = %q, want the postgres://user@/db?host= form", dsn)
	}
	if err := migrations.Up(t.Context(), dsn); err != nil {
		t.Fatalf("migrations.Up(%s): %v", dsn, err)
	}
	if got := queryInt(t, dsn, "select count(*) from franja_meta"); got < 1 {
		t.Errorf("franja_meta rows = %d, want >= 1", got)
	}
	conf, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(s.SocketDir(), conf.Host); diff != "" {
		t.Errorf("DSN host (-want +got):\n%s", diff)
	}
	var listen string
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if err := conn.QueryRow(t.Context(), "show listen_addresses").Scan(&listen); err != nil || listen != "" {
		t.Errorf("listen_addresses = %q, %v; want empty (no TCP)", listen, err)
	}
}

func TestSecondStartOnSameDirIsInUse(t *testing.T) {
	dir := dataDir(t)
	start(t, Options{DataDir: dir, SocketOnly: true, Fast: true})
	s, err := Start(t.Context(), Options{DataDir: dir, SocketOnly: true, Fast: true})
	if err == nil {
		s.Stop()
		t.Fatal("second Start on a dir in use succeeded")
	}
	if !errors.Is(err, ErrInUse) {
		t.Errorf("second Start error = %v, want ErrInUse", err)
	}
}

func TestStartFailureShowsLogTail(t *testing.T) {
	opts := Options{DataDir: dataDir(t), Fast: true, Settings: map[string]string{"no_such_setting": "1"}}
	s, err := Start(t.Context(), opts)
	if err == nil {
		s.Stop()
		t.Fatal("Start with a bad setting succeeded")
	}
	if !strings.Contains(err.Error(), "no_such_setting") {
		t.Errorf("error does not quote the server log:\n%v", err)
	}
}

func TestLongDataDirUsesShortSocketDir(t *testing.T) {
	dir := filepath.Join(dataDir(t), strings.Repeat("d", 100))
	s := start(t, Options{DataDir: dir, SocketOnly: true, Fast: true})
	sock := s.SocketDir()
	if !strings.HasPrefix(sock, "/tmp/") {
		t.Errorf("socket dir = %s, want a short dir under /tmp", sock)
	}
	if got := queryInt(t, s.DSN("franja"), "select 1"); got != 1 {
		t.Fatalf("select 1 = %d", got)
	}
	s.Stop()
	if _, err := os.Stat(sock); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("temporary socket dir %s left behind (%v)", sock, err)
	}
}

// processAlive reports whether pid runs; zombies (exited, not yet reaped by
// an init that may never reap them) count as gone.
func processAlive(pid int) bool {
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil { // no /proc (macOS), or it exited just now
		_, noProc := os.Stat("/proc/self")
		return noProc != nil
	}
	// The state follows the parenthesised command name.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || (s[i+2] != 'Z' && s[i+2] != 'X')
}

// waitGone waits up to d for pid to disappear.
func waitGone(pid int, d time.Duration) bool {
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if !processAlive(pid) {
			return true
		}
	}
	return !processAlive(pid)
}

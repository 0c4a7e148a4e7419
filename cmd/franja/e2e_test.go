package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"franja/internal/pgtest"
)

// TestMain removes the binary built for the end-to-end tests afterwards.
func TestMain(m *testing.M) {
	pgtest.Main(m, func() {
		if binPath != "" {
			os.RemoveAll(filepath.Dir(binPath))
		}
	})
}

// binary builds the real franja binary once per test run.
func binary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "franja-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "franja")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = &buildError{out: string(out), err: err}
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// process is a running `franja serve`.
type process struct {
	cmd  *exec.Cmd
	addr string
	logs chan string
	done chan error
}

// startServe runs `franja serve` with env and waits for its "listening" line.
func startServe(t *testing.T, env ...string) *process {
	t.Helper()
	cmd := exec.Command(binary(t), "serve")
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "FRANJA_ADDR=127.0.0.1:0", "FRANJA_ADMIN_TOKEN=e2e-admin-token"}, env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: cmd, logs: make(chan string, 1000), done: make(chan error, 1)}
	addrc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			var rec struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "listening" {
				addrc <- rec.Addr
			}
			select {
			case p.logs <- line:
			default:
			}
		}
		p.done <- cmd.Wait()
	}()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	select {
	case p.addr = <-addrc:
	case err := <-p.done:
		t.Fatalf("franja serve exited before listening: %v\n%s", err, drain(p.logs))
	case <-time.After(60 * time.Second):
		t.Fatalf("franja serve did not listen within 60 s\n%s", drain(p.logs))
	}
	return p
}

func drain(c chan string) string {
	var b strings.Builder
	for {
		select {
		case l := <-c:
			b.WriteString(l + "\n")
		default:
			return b.String()
		}
	}
}

func (p *process) get(t *testing.T, path, token string) (int, string) {
	t.Helper()
	r, _ := http.NewRequest("GET", "http://"+p.addr+path, nil)
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// stop sends sig and waits for the process to exit.
func (p *process) stop(t *testing.T, sig syscall.Signal) error {
	t.Helper()
	_ = p.cmd.Process.Signal(sig)
	select {
	case err := <-p.done:
		return err
	case <-time.After(40 * time.Second):
		t.Fatalf("franja did not exit within 40 s of %v", sig)
		return nil
	}
}

// waitReady polls /readyz: the server listens (and answers /healthz) before
// its in-memory view is loaded.
func (p *process) waitReady(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		code, body := p.get(t, "/readyz", "")
		if code == 200 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz = %d %s after 30 s", code, body)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// checkServing asserts what every healthy server answers.
func checkServing(t *testing.T, p *process) {
	t.Helper()
	p.waitReady(t)
	if code, _ := p.get(t, "/v1/people", ""); code != 401 {
		t.Errorf("/v1/people without a token = %d, want 401", code)
	}
	if code, body := p.get(t, "/openapi.yaml", ""); code != 200 || !strings.HasPrefix(body, "openapi: 3.1") {
		t.Errorf("/openapi.yaml = %d %.30q", code, body)
	}
}

// postgresPID reads the embedded server's pid from its postmaster.pid.
func postgresPID(t *testing.T, dataDir string) int {
	t.Helper()
	matches, _ := filepath.Glob(filepath.Join(dataDir, "*", "postmaster.pid"))
	if len(matches) == 0 {
		t.Fatalf("no postmaster.pid under %s", dataDir)
	}
	b, err := os.ReadFile(matches[0])
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.SplitN(string(b), "\n", 2)[0])
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	// A zombie is dead for our purpose.
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	return err == nil && !strings.Contains(string(b), ") Z ")
}

func waitGone(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for alive(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("postgres (pid %d) is still running: orphaned", pid)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestServeEmbeddedPostgres(t *testing.T) {
	dataDir, err := os.MkdirTemp("/var/tmp", "franja-e2e-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dataDir) })
	env := "FRANJA_DATA_DIR=" + dataDir

	p := startServe(t, env)
	checkServing(t, p)
	pid := postgresPID(t, dataDir)
	// The cluster listens on no TCP address (postmaster.pid's sixth line),
	// only on its 0700 socket directory, and asks every role a password.
	matches, _ := filepath.Glob(filepath.Join(dataDir, "*", "postmaster.pid"))
	if b, err := os.ReadFile(matches[0]); err != nil || strings.Split(string(b), "\n")[5] != "" {
		t.Errorf("the embedded server listens on TCP: postmaster.pid %q (%v)", b, err)
	}
	if err := p.stop(t, syscall.SIGTERM); err != nil {
		t.Fatalf("exit after SIGTERM: %v\n%s", err, drain(p.logs))
	}
	waitGone(t, pid)

	// Restart on the same data: it is kept, and the schema is already there.
	p = startServe(t, env)
	checkServing(t, p)
	pid = postgresPID(t, dataDir)
	// SIGKILL gives franja no chance to stop postgres: the kernel must.
	if err := p.stop(t, syscall.SIGKILL); err == nil {
		t.Fatal("franja exited cleanly after SIGKILL?")
	}
	waitGone(t, pid)
}

func TestServeWithDatabaseURL(t *testing.T) {
	dsn := pgtest.DSN(t)
	dataDir := t.TempDir() // must stay empty: the embedded server is not used
	p := startServe(t, "DATABASE_URL="+dsn, "FRANJA_DATA_DIR="+dataDir)
	checkServing(t, p)
	if code, body := p.get(t, "/v1/nothing-here", "e2e-admin-token"); code != 404 {
		t.Errorf("admin token on an unknown route = %d %s, want 404", code, body)
	}
	if err := p.stop(t, syscall.SIGTERM); err != nil {
		t.Fatalf("exit after SIGTERM: %v", err)
	}
	if entries, _ := os.ReadDir(dataDir); len(entries) != 0 {
		t.Errorf("DATABASE_URL was set, yet %s was used", dataDir)
	}
}

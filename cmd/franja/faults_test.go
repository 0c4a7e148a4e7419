package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"franja/internal/pgembed"
	"franja/internal/pgtest"
)

// The fault tests of issue 11: a real `franja serve` on a PostgreSQL of the
// test's own, which the test kills, restarts and locks. Run them alone with
//
//	go test ./cmd/franja/ -run 'TestOutage|TestLocked|TestStartup' -v

// cluster is a private PostgreSQL the test can kill and restart on the same
// data and socket.
type cluster struct {
	t   *testing.T
	dir string
	srv *pgembed.Server
}

func newCluster(t *testing.T) *cluster {
	t.Helper()
	dir, err := os.MkdirTemp("/var/tmp", "franja-fault-")
	if err != nil {
		t.Fatal(err)
	}
	c := &cluster{t: t, dir: dir}
	c.start()
	t.Cleanup(func() {
		_ = c.srv.Stop()
		os.RemoveAll(dir)
	})
	if err := c.srv.EnsureRole(t.Context(), serviceRole); err != nil {
		t.Fatal(err)
	}
	return c
}

// start starts (or restarts) the server, retrying while the backends of a
// killed one are still going away.
func (c *cluster) start() {
	c.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		// Fast, but commits reach the OS before they are acknowledged: a
		// SIGKILLed server must not lose what it said was committed.
		srv, err := pgembed.Start(context.Background(), pgembed.Options{DataDir: c.dir, Database: "franja", SocketOnly: true, Fast: true,
			Settings: map[string]string{"synchronous_commit": "on"}})
		if err == nil {
			c.srv = srv
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("restarting postgres: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// kill SIGKILLs the postmaster and waits for it to exit.
func (c *cluster) kill() {
	c.t.Helper()
	if err := syscall.Kill(c.srv.Pid(), syscall.SIGKILL); err != nil {
		c.t.Fatal(err)
	}
	<-c.srv.Done()
}

// env is what `franja serve` needs to run on the cluster: the service's
// role, and the owner for migrations.
func (c *cluster) env(extra ...string) []string {
	return append([]string{"DATABASE_URL=" + c.srv.RoleDSN(serviceRole, "franja"),
		"FRANJA_MIGRATE_DATABASE_URL=" + c.srv.DSN("franja"), "FRANJA_RATE_LIMIT_SYSTEM=0"}, extra...)
}

// client is an HTTP client for load: kept-alive connections, a timeout.
var client = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}

// result is one answered request.
type result struct {
	start, end time.Time
	status     int
	retryAfter string
	body       []byte
}

func (p *process) send(method, path, token string, body []byte) result {
	r, _ := http.NewRequest(method, "http://"+p.addr+path, bytes.NewReader(body))
	r.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	res := result{start: time.Now()}
	resp, err := client.Do(r)
	if err != nil {
		res.end, res.status = time.Now(), -1
		res.body = []byte(err.Error())
		return res
	}
	res.body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	res.end, res.status, res.retryAfter = time.Now(), resp.StatusCode, resp.Header.Get("Retry-After")
	return res
}

// setup makes a post, a person and a system key through p; it returns the
// key's token.
func setup(t *testing.T, p *process) string {
	t.Helper()
	week := map[string][]string{"mon": {"08:00-17:00"}, "tue": {"08:00-17:00"}, "wed": {"08:00-17:00"}, "thu": {"08:00-17:00"}, "fri": {"08:00-17:00"}}
	for _, c := range []struct {
		path string
		body any
	}{
		{"/v1/posts", map[string]any{"code": "BOG", "name": "Bogotá", "kind": "headquarters", "country": "CO", "time_zone": "America/Bogota", "calendars": []string{"CO"}, "schedule": week}},
		{"/v1/people", map[string]any{"external_id": "E1", "full_name": "Ana", "email": "ana@x.co", "post": "BOG"}},
	} {
		if code, m := p.call(t, "POST", c.path, c.body); code != 201 {
			t.Fatalf("POST %s = %d %v", c.path, code, m)
		}
	}
	code, m := p.call(t, "POST", "/v1/api-keys", map[string]any{"name": "notificaciones", "role": "system"})
	if code != 201 {
		t.Fatalf("creating the system key: %d %v", code, m)
	}
	return m["token"].(string)
}

// leaveDay is the date of the i-th leave the writer makes: one day each,
// from Monday 4 January 2027, so that each is seen by its own decision.
func leaveDay(i int) string {
	return time.Date(2027, 1, 4, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i).Format("2006-01-02")
}

// load runs decisions (with the system key, from workers goroutines) and
// leave writes (one goroutine, every 50 ms) against p until stop closes.
type load struct {
	mu        sync.Mutex
	decisions []result
	writes    []result
	refs      []string // writes[i]'s external_ref
	wg        sync.WaitGroup
	stop      chan struct{}
}

func startLoad(p *process, token string, workers int) *load {
	l := &load{stop: make(chan struct{})}
	const decision = "/v1/people/E1/contactability?at=2026-11-26T10:00:00-05:00&channel=teams_call"
	for range workers {
		l.wg.Go(func() {
			for {
				select {
				case <-l.stop:
					return
				default:
				}
				r := p.send("GET", decision, token, nil)
				l.mu.Lock()
				l.decisions = append(l.decisions, r)
				l.mu.Unlock()
			}
		})
	}
	l.wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-l.stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
			ref := fmt.Sprintf("OUT-%d", i)
			body, _ := json.Marshal(map[string]string{"kind": "vacation", "external_ref": ref, "start_date": leaveDay(i), "end_date": leaveDay(i)})
			r := p.send("POST", "/v1/people/E1/leaves", "e2e-admin-token", body)
			l.mu.Lock()
			l.writes, l.refs = append(l.writes, r), append(l.refs, ref)
			l.mu.Unlock()
		}
	})
	return l
}

func (l *load) finish() {
	close(l.stop)
	l.wg.Wait()
}

// TestOutageKeepsDecisionsAnswering is the first "Done when" of issue 11:
// PostgreSQL SIGKILLed for 3 s under decision load with a system key, then
// restarted. At least 99.9% of the decisions during the outage answer 200;
// writes answer 503 with Retry-After; every acknowledged write is stored
// and reflected in decisions; writes succeed again within 2 s of
// PostgreSQL accepting connections, without restarting Franja.
func TestOutageKeepsDecisionsAnswering(t *testing.T) {
	c := newCluster(t)
	p := startServe(t, c.env()...)
	p.waitReady(t)
	token := setup(t, p)
	l := startLoad(p, token, 6)
	time.Sleep(time.Second)
	killed := time.Now()
	c.kill()
	time.Sleep(3 * time.Second)
	c.start()
	up := time.Now()
	time.Sleep(3 * time.Second)
	l.finish()

	// Decisions asked during the outage.
	var during, ok200 int
	for _, r := range l.decisions {
		if r.start.After(killed) && r.end.Before(up) {
			during++
			if r.status == 200 {
				ok200++
			}
		}
	}
	t.Logf("outage %v: %d decisions asked during it, %d answered 200 (%.3f%%); %d decisions in all", up.Sub(killed).Round(time.Millisecond),
		during, ok200, 100*float64(ok200)/float64(max(during, 1)), len(l.decisions))
	if during < 100 || float64(ok200) < 0.999*float64(during) {
		t.Errorf("%d of %d decisions during the outage answered 200, want at least 99.9%%", ok200, during)
	}
	// Writes: 2xx, or 503 with Retry-After, nothing else.
	var acked []string
	var unavailable, committed int
	firstOK := time.Time{}
	for i, r := range l.writes {
		var m struct{ Code string }
		_ = json.Unmarshal(r.body, &m)
		switch {
		case r.status == 200 || r.status == 201:
			acked = append(acked, l.refs[i])
			if r.start.After(up) && firstOK.IsZero() {
				firstOK = r.end
			}
		case r.status == 503 && r.retryAfter != "" && m.Code == "committed_not_served":
			committed++
			acked = append(acked, l.refs[i])
		case r.status == 503 && r.retryAfter != "":
			unavailable++
		default:
			t.Errorf("write %s at %v: %d (Retry-After %q) %s", l.refs[i], r.start.Sub(killed).Round(time.Millisecond), r.status, r.retryAfter, r.body)
		}
	}
	t.Logf("writes: %d acknowledged, %d committed_not_served, %d unavailable; first success %v after PostgreSQL was back",
		len(acked)-committed, committed, unavailable, firstOK.Sub(up).Round(time.Millisecond))
	if unavailable == 0 {
		t.Error("no write answered 503 during the outage: the test did not take the database away")
	}
	if firstOK.IsZero() || firstOK.Sub(up) > 2*time.Second {
		t.Errorf("writes succeeded again %v after PostgreSQL accepted connections, want within 2 s", firstOK.Sub(up))
	}
	checkAcknowledged(t, p, token, l, acked)
}

// checkAcknowledged asserts every acknowledged write is stored, and seen
// by the decisions of the replica (E1 on leave on its day).
func checkAcknowledged(t *testing.T, p *process, token string, l *load, acked []string) {
	t.Helper()
	code, m := p.call(t, "GET", "/v1/people/E1/leaves?limit=1000", nil)
	if code != 200 {
		t.Fatalf("listing the leaves: %d %v", code, m)
	}
	stored := map[string]bool{}
	for _, it := range m["items"].([]any) {
		stored[it.(map[string]any)["external_ref"].(string)] = true
	}
	index := map[string]int{}
	for i, ref := range l.refs {
		index[ref] = i
	}
	for _, ref := range acked {
		if !stored[ref] {
			t.Errorf("acknowledged write %s is not stored", ref)
			continue
		}
		day := leaveDay(index[ref])
		r := p.send("GET", "/v1/people/E1/contactability?at="+day+"T10:00:00-05:00", token, nil)
		if r.status != 200 || !strings.Contains(string(r.body), `"on_leave"`) {
			t.Errorf("acknowledged leave %s (%s) not reflected in decisions: %d %s", ref, day, r.status, r.body)
		}
	}
}

// TestLockedTablesStallNothing is the second "Done when" of issue 11:
// ACCESS EXCLUSIVE locks on the written tables, held longer than the
// statement timeout. Decisions stay fast, /readyz answers within a second,
// and the blocked writes end in 503 within the lock timeout.
func TestLockedTablesStallNothing(t *testing.T) {
	c := newCluster(t)
	p := startServe(t, c.env("FRANJA_DB_LOCK_TIMEOUT=500ms", "FRANJA_DB_STATEMENT_TIMEOUT=1s")...)
	p.waitReady(t)
	token := setup(t, p)
	conn, err := pgx.Connect(t.Context(), c.srv.DSN("franja"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	tx, err := conn.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(t.Context(), `LOCK TABLE people, leaves, schedules, posts, api_keys IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	locked := time.Now()
	var wg sync.WaitGroup
	writes := make([]result, 8) // twice a small pool's worth
	for i := range writes {
		wg.Go(func() {
			body, _ := json.Marshal(map[string]string{"kind": "vacation", "external_ref": fmt.Sprintf("LCK-%d", i), "start_date": leaveDay(i), "end_date": leaveDay(i)})
			writes[i] = p.send("POST", "/v1/people/E1/leaves", "e2e-admin-token", body)
		})
	}
	var slowest, slowestReady time.Duration
	decisions, readies := 0, 0
	for time.Since(locked) < 3*time.Second {
		r := p.send("GET", "/v1/people/E1/contactability?at=2026-11-26T10:00:00-05:00", token, nil)
		if r.status != 200 {
			t.Fatalf("a decision during the lock: %d %s", r.status, r.body)
		}
		decisions++
		slowest = max(slowest, r.end.Sub(r.start))
		if decisions%20 == 0 {
			r := p.send("GET", "/readyz", "", nil)
			readies++
			slowestReady = max(slowestReady, r.end.Sub(r.start))
			if r.status != 200 {
				t.Errorf("/readyz during the lock: %d %s", r.status, r.body)
			}
		}
	}
	wg.Wait()
	if err := tx.Rollback(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Logf("3 s of locks: %d decisions, slowest %v; %d /readyz, slowest %v", decisions, slowest, readies, slowestReady)
	if slowest > time.Second || slowestReady > time.Second {
		t.Errorf("during the lock the slowest decision took %v and the slowest /readyz %v, want both under a second", slowest, slowestReady)
	}
	for i, r := range writes {
		if took := r.end.Sub(r.start); r.status != 503 || r.retryAfter == "" || took > 2*time.Second {
			t.Errorf("blocked write %d: %d (Retry-After %q) after %v, want 503 within the 500 ms lock timeout (+slack): %s", i, r.status, r.retryAfter, took, r.body)
		}
	}
	body, _ := json.Marshal(map[string]string{"kind": "vacation", "external_ref": "AFTER", "start_date": leaveDay(30), "end_date": leaveDay(30)})
	if r := p.send("POST", "/v1/people/E1/leaves", "e2e-admin-token", body); r.status != 201 {
		t.Errorf("a write after the lock: %d %s", r.status, r.body)
	}
}

// TestStartupAgainstASilentServer is the fourth "Done when" of issue 11: a
// database address that accepts TCP and never answers. Start-up fails
// within the connect timeout with a message saying so, and SIGINT stops it
// at once.
func TestStartupAgainstASilentServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var held []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c) // accepted, never answered
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range held {
			c.Close()
		}
	})
	url := "DATABASE_URL=postgres://franja:secret@" + ln.Addr().String() + "/franja?sslmode=disable"

	cmd := exec.Command(binary(t), "serve")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "FRANJA_ADDR=127.0.0.1:0", url, "FRANJA_DB_CONNECT_TIMEOUT=1s"}
	start := time.Now()
	out, err := cmd.CombinedOutput()
	took := time.Since(start)
	if err == nil || !strings.Contains(string(out), "did not answer within 1s (FRANJA_DB_CONNECT_TIMEOUT)") {
		t.Fatalf("start-up against a silent server: %v after %v\n%s", err, took, out)
	}
	t.Logf("failed after %v: %s", took.Round(time.Millisecond), lastLine(out))
	if took > 10*time.Second {
		t.Errorf("start-up took %v to fail with a 1 s connect timeout", took)
	}

	cmd = exec.Command(binary(t), "serve")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "FRANJA_ADDR=127.0.0.1:0", url, "FRANJA_DB_CONNECT_TIMEOUT=60s"}
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	time.Sleep(500 * time.Millisecond)
	_ = cmd.Process.Signal(os.Interrupt)
	select {
	case err := <-done:
		if err == nil || !strings.Contains(buf.String(), "interrupted") {
			t.Errorf("after SIGINT while connecting: %v\n%s", err, buf.String())
		}
	case <-time.After(5 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("SIGINT did not stop start-up within 5 s\n%s", buf.String())
	}
}

func lastLine(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return lines[len(lines)-1]
}

// TestMaintenanceAndTemplateDatabasesAreRefused: DATABASE_URL naming the
// postgres database or a template is refused with a message that says
// what to do instead.
func TestMaintenanceAndTemplateDatabasesAreRefused(t *testing.T) {
	dsn := pgtest.DSN(t)
	for _, db := range []string{"postgres", "template1"} {
		u, err := url.Parse(dsn)
		if err != nil {
			t.Fatal(err)
		}
		u.Path = "/" + db
		env := func(k string) string {
			if k == "DATABASE_URL" {
				return u.String()
			}
			return ""
		}
		var out bytes.Buffer
		err = run(t.Context(), []string{"keys", "list"}, env, &out)
		if err == nil || !strings.Contains(err.Error(), "CREATE DATABASE franja") {
			t.Errorf("DATABASE_URL on %s: %v", db, err)
		}
	}
}

package web_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"franja/internal/pgtest"
)

func TestMain(m *testing.M) {
	pgtest.Main(m, func() {
		if binPath != "" {
			os.RemoveAll(filepath.Dir(binPath))
		}
	})
}

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// binary builds the real franja binary once per test run.
func binary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "franja-web-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "franja")
		if out, err := exec.Command("go", "build", "-o", binPath, "franja/cmd/franja").CombinedOutput(); err != nil {
			binErr = &buildError{string(out)}
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

type buildError struct{ out string }

func (e *buildError) Error() string { return "go build: " + e.out }

const adminToken = "web-test-admin-token-0123456789abcdef"

// server is a running `franja serve` on a database of its own.
type server struct {
	base string // http://localhost:PORT
	logs *bytes.Buffer
	mu   sync.Mutex
}

// freePort finds a port to give the binary, so that its URLs (the OIDC
// redirect) can be configured before it starts.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startServer runs the binary with env on a fresh database and waits until
// its view is loaded.
func startServer(t *testing.T, port int, env ...string) *server {
	t.Helper()
	cmd := exec.Command(binary(t), "serve")
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "DATABASE_URL=" + pgtest.DSN(t),
		"FRANJA_ADDR=127.0.0.1:" + strconv.Itoa(port), "FRANJA_ADMIN_TOKEN=" + adminToken}, env...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{base: "http://localhost:" + strconv.Itoa(port), logs: &bytes.Buffer{}}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			s.mu.Lock()
			s.logs.WriteString(sc.Text() + "\n")
			s.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			s.mu.Lock()
			t.Logf("franja serve's log:\n%s", s.logs.String())
			s.mu.Unlock()
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		res, err := http.Get(s.base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("franja serve not ready within 60 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// api calls the API with the admin token and returns the status and body.
func (s *server) api(t *testing.T, method, path string, body any) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, s.base+path, rd)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

func (s *server) mustAPI(t *testing.T, method, path string, body any) []byte {
	t.Helper()
	code, b := s.api(t, method, path, body)
	if code >= 300 {
		t.Fatalf("%s %s = %d %s", method, path, code, b)
	}
	return b
}

var weekdays = map[string][]string{
	"mon": {"08:00-12:00", "13:00-17:00"}, "tue": {"08:00-12:00", "13:00-17:00"}, "wed": {"08:00-12:00", "13:00-17:00"},
	"thu": {"08:00-12:00", "13:00-17:00"}, "fri": {"08:00-12:00", "13:00-17:00"}, "sat": {}, "sun": {},
}

// seed writes two posts and two reporting lines:
//
//	S1 (Bogotá) ─┬─ A1 (Tokyo)
//	             ├─ A2 (Bogotá, on leave now, stand-in A3)
//	             └─ A3 (Bogotá)
//	S2 (Bogotá) ─── B1 (Bogotá)        X1 reports to nobody
//
// and returns a supervisor key for S1 and an hr key.
func (s *server) seed(t *testing.T) (supervisorKey, hrKey string) {
	t.Helper()
	s.mustAPI(t, "POST", "/v1/posts", map[string]any{"code": "BOG", "name": "Sede central", "kind": "headquarters", "country": "CO",
		"city": "Bogotá", "time_zone": "America/Bogota", "calendars": []string{"CO"}, "schedule": weekdays})
	s.mustAPI(t, "POST", "/v1/posts", map[string]any{"code": "TYO", "name": "Embajada en Tokio", "kind": "embassy", "country": "JP",
		"city": "Tokio", "time_zone": "Asia/Tokyo", "calendars": []string{"JP"}, "schedule": weekdays})
	people := []map[string]any{
		{"external_id": "S1", "full_name": "Sara Supervisora", "email": "s1@example.gov.co", "post": "BOG"},
		{"external_id": "S2", "full_name": "Simón Segundo", "email": "s2@example.gov.co", "post": "BOG"},
		{"external_id": "X1", "full_name": "Ximena Externa", "email": "x1@example.gov.co", "post": "BOG"},
		{"external_id": "A1", "full_name": "Akira Tanaka", "email": "a1@example.gov.co", "post": "TYO", "supervisor": "S1"},
		{"external_id": "A2", "full_name": "Ana Alvarado", "email": "a2@example.gov.co", "post": "BOG", "supervisor": "S1"},
		{"external_id": "A3", "full_name": "Andrés Encargado", "email": "a3@example.gov.co", "post": "BOG", "supervisor": "S1"},
		{"external_id": "B1", "full_name": "Beatriz Otra", "email": "b1@example.gov.co", "post": "BOG", "supervisor": "S2"},
		{"external_id": "H1", "full_name": "Hugo Humano", "email": "h1@example.gov.co", "post": "BOG"},
	}
	for _, p := range people {
		s.mustAPI(t, "POST", "/v1/people", p)
	}
	today := time.Now().UTC()
	s.mustAPI(t, "POST", "/v1/people/A2/leaves", map[string]any{"kind": "sick_leave", "external_ref": "L-A2",
		"start_date": today.AddDate(0, 0, -2).Format(time.DateOnly), "end_date": today.AddDate(0, 0, 20).Format(time.DateOnly), "delegate": "A3"})
	var key struct{ Token string }
	_ = json.Unmarshal(s.mustAPI(t, "POST", "/v1/api-keys", map[string]any{"name": "Sara", "role": "supervisor", "person": "S1"}), &key)
	supervisorKey = key.Token
	_ = json.Unmarshal(s.mustAPI(t, "POST", "/v1/api-keys", map[string]any{"name": "Talento Humano", "role": "hr"}), &key)
	hrKey = key.Token
	if supervisorKey == "" || hrKey == "" || strings.Contains(supervisorKey, " ") {
		t.Fatalf("no keys: %q %q", supervisorKey, hrKey)
	}
	return supervisorKey, hrKey
}

// contactsFor records, through a system key naming the requester, three
// contacts of S1 with A2 (on leave, so outside allowed time) and one of S2
// with B1.
func (s *server) contactsFor(t *testing.T) {
	t.Helper()
	var key struct{ Token string }
	_ = json.Unmarshal(s.mustAPI(t, "POST", "/v1/api-keys", map[string]any{"name": "mensajería", "role": "system"}), &key)
	contact := func(person, requester string) {
		b, _ := json.Marshal(map[string]any{"person": person, "requester": requester, "channel": "email"})
		req, _ := http.NewRequest("POST", s.base+"/v1/contacts", bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+key.Token)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 201 {
			t.Fatalf("POST /v1/contacts %s→%s = %d %s", requester, person, res.StatusCode, body)
		}
	}
	for range 3 {
		contact("A2", "S1")
	}
	contact("B1", "S2")
}

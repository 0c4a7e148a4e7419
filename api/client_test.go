package api

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestGeneratedClient generates a Go client with oapi-codegen (the version
// pinned as a go tool in go.mod) from the document the real server serves,
// compiles it, and runs internal/apiclient's test with it against that
// server: a merge patch with null, and a batch with an error item.
func TestGeneratedClient(t *testing.T) {
	h := newHarness(t)
	srv := httptest.NewServer(h.handler)
	defer srv.Close()
	res, err := http.Get(srv.URL + "/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("GET /openapi.yaml: %d %v", res.StatusCode, err)
	}
	dir := t.TempDir()
	spec, gen := filepath.Join(dir, "openapi.yaml"), filepath.Join(dir, "client.gen.go")
	if err := os.WriteFile(spec, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	root, _ := filepath.Abs("..")
	run := func(env []string, name string, args ...string) string {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Dir, cmd.Env = root, append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %v: %v\n%s", name, args, err, out)
		}
		return string(out)
	}
	run(nil, "go", "tool", "oapi-codegen", "-config", "internal/apiclient/oapi-codegen.yaml", "-o", gen, spec)
	code, err := os.ReadFile(gen)
	if err != nil {
		t.Fatal(err)
	}
	// Behind the build tag, so that a file left behind never joins the
	// normal build.
	target := filepath.Join(root, "internal", "apiclient", "client.gen.go")
	if err := os.WriteFile(target, append([]byte("//go:build apiclient\n\n"), code...), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(target) })
	out := run([]string{"FRANJA_API_URL=" + srv.URL, "FRANJA_API_TOKEN=" + testAdminToken},
		"go", "test", "-tags", "apiclient", "-count=1", "-v", "-run", "TestAgainstTheServer", "./internal/apiclient/")
	if !strings.Contains(out, "--- PASS: TestAgainstTheServer") {
		t.Errorf("the generated client's test did not run:\n%s", out)
	}
}

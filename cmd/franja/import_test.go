package main

import (
	"bytes"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"franja/api"
	"franja/domain"
	"franja/internal/pgtest"
	"franja/postgres"
)

const importTestToken = "import-test-admin-token-0123456789"

// importServer runs the real router on a fresh database.
func importServer(t *testing.T) *httptest.Server {
	t.Helper()
	store := postgres.New(pgtest.Pool(t))
	srv := httptest.NewServer(api.New(api.Config{AdminToken: importTestToken, Store: store}))
	t.Cleanup(srv.Close)
	return srv
}

// importFile writes a file named name into a temporary directory.
func importFile(t *testing.T, name, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// runImport runs `franja import args…` with env as the environment.
func runImport(t *testing.T, env map[string]string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(t.Context(), append([]string{"import"}, args...), func(k string) string { return env[k] }, &out)
	return out.String(), err
}

func TestImportCommand(t *testing.T) {
	srv := importServer(t)
	flags := []string{"--server", srv.URL, "--token", importTestToken}
	posts := importFile(t, "posts.csv", "code,name,kind,country,time_zone,calendars,schedule\n"+
		"BOG,Bogotá,headquarters,CO,America/Bogota,CO,\"mon=08:00-12:00,13:00-17:00\"\n")
	people := importFile(t, "people.json", `[{"external_id":"E1","full_name":"Luis","email":"luis@example.org","post":"BOG"},
		{"external_id":"E2","full_name":"Ana","email":"ana@example.org","post":"BOG","supervisor":"E1"}]`)
	leaves := importFile(t, "leaves.csv", "person,kind,external_ref,start_date,end_date\nE1,vacation,LV-1,2026-03-02,2026-03-06\n")
	bad := importFile(t, "bad.csv", "person,kind,external_ref,start_date,end_date\n"+
		"E1,vacation,LV-1,2026-03-02,2026-03-06\nE2,holiday,LV-2,2026-03-02,2026-03-06\nE9,vacation,LV-3,2026-03-02,2026-03-06\n")

	steps := []struct {
		name    string
		env     map[string]string
		args    []string
		want    []string // lines the output must contain
		wantErr error
	}{
		{"posts", nil, append([]string{"posts", posts}, flags...), []string{"posts imported: 1 created, 0 updated, 0 unchanged"}, nil},
		{"people as JSON, flags first", nil, append(append([]string{}, flags...), "people", people), []string{"people imported: 2 created, 0 updated, 0 unchanged"}, nil},
		{"leaves dry run, from the environment", map[string]string{"FRANJA_SERVER": srv.URL, "FRANJA_TOKEN": importTestToken},
			[]string{"leaves", leaves, "--dry-run"}, []string{"leaves dry run (nothing written): 1 created, 0 updated, 0 unchanged"}, nil},
		{"leaves", nil, append([]string{"leaves", leaves}, flags...), []string{"leaves imported: 1 created, 0 updated, 0 unchanged"}, nil},
		{"leaves again", nil, append([]string{"leaves", leaves}, flags...), []string{"leaves imported: 0 created, 0 updated, 1 unchanged"}, nil},
		{"bad rows", nil, append([]string{"leaves", bad}, flags...), []string{
			`line 3: kind: "holiday" is not a valid leave kind; use one of ` + strings.Join(kindNames(), ", "),
			`line 4: person: no person has the external_id "E9"`,
		}, errImportRejected},
		{"wrong token", nil, []string{"posts", posts, "--server", srv.URL, "--token", "nope"}, nil, errImportRejected},
		{"no token", nil, []string{"posts", posts, "--server", srv.URL}, nil, errUsage},
		{"unknown kind", nil, append([]string{"holidays", posts}, flags...), nil, errUsage},
		{"unknown extension", nil, append([]string{"posts", importFile(t, "posts.txt", "")}, flags...), nil, errUsage},
		{"no file", nil, append([]string{"posts"}, flags...), nil, errUsage},
	}
	for _, st := range steps {
		out, err := runImport(t, st.env, st.args...)
		if !errors.Is(err, st.wantErr) {
			t.Errorf("%s: error %v, want %v\noutput:\n%s", st.name, err, st.wantErr, out)
		}
		for _, line := range st.want {
			if !strings.Contains(out, line+"\n") {
				t.Errorf("%s: output lacks %q:\n%s", st.name, line, out)
			}
		}
	}
}

func kindNames() []string {
	out := make([]string, len(domain.LeaveKinds))
	for i, k := range domain.LeaveKinds {
		out[i] = string(k)
	}
	return out
}

// TestImportCommandPlainOutput: when stdout is not a terminal there is no
// progress bar, only one plain line before the answer.
func TestImportCommandPlainOutput(t *testing.T) {
	srv := importServer(t)
	body := "code,name,kind,country,time_zone\nBOG,Bogotá,headquarters,CO,America/Bogota\n"
	posts := importFile(t, "posts.csv", body)
	out, err := runImport(t, nil, "posts", posts, "--server", srv.URL+"/", "--token", importTestToken)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("uploading posts.csv (%d bytes)\nposts imported: 1 created, 0 updated, 0 unchanged\n", len(body))
	if out != want {
		t.Errorf("output:\n%q\nwant:\n%q", out, want)
	}
}

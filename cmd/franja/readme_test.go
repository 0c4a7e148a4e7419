package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"franja/internal/pgembed"
)

// tryIt returns the shell blocks of the README's "Try it" section, joined:
// the walk-through a newcomer copies and pastes.
func tryIt(t *testing.T, readme []byte) string {
	t.Helper()
	s := string(readme)
	start := strings.Index(s, "\n## Try it")
	if start < 0 {
		t.Fatal(`README.md has no "## Try it" section`)
	}
	section := s[start+1:]
	if end := strings.Index(section, "\n## "); end >= 0 {
		section = section[:end]
	}
	var script strings.Builder
	for _, m := range regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(section, -1) {
		script.WriteString(m[1])
	}
	if script.Len() == 0 {
		t.Fatal("the Try it section has no sh blocks")
	}
	return script.String()
}

// TestReadmeWalkThrough runs the README's walk-through verbatim, from the
// repository's root, on a clean data directory: build, seed, serve in the
// background, wait for /readyz, ask, use the admin commands beside the
// server, and stop it. Then nothing of it may be left running. As root (CI)
// it runs in a network namespace of its own, so that its port 8080 is free
// whatever else runs on the machine.
func TestReadmeWalkThrough(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	script := tryIt(t, readme)
	for _, f := range []string{"franja", "franja.log"} {
		if _, err := os.Stat(filepath.Join(root, f)); err == nil {
			t.Fatalf("%s/%s exists already: the walk-through would overwrite it", root, f)
		}
		t.Cleanup(func() { os.Remove(filepath.Join(root, f)) })
	}
	// The data directory's parents must be traversable by the postgres
	// user when run as root (t.TempDir's are not).
	data, err := os.MkdirTemp("/var/tmp", "franja-readme-")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(data, 0o755)
	t.Cleanup(func() { os.RemoveAll(data) })

	ctx, cancel := context.WithTimeout(t.Context(), 8*time.Minute)
	defer cancel()
	var cmd *exec.Cmd
	if os.Geteuid() == 0 {
		cmd = exec.CommandContext(ctx, "unshare", "--net", "bash", "-c", `ip link set lo up && exec bash -euo pipefail -c "$0"`, script)
	} else {
		cmd = exec.CommandContext(ctx, "bash", "-euo", "pipefail", "-c", script)
	}
	cmd.Dir = root
	cmd.Env = append(cleanEnv(), "FRANJA_DATA_DIR="+filepath.Join(data, "franja"), "GOPROXY=off", "GOFLAGS=-mod=readonly")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	log, _ := os.ReadFile(filepath.Join(root, "franja.log"))
	if err != nil {
		t.Fatalf("the walk-through failed: %v\n%s\nfranja.log:\n%s", err, out.String(), log)
	}
	for _, want := range []string{
		`"person":"E10234"`, `"decision":"allow"`, // the first answer, as the README shows it
		`"delegate":{"person":"E10002"`, // the Secretary General's encargado
		`"message":"Within their working hours."`, `"reason`, `"slots":[`,
		`"token":"frj_`,             // the new key
		"Notificaciones", "version", // keys list and migrate version, beside the server
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the walk-through's output lacks %q:\n%s", want, out.String())
		}
	}
	t.Logf("output:\n%s", out.String())
	if !strings.Contains(string(log), `"msg":"stopped"`) {
		t.Errorf("franja did not stop cleanly:\n%s", log)
	}
	if _, _, running := pgembed.Running(filepath.Join(data, "franja"), "franja", "franja_app"); running {
		t.Error("the embedded PostgreSQL is still running")
	}
	if left := processesIn(root, "franja"); len(left) > 0 {
		t.Errorf("processes left running: %v", left)
	}
}

// cleanEnv is the test's environment without the settings the
// walk-through should not inherit.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if k == "DATABASE_URL" || k == "TEST_DATABASE_URL" || strings.HasPrefix(k, "FRANJA_") {
			continue
		}
		out = append(out, kv)
	}
	return out
}

// processesIn lists running processes started from dir whose command is
// ./name (a franja serve the walk-through left behind).
func processesIn(dir, name string) []string {
	procs, _ := filepath.Glob("/proc/[0-9]*")
	var out []string
	for _, p := range procs {
		cwd, err := os.Readlink(p + "/cwd")
		if err != nil || cwd != dir {
			continue
		}
		cmdline, _ := os.ReadFile(p + "/cmdline")
		if args := strings.Split(string(cmdline), "\x00"); len(args) > 0 && (args[0] == "./"+name || args[0] == filepath.Join(dir, name)) {
			out = append(out, filepath.Base(p)+": "+strings.Join(args, " "))
		}
	}
	return out
}

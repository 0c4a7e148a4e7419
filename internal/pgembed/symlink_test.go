package pgembed

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestPlantedSymlinksAreRefused: the data directory belongs to the server's
// user, who could replace run/ or postgres.log with a symlink to a file of
// root's. Start must refuse, and leave the target as it was.
func TestPlantedSymlinksAreRefused(t *testing.T) {
	for _, name := range []string{"run", "postgres.log"} {
		t.Run(name, func(t *testing.T) {
			dir := dataDir(t)
			s := start(t, Options{DataDir: dir, SocketOnly: true, Fast: true})
			if err := s.Stop(); err != nil {
				t.Fatal(err)
			}
			target := filepath.Join(dataDir(t), "roots")
			if err := os.WriteFile(target, []byte("root's\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			if name == "run" {
				target = filepath.Dir(target)
			}
			var before syscall.Stat_t
			if err := syscall.Stat(target, &before); err != nil {
				t.Fatal(err)
			}
			planted := filepath.Join(dir, name)
			if err := os.RemoveAll(planted); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(target, planted); err != nil {
				t.Fatal(err)
			}
			if s2, err := Start(t.Context(), Options{DataDir: dir, SocketOnly: true, Fast: true}); err == nil {
				s2.Stop()
				t.Fatalf("Start followed a planted %s symlink", name)
			}
			var after syscall.Stat_t
			if err := syscall.Stat(target, &after); err != nil {
				t.Fatal(err)
			}
			if after.Uid != before.Uid || after.Mode != before.Mode {
				t.Errorf("the symlink's target changed: uid %d→%d, mode %o→%o", before.Uid, after.Uid, before.Mode, after.Mode)
			}
			if b, _ := os.ReadFile(filepath.Join(filepath.Dir(target), "roots")); name == "postgres.log" && !strings.HasPrefix(string(b), "root's") {
				t.Errorf("the server log was written into the symlink's target: %q", b)
			}
		})
	}
}

func TestExistingDirectoriesAreNotTakenOver(t *testing.T) {
	if os.Geteuid() != 0 {
		// Without root nothing is handed to another user: the rule under
		// test cannot apply, and makeDir must simply accept the directory.
		if err := makeDir(dataDir(t), nil); err != nil {
			t.Fatal(err)
		}
		return
	}
	cred, err := runAs()
	if err != nil {
		t.Fatal(err)
	}
	// A non-empty directory of root's (say /srv) is refused, not chowned.
	dir := dataDir(t)
	if err := os.WriteFile(filepath.Join(dir, "keep"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := makeDir(dir, cred); err == nil || !strings.Contains(err.Error(), "belongs to uid 0") {
		t.Fatalf("makeDir on a non-empty root directory: %v", err)
	}
	var st syscall.Stat_t
	if err := syscall.Stat(dir, &st); err != nil || st.Uid != 0 {
		t.Fatalf("the directory was handed over: uid %d (%v)", st.Uid, err)
	}
	// An empty one is handed to the server's user.
	empty := dataDir(t)
	if err := makeDir(empty, cred); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Stat(empty, &st); err != nil || st.Uid != cred.Uid {
		t.Fatalf("an empty directory was not handed over: uid %d (%v)", st.Uid, err)
	}
}

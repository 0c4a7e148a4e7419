package pgembed

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fakeBinDir makes dir/{initdb,postgres} with the given mode.
func fakeBinDir(t *testing.T, mode os.FileMode) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"initdb", "postgres"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"), mode); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func env(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

func TestFindBinDirPGBin(t *testing.T) {
	good := fakeBinDir(t, 0o755)
	notExec := fakeBinDir(t, 0o644)
	empty := t.TempDir()
	tests := []struct {
		name    string
		pgBin   string
		want    string
		wantErr bool
	}{
		{"executables", good, good, false},
		{"not executable", notExec, "", true},
		{"empty dir", empty, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FindBinDir(env(map[string]string{"PG_BIN": tt.pgBin}))
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("FindBinDir(PG_BIN=%s) = %q, %v; want %q, error %v", tt.pgBin, got, err, tt.want, tt.wantErr)
			}
			if err != nil && !strings.Contains(err.Error(), "PG_BIN") {
				t.Errorf("error %q does not name PG_BIN", err)
			}
		})
	}
}

func TestFindBinDirOnThisMachine(t *testing.T) {
	dir, err := FindBinDir(env(nil))
	if err != nil {
		t.Fatalf("FindBinDir: %v", err)
	}
	if !hasServer(dir) {
		t.Errorf("FindBinDir = %s, which lacks initdb or postgres", dir)
	}
}

func TestFirstServerDir(t *testing.T) {
	good := fakeBinDir(t, 0o755)
	bad := t.TempDir()
	got, err := firstServerDir([]string{bad, "/nonexistent", good})
	if err != nil || got != good {
		t.Errorf("firstServerDir = %q, %v; want %q", got, err, good)
	}
	_, err = firstServerDir([]string{bad, "/nonexistent"})
	if !errors.Is(err, ErrNoBinaries) {
		t.Fatalf("firstServerDir without binaries: %v, want ErrNoBinaries", err)
	}
	for _, want := range []string{"apt-get install postgresql", "brew install postgresql", "PG_BIN", "DATABASE_URL"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestGlobNewestFirst(t *testing.T) {
	root := t.TempDir()
	for _, v := range []string{"9.6", "15", "10", "16"} {
		if err := os.MkdirAll(filepath.Join(root, v, "bin"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for _, p := range globNewestFirst(filepath.Join(root, "*", "bin")) {
		got = append(got, filepath.Base(filepath.Dir(p)))
	}
	if diff := cmp.Diff([]string{"16", "15", "10", "9.6"}, got); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
}

func TestDefaultDataDir(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		euid int
		want string
	}{
		{"explicit wins as root", map[string]string{"FRANJA_DATA_DIR": "/srv/f", "HOME": "/root"}, 0, "/srv/f"},
		{"explicit wins as user", map[string]string{"FRANJA_DATA_DIR": "/srv/f", "XDG_DATA_HOME": "/x"}, 1000, "/srv/f"},
		{"root avoids /root", map[string]string{"HOME": "/root", "XDG_DATA_HOME": "/root/.x"}, 0, "/var/lib/franja"},
		{"xdg", map[string]string{"HOME": "/home/a", "XDG_DATA_HOME": "/home/a/.data"}, 1000, "/home/a/.data/franja"},
		{"home", map[string]string{"HOME": "/home/a"}, 1000, "/home/a/.local/share/franja"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := defaultDataDir(env(tt.env), tt.euid); got != tt.want {
				t.Errorf("defaultDataDir = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCheckTraversable(t *testing.T) {
	var st syscall.Stat_t
	root := t.TempDir()
	if err := syscall.Stat(root, &st); err != nil {
		t.Fatal(err)
	}
	other := &syscall.Credential{Uid: st.Uid + 4242, Gid: st.Gid + 4242}
	tests := []struct {
		name    string
		mode    os.FileMode
		cred    *syscall.Credential
		wantErr bool
	}{
		{"0700 parent, other user", 0o700, other, true},
		{"0711 parent, other user", 0o711, other, false},
		{"0700 parent, owner", 0o700, &syscall.Credential{Uid: st.Uid, Gid: st.Gid}, false},
		{"not root: no check", 0o700, nil, false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent := filepath.Join(root, string(rune('a'+i)))
			if err := os.Mkdir(parent, tt.mode); err != nil {
				t.Fatal(err)
			}
			// t.TempDir's own parents (0700) are checked too.
			os.Chmod(root, 0o755)
			os.Chmod(filepath.Dir(root), 0o755)
			err := checkTraversable(filepath.Join(parent, "data"), tt.cred)
			if (err != nil) != tt.wantErr {
				t.Errorf("checkTraversable = %v, want error %v", err, tt.wantErr)
			}
			if err != nil && !strings.Contains(err.Error(), parent) {
				t.Errorf("error %q does not name %s", err, parent)
			}
		})
	}
}

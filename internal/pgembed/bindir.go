package pgembed

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// ErrNoBinaries reports that no PostgreSQL server binaries were found.
var ErrNoBinaries = errors.New("pgembed: PostgreSQL server binaries (initdb, postgres) not found: " +
	"install the PostgreSQL server binaries: `apt-get install postgresql` (Debian/Ubuntu) or " +
	"`brew install postgresql` (macOS), or set PG_BIN or DATABASE_URL")

// FindBinDir returns a directory holding both initdb and postgres. It tries,
// in order: PG_BIN, `pg_config --bindir`, the highest /usr/lib/postgresql/*/bin,
// the Homebrew locations, then PATH. It returns ErrNoBinaries when none fits.
func FindBinDir(getenv func(string) string) (string, error) {
	if d := getenv("PG_BIN"); d != "" {
		if hasServer(d) {
			return d, nil
		}
		return "", fmt.Errorf("pgembed: PG_BIN=%s holds no initdb and postgres executables", d)
	}
	var candidates []string
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		candidates = append(candidates, strings.TrimSpace(string(out)))
	}
	candidates = append(candidates, globNewestFirst("/usr/lib/postgresql/*/bin")...)
	candidates = append(candidates, globNewestFirst("/opt/homebrew/opt/postgresql@*/bin")...)
	candidates = append(candidates, "/opt/homebrew/bin")
	candidates = append(candidates, globNewestFirst("/usr/local/opt/postgresql@*/bin")...)
	candidates = append(candidates, pathDirs()...)
	return firstServerDir(candidates)
}

// firstServerDir returns the first of dirs that holds both binaries.
func firstServerDir(dirs []string) (string, error) {
	for _, d := range dirs {
		if hasServer(d) {
			return d, nil
		}
	}
	return "", ErrNoBinaries
}

// pathDirs returns the directories PATH suggests. initdb and postgres may sit
// in different PATH entries (e.g. a /usr/local/bin symlink to one of them), so
// each found executable's real directory is a candidate too.
func pathDirs() []string {
	var dirs []string
	for _, name := range []string{"postgres", "initdb"} {
		p, err := exec.LookPath(name)
		if err != nil {
			continue
		}
		dirs = append(dirs, filepath.Dir(p))
		if real, err := filepath.EvalSymlinks(p); err == nil {
			dirs = append(dirs, filepath.Dir(real))
		}
	}
	return dirs
}

// hasServer reports whether dir holds executable initdb and postgres files.
func hasServer(dir string) bool {
	for _, name := range []string{"initdb", "postgres"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0 {
			return false
		}
	}
	return true
}

var digits = regexp.MustCompile(`\d+`)

// globNewestFirst returns the matches of pattern, highest version first,
// comparing the numbers in each path numerically (so 15 sorts above 9.6).
func globNewestFirst(pattern string) []string {
	matches, _ := filepath.Glob(pattern)
	slices.SortStableFunc(matches, func(a, b string) int {
		return -slices.Compare(versionOf(a), versionOf(b))
	})
	return matches
}

// versionOf returns the numbers found in path, in order.
func versionOf(path string) []int {
	var v []int
	for _, s := range digits.FindAllString(path, -1) {
		n, _ := strconv.Atoi(s)
		v = append(v, n)
	}
	return v
}

package pgembed

import "testing"

// TestRunningSharesAStartedServer: a second process on the same data
// directory (franja keys while franja serve runs) finds the server and
// reaches it through its socket; once it stops, there is nothing to share.
func TestRunningSharesAStartedServer(t *testing.T) {
	dir := dataDir(t)
	if _, _, ok := Running(dir, "franja", "franja"); ok {
		t.Fatal("Running found a server before any started")
	}
	s := start(t, Options{DataDir: dir, SocketOnly: true, Fast: true})
	dsn, _, ok := Running(dir, "franja", "franja")
	if !ok {
		t.Fatal("Running did not find the started server")
	}
	if got := queryInt(t, dsn, "select 41 + 1"); got != 42 {
		t.Errorf("through %s: %d", dsn, got)
	}
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, _, ok := Running(dir, "franja", "franja"); ok {
		t.Error("Running found a stopped server")
	}
}

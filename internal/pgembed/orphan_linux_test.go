package pgembed

import (
	"bufio"
	"os"
	osexec "os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestNoOrphanAfterParentIsKilled(t *testing.T) {
	cmd := osexec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+dataDir(t))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the child's output: %v", err)
	}
	fields := strings.Fields(line)
	pid, err := strconv.Atoi(fields[0])
	if err != nil || len(fields) != 2 {
		t.Fatalf("child printed %q, want \"<pid> <dsn>\"", line)
	}
	t.Cleanup(func() { syscall.Kill(-pid, syscall.SIGKILL) }) // only if the test failed

	// The server survived the retirement of the thread Start was called on.
	time.Sleep(300 * time.Millisecond)
	if got := queryInt(t, fields[1], "select 1"); got != 1 {
		t.Fatalf("select 1 = %d", got)
	}

	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if !waitGone(pid, 5*time.Second) {
		t.Fatalf("postgres pid %d still alive 5s after its parent was killed", pid)
	}
}

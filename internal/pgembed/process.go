package pgembed

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
)

// child is a started process and the result of waiting for it.
type child struct {
	cmd  *exec.Cmd
	done chan struct{} // closed once the process has exited
	err  error         // the Wait result, valid after done is closed
}

// launch starts cmd from a goroutine locked to its own OS thread, which stays
// blocked in Wait until the process exits.
//
// Why: Pdeathsig fires when the *thread* that forked the child exits, not the
// process. Go may retire a thread at any time when a goroutine that locked it
// exits, so forking from an arbitrary caller's thread could kill the server
// early. The dedicated thread lives exactly as long as the child; it is left
// locked on return so Go retires it instead of reusing it.
func launch(cmd *exec.Cmd) (*child, error) {
	c := &child{cmd: cmd, done: make(chan struct{})}
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		c.err = cmd.Wait()
		close(c.done)
	}()
	if err := <-started; err != nil {
		return nil, err
	}
	return c, nil
}

// run launches cmd and waits for it to exit.
func run(cmd *exec.Cmd) error {
	c, err := launch(cmd)
	if err != nil {
		return err
	}
	<-c.done
	return c.err
}

// command builds an exec.Cmd for one of the server binaries, running as cred
// in dir, with PG* variables removed from its environment so that a user's
// PGDATA or PGPORT cannot override what we pass.
func command(bin string, cred *syscall.Credential, dir string, args ...string) *exec.Cmd {
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.SysProcAttr = sysProcAttr(cred)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PG") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	return cmd
}

// tail returns up to the last n lines of path after byte offset from.
func tail(path string, from int64, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	const maxBytes = 8 << 10
	if fi, err := f.Stat(); err == nil && fi.Size()-from > maxBytes {
		from = fi.Size() - maxBytes
	}
	if _, err := f.Seek(from, io.SeekStart); err != nil {
		return ""
	}
	b, _ := io.ReadAll(f)
	lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}

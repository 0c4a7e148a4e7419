package delivery

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestReadmeVerifierAcceptsOurSignatures runs the README's Go verifier, as
// printed there, on the Standard Webhooks example and on a signature made
// by Sign; and refuses a changed body.
func TestReadmeVerifierAcceptsOurSignatures(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```go\n([^`]*?func verify[^`]*)```").FindSubmatch(readme)
	if m == nil {
		t.Fatal("README.md has no ```go block with func verify")
	}
	secret := NewSecret()
	now := time.Now().Unix()
	sig, err := Sign(secret, "42", now, []byte(`{"type":"contact.deliver"}`))
	if err != nil {
		t.Fatal(err)
	}
	main := `package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

` + string(m[1]) + `
func check(secret, id, ts, sig, body string, now time.Time) bool {
	h := http.Header{}
	h.Set("webhook-id", id)
	h.Set("webhook-timestamp", ts)
	h.Set("webhook-signature", sig)
	return verify(secret, h, []byte(body), now)
}

func main() {
	fmt.Println(check("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330",
		"v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", ` + "`" + `{"test": 2432232314}` + "`" + `, time.Unix(1614265330, 0)))
	fmt.Println(check(` + strings.Join([]string{q(secret), q("42"), q(itoa(now)), q(sig), "`" + `{"type":"contact.deliver"}` + "`"}, ", ") + `, time.Now()))
	fmt.Println(check(` + strings.Join([]string{q(secret), q("42"), q(itoa(now)), q(sig), "`" + `{"type":"contact.changed"}` + "`"}, ", ") + `, time.Now()))
}
`
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(main), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module readme\n\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "run", ".")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go run the README's verifier: %v\n%s", err, out)
	}
	if got := strings.Fields(string(out)); strings.Join(got, " ") != "true true false" {
		t.Errorf("the README's verifier said %q, want true true false", out)
	}
}

func q(s string) string { return strconv.Quote(s) }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

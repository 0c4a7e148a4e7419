package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"franja/internal/pgtest"
)

// TestImportTokenNeverOnTheCommandLine (issue 17, finding 10): the token
// comes from a file, from standard input or from FRANJA_TOKEN, so that it
// never has to show in the process list.
func TestImportTokenNeverOnTheCommandLine(t *testing.T) {
	srv := importServer(t)
	posts := importFile(t, "posts.csv", "code,name,kind,country,time_zone\nBOG,Bogotá,headquarters,CO,America/Bogota\n")
	tokenFile := importFile(t, "token", importTestToken+"\n")
	if out, err := runImport(t, nil, "posts", posts, "--server", srv.URL, "--token-file", tokenFile); err != nil || !strings.Contains(out, "1 created") {
		t.Errorf("--token-file: %v\n%s", err, out)
	}
	importStdin = strings.NewReader(importTestToken + "\n")
	defer func() { importStdin = os.Stdin }()
	if out, err := runImport(t, nil, "posts", posts, "--server", srv.URL, "--token", "-"); err != nil || !strings.Contains(out, "1 unchanged") {
		t.Errorf("--token -: %v\n%s", err, out)
	}
	if out, err := runImport(t, map[string]string{"FRANJA_TOKEN": importTestToken}, "posts", posts, "--server", srv.URL); err != nil || !strings.Contains(out, "1 unchanged") {
		t.Errorf("FRANJA_TOKEN: %v\n%s", err, out)
	}
	if _, err := runImport(t, nil, "posts", posts, "--server", srv.URL, "--token-file", filepath.Join(t.TempDir(), "missing")); !errors.Is(err, errUsage) {
		t.Errorf("a missing token file: %v, want a usage error", err)
	}
}

// selfSigned writes a certificate for 127.0.0.1 and its key as PEM files.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "franja test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// TestServeTLS: the real binary with FRANJA_TLS_CERT and FRANJA_TLS_KEY
// serves HTTPS (HTTP/2 offered), refuses TLS 1.1 and plain HTTP.
func TestServeTLS(t *testing.T) {
	certFile, keyFile, pool := selfSigned(t)
	p := startServe(t, "DATABASE_URL="+pgtest.DSN(t), "FRANJA_TLS_CERT="+certFile, "FRANJA_TLS_KEY="+keyFile)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}, Timeout: 10 * time.Second}
	res, err := client.Get("https://" + p.addr + "/healthz")
	if err != nil {
		t.Fatalf("GET https: %v", err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || res.TLS == nil || res.TLS.Version < tls.VersionTLS12 || res.ProtoMajor != 2 {
		t.Errorf("https /healthz: %d %s, TLS %v, %s; want 200 over TLS 1.2+ and HTTP/2", res.StatusCode, body, res.TLS != nil, res.Proto)
	}
	old := &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11}
	if c, err := tls.Dial("tcp", p.addr, old); err == nil {
		c.Close()
		t.Error("a TLS 1.1 handshake succeeded")
	}
	if res, err := http.Get("http://" + p.addr + "/healthz"); err == nil {
		if res.StatusCode == 200 {
			t.Error("plain HTTP answered 200 on the TLS port")
		}
		res.Body.Close()
	}
	if err := p.stop(t, syscall.SIGTERM); err != nil {
		t.Fatalf("exit after SIGTERM: %v", err)
	}
}

// TestServeRefusesHalfTLS: one TLS file without the other, or a bad
// trusted-proxy range, stops start-up with a message naming the variable.
func TestServeRefusesHalfTLS(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"FRANJA_TLS_CERT": "/x.pem"}, "FRANJA_TLS_KEY"},
		{map[string]string{"FRANJA_TRUSTED_PROXIES": "10.0.0.0/33"}, "FRANJA_TRUSTED_PROXIES"},
	} {
		_, err := readListenSettings(func(k string) string { return c.env[k] })
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want an error naming %s", c.env, err, c.want)
		}
	}
}

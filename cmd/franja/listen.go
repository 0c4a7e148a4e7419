package main

import (
	"crypto/tls"
	"fmt"
	"net/netip"

	"franja/api"
)

// listenSettings are how `franja serve` meets its clients (README,
// Configuration): the reverse proxies it trusts to name them, and TLS.
type listenSettings struct {
	trustedProxies []netip.Prefix // FRANJA_TRUSTED_PROXIES
	tls            *tls.Config    // FRANJA_TLS_CERT and FRANJA_TLS_KEY; nil: plain HTTP
}

// readListenSettings reads them, refusing what it cannot use before
// anything starts: a bad CIDR, one of the two TLS files without the other,
// a certificate that does not load.
func readListenSettings(getenv func(string) string) (listenSettings, error) {
	var ls listenSettings
	var err error
	if ls.trustedProxies, err = api.ParseTrustedProxies(getenv("FRANJA_TRUSTED_PROXIES")); err != nil {
		return ls, fmt.Errorf("%w: FRANJA_TRUSTED_PROXIES: %v", errUsage, err)
	}
	cert, key := getenv("FRANJA_TLS_CERT"), getenv("FRANJA_TLS_KEY")
	switch {
	case cert == "" && key == "":
		return ls, nil
	case cert == "" || key == "":
		return ls, fmt.Errorf("%w: set both FRANJA_TLS_CERT and FRANJA_TLS_KEY (PEM files), or neither", errUsage)
	}
	pair, err := tls.LoadX509KeyPair(cert, key)
	if err != nil {
		return ls, fmt.Errorf("FRANJA_TLS_CERT/FRANJA_TLS_KEY: %w", err)
	}
	ls.tls = serverTLS(pair)
	return ls, nil
}

// serverTLS is the TLS configuration of the API: TLS 1.2 and later, with
// Go's default cipher suites (forward secrecy, AEAD only for TLS 1.2 in
// current Go) and curves; HTTP/2 is offered. A renewed certificate is read
// at the next start.
func serverTLS(pair tls.Certificate) *tls.Config {
	return &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{pair},
		NextProtos:   []string{"h2", "http/1.1"},
	}
}

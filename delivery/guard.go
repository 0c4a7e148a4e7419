package delivery

import (
	"errors"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"syscall"
	"time"

	"franja/domain"
)

// ErrPrivateAddress is a webhook address refused by the SSRF guard.
var ErrPrivateAddress = errors.New("the address is private, loopback or link-local (set FRANJA_WEBHOOK_ALLOW_PRIVATE=1 to allow)")

// cgnat is the shared address space of carrier-grade NAT (RFC 6598).
var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// Public reports whether a is an address on the public internet: not
// loopback, private (RFC 1918, fc00::/7), link-local (cloud metadata at
// 169.254.169.254 included), CGNAT, unspecified or multicast.
func Public(a netip.Addr) bool {
	a = a.Unmap()
	return a.IsValid() && !a.IsLoopback() && !a.IsPrivate() && !a.IsLinkLocalUnicast() && !a.IsLinkLocalMulticast() &&
		!a.IsInterfaceLocalMulticast() && !a.IsMulticast() && !a.IsUnspecified() && !cgnat.Contains(a) &&
		!(a.Is4() && a.As4()[0] == 0)
}

// CheckURL says what is wrong with raw as a webhook address (ok when
// nothing): http or https, a host, no user or password in it, and, unless
// allowPrivate, not a literal private address (names are checked when
// dialled, on every delivery).
func CheckURL(raw string, allowPrivate bool) (problem domain.Text, ok bool) {
	u, err := url.Parse(raw)
	switch {
	case err != nil || !u.IsAbs():
		return domain.T("must be an absolute http or https URL"), false
	case u.Scheme != "https" && u.Scheme != "http":
		return domain.T("must use https (or http)"), false
	case u.Hostname() == "":
		return domain.T("must name a host"), false
	case u.User != nil:
		return domain.T("must not carry a user or password: authenticate by the signature"), false
	case u.Fragment != "":
		return domain.T("must not have a #fragment"), false
	}
	if a, err := netip.ParseAddr(u.Hostname()); err == nil && !allowPrivate && !Public(a) {
		return domain.T("is a private, loopback or link-local address: Franja refuses them (FRANJA_WEBHOOK_ALLOW_PRIVATE=1 allows them)"), false
	}
	return domain.Text{}, true
}

// newClient is the HTTP client deliveries use: it follows no redirect (a
// 3xx is a failed attempt), ignores proxy settings, and, unless
// allowPrivate, refuses to connect to any address that is not public,
// checked on the address actually dialled (after DNS), so a name that
// resolves to 127.0.0.1 or 169.254.169.254 is refused too.
func newClient(timeout time.Duration, allowPrivate bool) *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second}
	if !allowPrivate {
		d.Control = func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil || !Public(ap.Addr()) {
				return ErrPrivateAddress
			}
			return nil
		}
	}
	tr := &http.Transport{
		Proxy:               nil,
		DialContext:         d.DialContext,
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     90 * time.Second,
		TLSHandshakeTimeout: 10 * time.Second,
	}
	return &http.Client{
		Timeout:       timeout,
		Transport:     tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

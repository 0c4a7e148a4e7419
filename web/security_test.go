package web_test

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// client is a browser stand-in without a cookie jar: it keeps the cookies
// itself, Secure ones included, and follows no redirects.
type client struct {
	base    string
	cookies map[string]*http.Cookie
}

func (c *client) do(t *testing.T, method, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, c.base+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for _, ck := range c.cookies {
		req.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
	}
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	for _, ck := range res.Cookies() {
		if ck.MaxAge < 0 {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck
		}
	}
	return res, string(b)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func csrfOf(t *testing.T, page string) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no csrf field in %.300s", page)
	}
	return m[1]
}

// signIn signs in with key and returns the client and the form token of
// the page it lands on.
func signIn(t *testing.T, base, key string) *client {
	t.Helper()
	c := &client{base: base, cookies: map[string]*http.Cookie{}}
	_, page := c.do(t, "GET", "/login", nil)
	res, _ := c.do(t, "POST", "/login", url.Values{"token": {key}, "csrf": {csrfOf(t, page)}})
	if res.StatusCode != http.StatusSeeOther || c.cookies["franja_session"] == nil {
		t.Fatalf("signing in = %d, cookies %v", res.StatusCode, c.cookies)
	}
	return c
}

func checkFlags(t *testing.T, ck *http.Cookie) {
	t.Helper()
	if !ck.HttpOnly || !ck.Secure || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" {
		t.Errorf("cookie %s: HttpOnly=%v Secure=%v SameSite=%v Path=%q, want HttpOnly, Secure (FRANJA_PUBLIC_URL is https), Lax, /",
			ck.Name, ck.HttpOnly, ck.Secure, ck.SameSite, ck.Path)
	}
}

// oidcRefusals: a callback whose state is not the browser's, and an ID
// token not signed by the provider's key, open no session.
func oidcRefusals(t *testing.T, srv *server, is *issuer) {
	is.signInAs(map[string]any{"email": "s1@example.gov.co"})
	start := func() (*client, *url.URL) {
		c := &client{base: srv.base, cookies: map[string]*http.Cookie{}}
		res, _ := c.do(t, "GET", "/login/oidc", nil)
		loc, err := url.Parse(res.Header.Get("Location"))
		if res.StatusCode != http.StatusFound || err != nil || loc.Query().Get("code_challenge_method") != "S256" || loc.Query().Get("nonce") == "" {
			t.Fatalf("GET /login/oidc = %d → %s, want a redirect to the provider with PKCE and a nonce", res.StatusCode, loc)
		}
		checkFlags(t, c.cookies["franja_oidc"])
		// The provider answers (as a browser would follow its redirect).
		pres, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Get(loc.String())
		if err != nil {
			t.Fatal(err)
		}
		pres.Body.Close()
		back, _ := url.Parse(pres.Header.Get("Location"))
		return c, back
	}
	c, back := start()
	q := back.Query()
	q.Set("state", "not-the-browsers-state")
	if res, _ := c.do(t, "GET", back.Path+"?"+q.Encode(), nil); res.StatusCode != 401 || c.cookies["franja_session"] != nil {
		t.Errorf("a callback with another state = %d, session %v; want 401 and none", res.StatusCode, c.cookies["franja_session"])
	}
	forged, _ := rsa.GenerateKey(rand.Reader, 2048)
	is.mu.Lock()
	is.forge = forged
	is.mu.Unlock()
	defer func() { is.mu.Lock(); is.forge = nil; is.mu.Unlock() }()
	c, back = start()
	if res, _ := c.do(t, "GET", back.RequestURI(), nil); res.StatusCode != 401 || c.cookies["franja_session"] != nil {
		t.Errorf("a forged ID token = %d, session %v; want 401 and none", res.StatusCode, c.cookies["franja_session"])
	}
}

func testHTTP(t *testing.T, srv *server, supKey, hrKey string) {
	t.Run("audit csv", func(t *testing.T) {
		c := signIn(t, srv.base, hrKey)
		res, body := c.do(t, "GET", "/hr/audit.csv", nil)
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") ||
			!strings.HasPrefix(body, "id,asked_at,at,requester,person") || !strings.Contains(body, "Caída del sistema consular") {
			t.Errorf("GET /hr/audit.csv = %d %s:\n%s", res.StatusCode, res.Header.Get("Content-Type"), body)
		}
		if res, _ := signIn(t, srv.base, supKey).do(t, "GET", "/hr/audit.csv", nil); res.StatusCode != 403 {
			t.Errorf("a supervisor's GET /hr/audit.csv = %d, want 403", res.StatusCode)
		}
	})
	t.Run("contacts report", func(t *testing.T) {
		c := signIn(t, srv.base, hrKey)
		month := time.Now().In(time.FixedZone("COT", -5*3600)).Format("2006-01")
		res, page := c.do(t, "GET", "/hr/report?month="+month+"&lang=en", nil)
		if res.StatusCode != 200 || !strings.Contains(page, `data-pair="S1→A2"`) || !strings.Contains(page, `id="flag-note"`) ||
			!strings.Contains(page, "workplace harassment") || strings.Contains(page, "acoso") {
			t.Errorf("GET /hr/report = %d, want S1→A2 flagged, in English only:\n%s", res.StatusCode, page)
		}
		res, body := c.do(t, "GET", "/hr/report.csv?month="+month, nil)
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") ||
			!strings.HasPrefix(body, "scope,requester,person,post,attempts,outside_allowed,exceptions,flagged\r\n") ||
			!strings.Contains(body, "pair,S1,A2,,3,3,0,true\r\n") || !strings.Contains(body, "pair,S2,B1,,1,") || !strings.Contains(body, "requester,S1,,,3,3,0,true\r\n") {
			t.Errorf("GET /hr/report.csv = %d %s:\n%s", res.StatusCode, res.Header.Get("Content-Type"), body)
		}
		// A month without contacts: no rows, no flag, no note.
		if res, page := c.do(t, "GET", "/hr/report?month=2001-01", nil); res.StatusCode != 200 || strings.Contains(page, "flag-note") || strings.Contains(page, "data-pair") {
			t.Errorf("GET /hr/report?month=2001-01 = %d, want an empty report without a note", res.StatusCode)
		}
		if res, _ := c.do(t, "GET", "/hr/report?month=2026-13", nil); res.StatusCode != 400 {
			t.Errorf("GET /hr/report?month=2026-13 = %d, want 400", res.StatusCode)
		}
		sup := signIn(t, srv.base, supKey)
		for _, path := range []string{"/hr/report", "/hr/report.csv"} {
			if res, body := sup.do(t, "GET", path, nil); res.StatusCode != 403 || strings.Contains(body, "S1→A2") {
				t.Errorf("a supervisor's GET %s = %d, want 403", path, res.StatusCode)
			}
		}
	})
	t.Run("cookies", func(t *testing.T) {
		c := &client{base: srv.base, cookies: map[string]*http.Cookie{}}
		_, page := c.do(t, "GET", "/login", nil)
		checkFlags(t, c.cookies["franja_login"])
		c.do(t, "POST", "/login", url.Values{"token": {supKey}, "csrf": {csrfOf(t, page)}})
		if c.cookies["franja_session"] == nil {
			t.Fatal("no session cookie")
		}
		checkFlags(t, c.cookies["franja_session"])
	})
	t.Run("csrf", func(t *testing.T) {
		c := &client{base: srv.base, cookies: map[string]*http.Cookie{}}
		c.do(t, "GET", "/login", nil)
		if res, body := c.do(t, "POST", "/login", url.Values{"token": {supKey}}); res.StatusCode != 403 || c.cookies["franja_session"] != nil {
			t.Errorf("sign-in without the form token = %d (session %v), want 403 and none: %.200s", res.StatusCode, c.cookies["franja_session"], body)
		}
		c = signIn(t, srv.base, supKey)
		_, page := c.do(t, "GET", "/contact", nil)
		token := csrfOf(t, page)
		ask := url.Values{"person": {"A1"}, "channel": {"email"}, "purpose": {"routine"}}
		for name, v := range map[string]string{"missing": "", "wrong": token[:len(token)-2] + "xx"} {
			form := url.Values{}
			for k, vs := range ask {
				form[k] = vs
			}
			if v != "" {
				form.Set("csrf", v)
			}
			if res, body := c.do(t, "POST", "/contact", form); res.StatusCode != 403 || strings.Contains(body, `id="answer"`) {
				t.Errorf("%s form token: POST /contact = %d, want 403 and no answer", name, res.StatusCode)
			}
		}
		ask.Set("csrf", token)
		if res, body := c.do(t, "POST", "/contact", ask); res.StatusCode != 200 || !strings.Contains(body, `id="answer"`) {
			t.Errorf("with the form token POST /contact = %d, want 200 and an answer", res.StatusCode)
		}
		if res, _ := c.do(t, "POST", "/logout", url.Values{}); res.StatusCode != 403 {
			t.Errorf("sign-out without the form token = %d, want 403", res.StatusCode)
		}
	})
	t.Run("scope", func(t *testing.T) {
		c := signIn(t, srv.base, supKey)
		for _, id := range []string{"B1", "X1", "S2", "NOBODY"} {
			res, body := c.do(t, "GET", "/people/"+id, nil)
			if res.StatusCode != 403 || !strings.Contains(body, id+" no está en su línea") {
				t.Errorf("GET /people/%s as S1 = %d, want 403 (outside the line, existing or not)", id, res.StatusCode)
			}
		}
		if res, _ := c.do(t, "GET", "/people/A1", nil); res.StatusCode != 200 {
			t.Errorf("GET /people/A1 as S1 = %d", res.StatusCode)
		}
		if res, _ := c.do(t, "GET", "/hr/import", nil); res.StatusCode != 403 {
			t.Errorf("GET /hr/import as a supervisor = %d, want 403", res.StatusCode)
		}
		form := url.Values{"person": {"B1"}, "channel": {"email"}, "purpose": {"routine"}}
		_, page := c.do(t, "GET", "/contact", nil)
		form.Set("csrf", csrfOf(t, page))
		if res, body := c.do(t, "POST", "/contact", form); res.StatusCode != 403 || strings.Contains(body, "Beatriz") {
			t.Errorf("may I contact B1 as S1 = %d, want 403 without naming her", res.StatusCode)
		}
	})
	t.Run("csp header", func(t *testing.T) {
		const want = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
		scripts := regexp.MustCompile(`(?s)<script[^>]*>.*?</script>`)
		sup, hr := signIn(t, srv.base, supKey), signIn(t, srv.base, hrKey)
		for path, c := range map[string]*client{"/login": sup, "/team": sup, "/people/A1": sup, "/contact": sup, "/hr/import": hr, "/hr/report": hr} {
			res, body := c.do(t, "GET", path, nil)
			if csp := res.Header.Get("Content-Security-Policy"); csp != want {
				t.Errorf("%s: CSP %q, want %q: script files of our own only, no inline script, no eval", path, csp, want)
			}
			for _, s := range scripts.FindAllString(body, -1) {
				if s != `<script src="/static/upload.js" defer></script>` {
					t.Errorf("%s has a script that is not a file of ours: %s", path, s)
				}
			}
			if strings.Contains(body, "style=") || strings.Contains(body, " on") && regexp.MustCompile(` on[a-z]+=`).MatchString(body) {
				t.Errorf("%s has inline script or style", path)
			}
		}
		if res, body := hr.do(t, "GET", "/static/upload.js", nil); res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Type"), "javascript") ||
			!strings.Contains(body, "XMLHttpRequest") || strings.Contains(body, "eval(") || strings.Contains(body, "innerHTML") {
			t.Errorf("GET /static/upload.js = %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
	})
	t.Run("upload without script", func(t *testing.T) {
		// The plain form post, as a browser without script sends it.
		c := signIn(t, srv.base, hrKey)
		_, page := c.do(t, "GET", "/hr/import", nil)
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		_ = mw.WriteField("csrf", csrfOf(t, page))
		_ = mw.WriteField("kind", "people")
		_ = mw.WriteField("dry_run", "true")
		fw, _ := mw.CreateFormFile("file", "people.csv")
		_, _ = fw.Write([]byte("external_id,full_name,email,post\nN9,Nueva Nueve,n9@example.gov.co,BOG\n"))
		mw.Close()
		req, _ := http.NewRequest("POST", srv.base+"/hr/import", &b)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		for _, ck := range c.cookies {
			req.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !strings.Contains(string(body), `id="result"`) || !strings.Contains(string(body), "1 por crear") {
			t.Errorf("a plain POST /hr/import = %d:\n%s", res.StatusCode, body)
		}
	})
	t.Run("revoked key ends the session", func(t *testing.T) {
		var key struct {
			ID    int64
			Token string
		}
		_ = json.Unmarshal(srv.mustAPI(t, "POST", "/v1/api-keys", map[string]any{"name": "brief", "role": "supervisor", "person": "S2"}), &key)
		c := signIn(t, srv.base, key.Token)
		if res, body := c.do(t, "GET", "/team", nil); res.StatusCode != 200 || !strings.Contains(body, `data-person="B1"`) {
			t.Fatalf("S2's team = %d", res.StatusCode)
		}
		srv.mustAPI(t, "DELETE", "/v1/api-keys/"+itoa(int(key.ID)), nil)
		if res, _ := c.do(t, "GET", "/team", nil); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
			t.Errorf("after revoking the key GET /team = %d → %s, want the sign-in page", res.StatusCode, res.Header.Get("Location"))
		}
	})
}

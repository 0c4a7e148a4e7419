package web

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strings"

	"franja/domain"
	"franja/lang"
	"franja/postgres"
)

// The cookies the web app sets; all HttpOnly and SameSite=Lax, and Secure
// behind TLS.
const (
	sessionCookie = "franja_session"
	loginCookie   = "franja_login" // the sign-in form's CSRF token, before any session
	oidcCookie    = "franja_oidc"  // state, nonce and PKCE verifier of a sign-in under way
	langCookie    = "franja_lang"
)

type ctxKey int

const (
	sessionKey ctxKey = iota
	langKey
	tokenKey
)

func sessionOf(r *http.Request) *Session {
	s, _ := r.Context().Value(sessionKey).(*Session)
	return s
}

func langOf(r *http.Request) lang.Lang {
	l, _ := r.Context().Value(langKey).(lang.Lang)
	return l
}

// setCookie sets a cookie with the web app's flags; maxAge < 0 deletes it.
func (a *App) setCookie(w http.ResponseWriter, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: a.secure})
}

// withSession finds the request's language (a ?lang= switch, remembered in
// a cookie, else Accept-Language) and its session, if any. A session
// signed in with an API key ends as soon as that key is revoked or expires.
func (a *App) withSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l := lang.Negotiate(r.Header.Get("Accept-Language"))
		if c, err := r.Cookie(langCookie); err == nil {
			l = pickLang(c.Value, l)
		}
		if q := r.URL.Query().Get("lang"); q == "es" || q == "en" {
			l = pickLang(q, l)
			a.setCookie(w, langCookie, q, 365*24*3600)
		}
		w.Header().Set("Content-Language", l.String())
		ctx := context.WithValue(r.Context(), langKey, l)
		if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
			s, err := a.sessions.Find(ctx, c.Value, a.now())
			if err != nil {
				a.fail(w, r.WithContext(ctx), err)
				return
			}
			if s != nil && a.stillValid(s) {
				ctx = context.WithValue(ctx, sessionKey, s)
				ctx = context.WithValue(ctx, tokenKey, c.Value)
			}
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func pickLang(v string, def lang.Lang) lang.Lang {
	switch v {
	case "en":
		return lang.English
	case "es":
		return lang.Spanish
	}
	return def
}

// stillValid reports whether the credential behind s still holds: the API
// key it signed in with is active in the view.
func (a *App) stillValid(s *Session) bool {
	if s.Via != "key" {
		return true
	}
	snap := a.view.Snapshot()
	if snap == nil || len(s.KeySum) != 32 {
		return false
	}
	k := snap.Key([32]byte(s.KeySum))
	return k != nil && k.Active(a.now()) && k.Role == string(s.Role) && k.Person == s.Person
}

// signedIn sends a request without a session to the sign-in page.
func (a *App) signedIn(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if sessionOf(r) == nil {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/login?next="+urlEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			a.fail(w, r, domain.Errorf(domain.EUnauthorized, "your session has ended; sign in again"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// withCSRF refuses (403) a form post whose csrf field is not its
// session's token: another site cannot make a signed-in browser post.
func (a *App) withCSRF(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if !sameToken(r.FormValue("csrf"), sessionOf(r).CSRF) {
				a.fail(w, r, domain.Errorf(domain.EForbidden, "the form's security token is missing or out of date; reload the page and send it again"))
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func sameToken(got, want string) bool {
	return got != "" && want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// allowHR lets hr and admin through.
func (a *App) allowHR(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s := sessionOf(r); s.Role != domain.RoleHR && s.Role != domain.RoleAdmin {
			a.fail(w, r, domain.Errorf(domain.EForbidden, "this page is for hr and admin"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// loginForm shows the sign-in page, with its own CSRF token in a cookie.
func (a *App) loginForm(w http.ResponseWriter, r *http.Request) error {
	return a.showLogin(w, r, http.StatusOK, nil)
}

func (a *App) showLogin(w http.ResponseWriter, r *http.Request, status int, problem error) error {
	token := ""
	if c, err := r.Cookie(loginCookie); err == nil && len(c.Value) >= 32 {
		token = c.Value
	} else {
		token = randomToken(32)
		a.setCookie(w, loginCookie, token, 3600)
	}
	return a.render(w, r, status, "login", map[string]any{
		"CSRF": token, "KeyLogin": a.keyLogin, "OIDC": a.oidc != nil, "Next": local(r.FormValue("next")),
		"Problem": a.problemOf(r, problem),
	})
}

// login signs in with an API key (form field token).
func (a *App) login(w http.ResponseWriter, r *http.Request) error {
	c, err := r.Cookie(loginCookie)
	if err != nil || !sameToken(r.FormValue("csrf"), c.Value) {
		return domain.Errorf(domain.EForbidden, "the form's security token is missing or out of date; reload the page and send it again")
	}
	if !a.keyLogin {
		return domain.Errorf(domain.EForbidden, "signing in with an API key is turned off here; sign in with your organisation's account")
	}
	token := strings.TrimSpace(r.FormValue("token"))
	s, err := a.keySession(r.Context(), token)
	if err != nil {
		return err
	}
	if s == nil {
		a.log.Warn("web sign-in refused", "remote", r.RemoteAddr)
		return a.showLogin(w, r, http.StatusUnauthorized, domain.Errorf(domain.EUnauthorized, "the API key is unknown, expired or revoked"))
	}
	return a.startSession(w, r, s, local(r.FormValue("next")))
}

// keySession is the session an API key opens, or nil for an unknown one.
func (a *App) keySession(ctx context.Context, token string) (*Session, error) {
	if token == "" {
		return nil, nil
	}
	if a.admin != nil && subtle.ConstantTimeCompare(tokenSum(token), a.admin) == 1 {
		return &Session{Role: domain.RoleAdmin, Via: "bootstrap", Subject: "bootstrap"}, nil
	}
	for _, k := range a.keys {
		p, err := k.Authenticate(ctx, token)
		if err != nil {
			return nil, err
		}
		if p != nil {
			sum := postgres.HashAPIKeyToken(token)
			return &Session{Role: p.Role, Person: p.Person, KeySum: sum[:], Via: "key", Subject: p.KeyPrefix}, nil
		}
	}
	return nil, nil
}

// startSession stores s, sets its cookie and goes on to next.
func (a *App) startSession(w http.ResponseWriter, r *http.Request, s *Session, next string) error {
	if s.Role == domain.RoleSystem {
		return domain.Errorf(domain.EForbidden, "a system key is for other systems, not for signing in to the pages")
	}
	token, err := a.sessions.Create(r.Context(), s, a.now())
	if err != nil {
		return err
	}
	a.setCookie(w, sessionCookie, token, int(a.sessions.ttl.Seconds()))
	a.setCookie(w, loginCookie, "", -1)
	a.log.Info("web sign-in", "via", s.Via, "role", string(s.Role), "subject", s.Subject)
	if next == "/" || next == "/login" {
		next = "/"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// logout ends the session.
func (a *App) logout(w http.ResponseWriter, r *http.Request) error {
	token, _ := r.Context().Value(tokenKey).(string)
	if err := a.sessions.Delete(r.Context(), token); err != nil {
		return err
	}
	a.setCookie(w, sessionCookie, "", -1)
	http.Redirect(w, r, "/login?signed_out=1", http.StatusSeeOther)
	return nil
}

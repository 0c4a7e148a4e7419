// Package web is Franja's web app for supervisors and HR: server-rendered
// pages (html/template, static files embedded), signed in with an API key
// or through OpenID Connect, in Spanish by default and English on request.
//
// It asks the same decision path as the API (package decide: Check, Scope)
// and reads the same in-memory view; it decides nothing itself. Sessions
// live in PostgreSQL (migration 000024), every form carries a CSRF token
// bound to its session, and the Content-Security-Policy allows no inline
// script or style: the pages work without script, and the one script
// file (static/upload.js, a progress bar for uploads) only adds to them.
package web

import (
	"context"
	"embed"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"franja/contacts"
	"franja/decide"
	"franja/domain"
	"franja/postgres"
	"franja/view"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Authenticator resolves an API key to a principal (nil for a key it does
// not know), as the API's authenticators do.
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (*domain.Principal, error)
}

// Config is what the web app needs from the process.
type Config struct {
	Logger *slog.Logger
	Store  *postgres.Store
	View   *view.View
	// Keys authenticate the API keys people sign in with (POST /login).
	Keys []Authenticator
	// AdminToken is FRANJA_ADMIN_TOKEN: signing in with it gives an admin
	// session (a fresh install's way in).
	AdminToken string
	// KeyLogin enables signing in with an API key (the default in
	// `franja serve`; FRANJA_WEB_KEY_LOGIN=off turns it off).
	KeyLogin bool
	// OIDC, when set, enables signing in through OpenID Connect.
	OIDC *OIDCConfig
	// PublicURL is FRANJA_PUBLIC_URL; https there (or TLS) makes cookies Secure.
	PublicURL string
	// TLS says the server itself serves HTTPS.
	TLS bool
	// SessionTTL is how long a session lasts (default 8 hours).
	SessionTTL time.Duration
	// Now returns the current instant; time.Now when nil.
	Now func() time.Time
	// AuditThreshold is FRANJA_AUDIT_THRESHOLD: exception contacts a
	// requester may make in a month before the audit page flags them
	// (default 10).
	AuditThreshold int
	// DisclosureHorizon is FRANJA_DISCLOSURE_HORIZON: how far after now a
	// supervisor's pages show instants exactly (decide.Disclosure); 0: no
	// bound.
	DisclosureHorizon time.Duration
}

// App is the web app's handler and what its pages share.
type App struct {
	log      *slog.Logger
	store    *postgres.Store
	view     *view.View
	decide   *decide.Service
	contacts *contacts.Service // reads the contacts report
	sessions *sessions
	keys     []Authenticator
	admin    []byte // SHA-256 of AdminToken, or nil
	keyLogin bool
	oidc     *oidcClient
	secure   bool
	now      func() time.Time
	// auditThreshold: see Config.AuditThreshold.
	auditThreshold int
	horizon        time.Duration // Config.DisclosureHorizon
	pages          *pages
	router         http.Handler
}

// New returns the web app.
func New(cfg Config) (*App, error) {
	a := &App{
		log: cfg.Logger, store: cfg.Store, view: cfg.View, keys: cfg.Keys, keyLogin: cfg.KeyLogin, now: cfg.Now,
		secure: cfg.TLS || strings.HasPrefix(strings.ToLower(cfg.PublicURL), "https://"),
	}
	if a.log == nil {
		a.log = slog.Default()
	}
	if a.now == nil {
		a.now = time.Now
	}
	a.auditThreshold, a.horizon = cfg.AuditThreshold, cfg.DisclosureHorizon
	if a.auditThreshold <= 0 {
		a.auditThreshold = 10
	}
	ttl := cfg.SessionTTL
	if ttl <= 0 {
		ttl = 8 * time.Hour
	}
	a.sessions = &sessions{pool: cfg.Store.Pool(), ttl: ttl}
	if cfg.AdminToken != "" {
		a.admin = tokenSum(cfg.AdminToken)
	}
	var views decide.Views
	if cfg.View != nil {
		views = cfg.View
	}
	a.decide = decide.New(views, cfg.Store, a.log)
	a.contacts = contacts.New(a.decide, cfg.Store, nil, a.now) // no delivery: the pages record no contact
	if cfg.OIDC != nil {
		a.oidc = newOIDCClient(*cfg.OIDC, cfg.PublicURL)
	}
	p, err := parsePages()
	if err != nil {
		return nil, err
	}
	a.pages = p
	a.router = a.routes()
	return a, nil
}

// ServeHTTP serves the pages.
func (a *App) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.router.ServeHTTP(w, r) }

// routes is the whole web surface in one function.
func (a *App) routes() http.Handler {
	r := chi.NewRouter()
	r.Use(withPageHeaders)
	static, _ := fs.Sub(staticFS, "static")
	r.Handle("/static/*", http.StripPrefix("/static/", withCache(http.FileServerFS(static))))
	r.Group(func(r chi.Router) { a.pageRoutes(r) })
	return r
}

// pageRoutes are the pages, each with the request's language and session.
func (a *App) pageRoutes(r chi.Router) {
	r.Use(a.withSession)
	r.Get("/", a.page(a.home))
	r.Get("/login", a.page(a.loginForm))
	r.Post("/login", a.page(a.login))
	r.Get("/login/oidc", a.page(a.oidcStart))
	r.Get("/login/oidc/callback", a.page(a.oidcCallback))
	r.Group(func(r chi.Router) {
		r.Use(a.signedIn, a.withCSRF)
		r.Post("/logout", a.page(a.logout))
		r.Get("/team", a.page(a.team))
		r.Get("/people/{external_id}", a.page(a.week))
		r.Get("/contact", a.page(a.contactForm))
		r.Post("/contact", a.page(a.contact))
		r.Get("/meeting", a.page(a.meeting))
		r.Group(func(r chi.Router) {
			r.Use(a.allowHR)
			r.Get("/hr/people", a.page(a.hrPeople))
			r.Get("/hr/posts", a.page(a.hrPosts))
			r.Get("/hr/import", a.page(a.importForm))
			r.Post("/hr/import", a.page(a.upload))
			r.Get("/hr/audit", a.page(a.audit))
			r.Get("/hr/audit.csv", a.page(a.auditCSV))
			r.Get("/hr/report", a.page(a.report))
			r.Get("/hr/report.csv", a.page(a.reportCSV))
		})
	})
	r.NotFound(a.page(func(w http.ResponseWriter, r *http.Request) error {
		return domain.Errorf(domain.ENotFound, "no page at %s", r.URL.Path)
	}))
}

// csp allows the pages' own stylesheet, images and script files (the
// upload page's progress bar, static/upload.js) and nothing else: no
// inline script or eval, no inline style, no frames, forms and requests
// only to us.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// withPageHeaders sets the pages' security headers (replacing the API's
// stricter default-src 'none', which would refuse the stylesheet).
func withPageHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

func withCache(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		next.ServeHTTP(w, r)
	})
}

// home sends each role to its first page.
func (a *App) home(w http.ResponseWriter, r *http.Request) error {
	s := sessionOf(r)
	switch {
	case s == nil:
		http.Redirect(w, r, "/login", http.StatusSeeOther)
	case s.Role == domain.RoleSupervisor:
		http.Redirect(w, r, "/team", http.StatusSeeOther)
	default:
		http.Redirect(w, r, "/hr/people", http.StatusSeeOther)
	}
	return nil
}

// local returns a same-site path to go back to, or "/".
func local(next string) string {
	u, err := url.Parse(next)
	if err != nil || next == "" || u.IsAbs() || u.Host != "" || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(next, "//") || strings.ContainsRune(next, '\\') {
		return "/"
	}
	return u.RequestURI()
}

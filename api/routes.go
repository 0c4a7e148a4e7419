package api

import (
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"

	"franja/domain"
)

// Body limits below the server-wide one (Config.MaxBodyBytes, sized for a
// 200,000-row import): a post, a person, a key or a holiday list is a few
// kilobytes, and a batch of 10,000 checks about 2 MB; anything much larger
// is a mistake or an attack, refused (413) before it is read.
const (
	maxRecordBody   = 2 << 20
	maxDecisionBody = 8 << 20
)

// routes is the whole HTTP surface in one function. Each /v1 route states
// the roles that may call it; admin may call everything.
func (s *Server) routes() http.Handler {
	r := chi.NewRouter()
	root := r
	// Outside authentication: the language, CORS (a preflight carries no
	// token), OPTIONS and HEAD.
	r.Use(s.withMetrics, s.withDeadline, withRequestID, s.withLogging, withRecovery, withSecurityHeaders, withLanguage, withCompression(),
		withCORS(s.corsOrigins), withOptions(root), withHead, withBodyLimit(s.maxBody))
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, domain.Errorf(domain.ENotFound, "no route for %s", r.URL.Path))
	})
	r.MethodNotAllowed(methodNotAllowed(root))

	r.Get("/healthz", s.healthz)
	r.Get("/readyz", s.readyz)
	r.Get("/openapi.yaml", s.openapi)
	r.Get("/feeds/{file}", s.getFeed) // no token: the URL is the capability
	if s.pages != nil {
		r.Mount("/", s.pages) // the web app: its own sessions, CSRF and CSP
	}

	r.Route("/v1", func(r chi.Router) {
		r.Use(withNoStore, s.withAuth, s.withRateLimit, withSaneText)
		r.NotFound(func(w http.ResponseWriter, r *http.Request) {
			writeError(w, r, domain.Errorf(domain.ENotFound, "no route for %s", r.URL.Path))
		})
		// A group's middleware runs once the route is found: withKnownQuery
		// reads the matched pattern instead of routing a second time.
		r.Group(func(r chi.Router) {
			r.Use(withKnownQuery())
			s.v1Routes(r)
		})
	})
	return r
}

// v1Routes are the operations under /v1, each with the roles that may call it.
func (s *Server) v1Routes(r chi.Router) {
	r.Get("/whoami", s.whoami)
	r.Group(func(r chi.Router) {
		r.Use(withBodyLimit(maxDecisionBody), s.withLoadedView)
		s.decisionRoutes(r)
	})
	s.auditRoutes(r)
	r.Group(func(r chi.Router) {
		r.Use(withBodyLimit(maxContactBody))
		s.contactRoutes(r)
		s.webhookRoutes(r)
	})
	r.Group(func(r chi.Router) {
		r.Use(withBodyLimit(maxRecordBody))
		s.feedRoutes(r)
	})
	r.Group(func(r chi.Router) {
		// Writes that change decisions answer only once this replica's
		// view has them.
		r.Use(s.withSync)
		s.importRoutes(r) // bounded by Config.MaxBodyBytes only
		r.Group(func(r chi.Router) {
			r.Use(withBodyLimit(maxRecordBody))
			s.apiKeyRoutes(r)
			s.staffRoutes(r)
			s.calendarRoutes(r)
			s.onCallRoutes(r)
		})
	})
}

// handlerFunc is a handler that only translates HTTP: it returns its
// failure, before writing anything, instead of answering it.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// ServeHTTP answers h's failure as a problem: the one adapter, so that no
// handler repeats "if err != nil { writeError(…); return }".
func (h handlerFunc) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := h(w, r); err != nil {
		writeError(w, r, err)
	}
}

// handle adapts h for chi's r.Get(path, …) and the like.
func handle(h handlerFunc) http.HandlerFunc { return h.ServeHTTP }

// queryParams is the one table of the query parameters each /v1 operation
// takes, as openapi.yaml states them (a test keeps the two equal).
// withKnownQuery refuses any other name, so that a typo such as
// `chanel=phone` or `limt=5` is a 400 instead of a silent default; handlers
// validate the values.
var queryParams = map[string][]string{
	"GET /v1/posts":                               {"limit", "cursor", "on"},
	"GET /v1/posts/{code}":                        {"on"},
	"GET /v1/people":                              {"post", "supervisor", "limit", "cursor", "on"},
	"GET /v1/people/{external_id}":                {"on"},
	"GET /v1/people/{external_id}/leaves":         {"limit", "cursor"},
	"GET /v1/calendars/{code}/holidays":           {"year", "format"},
	"GET /v1/posts/{code}/holidays":               {"year", "format"},
	"POST /v1/imports/posts":                      {"dry_run"},
	"POST /v1/imports/people":                     {"dry_run"},
	"POST /v1/imports/leaves":                     {"dry_run"},
	"POST /v1/imports/on-call-turns":              {"dry_run"},
	"GET /v1/posts/{code}/on-call-turns":          {"from", "to"},
	"GET /v1/posts/{code}/on-call":                {"at", "requester", "justification"},
	"GET /v1/people/{external_id}/contactability": {"at", "channel", "purpose", "official_document", "requester", "justification", "horizon", "duration"},
	"GET /v1/people/{external_id}/next-slot":      {"after", "duration", "horizon"},
	"GET /v1/people/{external_id}/availability":   {"from", "to"},
	"GET /v1/audit/exceptions":                    {"from", "to", "requester", "person", "cursor", "limit", "format"},
	"GET /v1/reports/exceptions":                  {"month"},
	"GET /v1/reports/contacts":                    {"month", "format"},
	"GET /v1/contacts":                            {"person", "requester", "status", "from", "to", "cursor", "limit"},
}

// paramsOf is the query parameters the operation method pattern takes.
func paramsOf(table map[string][]string, pattern, method string, _ int) []string {
	return table[method+" "+pattern]
}

// withKnownQuery refuses query parameters the matched operation does not
// take (operations missing from queryParams take none). It runs inside the
// /v1 routes' group, after routing, so it reads the pattern chi matched.
func withKnownQuery() func(http.Handler) http.Handler {
	var ops routeTable[[]string, map[string][]string]
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.RawQuery == "" {
				next.ServeHTTP(w, r)
				return
			}
			method := r.Method
			if method == http.MethodHead {
				method = http.MethodGet
			}
			known := ops.get(chi.RouteContext(r.Context()), method, 0, queryParams, paramsOf)
			var v domain.Validator
			vals := queryOf(r)
			for i, pair := range vals {
				name := pair.name
				if !slices.Contains(known, name) && !seenBefore(vals, i) {
					takes := any(domain.T("no query parameters"))
					if len(known) > 0 {
						takes = strings.Join(known, ", ")
					}
					v.Add(name, "unknown parameter; this endpoint takes %s", takes)
				}
			}
			if len(v.Fields) > 0 {
				writeError(w, r, &domain.Error{Code: domain.EMalformed, Message: "a query parameter is not valid", Fields: v.Fields})
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// seenBefore reports whether the name of vals[i] came earlier in vals.
func seenBefore(vals queryValues, i int) bool {
	return slices.ContainsFunc(vals[:i], func(p queryPair) bool { return p.name == vals[i].name })
}

// withSaneText refuses paths and query parameters that are not valid UTF-8
// or hold a NUL: no identifier or parameter has one, and PostgreSQL cannot
// store one in text (it would fail as a 500). Such a path names nothing
// (404); such a parameter is malformed (400).
func withSaneText(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bad := func(s string) bool { return !utf8.ValidString(s) || strings.ContainsRune(s, 0) }
		if bad(r.URL.Path) {
			writeError(w, r, domain.Errorf(domain.ENotFound, "nothing has this path"))
			return
		}
		if r.URL.RawQuery == "" {
			next.ServeHTTP(w, r)
			return
		}
		q, err := parseQueryValues(r.URL.RawQuery)
		if rl := requestLogOf(r.Context()); rl != nil && err == nil {
			rl.query = q // parsed once: queryOf gives it to the later steps
		}
		var v domain.Validator
		if err != nil {
			v.Add("query", "is not a valid query string: a percent-escape or a ';' is wrong")
		}
		var reported []string // a name given twice is named once
		for _, pair := range q {
			if (bad(pair.name) || bad(pair.value)) && !slices.Contains(reported, pair.name) {
				reported = append(reported, pair.name)
				v.Add(strings.ToValidUTF8(strings.ReplaceAll(pair.name, "\x00", ""), "?"), "must be UTF-8 text without NUL characters")
			}
		}
		if len(v.Fields) > 0 {
			writeError(w, r, &domain.Error{Code: domain.EMalformed, Message: "a query parameter is not valid", Fields: v.Fields})
			return
		}
		next.ServeHTTP(w, r)
	})
}

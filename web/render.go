package web

import (
	"bytes"
	"errors"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"

	"franja/api"
	"franja/domain"
	"franja/lang"
)

// pages holds each page's template: the layout plus the page's own file.
type pages struct{ byName map[string]*template.Template }

func parsePages() (*pages, error) {
	base, err := template.ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	names, _ := fs.Glob(templateFS, "templates/*.html")
	p := &pages{byName: map[string]*template.Template{}}
	for _, n := range names {
		name := strings.TrimSuffix(path.Base(n), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(templateFS, n)
		if err != nil {
			return nil, err
		}
		p.byName[name] = t
	}
	return p, nil
}

// Page is what every template gets: the request's language and session,
// the page's own data, and T to say words in the page's language.
type Page struct {
	Lang    lang.Lang
	Session *Session
	Path    string
	// Other is the link that switches the page to the other language.
	Other     string
	OtherName string
	Data      any
	Problem   *Problem
}

// T renders an English format in the page's language (the catalogue, lang/es.go).
func (p *Page) T(format string, args ...any) string { return p.Lang.Sprintf(format, args...) }

// CSRF is the session's form token.
func (p *Page) CSRF() string {
	if p.Session == nil {
		return ""
	}
	return p.Session.CSRF
}

// IsHR says whether the signed-in role may use the HR pages.
func (p *Page) IsHR() bool {
	return p.Session != nil && (p.Session.Role == domain.RoleHR || p.Session.Role == domain.RoleAdmin)
}

// IsSupervisor says whether the signed-in role has a reporting line.
func (p *Page) IsSupervisor() bool {
	return p.Session != nil && p.Session.Role == domain.RoleSupervisor
}

// Problem is an error as a page shows it.
type Problem struct {
	Status  int
	Title   string
	Message string
	Fields  []domain.FieldError
}

func (a *App) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) error {
	t := a.pages.byName[name]
	if t == nil {
		return domain.Errorf(domain.EInternal, "no template %s", name)
	}
	l := langOf(r)
	p := &Page{Lang: l, Session: sessionOf(r), Path: r.URL.Path, Data: data}
	if pr, ok := data.(map[string]any); ok {
		p.Problem, _ = pr["Problem"].(*Problem)
	}
	q := r.URL.Query()
	if l == lang.English {
		q.Set("lang", "es")
		p.OtherName = "Español"
	} else {
		q.Set("lang", "en")
		p.OtherName = "English"
	}
	if r.Method == http.MethodGet {
		p.Other = (&url.URL{Path: r.URL.Path, RawQuery: q.Encode()}).RequestURI()
	} else {
		p.Other = (&url.URL{Path: r.URL.Path, RawQuery: "lang=" + q.Get("lang")}).RequestURI()
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout", p); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
	return nil
}

// page adapts a handler that returns its failure.
func (a *App) page(h func(w http.ResponseWriter, r *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			a.fail(w, r, err)
		}
	}
}

// problemOf is err as a page shows it, in the request's language (nil for nil).
func (a *App) problemOf(r *http.Request, err error) *Problem {
	if err == nil {
		return nil
	}
	var de *domain.Error
	if !errors.As(err, &de) || de.Code == domain.EInternal {
		a.log.Error("web page failed", "path", r.URL.Path, "error", err.Error())
		de = domain.Errorf(domain.EInternal, "something went wrong on our side; try again, and tell the administrators if it goes on")
	}
	l := langOf(r)
	out := l.Error(de)
	return &Problem{Status: api.Status(de.Code), Title: l.Text(api.Title(de.Code)), Message: out.Message, Fields: out.Fields}
}

// fail answers err as an error page with the API's status for its code.
func (a *App) fail(w http.ResponseWriter, r *http.Request, err error) {
	p := a.problemOf(r, err)
	if p.Status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", api.RetryAfter)
	}
	if rerr := a.render(w, r, p.Status, "error", map[string]any{"Problem": p}); rerr != nil {
		a.log.Error("rendering an error page", "error", rerr.Error())
		http.Error(w, p.Message, p.Status)
	}
}

func urlEscape(s string) string { return url.QueryEscape(s) }

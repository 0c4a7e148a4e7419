package api

import (
	"context"
	"net/http"

	"franja/lang"
)

// The languages people-facing text comes in (package lang); Spanish is the
// default.
const (
	langES = lang.Spanish
	langEN = lang.English
)

type langKey struct{}

// withLanguage negotiates the request's language once, from
// Accept-Language, and says on every answer which one it is in and that it
// depends on that header.
func withLanguage(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l := lang.Negotiate(r.Header.Get("Accept-Language"))
		h := w.Header()
		h.Set("Content-Language", l.String())
		h.Add("Vary", "Accept-Language")
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), langKey{}, l)))
	})
}

// language is the request's language: Spanish or English, by
// Accept-Language, Spanish by default.
func language(r *http.Request) lang.Lang {
	if l, ok := r.Context().Value(langKey{}).(lang.Lang); ok {
		return l
	}
	return lang.Negotiate(r.Header.Get("Accept-Language"))
}

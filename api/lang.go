package api

import (
	"net/http"

	"franja/lang"
)

// The languages people-facing text comes in (package lang); Spanish is the
// default.
const (
	langES = lang.Spanish
	langEN = lang.English
)

// contentLanguage and varyLanguage are the header values withLanguage sets,
// made once: assigning them allocates nothing on the decision path (a later
// Add copies, since their capacity is their length).
var (
	contentLanguage = map[lang.Lang][]string{lang.Spanish: {"es"}, lang.English: {"en"}}
	varyLanguage    = []string{"Accept-Language"}
)

// withLanguage negotiates the request's language once, from
// Accept-Language, and says on every answer which one it is in and that it
// depends on that header. The language is kept in the request's log slot
// (withLogging's), which exists anyway: no context of its own.
func withLanguage(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l := lang.Negotiate(r.Header.Get("Accept-Language"))
		h := w.Header()
		h["Content-Language"] = contentLanguage[l]
		if len(h["Vary"]) == 0 {
			h["Vary"] = varyLanguage
		} else {
			h.Add("Vary", "Accept-Language")
		}
		if rl := requestLogOf(r.Context()); rl != nil {
			rl.lang = l
		}
		next.ServeHTTP(w, r)
	})
}

// language is the request's language: Spanish or English, by
// Accept-Language, Spanish by default.
func language(r *http.Request) lang.Lang {
	if rl := requestLogOf(r.Context()); rl != nil {
		return rl.lang
	}
	return lang.Negotiate(r.Header.Get("Accept-Language"))
}

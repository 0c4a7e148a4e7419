package api

import (
	"net/http"
	"strconv"
	"strings"
)

// Languages people-facing text comes in; Spanish is the default.
const (
	langES = 0
	langEN = 1
)

// language picks Spanish or English from Accept-Language by quality, Spanish
// when neither is asked for (the service's users are a Colombian ministry).
func language(r *http.Request) int {
	h := r.Header.Get("Accept-Language")
	if h == "" {
		return langES
	}
	best, bestQ := langES, -1.0
	for _, part := range strings.Split(h, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		base, _, _ := strings.Cut(strings.ToLower(tag), "-")
		var l int
		switch base {
		case "es":
			l = langES
		case "en":
			l = langEN
		default:
			continue
		}
		if q > bestQ {
			best, bestQ = l, q
		}
	}
	return best
}

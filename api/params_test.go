package api

import (
	"math/rand/v2"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// TestParseQueryValuesAgreesWithNetURL: the query parser decisions use
// gives url.ParseQuery's values, in order, and its first error.
func TestParseQueryValuesAgreesWithNetURL(t *testing.T) {
	seeds := []string{"at=2026-01-01T10:00:00-05:00&channel=phone", "a=1&a=2&b", "x=%zz&y=2", "a=1;b=2", "&&=&a=",
		"justification=la+embajada%20cerr%C3%B3", "%00=1", "a=%E2%82", strings.Repeat("a=1&", maxQueryParams)}
	rng := rand.New(rand.NewPCG(11, 12))
	for i := range 20_000 {
		raw := seeds[i%len(seeds)]
		if i >= len(seeds) {
			raw = string(mutate(rng, seeds[:len(seeds)-1]))
		}
		got, gotErr := parseQueryValues(raw)
		want, wantErr := url.ParseQuery(raw)
		if (gotErr == nil) != (wantErr == nil) || (gotErr != nil && gotErr.Error() != wantErr.Error()) {
			t.Fatalf("%q: error %v, net/url %v", raw, gotErr, wantErr)
		}
		grouped := url.Values{}
		for _, p := range got {
			grouped[p.name] = append(grouped[p.name], p.value)
		}
		if !reflect.DeepEqual(grouped, want) {
			t.Fatalf("%q: %v, net/url %v", raw, grouped, want)
		}
		for name := range want {
			if got.Get(name) != want.Get(name) {
				t.Fatalf("%q: Get(%q) = %q, net/url %q", raw, name, got.Get(name), want.Get(name))
			}
		}
	}
}

// TestEveryKnownParameterIsKnown: withKnownQuery finds each operation by
// the pattern chi matched, so every parameter queryParams gives an
// operation must get past it on that operation's own path (a 2xx, or a 4xx
// about its value, never "unknown parameter"). A route mounted below /v1
// would hand it a partial pattern and fail here.
func TestEveryKnownParameterIsKnown(t *testing.T) {
	f := newAccessFixture(t)
	fill := strings.NewReplacer("{code}", "BOG", "{external_id}", "E1")
	for op, names := range queryParams {
		method, pattern, _ := strings.Cut(op, " ")
		for _, name := range names {
			status, body := f.hostileWith(t, method, fill.Replace(pattern)+"?"+name+"=x", "", map[string]string{"Accept-Language": "en"}, nil, 0)
			if status >= 500 || strings.Contains(string(body), "unknown parameter") {
				t.Errorf("%s?%s=x: %d %.300s", op, name, status, body)
			}
		}
	}
}

package api

import (
	"net/url"
	"strings"
	"testing"

	"franja/internal/pgtest"
	"franja/postgres"
)

// The tables of issue 14 ("the law right in every answer") share one
// fixture, created through the API, with keys for every role:
//
//	BOG          Bogotá, CO, Mon–Fri 08:00-12:00 13:00-17:00
//	EMB-TOKYO    Tokyo, JP, Mon–Fri 09:00-12:00 13:00-18:00
//	CON-MADRID   Madrid, the region's calendar ES-MD plus Colombia's
//	             Independencia (picked by name) and Batalla de Boyacá
//	             (picked by a date it falls on), Mon–Fri 09:00-14:00 15:00-18:00
//	CON-MIAMI    Miami, US-FL, Mon–Fri 08:30-16:30, an on-call rota
//	EMB-COLOMBO  Colombo, LK (data to 2026) and CO
//
//	S1 BOG dirección, confianza y manejo; E1 BOG reports to S1; P1 BOG
//	permanent availability; T1 BOG on commission in Tokyo 9–13 Nov 2026;
//	M1 BOG on commission in Madrid 19–30 Oct 2026 (Madrid's clocks go back
//	on the 25th); K1 EMB-TOKYO on commission in Bogotá 9–11 Nov 2026;
//	J1 EMB-TOKYO; D1 CON-MADRID; L1 EMB-COLOMBO; at CON-MIAMI, G1 keeps
//	the line (backup G2), G3 supervises G1, G2 has a vacation 7–13 Dec
//	2026 and G1 one 14–20 Dec 2026.
type lawFixture struct {
	*harness
	tokens map[string]string // by role: "hr", "system", "supervisor:S1", …
}

func newLawFixture(t *testing.T) *lawFixture {
	t.Helper()
	h, _ := keyHarnessOn(t, postgres.New(pgtest.Pool(t)), KeyAuthOptions{Logger: discardLogger()}, Config{})
	f := &lawFixture{harness: h, tokens: map[string]string{}}
	f.posts()
	f.people()
	// Through the API, which waits until the view knows the key.
	for _, k := range [][3]string{{"hr", "hr", ""}, {"system", "system", ""}, {"supervisor:S1", "supervisor", "S1"}, {"supervisor:G3", "supervisor", "G3"}} {
		body := map[string]any{"name": k[0], "role": k[1]}
		if k[2] != "" {
			body["person"] = k[2]
		}
		f.tokens[k[0]] = h.createKey(body).Token
	}
	return f
}

func (f *lawFixture) posts() {
	post := func(code, country, zone string, cals []string, sched map[string][]string, extra map[string]any) {
		body := map[string]any{"code": code, "name": "Sede " + code, "kind": "consulate", "country": country, "city": code,
			"time_zone": zone, "calendars": cals, "schedule": sched}
		for k, v := range extra {
			body[k] = v
		}
		f.mustCreate("/v1/posts", body)
	}
	post("BOG", "CO", "America/Bogota", []string{"CO"}, workweek("08:00-12:00", "13:00-17:00"), nil)
	post("EMB-TOKYO", "JP", "Asia/Tokyo", []string{"JP"}, workweek("09:00-12:00", "13:00-18:00"), nil)
	post("CON-MADRID", "ES", "Europe/Madrid", []string{"ES-MD"}, workweek("09:00-14:00", "15:00-18:00"), map[string]any{
		"holiday_picks": []map[string]string{{"calendar": "CO", "holiday": "Independencia"}, {"calendar": "CO", "date": "2026-08-07"}}})
	post("CON-MIAMI", "US", "America/New_York", []string{"US-FL"}, workweek("08:30-16:30"), nil)
	post("EMB-COLOMBO", "LK", "Asia/Colombo", []string{"LK", "CO"}, workweek("08:30-16:30"), nil)
}

func (f *lawFixture) people() {
	person := func(id, post string, extra map[string]any) {
		body := map[string]any{"external_id": id, "full_name": "Persona " + id, "email": strings.ToLower(id) + "@cancilleria.gov.co", "post": post}
		for k, v := range extra {
			body[k] = v
		}
		f.mustCreate("/v1/people", body)
	}
	person("S1", "BOG", map[string]any{"exception": "direccion_confianza_manejo"})
	person("E1", "BOG", map[string]any{"supervisor": "S1"})
	person("P1", "BOG", map[string]any{"exception": "disponibilidad_permanente", "supervisor": "S1"})
	person("T1", "BOG", nil)
	person("M1", "BOG", nil)
	person("K1", "EMB-TOKYO", nil)
	person("J1", "EMB-TOKYO", nil)
	person("D1", "CON-MADRID", nil)
	person("L1", "EMB-COLOMBO", nil)
	person("G3", "CON-MIAMI", nil)
	person("G1", "CON-MIAMI", map[string]any{"supervisor": "G3"})
	person("G2", "CON-MIAMI", nil)
	leave := func(id, ref string, body map[string]any) {
		body["external_ref"] = ref
		f.mustCreate("/v1/people/"+id+"/leaves", body)
	}
	leave("T1", "COM-T1", map[string]any{"kind": "service_commission", "start_date": "2026-11-09", "end_date": "2026-11-13", "time_zone": "Asia/Tokyo"})
	leave("M1", "COM-M1", map[string]any{"kind": "service_commission", "start_date": "2026-10-19", "end_date": "2026-10-30", "time_zone": "Europe/Madrid"})
	leave("K1", "COM-K1", map[string]any{"kind": "service_commission", "start_date": "2026-11-09", "end_date": "2026-11-11", "time_zone": "America/Bogota"})
	leave("G2", "VAC-G2", map[string]any{"kind": "vacation", "start_date": "2026-12-07", "end_date": "2026-12-13"})
	leave("G1", "VAC-G1", map[string]any{"kind": "vacation", "start_date": "2026-12-14", "end_date": "2026-12-20", "delegate": "G3"})
}

// as returns the token of a fixture role ("" for admin).
func (f *lawFixture) as(role string) string {
	if role == "" {
		return ""
	}
	t, ok := f.tokens[role]
	if !ok {
		f.t.Fatalf("no key for %q", role)
	}
	return t
}

// askIn asks contactability in lang ("es" or "en") as role, and
// returns status and answer.
func (f *lawFixture) askIn(lang, role, person string, q url.Values) (int, map[string]any) {
	f.t.Helper()
	hdr := map[string]string{"Accept-Language": lang} // the harness asks for English unless told
	res := f.do(req{Method: "GET", Path: "/v1/people/" + person + "/contactability?" + q.Encode(), Token: f.as(role), Header: hdr})
	return res.Status, res.Map(f.t)
}

// question is the query of a contactability question at at by channel
// ("" for the default), with extra parameters.
func question(at, channel string, extra url.Values) url.Values {
	q := url.Values{"at": {at}}
	if channel != "" {
		q.Set("channel", channel)
	}
	for k, v := range extra {
		q[k] = v
	}
	return q
}

// langs are the two answer languages every table runs in.
var langs = []string{"es", "en"}

// reason returns the first reason with code, or nil.
func reason(m map[string]any, code string) map[string]any {
	rs, _ := m["reasons"].([]any)
	for _, r := range rs {
		if r := r.(map[string]any); r["code"] == code {
			return r
		}
	}
	return nil
}

// inLang picks the Spanish or English of a pair.
func inLang(lang, es, en string) string {
	if lang == "en" {
		return en
	}
	return es
}

// mustContain fails unless s holds every part.
func mustContain(t *testing.T, what, s string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(s, p) {
			t.Errorf("%s: %q lacks %q", what, s, p)
		}
	}
}

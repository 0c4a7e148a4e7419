package api

import (
	"net/url"
	"slices"
	"strings"
	"testing"
)

// effective returns a post's effective holidays in year as
// "date name source" strings.
func (f *lawFixture) effective(t *testing.T, post string, year string) (map[string]any, []string) {
	t.Helper()
	m := f.mustDo(t, req{Method: "GET", Path: "/v1/posts/" + post + "/holidays?year=" + year}, 200).Map(t)
	var out []string
	for _, h := range m["holidays"].([]any) {
		h := h.(map[string]any)
		out = append(out, str(h["date"])+" "+str(h["name"])+" "+str(h["source"]))
	}
	return m, out
}

// TestHolidayRulesTable: a post takes calendars whole (a country's, or a
// region's such as ES-MD or US-FL) or picks named days from others, by
// holiday, so that each follows its holiday every year; the effective list
// shows each day's source, and decisions follow it.
func TestHolidayRulesTable(t *testing.T) {
	f := newLawFixture(t)
	// The consulate in Madrid: the region's calendar, Colombia's 20 July
	// (picked by name) and 7 August (picked by the date it fell on in 2026).
	m, got := f.effective(t, "CON-MADRID", "2026")
	for _, want := range []string{
		"2026-05-02 Fiesta de la Comunidad de Madrid calendar:ES-MD", "2026-07-20 Independencia pick:CO",
		"2026-08-07 Batalla de Boyacá pick:CO", "2026-10-12 Fiesta Nacional de España calendar:ES-MD",
	} {
		if !slices.Contains(got, want) {
			t.Errorf("CON-MADRID 2026 lacks %q: %v", want, got)
		}
	}
	if slices.ContainsFunc(got, func(s string) bool { return strings.Contains(s, "Reyes Magos") }) {
		t.Errorf("CON-MADRID takes Colombian days it did not pick: %v", got)
	}
	if picks := m["holiday_picks"].([]any); len(picks) != 2 || picks[1].(map[string]any)["holiday"] != "Batalla de Boyacá" {
		t.Errorf("holiday_picks %v: the date-picked day is stored by its holiday", picks)
	}
	// Picks follow their holiday: San Pedro, picked by its English name,
	// is a Monday in 2026 and moves to Monday 5 July in 2027.
	f.mustDo(t, req{Method: "PATCH", Path: "/v1/posts/CON-MADRID", Header: map[string]string{"If-Match": "*"}, Body: map[string]any{
		"holiday_picks": []map[string]string{{"calendar": "CO", "holiday": "Independencia"}, {"calendar": "CO", "holiday": "Batalla de Boyacá"},
			{"calendar": "co", "holiday": "Saint Peter and Saint Paul's Day"}}}}, 200)
	for year, want := range map[string][]string{
		"2026": {"2026-06-29 San Pedro y San Pablo pick:CO", "2026-07-20 Independencia pick:CO"},
		"2027": {"2027-07-05 San Pedro y San Pablo pick:CO", "2027-07-20 Independencia pick:CO", "2027-08-07 Batalla de Boyacá pick:CO", "2027-05-03 Lunes siguiente a Fiesta de la Comunidad de Madrid calendar:ES-MD"},
	} {
		_, got := f.effective(t, "CON-MADRID", year)
		for _, w := range want {
			if !slices.Contains(got, w) {
				t.Errorf("CON-MADRID %s lacks %q: %v", year, w, got)
			}
		}
	}
	// A picked day may be worked through like any base holiday.
	f.mustDo(t, req{Method: "POST", Path: "/v1/posts/CON-MADRID/exclusions", Body: map[string]any{"date": "2027-07-20", "note": "Atención al público"}}, 201)
	if _, got := f.effective(t, "CON-MADRID", "2027"); slices.Contains(got, "2027-07-20 Independencia pick:CO") {
		t.Errorf("the excluded pick is still listed: %v", got)
	}
	// Miami follows Florida: its day after Thanksgiving is no federal holiday.
	_, got = f.effective(t, "CON-MIAMI", "2026")
	if !slices.Contains(got, "2026-11-27 Friday After Thanksgiving calendar:US-FL") {
		t.Errorf("CON-MIAMI 2026 lacks Florida's day: %v", got)
	}
	for _, lang := range langs {
		_, m := f.askIn(lang, "", "G1", url.Values{"at": {"2026-11-27T10:00:00-05:00"}})
		r := reason(m, "public_holiday")
		if m["decision"] != "defer" || r == nil || r["holiday"] != "Friday After Thanksgiving" {
			t.Errorf("%s: G1 on Florida's day: %v %v", lang, m["decision"], m["reasons"])
			continue
		}
		mustContain(t, lang, str(r["legal_basis"]), inLang(lang, "calendario de festivos adoptado por la sede (US-FL)", "the post's adopted holiday calendar (US-FL)"))
		mustContain(t, lang, str(r["message"]), inLang(lang, "Es día festivo en su sede", "It is a public holiday at their post"))
	}
}

// TestRegionalCalendarsOverHTTP: regional calendars are listed, read like
// a country's, and take no uploads or closures of their own.
func TestRegionalCalendarsOverHTTP(t *testing.T) {
	f := newLawFixture(t)
	list := f.mustDo(t, req{Method: "GET", Path: "/v1/calendars"}, 200).Map(t)["calendars"].([]any)
	found := false
	for _, c := range list {
		if c := c.(map[string]any); c["code"] == "ES-MD" {
			found = c["country"] == "ES" && c["subdivision"] == "MD" && c["name"] == "Spain (MD)" && c["to_year"] == float64(2040)
		}
	}
	if !found {
		t.Error("GET /v1/calendars does not list ES-MD as Spain's region MD")
	}
	m := f.mustDo(t, req{Method: "GET", Path: "/v1/calendars/es-md/holidays?year=2026"}, 200).Map(t)
	if m["calendar"] != "ES-MD" {
		t.Errorf("calendar %v", m["calendar"])
	}
	first := m["holidays"].([]any)[0].(map[string]any)
	if first["name"] != "Año Nuevo" || first["name_en"] != "New Year's Day" || first["name_es"] != "Año Nuevo" || first["source"] != "calendar:ES-MD" {
		t.Errorf("first holiday %v", first)
	}
	jp := f.mustDo(t, req{Method: "GET", Path: "/v1/calendars/JP/holidays?year=2026"}, 200).Map(t)["holidays"].([]any)[0].(map[string]any)
	if jp["name"] != "元日" || jp["name_en"] != "New Year's Day" || jp["name_es"] != nil {
		t.Errorf("JP's first holiday %v", jp)
	}
	for _, lang := range langs {
		hdr := map[string]string{"Accept-Language": lang} // the harness asks for English unless told
		for _, c := range []struct {
			r      req
			status int
			title  [2]string
			detail [2]string
		}{
			{req{Method: "GET", Path: "/v1/calendars/US-ZZ/holidays?year=2026"}, 404, [2]string{"No encontrado", "Not found"}, [2]string{"ningún calendario base tiene el código", "no base calendar has the code"}},
			{req{Method: "GET", Path: "/v1/calendars/ES-MD/holidays?year=2041"}, 422, [2]string{"Fuera de rango", "Out of range"}, [2]string{"el calendario ES-MD abarca 2020–2040", "ES-MD covers 2020–2040"}},
			{req{Method: "PUT", Path: "/v1/calendars/ES-MD/holidays/2041", Body: "date,name\n2041-05-02,Fiesta\n", ContentType: "text/csv"}, 422, [2]string{"Datos no válidos", "Invalid input"}, [2]string{"ES-MD es un calendario regional", "ES-MD is a regional calendar"}},
			{req{Method: "POST", Path: "/v1/calendars/ES-MD/closures", Body: map[string]any{"date": "2026-03-02", "name": "Cierre"}}, 422, [2]string{"Datos no válidos", "Invalid input"}, [2]string{"en el calendario de su país ES", "on its country's calendar ES"}},
		} {
			c.r.Header = hdr
			res := f.do(c.r)
			p := res.Map(t)
			if res.Status != c.status || p["title"] != inLang(lang, c.title[0], c.title[1]) || !strings.Contains(str(p["detail"]), inLang(lang, c.detail[0], c.detail[1])) {
				t.Errorf("%s %s %s: %d %v", lang, c.r.Method, c.r.Path, res.Status, p)
			}
		}
	}
}

// TestHolidayPicksRefused: a pick that names no holiday, a calendar the
// post takes whole, a date with no holiday or two, is refused with a
// message that says what to send instead; nothing is written.
func TestHolidayPicksRefused(t *testing.T) {
	f := newLawFixture(t)
	cases := []struct {
		pick map[string]string
		want [2]string // Spanish, English
	}{
		{map[string]string{"calendar": "CO", "holiday": "Día de la Independencia"}, [2]string{`el calendario CO no tiene ningún festivo llamado "Día de la Independencia" en 2020–2040`, `calendar CO has no holiday named "Día de la Independencia" in 2020–2040`}},
		{map[string]string{"calendar": "ES-MD", "holiday": "Fiesta de la Comunidad de Madrid"}, [2]string{"la sede ya toma completo el calendario ES-MD", "the post takes calendar ES-MD whole already"}},
		{map[string]string{"calendar": "CO", "date": "2026-07-21"}, [2]string{"2026-07-21 no es festivo del calendario CO", "2026-07-21 is not a holiday of calendar CO"}},
		{map[string]string{"calendar": "CO", "date": "2025-06-30"}, [2]string{"tiene 2 festivos en el calendario CO (Sagrado Corazón, San Pedro y San Pablo): elija uno por nombre", "has 2 holidays in calendar CO (Sagrado Corazón, San Pedro y San Pablo): pick one by name"}},
		{map[string]string{"calendar": "CO", "date": "2026-07-20", "holiday": "Independencia"}, [2]string{"nombre el festivo o dé una fecha en que cae, no ambas cosas", "name the holiday or give a date it falls on, not both"}},
		{map[string]string{"calendar": "XX", "holiday": "Anything"}, [2]string{`"XX" no es un código de calendario`, `"XX" is not a calendar code`}},
		{map[string]string{"calendar": "CO", "date": "2026-02-30"}, [2]string{"no es una fecha", "is not a date"}},
	}
	for _, lang := range langs {
		for _, c := range cases {
			hdr := map[string]string{"If-Match": "*"}
			hdr["Accept-Language"] = lang // the harness asks for English unless told
			res := f.do(req{Method: "PATCH", Path: "/v1/posts/CON-MADRID", Header: hdr, Body: map[string]any{"holiday_picks": []map[string]string{c.pick}}, SkipSpec: true})
			p := res.Map(t)
			errs, _ := p["errors"].([]any)
			if res.Status != 422 || len(errs) != 1 || !strings.HasPrefix(str(errs[0].(map[string]any)["field"]), "holiday_picks[0]") ||
				!strings.Contains(str(errs[0].(map[string]any)["message"]), inLang(lang, c.want[0], c.want[1])) || p["title"] != inLang(lang, "Datos no válidos", "Invalid input") {
				t.Errorf("%s: %v: %d %v, want 422 saying %q", lang, c.pick, res.Status, p, inLang(lang, c.want[0], c.want[1]))
			}
		}
	}
	if _, got := f.effective(t, "CON-MADRID", "2026"); !slices.Contains(got, "2026-07-20 Independencia pick:CO") {
		t.Errorf("a refused change altered the picks: %v", got)
	}
	// The posts import takes picks in one cell, by name or by date.
	csv := "code,name,kind,country,time_zone,calendars,holiday_picks\n" +
		"CON-BARCELONA,Consulado en Barcelona,consulate,ES,Europe/Madrid,ES-CT,CO:Independencia|CO:2026-08-07\n" +
		"CON-SEVILLA,Consulado en Sevilla,consulate,ES,Europe/Madrid,ES-AN,CO-Independencia\n"
	res := f.do(req{Method: "POST", Path: "/v1/imports/posts", Body: csv, ContentType: "text/csv"})
	errs, _ := res.Map(t)["errors"].([]any)
	if res.Status != 422 || len(errs) != 1 || errs[0].(map[string]any)["line"] != float64(3) {
		t.Fatalf("import with one bad pick cell: %d %s", res.Status, res.Body)
	}
	res = f.do(req{Method: "POST", Path: "/v1/imports/posts", Body: csv[:strings.LastIndex(csv[:len(csv)-1], "\n")+1], ContentType: "text/csv"})
	if res.Status != 200 {
		t.Fatalf("import: %d %s", res.Status, res.Body)
	}
	if _, got := f.effective(t, "CON-BARCELONA", "2026"); !slices.Contains(got, "2026-08-07 Batalla de Boyacá pick:CO") {
		t.Errorf("imported picks: %v", got)
	}
}

package api

import (
	"net/url"
	"strings"
	"testing"
)

// TestCitationTable: every reason cites the norm DOMAIN.md's table gives
// for its situation, in the answer's language; a host-country or regional
// holiday cites the post's adopted calendar, never Ley 51 de 1983.
func TestCitationTable(t *testing.T) {
	f := newLawFixture(t)
	urgent := func(requester string) url.Values {
		return url.Values{"purpose": {"urgent"}, "requester": {requester}, "justification": {"Detención de un connacional esta noche"}}
	}
	thu10, thu21 := "2026-11-26T10:00:00-05:00", "2026-11-26T21:00:00-05:00"
	cases := []struct {
		name, person, at, channel string
		extra                     url.Values
		code                      string
		es, en                    string
	}{
		{"within working hours", "E1", thu10, "email", nil, "within_working_hours",
			"Ley 2191 de 2022, art. 3; resolución de jornada laboral de la entidad", "Ley 2191 de 2022, art. 3; the entity's working-hours resolution"},
		{"outside working hours", "E1", thu21, "email", nil, "outside_working_hours", "Ley 2191 de 2022, arts. 3 y 4", "Ley 2191 de 2022, arts. 3 and 4"},
		{"rest day", "E1", "2026-11-28T10:00:00-05:00", "email", nil, "rest_day", "Ley 2191 de 2022, arts. 3 y 4", "Ley 2191 de 2022, arts. 3 and 4"},
		{"a Colombian holiday", "E1", "2026-12-08T10:00:00-05:00", "email", nil, "public_holiday",
			"Ley 51 de 1983; Ley 2191 de 2022, art. 3", "Ley 51 de 1983; Ley 2191 de 2022, art. 3"},
		{"the day Ley 2578 de 2026 added", "E1", "2026-07-13T10:00:00-05:00", "email", nil, "public_holiday",
			"Ley 51 de 1983; Ley 2578 de 2026; Ley 2191 de 2022, art. 3", "Ley 51 de 1983; Ley 2578 de 2026; Ley 2191 de 2022, art. 3"},
		{"a host-country holiday", "J1", "2026-11-03T10:00:00+09:00", "email", nil, "public_holiday",
			"calendario de festivos adoptado por la sede (JP); Ley 2191 de 2022, art. 3", "the post's adopted holiday calendar (JP); Ley 2191 de 2022, art. 3"},
		{"a regional holiday", "D1", "2025-05-02T10:00:00+02:00", "email", nil, "public_holiday",
			"calendario de festivos adoptado por la sede (ES-MD); Ley 2191 de 2022, art. 3", "the post's adopted holiday calendar (ES-MD); Ley 2191 de 2022, art. 3"},
		{"a Colombian day a post abroad picked", "D1", "2026-07-20T10:00:00+02:00", "email", nil, "public_holiday",
			"Ley 51 de 1983; Ley 2191 de 2022, art. 3", "Ley 51 de 1983; Ley 2191 de 2022, art. 3"},
		{"on leave", "G2", "2026-12-08T10:00:00-05:00", "email", nil, "on_leave",
			"Ley 2191 de 2022, art. 4; Ley 1581 de 2012, arts. 5 y 6", "Ley 2191 de 2022, art. 4; Ley 1581 de 2012, arts. 5 and 6"},
		{"a personal channel for routine work", "E1", thu10, "whatsapp", nil, "personal_channel",
			"Circular de la Secretaría General sobre herramientas virtuales oficiales", "Secretaría General circular on official virtual tools"},
		{"a personal channel in hours, exceptionally", "E1", thu10, "whatsapp", urgent("S1"), "exception_applied",
			"Circular de la Secretaría General sobre herramientas virtuales oficiales (situaciones excepcionales de orden laboral)",
			"Secretaría General circular on official virtual tools (exceptional work situations)"},
		{"an official document over SMS", "E1", thu10, "sms", url.Values{"official_document": {"true"}}, "official_document_channel",
			"Circular de la Secretaría General sobre herramientas virtuales oficiales; Ley 734 de 2002, art. 34, num. 5, como la cita la circular; hoy Ley 1952 de 2019, art. 38, num. 5",
			"Secretaría General circular on official virtual tools; Ley 734 de 2002, art. 34, num. 5, as the circular cites it; now Ley 1952 de 2019, art. 38, num. 5"},
		{"outside hours, dirección, confianza y manejo", "S1", thu21, "phone", urgent("E1"), "exception_applied",
			"Ley 2191 de 2022, art. 6, lit. a; Corte Constitucional, Sentencia C-331 de 2023 (necesidad, proporcionalidad y descanso mínimo)",
			"Ley 2191 de 2022, art. 6, lit. a; Corte Constitucional, Sentencia C-331 de 2023 (necessity, proportionality and minimum rest)"},
		{"outside hours, permanent availability", "P1", thu21, "phone", urgent("S1"), "exception_applied", "Ley 2191 de 2022, art. 6, lit. b", "Ley 2191 de 2022, art. 6, lit. b"},
		{"outside hours, no exception", "E1", thu21, "phone", urgent("S1"), "exception_not_applicable", "Ley 2191 de 2022, art. 6, lits. a y b", "Ley 2191 de 2022, art. 6, lits. a and b"},
		{"force majeure", "E1", thu21, "phone", url.Values{"purpose": {"force_majeure"}, "requester": {"S1"}, "justification": {"Inundación en la sede"}}, "exception_applied",
			"Ley 2191 de 2022, art. 6, lit. c", "Ley 2191 de 2022, art. 6, lit. c"},
		{"a superior asking outside hours", "E1", thu21, "email", url.Values{"requester": {"S1"}}, "superior_abstains",
			"Ley 2191 de 2022, art. 3, segunda frase (el empleador se abstendrá de formular órdenes u otros requerimientos fuera de la jornada); Circular de la Secretaría General sobre herramientas virtuales oficiales (lineamiento para superiores)",
			"Ley 2191 de 2022, art. 3, second sentence (the employer shall refrain from giving orders or other requests outside the working day); Secretaría General circular on official virtual tools (guideline for superiors)"},
	}
	for _, lang := range langs {
		for _, c := range cases {
			q := question(c.at, c.channel, c.extra)
			name := lang + ": " + c.name
			_, m := f.askIn(lang, "", c.person, q)
			r := reason(m, c.code)
			if r == nil {
				t.Errorf("%s: no %s among %v", name, c.code, reasonCodes(m))
				continue
			}
			if want := inLang(lang, c.es, c.en); r["legal_basis"] != want {
				t.Errorf("%s: legal_basis %q, want %q", name, r["legal_basis"], want)
			}
			for _, rr := range m["reasons"].([]any) {
				if b := str(rr.(map[string]any)["legal_basis"]); strings.Contains(b, "Ley 51") && (c.person == "J1" || c.name == "a regional holiday") {
					t.Errorf("%s: a host-country holiday cites Ley 51: %q", name, b)
				}
			}
		}
	}
}

// TestHolidayNamesTable: a holiday is named in the answer's language where
// the data has it, else in English, with the name as its calendar writes
// it in its own field; the message is all in one language.
func TestHolidayNamesTable(t *testing.T) {
	f := newLawFixture(t)
	cases := []struct {
		name, person, at   string
		es, en, original   string
		source             string
		basisES, basisEN   string
		messageES, message string
	}{
		{"Japan's Culture Day: English in a Spanish answer, the original apart", "J1", "2026-11-03T10:00:00+09:00", "Culture Day", "Culture Day", "文化の日", "calendar:JP",
			"calendario de festivos adoptado por la sede (JP)", "the post's adopted holiday calendar (JP)", "Es día festivo en su sede: Culture Day.", "It is a public holiday at their post: Culture Day."},
		{"Madrid's own day: Spanish data in Spanish, English in English", "D1", "2025-05-02T10:00:00+02:00", "Fiesta de la Comunidad de Madrid", "Madrid Day", "Fiesta de la Comunidad de Madrid", "calendar:ES-MD",
			"calendario de festivos adoptado por la sede (ES-MD)", "the post's adopted holiday calendar (ES-MD)", "Es día festivo en su sede: Fiesta de la Comunidad de Madrid.", "It is a public holiday at their post: Madrid Day."},
		{"Spain's national day at the consulate in Madrid", "D1", "2026-10-12T10:00:00+02:00", "Fiesta Nacional de España", "National Day", "Fiesta Nacional de España", "calendar:ES-MD",
			"calendario de festivos adoptado por la sede (ES-MD)", "the post's adopted holiday calendar (ES-MD)", "Es día festivo en su sede: Fiesta Nacional de España.", "It is a public holiday at their post: National Day."},
		{"Colombia's day picked in Madrid", "D1", "2026-08-07T10:00:00+02:00", "Batalla de Boyacá", "Battle of Boyacá", "Batalla de Boyacá", "pick:CO",
			"Ley 51 de 1983", "Ley 51 de 1983", "Es día festivo en su sede: Batalla de Boyacá.", "It is a public holiday at their post: Battle of Boyacá."},
		{"Colombia's own, at home", "E1", "2026-12-08T10:00:00-05:00", "Inmaculada Concepción", "Immaculate Conception", "Inmaculada Concepción", "calendar:CO",
			"Ley 51 de 1983", "Ley 51 de 1983", "Es día festivo en su sede: Inmaculada Concepción.", "It is a public holiday at their post: Immaculate Conception."},
	}
	for _, lang := range langs {
		for _, c := range cases {
			name := lang + ": " + c.name
			_, m := f.askIn(lang, "", c.person, url.Values{"at": {c.at}})
			r := reason(m, "public_holiday")
			if r == nil {
				t.Errorf("%s: %v, want public_holiday", name, reasonCodes(m))
				continue
			}
			want := inLang(lang, c.es, c.en)
			d, _ := r["holiday_details"].([]any)
			if r["holiday"] != want || len(d) != 1 {
				t.Errorf("%s: holiday %q, details %v; want %q", name, r["holiday"], d, want)
				continue
			}
			det := d[0].(map[string]any)
			if det["name"] != want || det["original_name"] != c.original || det["source"] != c.source {
				t.Errorf("%s: details %v, want %q / %q from %s", name, det, want, c.original, c.source)
			}
			if msg := inLang(lang, c.messageES, c.message); r["message"] != msg {
				t.Errorf("%s: message %q, want %q", name, r["message"], msg)
			}
			mustContain(t, name, str(r["legal_basis"]), inLang(lang, c.basisES, c.basisEN))
		}
	}
}

package api

import (
	"net/url"
	"strings"
	"testing"
)

// TestWordingTable: the texts use the law's terms without assuming the
// person's gender, and a requester who is the person's superior (above
// them in the reporting line) is told, in the words of art. 3, to refrain
// from orders and requests until the stated time.
func TestWordingTable(t *testing.T) {
	f := newLawFixture(t)
	urgent := url.Values{"purpose": {"urgent"}, "channel": {"phone"}, "justification": {"Detención de un connacional esta noche"}}
	withReq := func(v url.Values, requester string) url.Values {
		out := url.Values{"requester": {requester}}
		for k, vs := range v {
			out[k] = vs
		}
		return out
	}
	thu21 := "2026-11-26T21:00:00-05:00"
	cases := []struct {
		name, role, person, at string
		q                      url.Values
		code                   string // "" = no superior_abstains may appear
		es, en                 []string
	}{
		{"on leave, in neutral words", "", "G2", "2026-12-08T10:00:00-05:00", nil, "on_leave",
			[]string{"se encuentra en descanso, vacaciones, licencia o permiso, que la ley le garantiza"}, []string{"on rest, vacation, leave or a permit, which the law guarantees"}},
		{"no exception: functions, not posts", "", "E1", thu21, withReq(urgent, "S1"), "exception_not_applicable",
			[]string{"ejerce funciones que requieren disponibilidad permanente", "está de turno"}, []string{"whose functions require permanent availability", "on-call turn"}},
		{"permanent availability", "", "P1", thu21, withReq(urgent, "S1"), "exception_applied",
			[]string{"ejerce funciones que requieren disponibilidad permanente"}, []string{"functions require permanent availability"}},
		{"dirección: necessity, proportionality, minimum rest", "", "S1", thu21, withReq(urgent, "E1"), "exception_applied",
			[]string{"ocupa un cargo de dirección, confianza y manejo", "necesario y proporcionado", "descanso mínimo"}, []string{"direction, trust and management", "necessary and proportionate", "minimum rest"}},
		{"a supervisor key asking after hours is the superior", "supervisor:S1", "E1", thu21, nil, "superior_abstains",
			[]string{"Como superior de esta persona, absténgase de formular órdenes u otros requerimientos fuera de su jornada laboral; podrá hacerlo a partir del 2026-11-27 08:00 (America/Bogota)."},
			[]string{"As this person's superior, refrain from giving orders or other requests outside their working day; you may do so from 2026-11-27 08:00 (America/Bogota)."}},
		{"a system key naming the superior as requester", "system", "E1", thu21, url.Values{"requester": {"S1"}, "channel": {"teams_call"}}, "superior_abstains",
			[]string{"absténgase de formular órdenes u otros requerimientos"}, []string{"refrain from giving orders or other requests"}},
		{"an indirect superior too", "system", "P1", "2026-11-28T10:00:00-05:00", url.Values{"requester": {"S1"}}, "superior_abstains",
			[]string{"podrá hacerlo a partir del 2026-11-30 08:00 (America/Bogota)"}, []string{"you may do so from 2026-11-30 08:00 (America/Bogota)"}},
		{"the superior of someone on leave: until the leave ends", "supervisor:G3", "G1", "2026-12-15T10:00:00-05:00", nil, "superior_abstains",
			[]string{"a partir del 2026-12-21 08:30 (America/New_York)"}, []string{"from 2026-12-21 08:30 (America/New_York)"}},
		{"an urgent call refused to the superior says so too", "supervisor:S1", "E1", thu21, urgent, "superior_abstains",
			[]string{"absténgase"}, []string{"refrain"}},
		{"a peer is not told so", "system", "E1", thu21, url.Values{"requester": {"P1"}}, "", nil, nil},
		{"nor is a superior in working hours", "supervisor:S1", "E1", "2026-11-26T10:00:00-05:00", nil, "", nil, nil},
		{"nor one let through by an exception", "supervisor:S1", "P1", thu21, urgent, "", nil, nil},
	}
	for _, lang := range langs {
		for _, c := range cases {
			q := url.Values{"at": {c.at}}
			for k, v := range c.q {
				q[k] = v
			}
			name := lang + ": " + c.name
			status, m := f.askIn(lang, c.role, c.person, q)
			if status != 200 {
				t.Errorf("%s: %d %v", name, status, m)
				continue
			}
			if c.code == "" {
				if r := reason(m, "superior_abstains"); r != nil {
					t.Errorf("%s: %v", name, r)
				}
				continue
			}
			r := reason(m, c.code)
			if r == nil {
				t.Errorf("%s: no %s among %v", name, c.code, reasonCodes(m))
				continue
			}
			want := c.es
			if lang == "en" {
				want = c.en
			}
			mustContain(t, name, str(r["message"]), want...)
			for _, rr := range m["reasons"].([]any) {
				msg := str(rr.(map[string]any)["message"])
				for _, word := range []string{"que lo ", "contactarlo", "lo aparta", "del servidor", "cargos de disponibilidad"} {
					if strings.Contains(msg, word) {
						t.Errorf("%s: %q says %q", name, msg, word)
					}
				}
			}
		}
	}
	// A routine requester must exist, and a supervisor key asks as itself.
	for role, q := range map[string]string{"system": "requester=NOBODY", "supervisor:S1": "requester=P1"} {
		res := f.do(req{Method: "GET", Path: "/v1/people/E1/contactability?" + q, Token: f.as(role)})
		if res.Status != 400 || !strings.Contains(string(res.Body), "requester") {
			t.Errorf("%s ?%s: %d %s, want 400 on requester", role, q, res.Status, res.Body)
		}
	}
}

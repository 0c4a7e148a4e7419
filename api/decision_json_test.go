package api

import (
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"franja/domain"
)

// trickyStrings are strings whose JSON encoding is not a plain copy.
var trickyStrings = []string{
	"", "plain", "Está dentro de su jornada laboral.", `quote " and \ backslash`,
	"<script>&</script>", "tab\tnewline\nreturn\rbell\aback\bform\f", "nul \x00 unit \x1f del \x7f",
	"line\u2028para\u2029sep", "invalid \xff\xfe utf-8", "cut \xe2\x82", "replacement \ufffd char",
	"emoji 😀 and ñ", "Día cívico / Navidad",
}

func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	check := func(s string) {
		t.Helper()
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendString([]byte("x"), s); string(got) != "x"+string(want) {
			t.Errorf("appendString(%q) = %s, want %s", s, got[1:], want)
		}
	}
	for _, s := range trickyStrings {
		check(s)
	}
	// Random strings over an alphabet of every class the encoder treats
	// apart, so mixtures (an escape after multi-byte runes…) are covered.
	alphabet := []string{"a", "Z", " ", "~", "\x7f", `"`, `\`, "<", ">", "&", "\x00", "\n", "\x1f",
		"é", "ñ", "€", "😀", "\u2028", "\u2029", "\ufffd", "\xff", "\xe2\x82", "\xc3"}
	rng := rand.New(rand.NewPCG(7, 11))
	for range 20000 {
		var sb strings.Builder
		for range rng.IntN(12) {
			sb.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		check(sb.String())
	}
}

// decisionVariants are answers covering every field, set and unset.
func decisionVariants() []decisionJSON {
	id := int64(42)
	full := decisionJSON{
		Person: "E1", At: "2026-11-26T15:00:00Z", LocalAt: "2026-11-26T10:00:00-05:00", TimeZone: "America/Bogota",
		Channel: "email", Purpose: "urgent", Duration: "PT15M", Decision: "allow_by_exception", Contactable: true,
		Reasons: []reasonJSON{
			{Code: "holiday", Message: "Es festivo: Día cívico.", LegalBasis: "Ley 2191 de 2022, art. 3", Holiday: "A / B", Holidays: []string{"A", "<B>"},
				HolidayDetails: []holidayJSON{{Name: "Culture Day", OriginalName: "文化の日", Source: "calendar:JP"}, {Name: "<&>", Source: "closure"}}, LeaveKind: "vacation", Ground: "on_call"},
			{Code: "outside_working_hours", Message: trickyStrings[7]},
		},
		NextAllowedAt: ptr("2026-11-27T13:00:00Z"), LocalNextAllowedAt: ptr("2026-11-27T08:00:00-05:00"),
		WindowEndsAt: ptr("x"), LocalWindowEndsAt: ptr("y"), HorizonReached: true, SuggestedChannel: "email",
		SuggestedAt: ptr("2026-11-27T13:00:00Z"), LocalSuggestedAt: ptr("2026-11-27T08:00:00-05:00"), Confidence: "low",
		Delegate: &delegateJSON{Person: "E2", FullName: "Beto <b>", TimeZone: "Europe/Madrid", Decision: "deny",
			Reasons: []reasonJSON{{Code: "c", Message: "m"}}, LocalNextAllowedAt: ptr("z")},
		AuditID: &id,
	}
	out := []decisionJSON{{}, full}
	emptyReasons := full
	emptyReasons.Reasons, emptyReasons.Delegate = []reasonJSON{}, &delegateJSON{}
	out = append(out, emptyReasons)
	inBatch := full
	inBatch.Outcome = "decision"
	out = append(out, inBatch)
	for _, s := range trickyStrings {
		d := full
		d.Person, d.LocalAt, d.Reasons = s, s, []reasonJSON{{Code: s, Message: s, Holidays: []string{s, s}, HolidayDetails: []holidayJSON{{s, s, s}}, Ground: s}}
		d.Delegate = &delegateJSON{FullName: s, Reasons: []reasonJSON{{Message: s}}, NextAllowedAt: &s}
		out = append(out, d)
	}
	return out
}

func TestDecisionJSONMatchesEncodingJSON(t *testing.T) {
	for i, d := range decisionVariants() {
		want, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(string(want), string(d.appendJSON(nil))); diff != "" {
			t.Errorf("variant %d: appendJSON differs from encoding/json (-want +got):\n%s", i, diff)
		}
	}
}

// TestResponsesMatchWriteJSON checks the bytes and headers of both hand-written
// responses against writeJSON of the values the handlers used to encode.
func TestResponsesMatchWriteJSON(t *testing.T) {
	ds := decisionVariants()
	results := []checkResult{{decisionJSON: &ds[1]}, {Error: &Problem{Type: "https://franja.dev/problems/not_found",
		Title: "Not found <x>", Status: 404, Detail: "no person has external_id \"E9\"", Code: domain.ENotFound,
		Errors: []domain.FieldError{{Field: "person", Message: "é & <"}}}}, {decisionJSON: &ds[3]}}
	cases := []struct {
		name  string
		old   any
		write func(http.ResponseWriter)
	}{
		{"contactability", ds[1], func(w http.ResponseWriter) { writeDecisionJSON(w, http.StatusOK, ds[1].appendJSON(nil)) }},
		// As contactChecks writes a batch: in parts, some of them empty.
		{"checks", map[string]any{"results": results}, func(w http.ResponseWriter) {
			writeResults(w, appendItems(nil, results[:1]), nil, appendItems(nil, results[1:]), nil)
		}},
		{"no checks", map[string]any{"results": []checkResult{}}, func(w http.ResponseWriter) { writeResults(w) }},
	}
	for _, c := range cases {
		want, got := httptest.NewRecorder(), httptest.NewRecorder()
		writeJSON(want, http.StatusOK, c.old)
		c.write(got)
		if diff := cmp.Diff(want.Body.String(), got.Body.String()); diff != "" {
			t.Errorf("%s: body differs (-writeJSON +hand-written):\n%s", c.name, diff)
		}
		if diff := cmp.Diff(want.Header(), got.Header()); diff != "" || want.Code != got.Code {
			t.Errorf("%s: status %d vs %d, headers (-writeJSON +hand-written):\n%s", c.name, want.Code, got.Code, diff)
		}
	}
}

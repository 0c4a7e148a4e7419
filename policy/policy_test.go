package policy

import (
	"strings"
	"testing"
	"time"

	"franja/calendars"
	"franja/domain"
	"franja/engine"
)

// bogota is Monday–Friday 08:00-17:00 in Bogotá, with one week of leave.
func bogota(t *testing.T, exc domain.Exception) Person {
	t.Helper()
	loc, err := time.LoadLocation("America/Bogota")
	if err != nil {
		t.Fatal(err)
	}
	var s domain.Schedule
	for d := time.Monday; d <= time.Friday; d++ {
		s[d] = []domain.Window{{Start: 8 * 60, End: 17 * 60}}
	}
	tl, err := engine.NewTimeline(engine.Person{Zone: loc, Schedules: []engine.ScheduleVersion{{Schedule: s}},
		Leaves: []engine.Leave{{ID: 7, StartDate: domain.NewDate(2026, 11, 30), EndDate: domain.NewDate(2026, 12, 4), Blocks: true}}})
	if err != nil {
		t.Fatal(err)
	}
	return Person{Exception: exc, HasSchedule: true, Timeline: tl, LeaveKind: func(id int64) domain.LeaveKind {
		if id == 7 {
			return domain.LeaveSick
		}
		return ""
	}}
}

var (
	inHours    = time.Date(2026, 11, 26, 15, 0, 0, 0, time.UTC) // Thursday 10:00 Bogotá
	afterHours = time.Date(2026, 11, 27, 1, 0, 0, 0, time.UTC)  // Thursday 20:00 Bogotá
	onLeave    = time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC)
)

func TestDecide(t *testing.T) {
	cases := []struct {
		name    string
		exc     domain.Exception
		req     Request
		at      time.Time
		verdict Verdict
		first   Code
		audit   bool
		next    bool
	}{
		{"routine email in hours", domain.ExceptionNone, Request{Channel: Email, Purpose: Routine}, inHours, Allow, WithinWorkingHours, false, false},
		{"routine email after hours waits", domain.ExceptionNone, Request{Channel: Email, Purpose: Routine}, afterHours, Defer, OutsideWorkingHours, false, true},
		{"routine call after hours is refused", domain.ExceptionNone, Request{Channel: Phone, Purpose: Routine}, afterHours, Deny, OutsideWorkingHours, false, true},
		{"routine whatsapp in hours is personal", domain.ExceptionNone, Request{Channel: WhatsApp, Purpose: Routine}, inHours, Deny, PersonalChannel, false, false},
		{"urgent whatsapp in hours is an exception", domain.ExceptionNone, Request{Channel: WhatsApp, Purpose: Urgent}, inHours, Allow, WithinWorkingHours, true, false},
		{"urgent after hours, no category", domain.ExceptionNone, Request{Channel: Email, Purpose: Urgent}, afterHours, Defer, OutsideWorkingHours, false, true},
		{"urgent after hours, dirección", domain.ExceptionDireccionConfianzaManejo, Request{Channel: Phone, Purpose: Urgent}, afterHours, Allow, OutsideWorkingHours, true, false},
		{"force majeure after hours, anyone", domain.ExceptionNone, Request{Channel: Phone, Purpose: ForceMajeure}, afterHours, Allow, OutsideWorkingHours, true, false},
		{"force majeure never reaches leave", domain.ExceptionDisponibilidadPermanente, Request{Channel: Phone, Purpose: ForceMajeure}, onLeave, Deny, OnLeave, false, true},
		{"official document over sms", domain.ExceptionNone, Request{Channel: SMS, Purpose: ForceMajeure, OfficialDocument: true}, afterHours, Deny, OfficialDocumentChannel, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := Decide(bogota(t, c.exc), c.req, c.at, engine.DefaultHorizon)
			if d.Verdict != c.verdict || d.Reasons[0].Code != c.first || d.ByException != c.audit || d.NextAllowedAt.IsZero() == c.next {
				t.Fatalf("got %s %v audit=%v next=%v", d.Verdict, d.Reasons, d.ByException, d.NextAllowedAt)
			}
		})
	}
}

func TestOnLeaveCarriesTheLeave(t *testing.T) {
	d := Decide(bogota(t, domain.ExceptionNone), Request{Channel: Email, Purpose: Routine}, onLeave, engine.DefaultHorizon)
	if !d.OnLeave || d.LeaveID != 7 || d.Reasons[0].LeaveKind != domain.LeaveSick {
		t.Fatalf("%+v", d)
	}
	if want := time.Date(2026, 12, 7, 13, 0, 0, 0, time.UTC); !d.NextAllowedAt.Equal(want) {
		t.Errorf("next %v, want %v (the Monday after the leave)", d.NextAllowedAt, want)
	}
}

func TestNoSchedule(t *testing.T) {
	d := Decide(Person{}, Request{Channel: Email, Purpose: ForceMajeure}, inHours, engine.DefaultHorizon)
	if d.Verdict != Deny || d.Reasons[0].Code != NoSchedule {
		t.Fatalf("%+v", d)
	}
}

func TestEveryReasonHasTextInBothLanguagesAndABasis(t *testing.T) {
	at := time.Date(2026, 11, 27, 8, 0, 0, 0, time.FixedZone("-05", -5*3600))
	codes := []Reason{
		{Code: WithinWorkingHours}, {Code: OutsideWorkingHours}, {Code: RestDay},
		{Code: PublicHoliday, Holidays: []calendars.Effective{{Name: "Navidad", Source: "calendar:CO"}}},
		{Code: OnLeave}, {Code: PersonalChannel, Channel: TeamsChat, When: at}, {Code: PersonalChannel, Channel: TeamsChat, Now: true},
		{Code: OfficialDocumentChannel, Channel: Email}, {Code: NoSchedule},
		{Code: ExceptionApplied, Ground: GroundForceMajeure}, {Code: ExceptionApplied, Ground: GroundPersonalChannel},
		{Code: ExceptionApplied, Ground: GroundDireccion}, {Code: ExceptionApplied, Ground: GroundPermanent},
		{Code: ExceptionApplied, Ground: GroundOnCall}, {Code: ExceptionNotApplicable, Purpose: Urgent},
		{Code: DurationExceedsWindow, Duration: 90 * time.Minute, When: at}, {Code: HolidaysUnknown, Calendars: []string{"JP"}, Year: 2102},
		{Code: HolidaysUnknown, Calendars: []string{"JP"}, Year: 2102, Closed: true}, {Code: SuperiorAbstains, When: at}, {Code: SuperiorAbstains},
	}
	for _, r := range codes {
		es, en := r.Message(Spanish), r.Message(English)
		if es == "" || en == "" || es == en || r.LegalBasis(Spanish) == "" || r.LegalBasis(English) == "" {
			t.Errorf("%s (%s): es %q, en %q, basis %q / %q", r.Code, r.Ground, es, en, r.LegalBasis(Spanish), r.LegalBasis(English))
		}
		for _, word := range []string{"que lo ", "contactarlo", "lo aparta", "del servidor", "cargos de disponibilidad"} {
			if strings.Contains(es, word) {
				t.Errorf("%s (%s): the Spanish says %q: %q", r.Code, r.Ground, word, es)
			}
		}
	}
}

// TestCitations: each reason cites DOMAIN.md's table, and a holiday cites
// its calendar: Colombia's by Ley 51 de 1983, any other by the post's
// adopted calendar, never by Ley 51.
func TestCitations(t *testing.T) {
	co := calendars.Effective{Name: "Independencia", Source: "calendar:CO"}
	tests := []struct {
		r    Reason
		lang Lang
		want string
	}{
		{Reason{Code: OnLeave}, Spanish, "Ley 2191 de 2022, art. 4; Ley 1581 de 2012, arts. 5 y 6"},
		{Reason{Code: OutsideWorkingHours}, English, "Ley 2191 de 2022, arts. 3 and 4"},
		{Reason{Code: ExceptionApplied, Ground: GroundPersonalChannel}, Spanish, "Circular de la Secretaría General sobre herramientas virtuales oficiales (situaciones excepcionales de orden laboral)"},
		{Reason{Code: ExceptionApplied, Ground: GroundPermanent}, Spanish, "Ley 2191 de 2022, art. 6, lit. b"},
		{Reason{Code: ExceptionApplied, Ground: GroundOnCall}, Spanish, "Ley 2191 de 2022, art. 6, lit. b"},
		{Reason{Code: ExceptionApplied, Ground: GroundDireccion}, Spanish, "Ley 2191 de 2022, art. 6, lit. a; Corte Constitucional, Sentencia C-331 de 2023 (necesidad, proporcionalidad y descanso mínimo)"},
		{Reason{Code: ExceptionApplied, Ground: GroundForceMajeure}, English, "Ley 2191 de 2022, art. 6, lit. c"},
		{Reason{Code: PublicHoliday, Holidays: []calendars.Effective{co}}, Spanish, "Ley 51 de 1983; Ley 2191 de 2022, art. 3"},
		{Reason{Code: PublicHoliday, Holidays: []calendars.Effective{{Name: calendars.Chiquinquira, Source: "pick:CO"}}}, Spanish, "Ley 51 de 1983; Ley 2578 de 2026; Ley 2191 de 2022, art. 3"},
		{Reason{Code: PublicHoliday, Holidays: []calendars.Effective{{Name: "文化の日", Source: "calendar:JP"}}}, Spanish, "calendario de festivos adoptado por la sede (JP); Ley 2191 de 2022, art. 3"},
		{Reason{Code: PublicHoliday, Holidays: []calendars.Effective{{Name: "Madrid Day", Source: "calendar:ES-MD"}, {Name: "Cierre", Source: "closure"}}}, English, "the post's adopted holiday calendar (ES-MD, its own closure); Ley 2191 de 2022, art. 3"},
		{Reason{Code: PublicHoliday, Holidays: []calendars.Effective{co, {Name: "元日", Source: "calendar:JP"}}}, Spanish, "Ley 51 de 1983; calendario de festivos adoptado por la sede (JP); Ley 2191 de 2022, art. 3"},
		{Reason{Code: SuperiorAbstains}, Spanish, "Ley 2191 de 2022, art. 3, segunda frase (el empleador se abstendrá de formular órdenes u otros requerimientos fuera de la jornada); Circular de la Secretaría General sobre herramientas virtuales oficiales (lineamiento para superiores)"},
	}
	for _, tt := range tests {
		if got := tt.r.LegalBasis(tt.lang); got != tt.want {
			t.Errorf("%s %s: %q, want %q", tt.r.Code, tt.r.Ground, got, tt.want)
		}
	}
	if got := ReportBasis(Spanish); got != "Ley 2191 de 2022, art. 7; Ley 1010 de 2006" {
		t.Errorf("ReportBasis = %q", got)
	}
}

// TestScheduleThatStartsLater: before the first version takes effect the
// person has no hours yet; email waits for them, calls are refused, and
// both say when.
func TestScheduleThatStartsLater(t *testing.T) {
	loc, _ := time.LoadLocation("America/Bogota")
	var s domain.Schedule
	for d := time.Monday; d <= time.Friday; d++ {
		s[d] = []domain.Window{{Start: 8 * 60, End: 17 * 60}}
	}
	tl, err := engine.NewTimeline(engine.Person{Zone: loc, Schedules: []engine.ScheduleVersion{{From: domain.NewDate(2026, 12, 1), Schedule: s}}})
	if err != nil {
		t.Fatal(err)
	}
	p := Person{HasSchedule: true, Timeline: tl}
	at := time.Date(2026, 11, 30, 15, 0, 0, 0, time.UTC)
	want := time.Date(2026, 12, 1, 13, 0, 0, 0, time.UTC)
	for ch, verdict := range map[Channel]Verdict{Email: Defer, Phone: Deny} {
		d := Decide(p, Request{Channel: ch, Purpose: ForceMajeure}, at, engine.DefaultHorizon)
		if d.Verdict != verdict || d.Reasons[0].Code != NoSchedule || !d.NextAllowedAt.Equal(want) || d.ByException {
			t.Errorf("%s: %+v", ch, d)
		}
	}
}

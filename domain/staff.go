package domain

import (
	"regexp"
	"strings"
	"time"
)

// PostKind classifies a post.
type PostKind string

// The kinds of post.
const (
	PostHeadquarters     PostKind = "headquarters"
	PostEmbassy          PostKind = "embassy"
	PostConsulate        PostKind = "consulate"
	PostPermanentMission PostKind = "permanent_mission"
	PostOther            PostKind = "other"
)

// PostKinds lists every valid PostKind.
var PostKinds = []PostKind{PostHeadquarters, PostEmbassy, PostConsulate, PostPermanentMission, PostOther}

// ScheduleVersion is a weekly schedule in force from a local date (inclusive)
// until the next version's From: a new resolution changes hours from a date
// without rewriting history. The zero From means "since always".
type ScheduleVersion struct {
	From     Date     `json:"effective_from"`
	Schedule Schedule `json:"schedule"`
}

// Post is a place people work from: headquarters, an embassy, a consulate.
type Post struct {
	Code      string   `json:"code"`
	Name      string   `json:"name"`
	Kind      PostKind `json:"kind"`
	Country   string   `json:"country"`
	City      string   `json:"city"`
	TimeZone  string   `json:"time_zone"`
	Calendars []string `json:"calendars"`
	// HolidayPicks are named days the post takes from calendars it does
	// not take whole (Colombia's Independencia at a consulate in Madrid).
	HolidayPicks []HolidayPick `json:"holiday_picks"`
	// HolidaysBeyondData is what decisions do on a date whose holidays
	// cannot be known ("" reads as BeyondDataFlag).
	HolidaysBeyondData BeyondData        `json:"holidays_beyond_data"`
	Schedules          []ScheduleVersion `json:"-"`
	Version            int64             `json:"-"`
	UpdatedAt          time.Time         `json:"updated_at"`
}

// HolidayPick is one named day a post takes from a calendar: the holiday,
// by its name in that calendar, every year it falls.
type HolidayPick struct {
	Calendar string `json:"calendar"`
	Holiday  string `json:"holiday"`
}

// BeyondData is a post's choice for dates whose holidays cannot be known
// (a base calendar whose data ends before the date's year).
type BeyondData string

// The choices.
const (
	// BeyondDataFlag decides on what is known (the other calendars, the
	// schedule) and says so: reason holidays_unknown, confidence low.
	BeyondDataFlag BeyondData = "flag"
	// BeyondDataClosed treats such dates as not worked: nobody is reached
	// for routine work on a day that may be a holiday.
	BeyondDataClosed BeyondData = "closed"
)

// BeyondDataChoices lists every valid BeyondData.
var BeyondDataChoices = []BeyondData{BeyondDataFlag, BeyondDataClosed}

// Valid reports whether b is a known choice.
func (b BeyondData) Valid() bool { return oneOf(b, BeyondDataChoices) }

// Exception is a person's standing under Ley 2191 de 2022 art. 6.
type Exception string

// The exception categories.
const (
	ExceptionNone                     Exception = "none"
	ExceptionDireccionConfianzaManejo Exception = "direccion_confianza_manejo"
	ExceptionDisponibilidadPermanente Exception = "disponibilidad_permanente"
)

// Exceptions lists every valid Exception.
var Exceptions = []Exception{ExceptionNone, ExceptionDireccionConfianzaManejo, ExceptionDisponibilidadPermanente}

// Person is a member of staff, keyed by HR's employee number.
type Person struct {
	ExternalID string `json:"external_id"`
	FullName   string `json:"full_name"`
	Email      string `json:"email"`
	Post       string `json:"post"`
	// TimeZone overrides the post's zone when not empty.
	TimeZone string `json:"time_zone,omitempty"`
	// Schedules override the post's schedules when not empty.
	Schedules  []ScheduleVersion `json:"-"`
	Supervisor string            `json:"supervisor,omitempty"`
	Exception  Exception         `json:"exception"`
	Version    int64             `json:"-"`
	UpdatedAt  time.Time         `json:"updated_at"`
	// Zone is the effective zone (TimeZone, else the post's) when read
	// with the person, "" when not read.
	Zone string `json:"-"`
}

// LeaveKind is a situación administrativa. The kind is personal data (some
// kinds reveal health): only hr and admin callers ever see it.
type LeaveKind string

// The kinds of leave (DOMAIN.md, Absences).
const (
	LeaveVacation            LeaveKind = "vacation"             // vacaciones
	LeaveSick                LeaveKind = "sick_leave"           // licencia por enfermedad (incapacidad)
	LeaveMaternity           LeaveKind = "maternity_leave"      // licencia de maternidad
	LeavePaternity           LeaveKind = "paternity_leave"      // licencia de paternidad
	LeaveBereavement         LeaveKind = "bereavement_leave"    // licencia por luto
	LeaveUnpaid              LeaveKind = "unpaid_leave"         // licencia no remunerada
	LeaveUnpaidStudy         LeaveKind = "unpaid_study_leave"   // licencia no remunerada para estudios
	LeavePaidPermission      LeaveKind = "paid_permission"      // permiso remunerado (also calamidad doméstica)
	LeaveCompensatoryRest    LeaveKind = "compensatory_rest"    // descanso compensado
	LeaveCompensatoryDay     LeaveKind = "compensatory_day"     // compensatorio
	LeaveSuspension          LeaveKind = "suspension"           // suspensión
	LeaveStudyCommission     LeaveKind = "study_commission"     // comisión de estudios
	LeaveStudyPermission     LeaveKind = "study_permission"     // permiso de estudio (partial day)
	LeaveUnionPermission     LeaveKind = "union_permission"     // permiso sindical (partial day)
	LeaveLactationPermission LeaveKind = "lactation_permission" // permiso de lactancia (partial day)
	LeaveServiceCommission   LeaveKind = "service_commission"   // comisión de servicios: works elsewhere, does not block
)

// LeaveKinds lists every valid LeaveKind.
var LeaveKinds = []LeaveKind{
	LeaveVacation, LeaveSick, LeaveMaternity, LeavePaternity, LeaveBereavement,
	LeaveUnpaid, LeaveUnpaidStudy, LeavePaidPermission, LeaveCompensatoryRest,
	LeaveCompensatoryDay, LeaveSuspension, LeaveStudyCommission,
	LeaveStudyPermission, LeaveUnionPermission, LeaveLactationPermission,
	LeaveServiceCommission,
}

// Blocks reports whether leave of kind k blocks contact while it lasts. A
// service commission does not: the person works, elsewhere.
func (k LeaveKind) Blocks() bool { return k != LeaveServiceCommission }

// Valid reports whether k is a known kind.
func (k LeaveKind) Valid() bool { return oneOf(k, LeaveKinds) }

// Leave is an absence: either all-day local dates (inclusive, in the person's
// zone) or a partial-day span of instants [StartsAt, EndsAt).
type Leave struct {
	ID          int64      `json:"id"`
	Person      string     `json:"person"`
	Kind        LeaveKind  `json:"kind"`
	ExternalRef string     `json:"external_ref"`
	StartDate   *Date      `json:"start_date,omitempty"`
	EndDate     *Date      `json:"end_date,omitempty"`
	StartsAt    *time.Time `json:"starts_at,omitempty"`
	EndsAt      *time.Time `json:"ends_at,omitempty"`
	// Delegate is the external_id of the encargado to contact instead.
	Delegate string `json:"delegate,omitempty"`
	// TimeZone is where a service commission is carried out (optional).
	TimeZone  string    `json:"time_zone,omitempty"`
	Version   int64     `json:"-"`
	UpdatedAt time.Time `json:"updated_at"`
}

// AllDay reports whether l is given as local dates.
func (l *Leave) AllDay() bool { return l.StartDate != nil }

var (
	codeRe       = regexp.MustCompile(`^[A-Z0-9][A-Z0-9_-]{0,31}$`)
	externalIDRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
	countryRe    = regexp.MustCompile(`^[A-Z]{2}$`)
)

// ValidCode reports whether s can be a post code: upper-case letters, digits,
// '-' and '_', at most 32.
func ValidCode(s string) bool { return codeRe.MatchString(s) }

// ValidExternalID reports whether s can be an external_id or external_ref.
func ValidExternalID(s string) bool { return externalIDRe.MatchString(s) }

// ValidCountry reports whether s looks like an ISO 3166-1 alpha-2 code.
func ValidCountry(s string) bool { return countryRe.MatchString(s) }

// LoadZone loads an IANA zone, refusing "" and "Local" (a server's local
// zone is no one's zone).
func LoadZone(name string) (*time.Location, bool) {
	if name == "" || name == "Local" || strings.HasPrefix(name, "/") {
		return nil, false
	}
	loc, err := time.LoadLocation(name)
	return loc, err == nil
}

func oneOf[T comparable](v T, all []T) bool {
	for _, a := range all {
		if a == v {
			return true
		}
	}
	return false
}

// Valid reports whether k is a known post kind.
func (k PostKind) Valid() bool { return oneOf(k, PostKinds) }

// Valid reports whether e is a known exception category.
func (e Exception) Valid() bool { return oneOf(e, Exceptions) }

package policy

import (
	"strings"

	"franja/domain"
	"franja/lang"
)

// Lang is a language people-facing text is given in (package lang).
type Lang = lang.Lang

// The languages; Spanish is the default.
const (
	Spanish = lang.Spanish
	English = lang.English
)

// legalBasis gives each reason its legal footing: citations of Colombian law
// by their official (Spanish) names, the same in every language.
var legalBasis = map[Code]string{
	WithinWorkingHours:      "Ley 2191 de 2022, art. 3",
	OutsideWorkingHours:     "Ley 2191 de 2022, arts. 3, 4",
	RestDay:                 "Ley 2191 de 2022, art. 3",
	PublicHoliday:           "Ley 51 de 1983; Ley 2191 de 2022, art. 3",
	OnLeave:                 "Ley 2191 de 2022, art. 3; Ley 1581 de 2012, arts. 5, 6",
	PersonalChannel:         "Circular de la Secretaría General sobre herramientas virtuales oficiales",
	OfficialDocumentChannel: "Ley 1952 de 2019, art. 38 num. 5; Circular de la Secretaría General sobre herramientas virtuales oficiales",
	NoSchedule:              "Ley 2191 de 2022, art. 5",
}

// LegalBasis returns the law and article a reason rests on.
func (r Reason) LegalBasis() string {
	if r.Code == ExceptionApplied || r.Code == ExceptionNotApplicable {
		if r.Purpose == ForceMajeure {
			return "Ley 2191 de 2022, art. 6, lit. c"
		}
		return "Ley 2191 de 2022, art. 6, lits. a, b; Corte Constitucional, Sentencia C-331 de 2023"
	}
	return legalBasis[r.Code]
}

// messages holds each reason's text, in English; the catalogue (package
// lang) holds the Spanish.
var messages = map[Code]domain.Text{
	WithinWorkingHours:      domain.T("Within their working hours."),
	OutsideWorkingHours:     domain.T("Outside their working hours: they have the right to disconnect."),
	RestDay:                 domain.T("It is their rest day."),
	OnLeave:                 domain.T("Not available: away from work."),
	PersonalChannel:         domain.T("WhatsApp and SMS are personal channels: for routine work use Teams or official email."),
	OfficialDocumentChannel: domain.T("Official documents are never sent over WhatsApp or SMS: use official email or Teams."),
	NoSchedule:              domain.T("No working schedule is on record, so no contact time can be decided. HR must record one."),
}

// Message returns the reason in l, for a person to read.
func (r Reason) Message(l Lang) string { return l.Text(r.text()) }

// text is the reason's words, in English.
func (r Reason) text() domain.Text {
	switch r.Code {
	case PublicHoliday:
		return domain.T("It is a public holiday at their post: %s.", strings.Join(r.Holidays, " / "))
	case ExceptionApplied:
		return exceptionText(r)
	case ExceptionNotApplicable:
		return domain.T("An urgent matter reaches outside working hours only staff in positions of direction, trust and management or with permanent availability; this person is neither.")
	}
	return messages[r.Code]
}

func exceptionText(r Reason) domain.Text {
	switch {
	case r.Purpose == ForceMajeure:
		return domain.T("Contact allowed by force majeure or unforeseeable circumstances; it is recorded in the audit log.")
	case r.Exception == "":
		return domain.T("Personal channel allowed for an exceptional situation within working hours; it is recorded in the audit log.")
	default:
		return domain.T("Urgent contact allowed by the person's exception category, with necessity and proportionality; it is recorded in the audit log.")
	}
}

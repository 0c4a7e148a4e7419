package policy

import (
	"fmt"
	"strings"
	"time"
)

// Lang is a language people-facing text is given in.
type Lang int

// The languages; Spanish is the default.
const (
	Spanish Lang = iota
	English
)

// LegalBasis returns the norms a reason rests on, in lang (see legal.go).
func (r Reason) LegalBasis(lang Lang) string {
	switch r.Code {
	case PublicHoliday:
		return holidayBasis(r.Holidays, lang)
	case ExceptionApplied:
		return basisOf(groundSituation[r.Ground], lang)
	}
	return basisOf(reasonSituation[r.Code], lang)
}

// reasonSituation is the situation each reason code rests on.
var reasonSituation = map[Code]situation{
	WithinWorkingHours:      sitWithinHours,
	OutsideWorkingHours:     sitOutsideHours,
	RestDay:                 sitOutsideHours,
	OnLeave:                 sitOnLeave,
	PersonalChannel:         sitPersonalRoutine,
	OfficialDocumentChannel: sitOfficialDocument,
	ExceptionNotApplicable:  sitNoException,
	NoSchedule:              sitNoSchedule,
	DurationExceedsWindow:   sitDurationExceedsDay,
	HolidaysUnknown:         sitHolidaysUnknown,
	SuperiorAbstains:        sitSuperior,
}

// groundSituation is the situation each exception's ground rests on.
var groundSituation = map[Ground]situation{
	GroundPersonalChannel: sitPersonalInHours,
	GroundDireccion:       sitDireccion,
	GroundPermanent:       sitPermanent,
	GroundOnCall:          sitPermanent,
	GroundForceMajeure:    sitForceMajeure,
}

// messages holds the reasons whose text never varies: [Spanish, English].
// Spanish is written without assuming the person's gender, in the law's
// terms (funciones que requieren disponibilidad permanente, desconexión
// laboral, descanso, vacaciones, licencias y permisos).
var messages = map[Code][2]string{
	WithinWorkingHours:  {"Está dentro de su jornada laboral.", "Within their working hours."},
	OutsideWorkingHours: {"Está fuera de su jornada laboral: tiene derecho a la desconexión laboral.", "Outside their working hours: they have the right to disconnect from work."},
	RestDay:             {"Es su día de descanso: tiene derecho a la desconexión laboral.", "It is their rest day: they have the right to disconnect from work."},
	OnLeave: {"No está disponible: se encuentra en descanso, vacaciones, licencia o permiso, que la ley le garantiza.",
		"Not available: on rest, vacation, leave or a permit, which the law guarantees."},
	NoSchedule: {"No tiene jornada laboral registrada: no se puede decidir cuándo es posible el contacto. Talento Humano debe registrarla.",
		"No working schedule is on record, so no contact time can be decided. HR must record one."},
	ExceptionNotApplicable: {"Un asunto urgente solo permite el contacto fuera de la jornada con quien ocupa un cargo de dirección, confianza y manejo, ejerce funciones que requieren disponibilidad permanente o está de turno; no es el caso.",
		"An urgent matter reaches outside working hours only someone in a position of direction, trust and management, whose functions require permanent availability, or on an on-call turn; this person is none of these."},
}

// groundMessages holds ExceptionApplied's text by ground.
var groundMessages = map[Ground][2]string{
	GroundPersonalChannel: {"Canal personal permitido por una situación excepcional de orden laboral, dentro de la jornada; queda registrado en la auditoría.",
		"A personal channel allowed for an exceptional work situation, within working hours; it is recorded in the audit log."},
	GroundDireccion: {"Contacto urgente permitido: ocupa un cargo de dirección, confianza y manejo. Solo si es necesario y proporcionado, y sin afectar su descanso mínimo; queda registrado en la auditoría.",
		"Urgent contact allowed: the person holds a position of direction, trust and management. Only if necessary and proportionate, and never at the cost of their minimum rest; it is recorded in the audit log."},
	GroundPermanent: {"Contacto urgente permitido: ejerce funciones que requieren disponibilidad permanente; queda registrado en la auditoría.",
		"Urgent contact allowed: the person's functions require permanent availability; it is recorded in the audit log."},
	GroundOnCall: {"Contacto urgente permitido: está de turno de disponibilidad en su sede; queda registrado en la auditoría.",
		"Urgent contact allowed: the person is on an on-call turn at their post; it is recorded in the audit log."},
	GroundForceMajeure: {"Contacto permitido por fuerza mayor o caso fortuito, si no hay otra alternativa viable; queda registrado en la auditoría.",
		"Contact allowed by force majeure or unforeseeable circumstances, when no other viable alternative exists; it is recorded in the audit log."},
}

// channelNames name the channels a refusal suggests, in a sentence.
var channelNames = map[Channel][2]string{
	TeamsChat: {"el chat de Teams", "Teams chat"},
	Email:     {"el correo institucional", "official email"},
}

// Message returns the reason in lang, for a person to read.
func (r Reason) Message(lang Lang) string {
	switch r.Code {
	case PublicHoliday:
		return pick(lang, "Es día festivo en su sede: %s.", "It is a public holiday at their post: %s.", strings.Join(r.HolidayNames(lang), " / "))
	case ExceptionApplied:
		return groundMessages[r.Ground][lang]
	case PersonalChannel:
		return pick(lang, "WhatsApp y SMS son canales personales y no se usan para asuntos de trabajo ordinarios: use %s%s.",
			"WhatsApp and SMS are personal channels, not for routine work: use %s%s.", channelNames[r.Channel][lang], r.when(lang))
	case OfficialDocumentChannel:
		return pick(lang, "Los documentos oficiales nunca se envían por WhatsApp ni SMS: use %s%s.",
			"Official documents are never sent over WhatsApp or SMS: use %s%s.", channelNames[r.Channel][lang], r.when(lang))
	case DurationExceedsWindow:
		return pick(lang, "Un contacto de %s no cabe en lo que queda de su franja de trabajo, que termina el %s: debe terminar dentro de la jornada.",
			"A %s contact does not fit in what is left of their working window, which ends on %s: it must end within working hours.",
			humanDuration(r.Duration), stamp(r.When))
	case HolidaysUnknown:
		return r.unknownMessage(lang)
	case SuperiorAbstains:
		if r.When.IsZero() {
			return pick(lang, "Como superior de esta persona, absténgase de formular órdenes u otros requerimientos fuera de su jornada laboral.",
				"As this person's superior, refrain from giving orders or other requests outside their working day.")
		}
		return pick(lang, "Como superior de esta persona, absténgase de formular órdenes u otros requerimientos fuera de su jornada laboral; podrá hacerlo a partir del %s.",
			"As this person's superior, refrain from giving orders or other requests outside their working day; you may do so from %s.", stamp(r.When))
	}
	return messages[r.Code][lang]
}

// HolidayNames returns the names of r's holidays for a reader of lang: in
// that language where the data has it, else in English, else as the source
// writes it.
func (r Reason) HolidayNames(lang Lang) []string {
	out := make([]string, len(r.Holidays))
	for i, h := range r.Holidays {
		out[i] = h.Localized(lang == English)
	}
	return out
}

// when is ", ahora" / ", a partir del …" for a suggestion.
func (r Reason) when(lang Lang) string {
	switch {
	case r.Now:
		return pick(lang, ", ahora mismo", " now")
	case r.When.IsZero():
		return pick(lang, " cuando vuelva a estar en su jornada (no hay un momento permitido dentro del horizonte de búsqueda)",
			" once they are back within working hours (there is no allowed time within the search horizon)")
	}
	return pick(lang, ", a partir del %s", " from %s", stamp(r.When))
}

func (r Reason) unknownMessage(lang Lang) string {
	cals := strings.Join(r.Calendars, ", ")
	which := pick(lang, "del calendario %s de su sede", "in their post's calendar %s", cals)
	data := pick(lang, "sus datos no llegan a ese año", "its data does not reach that year")
	switch {
	case len(r.Calendars) == 0:
		which = pick(lang, "de su sede", "at their post")
	case len(r.Calendars) > 1:
		which = pick(lang, "de los calendarios %s de su sede", "in their post's calendars %s", cals)
		data = pick(lang, "sus datos no llegan a ese año", "their data does not reach that year")
	}
	if r.Closed {
		return pick(lang, "No se conocen los festivos de %d %s: la sede trata esos días como no laborables.",
			"The holidays of %d %s are not known: the post treats such days as not worked.", r.Year, which)
	}
	return pick(lang, "No se conocen los festivos de %d %s (%s): esta respuesta se basa en lo que se conoce y puede no ser exacta.",
		"The holidays of %d %s are not known (%s): this answer rests on what is known and may be wrong.", r.Year, which, data)
}

// pick formats the message of lang.
func pick(lang Lang, es, en string, args ...any) string {
	if lang == English {
		return fmt.Sprintf(en, args...)
	}
	return fmt.Sprintf(es, args...)
}

// stamp writes an instant for a person: its date and wall time where the
// person is, and the zone ("2026-11-27 08:00 (America/Bogota)").
func stamp(t time.Time) string {
	return t.Format("2006-01-02 15:04") + " (" + t.Location().String() + ")"
}

// humanDuration writes d as "1 h", "30 min" or "1 h 30 min".
func humanDuration(d time.Duration) string {
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case h > 0 && m > 0:
		return fmt.Sprintf("%d h %d min", h, m)
	case h > 0:
		return fmt.Sprintf("%d h", h)
	}
	return fmt.Sprintf("%d min", m)
}

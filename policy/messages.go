package policy

import (
	"fmt"
	"strings"
)

// Lang is a language people-facing text is given in.
type Lang int

// The languages; Spanish is the default.
const (
	Spanish Lang = iota
	English
)

// legalBasis gives each reason its legal footing.
var legalBasis = map[Code]string{
	WithinWorkingHours:      "Ley 2191 de 2022, art. 3",
	OutsideWorkingHours:     "Ley 2191 de 2022, arts. 3 y 4",
	RestDay:                 "Ley 2191 de 2022, art. 3",
	PublicHoliday:           "Ley 51 de 1983; Ley 2191 de 2022, art. 3",
	OnLeave:                 "Ley 2191 de 2022, art. 3; Ley 1581 de 2012, arts. 5 y 6",
	PersonalChannel:         "Circular de la Secretaría General sobre herramientas virtuales oficiales",
	OfficialDocumentChannel: "Ley 1952 de 2019, art. 38 num. 5; circular sobre herramientas virtuales oficiales",
	NoSchedule:              "Ley 2191 de 2022, art. 5",
}

// LegalBasis returns the law and article a reason rests on.
func (r Reason) LegalBasis() string {
	if r.Code == ExceptionApplied || r.Code == ExceptionNotApplicable {
		if r.Purpose == ForceMajeure {
			return "Ley 2191 de 2022, art. 6, lit. c"
		}
		return "Ley 2191 de 2022, art. 6, lits. a y b; Corte Constitucional, Sentencia C-331 de 2023"
	}
	return legalBasis[r.Code]
}

// messages holds each reason's text: [Spanish, English].
var messages = map[Code][2]string{
	WithinWorkingHours:      {"Está dentro de su jornada laboral.", "Within their working hours."},
	OutsideWorkingHours:     {"Está fuera de su jornada laboral: tiene derecho a la desconexión.", "Outside their working hours: they have the right to disconnect."},
	RestDay:                 {"Es su día de descanso.", "It is their rest day."},
	OnLeave:                 {"No está disponible: se encuentra en una situación administrativa que lo aparta del servicio.", "Not available: away from work."},
	PersonalChannel:         {"WhatsApp y SMS son canales personales: para asuntos de trabajo ordinarios use Teams o el correo institucional.", "WhatsApp and SMS are personal channels: for routine work use Teams or official email."},
	OfficialDocumentChannel: {"Los documentos oficiales nunca se envían por WhatsApp ni SMS: use el correo institucional o Teams.", "Official documents are never sent over WhatsApp or SMS: use official email or Teams."},
	NoSchedule:              {"No tiene jornada laboral registrada: no se puede decidir cuándo contactarlo. Talento Humano debe registrarla.", "No working schedule is on record, so no contact time can be decided. HR must record one."},
}

// Message returns the reason in lang, for a person to read.
func (r Reason) Message(lang Lang) string {
	switch r.Code {
	case PublicHoliday:
		names := strings.Join(r.Holidays, " / ")
		if lang == English {
			return fmt.Sprintf("It is a public holiday at their post: %s.", names)
		}
		return fmt.Sprintf("Es día festivo en su sede: %s.", names)
	case ExceptionApplied:
		return exceptionMessage(r, lang)
	case ExceptionNotApplicable:
		if lang == English {
			return "An urgent matter reaches outside working hours only staff in positions of direction, trust and management or with permanent availability; this person is neither."
		}
		return "Un asunto urgente solo permite contactar fuera de la jornada a quien ocupa cargos de dirección, confianza y manejo o de disponibilidad permanente; no es el caso."
	}
	m := messages[r.Code]
	return m[lang]
}

func exceptionMessage(r Reason, lang Lang) string {
	if r.Purpose == ForceMajeure {
		if lang == English {
			return "Contact allowed by force majeure or unforeseeable circumstances; it is recorded in the audit log."
		}
		return "Contacto permitido por fuerza mayor o caso fortuito; queda registrado en la auditoría."
	}
	switch {
	case r.Exception == "" && lang == English:
		return "Personal channel allowed for an exceptional situation within working hours; it is recorded in the audit log."
	case r.Exception == "":
		return "Canal personal permitido por una situación excepcional dentro de la jornada; queda registrado en la auditoría."
	case lang == English:
		return "Urgent contact allowed by the person's exception category, with necessity and proportionality; it is recorded in the audit log."
	default:
		return "Contacto urgente permitido por la categoría de excepción del servidor, con necesidad y proporcionalidad; queda registrado en la auditoría."
	}
}

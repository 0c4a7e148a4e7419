package policy

import (
	"slices"
	"strings"

	"franja/calendars"
)

// The legal footing of every answer, in one place (DOMAIN.md, "Which norm
// each answer rests on"): correct a citation here and every answer, report
// and document that gives it changes with it. Each answer cites the
// narrowest norm that carries its rule.

// norm is one citation, in Spanish and in English. Norms are proper names
// and stay as the law writes them; only the connecting words are
// translated.
type norm struct {
	text [2]string
	// unconfirmed marks articles taken from secondary sources (DOMAIN.md):
	// correct them here once the text is checked.
	unconfirmed bool
}

// The norms cited.
var (
	ley2191Art3          = norm{text: [2]string{"Ley 2191 de 2022, art. 3", "Ley 2191 de 2022, art. 3"}}
	ley2191Arts3y4       = norm{text: [2]string{"Ley 2191 de 2022, arts. 3 y 4", "Ley 2191 de 2022, arts. 3 and 4"}}
	ley2191Art3Superior  = norm{text: [2]string{"Ley 2191 de 2022, art. 3, segunda frase (el empleador se abstendrá de formular órdenes u otros requerimientos fuera de la jornada)", "Ley 2191 de 2022, art. 3, second sentence (the employer shall refrain from giving orders or other requests outside the working day)"}}
	ley2191Art4          = norm{text: [2]string{"Ley 2191 de 2022, art. 4", "Ley 2191 de 2022, art. 4"}}
	ley2191Art5          = norm{text: [2]string{"Ley 2191 de 2022, art. 5", "Ley 2191 de 2022, art. 5"}}
	ley2191Art6a         = norm{text: [2]string{"Ley 2191 de 2022, art. 6, lit. a", "Ley 2191 de 2022, art. 6, lit. a"}}
	ley2191Art6b         = norm{text: [2]string{"Ley 2191 de 2022, art. 6, lit. b", "Ley 2191 de 2022, art. 6, lit. b"}}
	ley2191Art6c         = norm{text: [2]string{"Ley 2191 de 2022, art. 6, lit. c", "Ley 2191 de 2022, art. 6, lit. c"}}
	ley2191Art6ab        = norm{text: [2]string{"Ley 2191 de 2022, art. 6, lits. a y b", "Ley 2191 de 2022, art. 6, lits. a and b"}}
	ley2191Art7          = norm{text: [2]string{"Ley 2191 de 2022, art. 7", "Ley 2191 de 2022, art. 7"}, unconfirmed: true}
	sentenciaC331        = norm{text: [2]string{"Corte Constitucional, Sentencia C-331 de 2023 (necesidad, proporcionalidad y descanso mínimo)", "Corte Constitucional, Sentencia C-331 de 2023 (necessity, proportionality and minimum rest)"}}
	ley51de1983          = norm{text: [2]string{"Ley 51 de 1983", "Ley 51 de 1983"}}
	ley2578de2026        = norm{text: [2]string{"Ley 2578 de 2026", "Ley 2578 de 2026"}}
	ley1581Arts5y6       = norm{text: [2]string{"Ley 1581 de 2012, arts. 5 y 6", "Ley 1581 de 2012, arts. 5 and 6"}}
	ley1010de2006        = norm{text: [2]string{"Ley 1010 de 2006", "Ley 1010 de 2006"}}
	scheduleResolution   = norm{text: [2]string{"resolución de jornada laboral de la entidad", "the entity's working-hours resolution"}}
	circular             = norm{text: [2]string{"Circular de la Secretaría General sobre herramientas virtuales oficiales", "Secretaría General circular on official virtual tools"}}
	circularExceptional  = norm{text: [2]string{"Circular de la Secretaría General sobre herramientas virtuales oficiales (situaciones excepcionales de orden laboral)", "Secretaría General circular on official virtual tools (exceptional work situations)"}}
	circularSuperiors    = norm{text: [2]string{"Circular de la Secretaría General sobre herramientas virtuales oficiales (lineamiento para superiores)", "Secretaría General circular on official virtual tools (guideline for superiors)"}}
	ley734Art34          = norm{text: [2]string{"Ley 734 de 2002, art. 34, num. 5, como la cita la circular", "Ley 734 de 2002, art. 34, num. 5, as the circular cites it"}}
	ley1952Art38         = norm{text: [2]string{"hoy Ley 1952 de 2019, art. 38, num. 5", "now Ley 1952 de 2019, art. 38, num. 5"}, unconfirmed: true}
	adoptedCalendarLabel = [2]string{"calendario de festivos adoptado por la sede", "the post's adopted holiday calendar"}
)

// situation is what an answer's reason rests on.
type situation string

// The situations of DOMAIN.md's table.
const (
	sitWithinHours        situation = "within working hours"
	sitOutsideHours       situation = "outside working hours, rest day"
	sitOnLeave            situation = "on leave"
	sitPersonalRoutine    situation = "personal channel for routine work"
	sitPersonalInHours    situation = "personal channel used in hours for an exceptional work situation"
	sitOfficialDocument   situation = "an official document over a personal channel"
	sitDireccion          situation = "outside hours, dirección, confianza y manejo"
	sitPermanent          situation = "outside hours, functions that require permanent availability, an on-call turn"
	sitForceMajeure       situation = "force majeure or caso fortuito"
	sitNoException        situation = "outside hours, no exception applies"
	sitNoSchedule         situation = "no schedule known"
	sitSuperior           situation = "a superior asking outside hours"
	sitPersistentContact  situation = "persistent out-of-hours contact in reports"
	sitHolidaysUnknown    situation = "the holidays of a date are not known"
	sitDurationExceedsDay situation = "a call or meeting that would run past the working window"
)

// basisTable is the table: each situation and the norms it cites, in order.
// Holidays are cited by calendar (see holidayBasis): Colombia's by Ley 51
// de 1983, any other by the post's adopted calendar, never by Ley 51.
var basisTable = map[situation][]norm{
	sitWithinHours:        {ley2191Art3, scheduleResolution},
	sitOutsideHours:       {ley2191Arts3y4},
	sitOnLeave:            {ley2191Art4, ley1581Arts5y6},
	sitPersonalRoutine:    {circular},
	sitPersonalInHours:    {circularExceptional},
	sitOfficialDocument:   {circular, ley734Art34, ley1952Art38},
	sitDireccion:          {ley2191Art6a, sentenciaC331},
	sitPermanent:          {ley2191Art6b},
	sitForceMajeure:       {ley2191Art6c},
	sitNoException:        {ley2191Art6ab},
	sitNoSchedule:         {ley2191Art5},
	sitSuperior:           {ley2191Art3Superior, circularSuperiors},
	sitPersistentContact:  {ley2191Art7, ley1010de2006},
	sitHolidaysUnknown:    {ley2191Art5},
	sitDurationExceedsDay: {ley2191Arts3y4, circular},
}

// cite joins norms in lang.
func cite(lang Lang, ns ...norm) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = n.text[lang]
	}
	return strings.Join(parts, "; ")
}

// basisOf cites situation s in lang.
func basisOf(s situation, lang Lang) string { return cite(lang, basisTable[s]...) }

// ReportBasis is what the exception report's flag for persistent
// requesters rests on: Ley 2191 de 2022, art. 7 and Ley 1010 de 2006.
func ReportBasis(lang Lang) string { return basisOf(sitPersistentContact, lang) }

// holidayBasis cites the holidays of one date: a Colombian holiday (the CO
// calendar, whole or picked, computed or uploaded) rests on Ley 51 de 1983
// (and Ley 2578 de 2026 for the day it added); any other, a host country's
// or a region's or the post's own closure, on the calendar the post adopted,
// an entity decision; both on Ley 2191 de 2022, art. 3.
func holidayBasis(hs []calendars.Effective, lang Lang) string {
	var ns []string
	var adopted []string
	colombian, chiquinquira := false, false
	for _, h := range hs {
		switch code := h.Calendar(); {
		case code == "CO" && h.Source != calendars.CalendarClosureSource("CO"):
			colombian = true
			chiquinquira = chiquinquira || h.Name == calendars.Chiquinquira
		case code == "":
			if !slices.Contains(adopted, closureLabel[lang]) {
				adopted = append(adopted, closureLabel[lang])
			}
		default:
			if !slices.Contains(adopted, code) {
				adopted = append(adopted, code)
			}
		}
	}
	if colombian {
		ns = append(ns, ley51de1983.text[lang])
		if chiquinquira {
			ns = append(ns, ley2578de2026.text[lang])
		}
	}
	if len(adopted) > 0 {
		ns = append(ns, adoptedCalendarLabel[lang]+" ("+strings.Join(adopted, ", ")+")")
	}
	if len(ns) == 0 { // no details known: the post's calendar, whatever it is
		ns = append(ns, adoptedCalendarLabel[lang])
	}
	return strings.Join(append(ns, ley2191Art3.text[lang]), "; ")
}

// closureLabel names a post's own closure in a citation.
var closureLabel = [2]string{"cierre propio", "its own closure"}

package calendars

import (
	"time"

	"github.com/rickar/cal/v2"
)

// Colombia's covered range. The Monday moves of Ley 51 de 1983 apply from
// 1984; 2100 is as far as anyone has asked for.
const (
	coFromYear = 1984
	coToYear   = 2100
)

// emiliani is the "moved to the next Monday" rule of Ley 51 de 1983 (the Ley
// Emiliani) as rickar/cal substitution days: a holiday that falls on a
// Tuesday moves 6 days on, …, on a Sunday 1 day on. Monday is absent on
// purpose: a holiday that is already a Monday stays where it is.
var emiliani = []cal.AltDay{
	{Day: time.Tuesday, Offset: 6},
	{Day: time.Wednesday, Offset: 5},
	{Day: time.Thursday, Offset: 4},
	{Day: time.Friday, Offset: 3},
	{Day: time.Saturday, Offset: 2},
	{Day: time.Sunday, Offset: 1},
}

// coHolidays are Colombia's holidays in the order of the law's list, which is
// also the order of two holidays that share a date (Sagrado Corazón before
// San Pedro y San Pablo). For a moved holiday only the Monday is a holiday:
// the nominal date is a working day, so Colombia uses Calc's observed date
// alone (unlike the substitute days of other countries).
var coHolidays = []*cal.Holiday{
	coFixed("Año Nuevo", time.January, 1),
	coMoved("Reyes Magos", time.January, 6),
	coMoved("San José", time.March, 19),
	coEaster("Jueves Santo", -3, nil),
	coEaster("Viernes Santo", -2, nil),
	coFixed("Día del Trabajo", time.May, 1),
	// Ascensión is Easter +39 (a Thursday), moved to Monday = Easter +43;
	// Corpus Christi +60 → +64; Sagrado Corazón +68 (a Friday) → +71.
	coEaster("Ascensión", 39, emiliani),
	coEaster("Corpus Christi", 60, emiliani),
	coEaster("Sagrado Corazón", 68, emiliani),
	coMoved("San Pedro y San Pablo", time.June, 29),
	chiquinquira(),
	// Independencia is never moved, even when 20 July is a Sunday.
	coFixed("Independencia", time.July, 20),
	coFixed("Batalla de Boyacá", time.August, 7),
	coMoved("Asunción", time.August, 15),
	coMoved("Día de la Raza", time.October, 12),
	coMoved("Todos los Santos", time.November, 1),
	coMoved("Independencia de Cartagena", time.November, 11),
	coFixed("Inmaculada Concepción", time.December, 8),
	coFixed("Navidad", time.December, 25),
}

// chiquinquira is the holiday Ley 2578 de 2026 added: 9 July, moved to the
// next Monday, from 2026 on.
func chiquinquira() *cal.Holiday {
	h := coMoved(Chiquinquira, time.July, 9)
	h.StartYear = 2026
	return h
}

func coFixed(name string, m time.Month, d int) *cal.Holiday {
	return &cal.Holiday{Name: name, Type: cal.ObservancePublic, Month: m, Day: d, Func: cal.CalcDayOfMonth}
}

func coMoved(name string, m time.Month, d int) *cal.Holiday {
	h := coFixed(name, m, d)
	h.Observed = emiliani
	return h
}

func coEaster(name string, offset int, observed []cal.AltDay) *cal.Holiday {
	return &cal.Holiday{Name: name, Type: cal.ObservancePublic, Offset: offset, Observed: observed, Func: cal.CalcEasterOffset}
}

// coEnglish names Colombia's holidays in English (the names python-holidays
// gives them, which the data set uses for every other country).
var coEnglish = map[string]string{
	"Año Nuevo":                          "New Year's Day",
	"Reyes Magos":                        "Epiphany",
	"San José":                           "Saint Joseph's Day",
	"Jueves Santo":                       "Maundy Thursday",
	"Viernes Santo":                      "Good Friday",
	"Día del Trabajo":                    "Labor Day",
	"Ascensión":                          "Ascension Day",
	"Corpus Christi":                     "Corpus Christi",
	"Sagrado Corazón":                    "Sacred Heart",
	"San Pedro y San Pablo":              "Saint Peter and Saint Paul's Day",
	"Virgen del Rosario de Chiquinquirá": "Our Lady of the Rosary of Chiquinquirá",
	"Independencia":                      "Independence Day",
	"Batalla de Boyacá":                  "Battle of Boyacá",
	"Asunción":                           "Assumption Day",
	"Día de la Raza":                     "Columbus Day",
	"Todos los Santos":                   "All Saints' Day",
	"Independencia de Cartagena":         "Independence of Cartagena",
	"Inmaculada Concepción":              "Immaculate Conception",
	"Navidad":                            "Christmas Day",
}

// Chiquinquira is the name of the holiday Ley 2578 de 2026 added: its
// citation names that law too.
const Chiquinquira = "Virgen del Rosario de Chiquinquirá"

// colombia returns Colombia's holidays in year, in date order (the law's
// order for a shared date), named in Spanish (the original) and English.
// The caller checks the covered range.
func colombia(year int) []Entry {
	hs := make([]Entry, 0, len(coHolidays))
	for _, h := range coHolidays {
		_, observed, ok := calcDates(h, year)
		if !ok {
			continue // not in force that year (Chiquinquirá before 2026)
		}
		hs = append(hs, Entry{Holiday: Holiday{Date: observed, Name: h.Name}, NameEN: coEnglish[h.Name], NameES: h.Name})
	}
	sortEntries(hs)
	return hs
}

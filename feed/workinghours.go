package feed

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"franja/domain"
	"franja/policy"
)

// WorkingHours is Microsoft Graph's workingHours resource (mailboxSettings):
// the days worked and one span of the day, in a time zone.
type WorkingHours struct {
	DaysOfWeek []string  `json:"daysOfWeek"`
	StartTime  string    `json:"startTime"`
	EndTime    string    `json:"endTime"`
	TimeZone   GraphZone `json:"timeZone"`
}

// GraphZone is Graph's timeZoneBase.
type GraphZone struct {
	Name string `json:"name"`
}

// Note says where a schedule does not fit Graph's one span a day.
type Note struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// The notes' codes.
const (
	NoteSplitWindows = "split_windows"  // a day has more than one window
	NoteDiffersByDay = "differs_by_day" // the working days' windows differ
	NoteOvernight    = "overnight"      // a window runs past midnight
	NoteNoSchedule   = "no_schedule"    // no windows at all
)

// Flattened is a schedule as Outlook's working hours: exact when the
// schedule is one identical window on every working day, else with a note
// for each way it differs.
type Flattened struct {
	WorkingHours WorkingHours
	Exact        bool
	Notes        []Note
}

var graphDays = [7]string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}

// weekOrder is Monday first, as Outlook lists working days.
var weekOrder = [7]time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

// Flatten turns s (in zone) into Graph's workingHours: every weekday with a
// window, from the earliest start to the latest end among them. What that
// hides (breaks between split windows, days with other hours, windows past
// midnight) is said in Notes, in lang.
func Flatten(s domain.Schedule, zone string, lang policy.Lang) Flattened {
	f := Flattened{WorkingHours: WorkingHours{DaysOfWeek: []string{}, StartTime: timeOfDay(0), EndTime: timeOfDay(0), TimeZone: GraphZone{Name: zone}}}
	start, end := domain.MinutesPerDay, 0
	var first []domain.Window
	differs, split, overnight := false, "", ""
	for _, d := range weekOrder {
		ws := s[d]
		if len(ws) == 0 {
			continue
		}
		f.WorkingHours.DaysOfWeek = append(f.WorkingHours.DaysOfWeek, graphDays[d])
		if first == nil {
			first = ws
		} else if !slices.Equal(first, ws) {
			differs = true
		}
		if len(ws) > 1 && split == "" {
			split = dayName(d, lang) + " " + windowsText(ws)
		}
		for _, w := range ws {
			start = min(start, w.Start)
			end = max(end, w.Start+w.Minutes())
			if w.Overnight() && overnight == "" {
				overnight = w.String()
			}
		}
	}
	if first == nil {
		f.Notes = append(f.Notes, Note{NoteNoSchedule, noteText(lang, NoteNoSchedule)})
		return f
	}
	if end > domain.MinutesPerDay {
		end -= domain.MinutesPerDay // past midnight: the end on the next day
	}
	f.WorkingHours.StartTime, f.WorkingHours.EndTime = timeOfDay(start), timeOfDay(end)
	if split != "" {
		f.Notes = append(f.Notes, Note{NoteSplitWindows, noteText(lang, NoteSplitWindows, split)})
	}
	if differs {
		f.Notes = append(f.Notes, Note{NoteDiffersByDay, noteText(lang, NoteDiffersByDay, weekText(s, lang))})
	}
	if overnight != "" {
		f.Notes = append(f.Notes, Note{NoteOvernight, noteText(lang, NoteOvernight, overnight)})
	}
	f.Exact = len(f.Notes) == 0
	return f
}

var notes = map[string][2]string{
	NoteNoSchedule:   {"No tiene jornada registrada: no hay horas que poner en Outlook.", "No schedule is on record: there are no hours to set in Outlook."},
	NoteSplitWindows: {"La jornada está partida (%s): el horario de Outlook es un solo tramo al día, y el que se da va del primer inicio al último fin, pausas incluidas.", "The schedule is split (%s): Outlook's working hours are one span a day, and the one given runs from the first start to the last end, breaks included."},
	NoteDiffersByDay: {"El horario cambia según el día (%s): Outlook usa el mismo tramo para todos los días laborables, y el que se da va del inicio más temprano al fin más tardío.", "The hours differ by day (%s): Outlook uses one span for every working day, and the one given runs from the earliest start to the latest end."},
	NoteOvernight:    {"Una franja pasa de medianoche (%s): Outlook no la puede mostrar; startTime es su inicio y endTime su fin al día siguiente.", "A window runs past midnight (%s): Outlook cannot show it; startTime is its start and endTime its end on the next day."},
}

func noteText(lang policy.Lang, code string, args ...any) string {
	if len(args) == 0 {
		return notes[code][lang]
	}
	return fmt.Sprintf(notes[code][lang], args...)
}

var dayNames = [2][7]string{
	{"domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado"},
	{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"},
}

func dayName(d time.Weekday, lang policy.Lang) string { return dayNames[lang][d] }

func windowsText(ws []domain.Window) string {
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = w.String()
	}
	return strings.Join(parts, ", ")
}

// weekText lists each working day's windows: "lunes 08:00-17:00; viernes 08:00-13:00".
func weekText(s domain.Schedule, lang policy.Lang) string {
	var parts []string
	for _, d := range weekOrder {
		if len(s[d]) > 0 {
			parts = append(parts, dayName(d, lang)+" "+windowsText(s[d]))
		}
	}
	return strings.Join(parts, "; ")
}

// timeOfDay writes minutes since midnight as Graph's Edm.TimeOfDay. 24:00
// does not exist there: the last instant of the day stands for it.
func timeOfDay(m int) string {
	if m >= domain.MinutesPerDay {
		return "23:59:59.9999999"
	}
	return fmt.Sprintf("%02d:%02d:00.0000000", m/60, m%60)
}

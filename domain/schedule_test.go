package domain

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseWindow(t *testing.T) {
	tests := []struct {
		in      string
		want    Window
		wantErr string
	}{
		{in: "08:00-12:00", want: Window{480, 720}},
		{in: "22:00-06:00", want: Window{1320, 360}},
		{in: "00:00-24:00", want: Window{0, 1440}},
		{in: "00:00-00:00", want: Window{0, 1440}},
		{in: "22:00-00:00", want: Window{1320, 1440}},
		{in: " 13:30 - 17:45 ", want: Window{810, 1065}},
		{in: "25:00-08:00", wantErr: `"25:00-08:00" is not a valid window: hours run from 00 to 23 (24:00 only as an end)`},
		{in: "08:60-09:00", wantErr: `"08:60-09:00" is not a valid window: minutes run from 00 to 59`},
		{in: "24:00-06:00", wantErr: `"24:00-06:00" is not a valid window: 24:00 can only end a window`},
		{in: "08:00-08:00", wantErr: `"08:00-08:00" is not a valid window: it starts and ends at the same time; for a whole day write 00:00-24:00`},
		{in: "0800-1200", wantErr: `"0800-1200" is not a valid window: write times as HH:MM-HH:MM, e.g. 08:00-12:00`},
		{in: "8:00-12:00", wantErr: `"8:00-12:00" is not a valid window: write times as HH:MM-HH:MM, e.g. 08:00-12:00`},
		{in: "08:00", wantErr: `"08:00" is not a valid window: write it as HH:MM-HH:MM, e.g. 08:00-12:00`},
		{in: "ab:cd-12:00", wantErr: `"ab:cd-12:00" is not a valid window: write times as HH:MM-HH:MM with digits, e.g. 08:00-12:00`},
	}
	for _, tt := range tests {
		got, err := ParseWindow(tt.in)
		switch {
		case tt.wantErr != "" && (err == nil || err.(*Error).Text().String() != tt.wantErr):
			t.Errorf("ParseWindow(%q) error = %v, want %q", tt.in, err, tt.wantErr)
		case tt.wantErr == "" && (err != nil || got != tt.want):
			t.Errorf("ParseWindow(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestWindowLengthAndString(t *testing.T) {
	tests := []struct {
		w    Window
		str  string
		dur  time.Duration
		over bool
	}{
		{Window{480, 720}, "08:00-12:00", 4 * time.Hour, false},
		{Window{1320, 360}, "22:00-06:00", 8 * time.Hour, true},
		{Window{0, 1440}, "00:00-24:00", 24 * time.Hour, false},
		{Window{1320, 1440}, "22:00-24:00", 2 * time.Hour, false},
	}
	for _, tt := range tests {
		if tt.w.String() != tt.str || tt.w.Duration() != tt.dur || tt.w.Overnight() != tt.over {
			t.Errorf("%v: String %q Duration %v Overnight %v; want %q %v %v", tt.w, tt.w.String(), tt.w.Duration(), tt.w.Overnight(), tt.str, tt.dur, tt.over)
		}
	}
}

func TestScheduleJSON(t *testing.T) {
	in := `{"mon":["08:00-12:00","13:00-17:00"],"fri":["22:00-06:00"],"sun":[],"sat":null}`
	var s Schedule
	if err := json.Unmarshal([]byte(in), &s); err != nil {
		t.Fatal(err)
	}
	want := Schedule{time.Monday: {{480, 720}, {780, 1020}}, time.Friday: {{1320, 360}}}
	if diff := cmp.Diff(want, s); diff != "" {
		t.Errorf("Unmarshal (-want +got):\n%s", diff)
	}
	out, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	wantOut := `{"mon":["08:00-12:00","13:00-17:00"],"tue":[],"wed":[],"thu":[],"fri":["22:00-06:00"],"sat":[],"sun":[]}`
	if string(out) != wantOut {
		t.Errorf("Marshal = %s, want %s", out, wantOut)
	}
}

func TestScheduleJSONErrors(t *testing.T) {
	tests := []struct {
		in   string
		want []FieldError
	}{
		{`{"mon":["25:00-08:00","09:00-10:00","x"],"funday":[]}`, []FieldError{
			{Field: "funday", Message: `unknown day "funday": use mon, tue, wed, thu, fri, sat or sun`},
			{Field: "mon[0]", Message: `"25:00-08:00" is not a valid window: hours run from 00 to 23 (24:00 only as an end)`},
			{Field: "mon[2]", Message: `"x" is not a valid window: write it as HH:MM-HH:MM, e.g. 08:00-12:00`},
		}},
		{`["08:00-12:00"]`, nil},
	}
	for _, tt := range tests {
		var s Schedule
		err := json.Unmarshal([]byte(tt.in), &s)
		var e *Error
		if !errors.As(err, &e) || e.Code != EInvalid {
			t.Errorf("Unmarshal(%s) = %v, want an EInvalid *Error", tt.in, err)
			continue
		}
		if diff := cmp.Diff(tt.want, InEnglish(e.Fields)); diff != "" {
			t.Errorf("Unmarshal(%s) fields (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestScheduleCell(t *testing.T) {
	s, err := ParseScheduleCell(" mon=08:00-12:00, 13:00-17:00 ; TUE=22:00-06:00;sun=")
	if err != nil {
		t.Fatal(err)
	}
	want := Schedule{time.Monday: {{480, 720}, {780, 1020}}, time.Tuesday: {{1320, 360}}}
	if diff := cmp.Diff(want, s); diff != "" {
		t.Errorf("ParseScheduleCell (-want +got):\n%s", diff)
	}
	if got := s.CellString(); got != "mon=08:00-12:00,13:00-17:00;tue=22:00-06:00" {
		t.Errorf("CellString = %q", got)
	}
	if (Schedule{}).CellString() != "" || !(Schedule{}).IsEmpty() || s.IsEmpty() {
		t.Error("empty schedule handling")
	}
	for _, bad := range []string{"mon=08:00-12:00;mon=13:00-14:00", "mon 08:00-12:00", "xyz=08:00-12:00", "mon=08:00-32:00"} {
		var e *Error
		if _, err := ParseScheduleCell(bad); !errors.As(err, &e) || e.Code != EInvalid || len(e.Fields) != 1 {
			t.Errorf("ParseScheduleCell(%q) = %v, want one field error", bad, err)
		}
	}
}

func TestScheduleValidate(t *testing.T) {
	tests := []struct {
		name string
		s    Schedule
		want []FieldError
	}{
		{"office week is fine", Schedule{time.Monday: {{480, 720}, {780, 1020}}}, nil},
		{"touching windows are fine", Schedule{time.Monday: {{480, 720}, {720, 1020}}}, nil},
		{"night window overlapping the next day's is fine", Schedule{time.Monday: {{1320, 360}}, time.Tuesday: {{300, 600}}}, nil},
		{"night window and an early window the same day are fine", Schedule{time.Monday: {{1320, 360}, {60, 180}}}, nil},
		{"overlap on one day", Schedule{time.Monday: {{780, 1020}, {480, 840}}}, []FieldError{
			{Field: "schedule.mon[0]", Message: `"13:00-17:00" overlaps "08:00-14:00" on the same day`}}},
		{"late window inside a night window", Schedule{time.Friday: {{1320, 360}, {1380, 1440}}}, []FieldError{
			{Field: "schedule.fri[1]", Message: `"23:00-24:00" overlaps "22:00-06:00" on the same day`}}},
		{"out of range", Schedule{time.Sunday: {{-5, 60}, {600, 600}}}, []FieldError{
			{Field: "schedule.sun[0]", Message: "{start -5 min, end 60 min} is not a valid window: start must be 00:00 to 23:59, end 00:01 to 24:00, and they must differ"},
			{Field: "schedule.sun[1]", Message: "{start 600 min, end 600 min} is not a valid window: start must be 00:00 to 23:59, end 00:01 to 24:00, and they must differ"}}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, InEnglish(tt.s.Validate("schedule"))); diff != "" {
			t.Errorf("%s: Validate (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestWeeklyMinutes(t *testing.T) {
	s, err := ParseScheduleCell("mon=08:00-12:00,13:00-17:00;tue=22:00-06:00")
	if err != nil {
		t.Fatal(err)
	}
	if got := s.WeeklyMinutes(); got != 16*60 {
		t.Errorf("WeeklyMinutes = %d, want %d", got, 16*60)
	}
}

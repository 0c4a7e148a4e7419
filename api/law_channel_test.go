package api

import (
	"net/url"
	"testing"
)

// TestPersonalChannelRefusalTable: refusing WhatsApp or SMS names the
// channel to use instead and when it may be used, in the answer's language;
// next_allowed_at stays null (the personal channel never becomes allowed).
func TestPersonalChannelRefusalTable(t *testing.T) {
	f := newLawFixture(t)
	cases := []struct {
		name, person, at, channel string
		extra                     url.Values
		code, suggested           string
		suggestedAt               string // "" = left out
		es, en                    []string
	}{
		{"routine WhatsApp at 21:00: Teams chat from 08:00", "E1", "2026-11-26T21:00:00-05:00", "whatsapp", nil, "personal_channel", "teams_chat", "2026-11-27T13:00:00Z",
			[]string{"use el chat de Teams, a partir del 2026-11-27 08:00 (America/Bogota)"}, []string{"use Teams chat from 2026-11-27 08:00 (America/Bogota)"}},
		{"routine SMS in hours: Teams chat now", "E1", "2026-11-26T10:00:00-05:00", "sms", nil, "personal_channel", "teams_chat", "2026-11-26T15:00:00Z",
			[]string{"use el chat de Teams, ahora mismo"}, []string{"use Teams chat now"}},
		{"routine WhatsApp on a holiday: the next working day", "E1", "2026-12-08T10:00:00-05:00", "whatsapp", nil, "personal_channel", "teams_chat", "2026-12-09T13:00:00Z",
			[]string{"a partir del 2026-12-09 08:00"}, []string{"from 2026-12-09 08:00"}},
		{"an official document over WhatsApp: email, from the next morning", "E1", "2026-11-26T21:00:00-05:00", "whatsapp",
			url.Values{"official_document": {"true"}, "purpose": {"urgent"}, "requester": {"S1"}, "justification": {"Resolución firmada que vence hoy"}},
			"official_document_channel", "email", "2026-11-27T13:00:00Z",
			[]string{"use el correo institucional, a partir del 2026-11-27 08:00 (America/Bogota)"}, []string{"use official email from 2026-11-27 08:00 (America/Bogota)"}},
		{"in Tokyo on commission, the time is Tokyo's", "T1", "2026-11-10T21:00:00+09:00", "whatsapp", nil, "personal_channel", "teams_chat", "2026-11-10T23:00:00Z",
			[]string{"a partir del 2026-11-11 08:00 (Asia/Tokyo)"}, []string{"from 2026-11-11 08:00 (Asia/Tokyo)"}},
	}
	for _, lang := range langs {
		for _, c := range cases {
			q := question(c.at, c.channel, c.extra)
			name := lang + ": " + c.name
			status, m := f.askIn(lang, "", c.person, q)
			r := reason(m, c.code)
			if status != 200 || m["decision"] != "deny" || r == nil || m["suggested_channel"] != c.suggested || str(m["suggested_at"]) != c.suggestedAt || m["next_allowed_at"] != nil {
				t.Errorf("%s: %d %v %v suggests %v at %v (next %v); want deny %s, %s at %s", name, status, m["decision"], reasonCodes(m), m["suggested_channel"], m["suggested_at"], m["next_allowed_at"], c.code, c.suggested, c.suggestedAt)
				continue
			}
			if m["local_suggested_at"] == nil {
				t.Errorf("%s: no local_suggested_at", name)
			}
			want := c.es
			if lang == "en" {
				want = c.en
			}
			mustContain(t, name, str(r["message"]), want...)
		}
	}
}

package calendars

import (
	"sync"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/ar"
	"github.com/rickar/cal/v2/at"
	"github.com/rickar/cal/v2/be"
	"github.com/rickar/cal/v2/bg"
	"github.com/rickar/cal/v2/br"
	"github.com/rickar/cal/v2/ca"
	"github.com/rickar/cal/v2/ch"
	"github.com/rickar/cal/v2/cz"
	"github.com/rickar/cal/v2/de"
	"github.com/rickar/cal/v2/dk"
	"github.com/rickar/cal/v2/es"
	"github.com/rickar/cal/v2/fr"
	"github.com/rickar/cal/v2/gb"
	"github.com/rickar/cal/v2/gr"
	"github.com/rickar/cal/v2/hr"
	"github.com/rickar/cal/v2/ie"
	"github.com/rickar/cal/v2/it"
	"github.com/rickar/cal/v2/jp"
	"github.com/rickar/cal/v2/lt"
	"github.com/rickar/cal/v2/lv"
	"github.com/rickar/cal/v2/mw"
	"github.com/rickar/cal/v2/nc"
	"github.com/rickar/cal/v2/nl"
	"github.com/rickar/cal/v2/no"
	"github.com/rickar/cal/v2/nz"
	"github.com/rickar/cal/v2/pl"
	"github.com/rickar/cal/v2/ro"
	"github.com/rickar/cal/v2/ru"
	"github.com/rickar/cal/v2/se"
	"github.com/rickar/cal/v2/si"
	"github.com/rickar/cal/v2/sk"
	"github.com/rickar/cal/v2/ua"
	"github.com/rickar/cal/v2/us"
	"github.com/rickar/cal/v2/za"
)

// rickarCountries are the rickar/cal v2.1.13 country packages with a
// national list (Holidays). Left out: aa (shared definitions), ecb (a bank,
// not a country) and au (regional lists only; AU comes from the data set).
var rickarCountries = map[string][]*cal.Holiday{
	"AR": ar.Holidays, "AT": at.Holidays, "BE": be.Holidays, "BG": bg.Holidays, "BR": br.Holidays,
	"CA": ca.Holidays, "CH": ch.Holidays, "CZ": cz.Holidays, "DE": de.Holidays, "DK": dk.Holidays,
	"ES": es.Holidays, "FR": fr.Holidays, "GB": gb.Holidays, "GR": gr.Holidays, "HR": hr.Holidays,
	"IE": ie.Holidays, "IT": it.Holidays, "JP": jp.Holidays, "LT": lt.Holidays, "LV": lv.Holidays,
	"MW": mw.Holidays, "NC": nc.Holidays, "NL": nl.Holidays, "NO": no.Holidays, "NZ": nz.Holidays,
	"PL": pl.Holidays, "RO": ro.Holidays, "RU": ru.Holidays, "SE": se.Holidays, "SI": si.Holidays,
	"SK": sk.Holidays, "UA": ua.Holidays, "US": us.Holidays, "ZA": za.Holidays,
}

// The years rickar/cal's rules are used for. They encode current law (with
// a few dated changes); nothing checks them before 2000.
const (
	rulesFromYear = 2000
	rulesToYear   = 2100
)

// rulesToYearOf caps the rules where a country's law has left them: rickar's
// UA rules ignore the martial-law suspension of holidays (since 2022), so
// they serve only the years before the data.
var rulesToYearOf = map[string]int{"UA": 2019}

// rickarMu serialises every call into rickar/cal's holiday functions: some
// are not safe for concurrent use (jp.VernalEquinoxDay's Func writes the
// shared Holiday's Day field on every call). Each (code, year) is computed
// once and cached, so the lock costs nothing in steady state.
var rickarMu sync.Mutex

// withRules adds rickar/cal's rules to code's calendar: alone when the data
// set lacks the country, else for the years outside the data's range (see
// the package documentation for the evidence behind data-first).
func withRules(c calendar, code string, rules []*cal.Holiday, d yearSource) calendar {
	to := rulesToYear
	if v, ok := rulesToYearOf[code]; ok {
		to = v
	}
	fromRules := func(year int) []Entry { return rickarHolidays(rules, year) }
	if d == nil {
		return calendar{
			info:    Info{Code: code, Name: countryName(code), Source: SourceRules, FromYear: rulesFromYear, ToYear: to},
			compute: fromRules,
		}
	}
	from, last := d.years()
	c.info.Source = SourceDataRules
	c.info.FromYear, c.info.ToYear = min(from, rulesFromYear), max(last, to)
	c.compute = func(year int) []Entry {
		if year >= from && year <= last {
			return d.holidays(year)
		}
		return fromRules(year)
	}
	return c
}

// rickarHolidays returns the holidays of rules that fall in year, in date
// order. A holiday's actual date is kept and a substitute day (rickar's
// Observed) is added as "<name> (observed)": that is how the python-holidays
// data lists them, and over 2020–2040 it matched the data better than the
// observed day alone for 11 of 34 countries, equally for 21, and worse only
// for NL (3 more differing dates) and UA (martial law; see rulesToYearOf). Neighbouring years are
// computed too because a substitute can cross New Year (US: 1 Jan 2022, a
// Saturday, is observed on 31 Dec 2021). ObservanceOther entries (Sweden's
// eves) are not public holidays and are skipped.
func rickarHolidays(rules []*cal.Holiday, year int) []Entry {
	rickarMu.Lock()
	defer rickarMu.Unlock()
	var hs []Entry
	add := func(d Holiday) {
		if d.Date.Year == year {
			hs = append(hs, Entry{Holiday: d})
		}
	}
	for y := year - 1; y <= year+1; y++ {
		for _, h := range rules {
			if h.Type == cal.ObservanceOther {
				continue
			}
			actual, observed, ok := calcDates(h, y)
			if !ok {
				continue
			}
			add(Holiday{Date: actual, Name: h.Name})
			if observed != actual {
				add(Holiday{Date: observed, Name: h.Name + " (observed)"})
			}
		}
	}
	sortEntries(hs)
	return hs
}

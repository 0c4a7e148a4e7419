// Package calendars knows public holidays: Colombia's, computed from its
// laws for any year from 1984 to 2100, and a base calendar for every other
// country, plus the pieces a post's effective holidays are built from
// (Layer), a nanosecond lookup (Set) and parsers for uploaded holiday files
// (ParseICS, ParseCSV). It is pure: no I/O beyond its embedded data, no
// clock; everything it returns is immutable or the caller's own copy, and
// every function is safe for concurrent use.
//
// # Where each calendar comes from
//
//   - CO (Source "rules:ley-51-1983"): Ley 51 de 1983 (the Ley Emiliani's
//     moves to Monday) and Ley 2578 de 2026 (9 July, from 2026), written as
//     rickar/cal Holiday rules; covers 1984–2100.
//   - 33 countries of rickar/cal v2.1.13 (AR AT BE BG BR CA CH CZ DE DK ES
//     FR GB GR HR IE IT JP LT LV MW NC NL NO NZ PL RO RU SE SI SK US ZA), all
//     also in the data set (Source "data:python-holidays+rules:rickar/cal"):
//     the data for the years it covers (2020–2040), rickar/cal's rules for
//     2000–2019 and 2041–2100. UA likewise, but its rules stop at 2019 (see
//     below), so it covers 2000–2040.
//   - Every other country (Source "data:python-holidays"): the embedded
//     python-holidays data set (data/NOTICE: MIT, Vacanza Team), covering
//     the years its rows span: 2020–2040 for most; GW 2023–2040; LK
//     2020–2026 (Poya days known to 2026); FJ GY IN MU NP SR 2020–2035
//     (their Hindu lunar holidays are only computed to 2035, so 2036–2040
//     would silently miss half of them).
//   - 617 regional calendars (Source "data:python-holidays"), coded
//     country-subdivision ("ES-MD", "US-FL", "DE-BY"): a subdivision's
//     complete set from the same data set (its country's holidays that it
//     keeps, and its own), over its rows' years within its country's range.
//     A consulate follows the region it sits in. Each is stored as the
//     national rows it shares plus its own, so the 186,000 regional rows
//     cost about what 24,000 would.
//
// Every entry carries its name as the source writes it and, where the
// source has them, in English and in Spanish (Entries, Effective.Localized):
// Colombia's in Spanish with English added here, the data set's from its
// en_US and es translations.
//
// A post takes base calendars whole, or picks named days from others
// (Pick: Colombia's Independencia at a consulate in Madrid), chosen by
// holiday, not by date, so that a pick follows its holiday every year.
//
// A year outside a calendar's range is an EOutOfRange error, never an empty
// or partial list.
//
// # Why the data wins where both exist (evidence)
//
// A throwaway program compared, for 2020–2040, the dates of rickar/cal's
// national lists (actual dates plus substitute days) with the data set's.
// Dates only in rickar / only in the data, per country:
//
//	AT CZ DE FR HR IE NC   0/0      identical
//	SI 0/1  GR 1/8  JP 2/4  ZA 2/3  MW 0/7  US 0/0 (all: substitutes
//	  are in both; JP's data has the 2020–21 Olympic moves rickar lacks)
//	NZ 0/20 (Matariki)  ES 26/0  SK 35/0  BE 0/42  NO 0/42  (BE NO: the
//	  data lists Easter and Whit Sunday; ES: the data leaves out national
//	  days that fall on a Sunday, which regions move; SK: the data has the
//	  2024–25 cuts of 1 Sep and 17 Nov)
//	GB 42/1 (rickar is England's bank holidays, the data the UK-wide ones)
//	DK 18/40  IT 0/53  LV 0/54  PL 0/58  LT 0/60  NL 19/42  RO 0/34
//	BR 42/17  BG 1/45  AR 72/85  RU 32/136  CA 171/0  CH 231/0
//	SE 0/1077 (the data counts every Sunday as a holiday, as Swedish law)
//	UA 248/11 (martial law: no holidays since March 2022 in the data)
//
// The data is the newer and finer source: it follows law changes rickar has
// not (JP's 2020–21 moves, SK's cuts, NZ's Matariki from 2022, IT's 4 Oct
// from 2026, BR's 20 Nov from 2024, Ukraine's martial law), and lists both
// a holiday and its substitute where rickar sometimes has one. Where they
// differ in scope (CA, CH: rickar adds provincial or cantonal days; GB) the
// data's national "public" category is what a base calendar means; a
// post's regional days are its closures. So the data is used wherever it
// has the year, and rickar's rules only widen the range; the names then
// switch language at 2020/2041 (rickar's are often English).
//
// # rickar/cal
//
// Only its Holiday definitions and Calc are used, never its Calendar type
// (not safe for concurrent use) nor its work-hours functions; Calc calls are
// serialised (jp.VernalEquinoxDay writes shared state) and each (code, year)
// is computed once and cached.
package calendars

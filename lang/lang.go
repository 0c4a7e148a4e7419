// Package lang holds the languages Franja speaks to people, Spanish (the
// default) and English: which one a request asks for, and the one catalogue
// of every people-facing text in both.
//
// A text is written once, in English, where it is made: a fmt format and its
// arguments (domain.Errorf, Validator.Add, domain.T, Sprintf here). The
// English format is the key under which spanish holds its translation, with
// the same verbs (reordered with %[n]s where Spanish needs another order).
// Arguments are values (identifiers, codes, numbers, what the client sent)
// and are never translated, except arguments that are texts themselves
// (domain.Text, *domain.Error), which are looked up in turn. A test walks the
// source for every such format and fails on one that has no Spanish entry.
package lang

import (
	"cmp"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/text/language"

	"franja/domain"
)

// Lang is a language people-facing text is given in.
type Lang int

// The languages; Spanish is the default.
const (
	Spanish Lang = iota
	English
)

// String returns the language's BCP 47 tag, for Content-Language.
func (l Lang) String() string {
	if l == English {
		return "en"
	}
	return "es"
}

// supported lists the languages in matcher order: the first is the default.
var (
	supported = []language.Tag{language.Spanish, language.English}
	matcher   = language.NewMatcher(supported)
)

// negotiated remembers the answer for recent Accept-Language values: clients
// send the same few headers again and again, and the decision path is hot.
// It holds at most maxNegotiated headers; others are negotiated each time.
var (
	negotiated      sync.Map // string → Lang
	negotiatedCount atomic.Int64
)

const maxNegotiated = 1024

// Negotiate picks the language for an Accept-Language header (RFC 9110
// §12.5.4): by quality, where q=0 means "not acceptable"; an element that
// cannot be read (a bad tag, an invalid q) is ignored, not taken as q=1;
// Spanish when the header is absent or names neither language acceptably.
func Negotiate(header string) Lang {
	if header == "" {
		return Spanish
	}
	if l, ok := negotiated.Load(header); ok {
		return l.(Lang)
	}
	l := negotiate(header)
	if negotiatedCount.Add(1) <= maxNegotiated {
		negotiated.Store(header, l)
	}
	return l
}

func negotiate(header string) Lang {
	type wanted struct {
		tag language.Tag
		q   float32
	}
	var ws []wanted
	for _, part := range strings.Split(header, ",") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		// One element at a time: ParseAcceptLanguage refuses a whole
		// header for one bad element. It drops q=0 elements itself.
		tags, qs, err := language.ParseAcceptLanguage(part)
		if err == nil && len(tags) == 1 && validWeight(part) {
			ws = append(ws, wanted{tags[0], qs[0]})
		}
	}
	// Highest quality first; equals keep the header's order.
	slices.SortStableFunc(ws, func(a, b wanted) int { return cmp.Compare(b.q, a.q) })
	for _, w := range ws {
		if w.tag == language.Und { // "*": anything will do
			return Spanish
		}
		if _, i, conf := matcher.Match(w.tag); conf >= language.High {
			return Lang(i)
		}
	}
	return Spanish
}

// weightRe is RFC 9110's qvalue: 0 to 1 with at most three decimals.
var weightRe = regexp.MustCompile(`^(0(\.[0-9]{0,3})?|1(\.0{0,3})?)$`)

// validWeight reports whether an element's q parameter, if any, is a
// qvalue (x/text accepts 1.5, which RFC 9110 does not).
func validWeight(element string) bool {
	_, params, _ := strings.Cut(element, ";")
	for _, p := range strings.Split(params, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		if strings.EqualFold(strings.TrimSpace(k), "q") && !weightRe.MatchString(strings.TrimSpace(v)) {
			return false
		}
	}
	return true
}

// translate returns format in l: its Spanish entry, or format itself in
// English (and, should an entry be missing, in Spanish too: the catalogue
// test keeps that from happening).
func (l Lang) translate(format string) string {
	if l == English {
		return format
	}
	if s, ok := spanish[format]; ok {
		return s
	}
	if missing != nil {
		missing(format)
	}
	return format
}

// missing, when set (by tests), hears of every format looked up in Spanish
// that the catalogue lacks.
var missing func(format string)

// SetMissing sets the function that hears of every format the catalogue
// lacks when asked for it (nil: none). For tests, which then fail on any:
// a message made at run time escapes the source scan.
func SetMissing(f func(format string)) { missing = f }

// Text renders t in l.
func (l Lang) Text(t domain.Text) string {
	if l == English {
		return t.Render(nil)
	}
	return t.Render(l.translate)
}

// Sprintf renders the English format and its args in l.
func (l Lang) Sprintf(format string, args ...any) string {
	return l.Text(domain.Text{Format: format, Args: args})
}

// Error renders e's message and fields in l, for a client: a copy with
// plain messages and no Args.
func (l Lang) Error(e *domain.Error) *domain.Error {
	out := &domain.Error{Code: e.Code, Message: l.Text(e.Text()), Omitted: e.Omitted}
	if e.Fields != nil {
		out.Fields = make([]domain.FieldError, len(e.Fields))
		for i, f := range e.Fields {
			out.Fields[i] = domain.FieldError{Line: f.Line, Field: f.Field, Message: l.Text(f.Text())}
		}
	}
	return out
}

// Translated reports whether the catalogue has format in every language.
func Translated(format string) bool {
	_, ok := spanish[format]
	return ok
}

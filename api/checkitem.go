package api

import (
	"bytes"
	"encoding/json"
	"io"

	"github.com/go-json-experiment/json/jsontext"
)

// splitChecks reads a batch body of the usual shape, {"checks": [...]}
// with that exact name alone, into its items (slices of body), reporting
// whether it could; anything else goes to strictJSON and encoding/json
// (decodeBody), which decide and word its errors as before. Reading with
// jsontext's defaults, it refuses what strictJSON refuses (a name twice in
// an object, an escape that is no character), so a body it reads needs no
// other check. encoding/json read this body into
// []json.RawMessage at about a fifth of a 1,000-check batch's CPU, on one
// core, before any item could be decided.
func splitChecks(body []byte) ([]json.RawMessage, bool) {
	dec := jsontext.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.ReadToken(); err != nil || tok.Kind() != '{' {
		return nil, false
	}
	if tok, err := dec.ReadToken(); err != nil || tok.Kind() != '"' || tok.String() != "checks" {
		return nil, false
	}
	if tok, err := dec.ReadToken(); err != nil || tok.Kind() != '[' {
		return nil, false
	}
	checks := []json.RawMessage{}
	for dec.PeekKind() != ']' {
		v, err := dec.ReadValue()
		if err != nil {
			return nil, false
		}
		end := int(dec.InputOffset())
		checks = append(checks, body[end-len(v):end:end])
	}
	for _, want := range []jsontext.Kind{']', '}'} {
		if tok, err := dec.ReadToken(); err != nil || tok.Kind() != want {
			return nil, false
		}
	}
	if _, err := dec.ReadToken(); err != io.EOF {
		return nil, false // more after the object: encoding/json's error
	}
	return checks, true
}

// parseCheckItem reads one batch item of the usual shape, an object of the
// exact field names with plain string values (and true or false for
// official_document, null or a string for at), into it, reporting whether
// it could. Anything else (an escape, another name or type, a name in
// other letter case, which encoding/json matches) is left to encoding/json,
// which decides and words its errors as for any other body: the fast path
// only ever accepts what encoding/json reads the same way.
//
// A batch of 1,000 items spent more on encoding/json (a decoder per item,
// reflection, a scanner byte by byte) than on deciding them. The body as a
// whole has been checked already: UTF-8 (readJSONText), valid JSON with no
// name twice in an object (splitChecks, or strictJSON).
func parseCheckItem(raw []byte, it *checkItem) bool {
	p := skipSpace(raw, 0)
	if p >= len(raw) || raw[p] != '{' {
		return false
	}
	p = skipSpace(raw, p+1)
	if p < len(raw) && raw[p] == '}' {
		return skipSpace(raw, p+1) == len(raw)
	}
	for {
		name, q, ok := plainString(raw, p)
		if !ok {
			return false
		}
		p = skipSpace(raw, q)
		if p >= len(raw) || raw[p] != ':' {
			return false
		}
		p = skipSpace(raw, p+1)
		if p >= len(raw) {
			return false
		}
		if string(name) == "official_document" {
			switch {
			case bytes.HasPrefix(raw[p:], []byte("true")):
				it.OfficialDocument, p = true, p+4
			case bytes.HasPrefix(raw[p:], []byte("false")):
				it.OfficialDocument, p = false, p+5
			default:
				return false
			}
		} else if string(name) == "at" && bytes.HasPrefix(raw[p:], []byte("null")) {
			it.At, p = nil, p+4
		} else {
			v, q, ok := plainString(raw, p)
			if !ok {
				return false
			}
			p = q
			s := string(v)
			switch string(name) {
			case "person":
				it.Person = s
			case "at":
				it.At = &s
			case "channel":
				it.Channel = s
			case "purpose":
				it.Purpose = s
			case "requester":
				it.Requester = s
			case "justification":
				it.Justification = s
			case "duration":
				it.Duration = s
			default:
				return false
			}
		}
		p = skipSpace(raw, p)
		if p >= len(raw) {
			return false
		}
		switch raw[p] {
		case ',':
			p = skipSpace(raw, p+1)
		case '}':
			return skipSpace(raw, p+1) == len(raw)
		default:
			return false
		}
	}
}

// plainString reads the JSON string at raw[p:] when it holds no escape and
// no control character (so that its bytes are its value), giving its
// contents and the position after it.
func plainString(raw []byte, p int) ([]byte, int, bool) {
	if p >= len(raw) || raw[p] != '"' {
		return nil, 0, false
	}
	for i := p + 1; i < len(raw); i++ {
		switch c := raw[i]; {
		case c == '"':
			return raw[p+1 : i], i + 1, true
		case c == '\\' || c < 0x20:
			return nil, 0, false
		}
	}
	return nil, 0, false
}

// skipSpace skips JSON whitespace from p.
func skipSpace(raw []byte, p int) int {
	for p < len(raw) && (raw[p] == ' ' || raw[p] == '\t' || raw[p] == '\n' || raw[p] == '\r') {
		p++
	}
	return p
}

package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"

	"franja/domain"
)

// writeJSON writes v as a JSON response with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// decodeJSON reads one JSON value into v, refusing unknown fields, trailing
// data, a wrong content type and bodies over the limit, each with a message
// that says what to fix.
func decodeJSON(r *http.Request, v any) error {
	body, err := readJSONBody(r)
	if err != nil {
		return err
	}
	return decodeBody(body, v)
}

// readJSONBody reads a JSON body whole and checks what decodeJSON checks
// before decoding: the content type, the limit, UTF-8, strict syntax.
func readJSONBody(r *http.Request) ([]byte, error) {
	body, err := readJSONText(r)
	if err != nil {
		return nil, err
	}
	if err := strictJSON(body); err != nil {
		return nil, err
	}
	return body, nil
}

// readJSONText is readJSONBody without the strict syntax check, for a
// reader that makes it itself (splitChecks reads with jsontext, which
// refuses what strictJSON refuses).
func readJSONText(r *http.Request) ([]byte, error) {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		// A body without a type is not taken for JSON: a proxy or a
		// form could have sent anything.
		return nil, domain.Errorf(domain.EUnsupported, "send the body with Content-Type: application/json")
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		return nil, domain.Errorf(domain.EUnsupported, "send the body as application/json (got %q)", ct)
	}
	// Read whole (the body limit bounds it) to refuse what encoding/json
	// would let through: invalid UTF-8, which it silently turns into U+FFFD.
	// (A \u0000 escape is valid JSON: field validation refuses it, and the
	// store turns any that slips through into a 400.)
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, jsonError(err)
	}
	if !utf8.Valid(body) {
		return nil, domain.Errorf(domain.EMalformed, "the body is not UTF-8 text")
	}
	return body, nil
}

// decodeBody decodes a body readJSONBody read into v, as decodeJSON does.
func decodeBody(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return domain.Errorf(domain.EMalformed, "the body must hold a single JSON value")
	}
	return nil
}

// strictJSON refuses what encoding/json lets through silently: a name
// given twice in one object (it keeps the last, where another reader of the
// same body may keep the first: {"role":"hr","role":"admin"}) and escapes
// that are not Unicode (a lone surrogate, "\ud800", which it stores as
// U+FFFD). Each is a 400 naming the field. Other syntax errors are left to
// encoding/json, which words them already.
func strictJSON(body []byte) error {
	_, err := jsontext.NewDecoder(bytes.NewReader(body)).ReadValue()
	var se *jsontext.SyntacticError
	if !errors.As(err, &se) {
		return nil
	}
	field := pointerField(se.JSONPointer)
	switch {
	case errors.Is(err, jsontext.ErrDuplicateName):
		return &domain.Error{Code: domain.EMalformed, Message: "a field appears twice in one object",
			Fields: []domain.FieldError{{Field: field, Message: "appears more than once in its object; send it once"}}}
	case strings.Contains(se.Err.Error(), "surrogate") || strings.Contains(se.Err.Error(), "UTF-8"):
		return &domain.Error{Code: domain.EMalformed, Message: "a text is not valid Unicode",
			Fields: []domain.FieldError{{Field: field, Message: `holds an escape that is not a Unicode character (a lone surrogate such as \ud800)`}}}
	}
	return nil
}

// pointerField names the field a JSON pointer points at as the API names
// fields elsewhere: /checks/0/person is checks[0].person.
func pointerField(p jsontext.Pointer) string {
	var b strings.Builder
	for tok := range p.Tokens() {
		if _, err := strconv.Atoi(tok); err == nil && b.Len() > 0 {
			b.WriteString("[" + tok + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(tok)
	}
	if b.Len() == 0 {
		return "body"
	}
	return b.String()
}

// jsonError turns a decoding failure into a client error a person can act on.
func jsonError(err error) error {
	var (
		maxErr    *http.MaxBytesError
		syntaxErr *json.SyntaxError
		typeErr   *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &maxErr):
		return domain.Errorf(domain.ETooLarge, "the body is larger than %d bytes", maxErr.Limit)
	case errors.Is(err, io.EOF):
		return domain.Errorf(domain.EMalformed, "the body is empty; send a JSON object")
	case errors.As(err, &syntaxErr):
		return domain.Errorf(domain.EMalformed, "the body is not valid JSON (at byte %d)", syntaxErr.Offset)
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			field = "body"
		}
		return &domain.Error{Code: domain.EMalformed, Message: "a field has the wrong type", Fields: []domain.FieldError{domain.FieldErrorf(field, "must be %s, not %s", typeName(typeErr.Type.String()), jsonKind(typeErr.Value))}}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &domain.Error{Code: domain.EMalformed, Message: "the body has a field this endpoint does not know", Fields: []domain.FieldError{{Field: name, Message: "unknown field; check its spelling against the OpenAPI document"}}}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return domain.Errorf(domain.EMalformed, "the body ends before its JSON value does")
	default:
		// Errors from UnmarshalJSON/UnmarshalText methods (dates, schedules)
		// carry their own message.
		var de *domain.Error
		if errors.As(err, &de) {
			return de
		}
		return domain.Errorf(domain.EMalformed, "the body could not be read as JSON")
	}
}

// jsonKind names the kind of JSON value encoding/json found ("number").
func jsonKind(v string) domain.Text {
	switch {
	case v == "number" || strings.HasPrefix(v, "number "):
		return domain.T("a number")
	case v == "string":
		return domain.T("a string")
	case v == "bool":
		return domain.T("true or false")
	case v == "array":
		return domain.T("a list")
	case v == "object":
		return domain.T("an object")
	}
	return domain.T("another kind of value")
}

func typeName(t string) domain.Text {
	switch {
	case strings.HasPrefix(t, "int"), strings.HasPrefix(t, "float"), strings.HasPrefix(t, "uint"):
		return domain.T("a number")
	case t == "string":
		return domain.T("a string")
	case t == "bool":
		return domain.T("true or false")
	case strings.HasPrefix(t, "[]"):
		return domain.T("a list")
	default:
		return domain.T("an object")
	}
}

// Package domain holds Franja's vocabulary: the types every other package
// speaks (dates, schedules, posts, people, leave, decisions), their
// validation, and the one error model that the HTTP layer turns into
// RFC 9457 problems. It imports nothing of ours.
package domain

import (
	"encoding/json"
	"errors"
	"fmt"
)

// ErrorCode is the machine-readable class of an error a client may see.
type ErrorCode string

// The error codes. The HTTP layer maps each to one status, in one table.
const (
	EInvalid            ErrorCode = "invalid"                // 422: a well-formed body whose values break a rule; see Fields
	EMalformed          ErrorCode = "malformed"              // 400: the request cannot be read as sent (body syntax, wrong types, unknown names, a bad query parameter)
	ENotFound           ErrorCode = "not_found"              // 404
	EConflict           ErrorCode = "conflict"               // 409: would duplicate or break a relation
	EPreconditionFailed ErrorCode = "precondition_failed"    // 412: If-Match did not match
	EPreconditionNeeded ErrorCode = "precondition_required"  // 428: If-Match is required
	EUnauthorized       ErrorCode = "unauthorized"           // 401
	EForbidden          ErrorCode = "forbidden"              // 403
	EOutOfRange         ErrorCode = "out_of_range"           // 422: e.g. a year a calendar does not cover
	ETooLarge           ErrorCode = "too_large"              // 413
	EUnsupported        ErrorCode = "unsupported_media_type" // 415
	ERateLimited        ErrorCode = "rate_limited"           // 429
	EUnavailable        ErrorCode = "unavailable"            // 503 + Retry-After: the database is down, or too busy to answer in time
	ECommitted          ErrorCode = "committed_not_served"   // 503 + Retry-After: the write is committed, but this replica does not serve it yet
	ENotReady           ErrorCode = "not_ready"              // 503 + Retry-After: /readyz, the replica cannot give right decisions yet
	EInternal           ErrorCode = "internal"               // 500: never shown with its cause
)

// Text is words for a person: an English fmt format and its arguments. The
// format is also the key under which the catalogue (package lang) keeps the
// text in other languages, so it must be a constant. Arguments are shown as
// they are (identifiers, codes, numbers, the client's own values), except a
// Text or an *Error, which is translated in turn.
type Text struct {
	Format string
	Args   []any
}

// T returns the Text of format and args.
func T(format string, args ...any) Text { return Text{Format: format, Args: args} }

// String renders t in English.
func (t Text) String() string { return t.Render(nil) }

// Render renders t with every format (its own and its Text arguments')
// passed through translate first; nil translate renders English. Without
// arguments the format is the text itself, percent signs included.
func (t Text) Render(translate func(format string) string) string {
	f := t.Format
	if translate != nil {
		f = translate(f)
	}
	if len(t.Args) == 0 {
		return f
	}
	args := make([]any, len(t.Args))
	for i, a := range t.Args {
		switch a := a.(type) {
		case Text:
			args[i] = a.Render(translate)
		case *Error:
			args[i] = a.Text().Render(translate)
		default:
			args[i] = a
		}
	}
	return fmt.Sprintf(f, args...)
}

// FieldError names one invalid input field and says what is wrong with it in
// words a person can act on. Line is set for bulk imports (1-based, counting
// the CSV header as line 1, or the JSON array index + 1). Message and Args
// are a Text: Message is the English text, or with Args its format.
type FieldError struct {
	Line    int    `json:"line,omitempty"`
	Field   string `json:"field"`
	Message string `json:"message"`
	Args    []any  `json:"-"`
}

// FieldErrorf returns the FieldError of field with a formatted message.
func FieldErrorf(field, format string, args ...any) FieldError {
	return FieldError{Field: field, Message: format, Args: args}
}

// Text returns the message as a Text.
func (f FieldError) Text() Text { return Text{Format: f.Message, Args: f.Args} }

// MarshalJSON writes the message in English (the HTTP layer translates
// field errors before it writes them).
func (f FieldError) MarshalJSON() ([]byte, error) {
	type plain struct {
		Line    int    `json:"line,omitempty"`
		Field   string `json:"field"`
		Message string `json:"message"`
	}
	return json.Marshal(plain{Line: f.Line, Field: f.Field, Message: f.Text().String()})
}

// Error is an error a client may see: a code, a message for a person, and for
// invalid input the fields at fault. Every other error is internal. Message
// and Args are a Text: Message is the English text, or with Args its format.
type Error struct {
	Code    ErrorCode
	Message string
	Args    []any
	Fields  []FieldError
	// Omitted counts the field errors found beyond those in Fields (a
	// bounded list; an import lists at most 100).
	Omitted int
}

// Text returns the message as a Text.
func (e *Error) Text() Text { return Text{Format: e.Message, Args: e.Args} }

// Error implements error, in English.
func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return fmt.Sprintf("%s: %s", e.Code, e.Text())
	}
	return fmt.Sprintf("%s: %s (%d field errors, first %s: %s)", e.Code, e.Text(), len(e.Fields), e.Fields[0].Field, e.Fields[0].Text())
}

// Errorf returns an *Error with code and a formatted message.
func Errorf(code ErrorCode, format string, args ...any) *Error {
	return &Error{Code: code, Message: format, Args: args}
}

// Invalid returns an EInvalid error listing the fields at fault.
func Invalid(message string, fields ...FieldError) *Error {
	return &Error{Code: EInvalid, Message: message, Fields: fields}
}

// ErrorCodeOf returns the code of err's *Error, or EInternal when err carries
// none (or "" when err is nil).
func ErrorCodeOf(err error) ErrorCode {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// Validator gathers field errors so that a request reports every problem at
// once instead of the first.
type Validator struct {
	Fields []FieldError
}

// Add records that field is wrong, with a message.
func (v *Validator) Add(field, format string, args ...any) {
	v.Fields = append(v.Fields, FieldError{Field: field, Message: format, Args: args})
}

// Check records the message when ok is false.
func (v *Validator) Check(ok bool, field, format string, args ...any) {
	if !ok {
		v.Add(field, format, args...)
	}
}

// Err returns an EInvalid error with every recorded field, or nil.
func (v *Validator) Err(message string) error {
	if len(v.Fields) == 0 {
		return nil
	}
	return Invalid(message, v.Fields...)
}

// EMethodNotAllowed is for a method a route does not serve (405).
const EMethodNotAllowed ErrorCode = "method_not_allowed"

// EHeaderTooLarge is for request headers past the server's limit (431).
const EHeaderTooLarge ErrorCode = "header_too_large"

// InEnglish returns copies of fs with their messages rendered in English and
// no Args: for the command line, logs and tests.
func InEnglish(fs []FieldError) []FieldError {
	if fs == nil {
		return nil
	}
	out := make([]FieldError, len(fs))
	for i, f := range fs {
		out[i] = FieldError{Line: f.Line, Field: f.Field, Message: f.Text().String()}
	}
	return out
}

// InEnglish returns a copy of e with its message and fields rendered in
// English and no Args: for the command line, logs and tests.
func (e *Error) InEnglish() *Error {
	return &Error{Code: e.Code, Message: e.Text().String(), Fields: InEnglish(e.Fields)}
}

// Package domain holds Franja's vocabulary: the types every other package
// speaks (dates, schedules, posts, people, leave, decisions), their
// validation, and the one error model that the HTTP layer turns into
// RFC 9457 problems. It imports nothing of ours.
package domain

import (
	"errors"
	"fmt"
)

// ErrorCode is the machine-readable class of an error a client may see.
type ErrorCode string

// The error codes. The HTTP layer maps each to one status, in one table.
const (
	EInvalid            ErrorCode = "invalid"                // 400/422: the input is wrong; see Fields
	EMalformed          ErrorCode = "malformed"              // 400: the body or a parameter cannot be parsed at all
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
	EInternal           ErrorCode = "internal"               // 500: never shown with its cause
)

// FieldError names one invalid input field and says what is wrong with it in
// words a person can act on. Line is set for bulk imports (1-based, counting
// the CSV header as line 1, or the JSON array index + 1).
type FieldError struct {
	Line    int    `json:"line,omitempty"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is an error a client may see: a code, a message for a person, and for
// invalid input the fields at fault. Every other error is internal.
type Error struct {
	Code    ErrorCode
	Message string
	Fields  []FieldError
}

// Error implements error.
func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return fmt.Sprintf("%s: %s", e.Code, e.Message)
	}
	return fmt.Sprintf("%s: %s (%d field errors, first %s: %s)", e.Code, e.Message, len(e.Fields), e.Fields[0].Field, e.Fields[0].Message)
}

// Errorf returns an *Error with code and a formatted message.
func Errorf(code ErrorCode, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
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
	v.Fields = append(v.Fields, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
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

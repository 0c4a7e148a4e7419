package api

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"franja/domain"
	"franja/postgres"
)

// statusOf is the one table from error codes to HTTP statuses. Handlers never
// pick a status for a failure.
var statusOf = map[domain.ErrorCode]int{
	domain.EInvalid:            http.StatusUnprocessableEntity,
	domain.EMalformed:          http.StatusBadRequest,
	domain.ENotFound:           http.StatusNotFound,
	domain.EConflict:           http.StatusConflict,
	domain.EPreconditionFailed: http.StatusPreconditionFailed,
	domain.EPreconditionNeeded: http.StatusPreconditionRequired,
	domain.EUnauthorized:       http.StatusUnauthorized,
	domain.EForbidden:          http.StatusForbidden,
	domain.EOutOfRange:         http.StatusUnprocessableEntity,
	domain.ETooLarge:           http.StatusRequestEntityTooLarge,
	domain.EUnsupported:        http.StatusUnsupportedMediaType,
	domain.ERateLimited:        http.StatusTooManyRequests,
	domain.EMethodNotAllowed:   http.StatusMethodNotAllowed,
	domain.EHeaderTooLarge:     http.StatusRequestHeaderFieldsTooLarge,
	domain.EUnavailable:        http.StatusServiceUnavailable,
	domain.ECommitted:          http.StatusServiceUnavailable,
	domain.ENotReady:           http.StatusServiceUnavailable,
	domain.EInternal:           http.StatusInternalServerError,
}

// RetryAfter is the Retry-After of every 503, in seconds: long enough for a
// restarting database or a catching-up view, short enough that a caller
// holding a message does not wait long once it is back.
const RetryAfter = "2"

// titles gives each code a short title for a person, in English (the
// catalogue, package lang, holds the Spanish).
var titles = map[domain.ErrorCode]domain.Text{
	domain.EInvalid:            domain.T("Invalid input"),
	domain.EMalformed:          domain.T("Malformed request"),
	domain.ENotFound:           domain.T("Not found"),
	domain.EConflict:           domain.T("Conflict"),
	domain.EPreconditionFailed: domain.T("Precondition failed"),
	domain.EPreconditionNeeded: domain.T("Precondition required"),
	domain.EUnauthorized:       domain.T("Unauthorized"),
	domain.EForbidden:          domain.T("Forbidden"),
	domain.EOutOfRange:         domain.T("Out of range"),
	domain.ETooLarge:           domain.T("Request body too large"),
	domain.EUnsupported:        domain.T("Unsupported media type"),
	domain.ERateLimited:        domain.T("Too many requests"),
	domain.EMethodNotAllowed:   domain.T("Method not allowed"),
	domain.EHeaderTooLarge:     domain.T("Request headers too large"),
	domain.EUnavailable:        domain.T("Service unavailable"),
	domain.ECommitted:          domain.T("Committed, not yet served"),
	domain.ENotReady:           domain.T("Not ready"),
	domain.EInternal:           domain.T("Internal error"),
}

// Problem is an RFC 9457 problem document with Franja's extensions: a machine
// code, the request id, and for invalid input the fields at fault.
type Problem struct {
	Type      string              `json:"type"`
	Title     string              `json:"title"`
	Status    int                 `json:"status"`
	Detail    string              `json:"detail,omitempty"`
	Instance  string              `json:"instance,omitempty"`
	Code      domain.ErrorCode    `json:"code"`
	RequestID string              `json:"request_id,omitempty"`
	Errors    []domain.FieldError `json:"errors,omitempty"`
	// ErrorsOmitted counts the problems found beyond those listed in
	// Errors (an import lists at most postgres.MaxImportErrors).
	ErrorsOmitted int `json:"errors_omitted,omitempty"`
}

// problemOf renders err as a problem in the request's language, every
// text (title, detail, field messages) from the one catalogue. A
// *domain.Error is shown as it is; anything else is logged with its cause
// and shown as "internal error", leaking nothing.
func problemOf(r *http.Request, err error) Problem {
	var e *domain.Error
	// A database failure the store did not translate is still the
	// database's: 503, never 500.
	if err = postgres.Translate(err); !errors.As(err, &e) {
		logger(r).Error("internal error", slog.String("error", err.Error()))
		e = &domain.Error{Code: domain.EInternal}
	}
	if e.Code == domain.EInternal {
		e = domain.Errorf(domain.EInternal, "An internal error occurred; the request id lets operators trace it.")
	}
	status, ok := statusOf[e.Code]
	if !ok {
		status = http.StatusInternalServerError
	}
	l := language(r)
	shown := l.Error(e)
	return Problem{
		Type:          "https://franja.dev/problems/" + string(e.Code),
		Title:         l.Text(titles[e.Code]),
		Status:        status,
		Detail:        shown.Message,
		Instance:      r.URL.Path,
		Code:          e.Code,
		RequestID:     requestID(r.Context()),
		Errors:        shown.Fields,
		ErrorsOmitted: shown.Omitted,
	}
}

// writeError is the one place an error becomes a response.
func writeError(w http.ResponseWriter, r *http.Request, err error) {
	p := problemOf(r, err)
	if p.Code == domain.EUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="franja"`)
	}
	if p.Status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", RetryAfter)
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

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
	domain.EUnavailable:        http.StatusServiceUnavailable,
	domain.ECommitted:          http.StatusServiceUnavailable,
	domain.EInternal:           http.StatusInternalServerError,
}

// RetryAfter is the Retry-After of every 503, in seconds: long enough for a
// restarting database or a catching-up view, short enough that a caller
// holding a message does not wait long once it is back.
const RetryAfter = "2"

// titles gives each code a short human title in both languages.
var titles = map[domain.ErrorCode][2]string{ // [es, en]
	domain.EInvalid:            {"Datos no válidos", "Invalid input"},
	domain.EMalformed:          {"Solicitud mal formada", "Malformed request"},
	domain.ENotFound:           {"No encontrado", "Not found"},
	domain.EConflict:           {"Conflicto", "Conflict"},
	domain.EPreconditionFailed: {"La versión no coincide", "Precondition failed"},
	domain.EPreconditionNeeded: {"Falta If-Match", "Precondition required"},
	domain.EUnauthorized:       {"No autenticado", "Unauthorized"},
	domain.EForbidden:          {"Sin permiso", "Forbidden"},
	domain.EOutOfRange:         {"Fuera de rango", "Out of range"},
	domain.ETooLarge:           {"Cuerpo demasiado grande", "Request body too large"},
	domain.EUnsupported:        {"Tipo de contenido no admitido", "Unsupported media type"},
	domain.ERateLimited:        {"Demasiadas solicitudes", "Too many requests"},
	domain.EMethodNotAllowed:   {"Método no permitido", "Method not allowed"},
	domain.EUnavailable:        {"Servicio no disponible", "Service unavailable"},
	domain.ECommitted:          {"Guardado, aún no aplicado", "Committed, not yet served"},
	domain.EInternal:           {"Error interno", "Internal error"},
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
}

// writeError is the one place an error becomes a response. A *domain.Error is
// shown as it is; anything else is logged with its cause and shown as
// "internal error", leaking nothing.
func writeError(w http.ResponseWriter, r *http.Request, err error) {
	var e *domain.Error
	// A database failure the store did not translate is still the
	// database's: 503, never 500.
	if err = postgres.Translate(err); !errors.As(err, &e) {
		logger(r).Error("internal error", slog.String("error", err.Error()))
		e = &domain.Error{Code: domain.EInternal}
	}
	status, ok := statusOf[e.Code]
	if !ok {
		status = http.StatusInternalServerError
	}
	lang := language(r)
	t := titles[e.Code]
	p := Problem{
		Type:      "https://franja.dev/problems/" + string(e.Code),
		Title:     t[lang],
		Status:    status,
		Detail:    e.Message,
		Instance:  r.URL.Path,
		Code:      e.Code,
		RequestID: requestID(r.Context()),
		Errors:    e.Fields,
	}
	if e.Code == domain.EInternal {
		p.Detail = [2]string{"Ocurrió un error interno; el identificador de la solicitud permite rastrearlo.", "An internal error occurred; the request id lets operators trace it."}[lang]
	}
	if e.Code == domain.EUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="franja"`)
	}
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", RetryAfter)
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(p)
}

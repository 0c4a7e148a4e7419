package api

import (
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"

	"franja/delivery"
	"franja/domain"
	"franja/postgres"
)

// webhookRoutes serves the endpoints contacts are delivered to (admin).
func (s *Server) webhookRoutes(r chi.Router) {
	admin := r.With(allow())
	admin.Post("/webhooks", handle(s.createWebhook))
	admin.Get("/webhooks", handle(s.listWebhooks))
	admin.Delete("/webhooks/{id}", handle(s.deleteWebhook))
}

type webhookJSON struct {
	ID        int64   `json:"id"`
	Name      string  `json:"name"`
	URL       string  `json:"url"`
	CreatedAt string  `json:"created_at"`
	Secret    *string `json:"secret,omitempty"`
}

func renderWebhook(w postgres.Webhook) webhookJSON {
	return webhookJSON{ID: w.ID, Name: w.Name, URL: w.URL, CreatedAt: utc(w.CreatedAt)}
}

// createWebhook answers POST /v1/webhooks: 201 with the secret, shown once.
func (s *Server) createWebhook(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		Name string `json:"name"`
		URL  string `json:"url"`
	}
	if err := decodeJSON(r, &b); err != nil {
		return err
	}
	var v domain.Validator
	b.Name = strings.TrimSpace(b.Name)
	switch n := utf8.RuneCountInString(b.Name); {
	case n == 0:
		v.Add("name", "is required: what the endpoint is, e.g. Correo de la Cancillería")
	case n > 200:
		v.Add("name", "is longer than %d characters", 200)
	}
	switch {
	case b.URL == "":
		v.Add("url", "is required: the https URL deliveries are POSTed to")
	case len(b.URL) > 2000:
		v.Add("url", "is longer than %d characters", 2000)
	default:
		if problem, ok := delivery.CheckURL(b.URL, s.allowPrivateWebhooks); !ok {
			v.Add("url", "%s", problem)
		}
	}
	if err := v.Err("the webhook is not valid"); err != nil {
		return err
	}
	hook := postgres.Webhook{Name: b.Name, URL: b.URL, Secret: delivery.NewSecret()}
	if err := s.store.CreateWebhook(r.Context(), &hook); err != nil {
		return err
	}
	out := renderWebhook(hook)
	out.Secret = &hook.Secret
	w.Header().Set("Location", "/v1/webhooks/"+strconv.FormatInt(hook.ID, 10))
	writeJSON(w, http.StatusCreated, out)
	return nil
}

// listWebhooks answers GET /v1/webhooks (never with secrets).
func (s *Server) listWebhooks(w http.ResponseWriter, r *http.Request) error {
	hooks, err := s.store.ListWebhooks(r.Context())
	if err != nil {
		return err
	}
	out := listOf[webhookJSON]{Items: make([]webhookJSON, 0, len(hooks))}
	for _, h := range hooks {
		out.Items = append(out.Items, renderWebhook(h))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// deleteWebhook answers DELETE /v1/webhooks/{id}: never called again; its
// held contacts are cancelled when they come due.
func (s *Server) deleteWebhook(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id < 1 {
		return domain.Errorf(domain.ENotFound, "no webhook has id %q", chi.URLParam(r, "id"))
	}
	if err := s.store.DeleteWebhook(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

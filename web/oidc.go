package web

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/jackc/pgx/v5"
	"golang.org/x/oauth2"

	"franja/domain"
	"franja/postgres"
)

// OIDCConfig is signing in through OpenID Connect (FRANJA_OIDC_*): the
// authorization code flow with PKCE, state and nonce. The account maps to
// a person by email; hr and admin come from the groups claim.
type OIDCConfig struct {
	Issuer       string // FRANJA_OIDC_ISSUER, e.g. https://login.microsoftonline.com/<tenant>/v2.0
	ClientID     string // FRANJA_OIDC_CLIENT_ID
	ClientSecret string // FRANJA_OIDC_CLIENT_SECRET
	// RedirectURL is FRANJA_OIDC_REDIRECT_URL; empty: FRANJA_PUBLIC_URL +
	// /login/oidc/callback.
	RedirectURL string
	// GroupsClaim names the claim listing the account's groups
	// (FRANJA_OIDC_GROUPS_CLAIM, default "groups"; Entra ID puts group
	// object ids there).
	GroupsClaim string
	// AdminGroups and HRGroups grant those roles (FRANJA_OIDC_ADMIN_GROUPS,
	// FRANJA_OIDC_HR_GROUPS: comma-separated).
	AdminGroups, HRGroups []string
}

// oidcClient discovers the provider on first use (it may be unreachable
// when Franja starts) and keeps it.
type oidcClient struct {
	cfg       OIDCConfig
	publicURL string
	mu        sync.Mutex
	provider  *oidc.Provider
}

func newOIDCClient(cfg OIDCConfig, publicURL string) *oidcClient {
	if cfg.GroupsClaim == "" {
		cfg.GroupsClaim = "groups"
	}
	return &oidcClient{cfg: cfg, publicURL: strings.TrimRight(publicURL, "/")}
}

func (c *oidcClient) setup(ctx context.Context, r *http.Request) (*oidc.Provider, *oauth2.Config, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.provider == nil {
		dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		p, err := oidc.NewProvider(dctx, c.cfg.Issuer)
		if err != nil {
			return nil, nil, domain.Errorf(domain.EUnavailable, "the identity provider cannot be reached; try again in a moment, or sign in with a key")
		}
		c.provider = p
	}
	redirect := c.cfg.RedirectURL
	if redirect == "" {
		base := c.publicURL
		if base == "" {
			scheme := "http"
			if r.TLS != nil {
				scheme = "https"
			}
			base = scheme + "://" + r.Host
		}
		redirect = base + "/login/oidc/callback"
	}
	return c.provider, &oauth2.Config{ClientID: c.cfg.ClientID, ClientSecret: c.cfg.ClientSecret, Endpoint: c.provider.Endpoint(),
		RedirectURL: redirect, Scopes: []string{oidc.ScopeOpenID, "profile", "email"}}, nil
}

// pending is a sign-in under way, kept in a short-lived cookie.
type pending struct {
	State    string `json:"s"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"`
	Next     string `json:"x"`
}

// oidcStart sends the browser to the provider.
func (a *App) oidcStart(w http.ResponseWriter, r *http.Request) error {
	if a.oidc == nil {
		return domain.Errorf(domain.ENotFound, "signing in through an identity provider is not configured here")
	}
	_, oc, err := a.oidc.setup(r.Context(), r)
	if err != nil {
		return err
	}
	p := pending{State: randomToken(24), Nonce: randomToken(24), Verifier: oauth2.GenerateVerifier(), Next: local(r.URL.Query().Get("next"))}
	b, _ := json.Marshal(p)
	a.setCookie(w, oidcCookie, base64.RawURLEncoding.EncodeToString(b), 600)
	http.Redirect(w, r, oc.AuthCodeURL(p.State, oidc.Nonce(p.Nonce), oauth2.S256ChallengeOption(p.Verifier)), http.StatusFound)
	return nil
}

// oidcCallback checks state, exchanges the code with the PKCE verifier,
// verifies the ID token (signature, issuer, audience, expiry, nonce) and
// opens a session for the account.
func (a *App) oidcCallback(w http.ResponseWriter, r *http.Request) error {
	if a.oidc == nil {
		return domain.Errorf(domain.ENotFound, "signing in through an identity provider is not configured here")
	}
	refused := domain.Errorf(domain.EUnauthorized, "the sign-in could not be completed; start again from the sign-in page")
	c, err := r.Cookie(oidcCookie)
	if err != nil {
		return refused
	}
	a.setCookie(w, oidcCookie, "", -1)
	var p pending
	raw, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil || json.Unmarshal(raw, &p) != nil || !sameToken(r.URL.Query().Get("state"), p.State) {
		return refused
	}
	if e := r.URL.Query().Get("error"); e != "" {
		a.log.Warn("oidc sign-in refused by the provider", "error", e)
		return refused
	}
	provider, oc, err := a.oidc.setup(r.Context(), r)
	if err != nil {
		return err
	}
	tok, err := oc.Exchange(r.Context(), r.URL.Query().Get("code"), oauth2.VerifierOption(p.Verifier))
	if err != nil {
		a.log.Warn("oidc code exchange failed", "error", err.Error())
		return refused
	}
	rawID, _ := tok.Extra("id_token").(string)
	idt, err := provider.Verifier(&oidc.Config{ClientID: a.oidc.cfg.ClientID}).Verify(r.Context(), rawID)
	if err != nil || !sameToken(idt.Nonce, p.Nonce) {
		a.log.Warn("oidc id token refused", "error", errString(err))
		return refused
	}
	s, err := a.accountSession(r.Context(), idt)
	if err != nil {
		return err
	}
	return a.startSession(w, r, s, p.Next)
}

func errString(err error) string {
	if err == nil {
		return "nonce mismatch"
	}
	return err.Error()
}

// accountSession maps a verified account to a session: admin or hr by its
// groups, else supervisor as the person with its email.
func (a *App) accountSession(ctx context.Context, idt *oidc.IDToken) (*Session, error) {
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return nil, domain.Errorf(domain.EUnauthorized, "the sign-in could not be completed; start again from the sign-in page")
	}
	email := claimString(claims, "email")
	if email == "" {
		email = claimString(claims, "preferred_username") // Entra ID without the email claim: the UPN
	}
	if email == "" || !strings.Contains(email, "@") {
		return nil, domain.Errorf(domain.EForbidden, "your account has no email address, which Franja needs to know who you are")
	}
	if verified, ok := claims["email_verified"].(bool); ok && !verified {
		return nil, domain.Errorf(domain.EForbidden, "your account's email address is not verified")
	}
	person, err := a.personByEmail(ctx, email)
	if err != nil {
		return nil, err
	}
	groups := claimStrings(claims, a.oidc.cfg.GroupsClaim)
	s := &Session{Person: person, Via: "oidc", Subject: email}
	switch {
	case overlaps(groups, a.oidc.cfg.AdminGroups):
		s.Role = domain.RoleAdmin
	case overlaps(groups, a.oidc.cfg.HRGroups):
		s.Role = domain.RoleHR
	case person != "":
		s.Role = domain.RoleSupervisor
	default:
		return nil, domain.Errorf(domain.EForbidden, "no member of staff has the email %s; ask HR to check your record", email)
	}
	return s, nil
}

// personByEmail is the external_id of the person with email (case aside), or "".
func (a *App) personByEmail(ctx context.Context, email string) (string, error) {
	const q = `SELECT external_id FROM people WHERE lower(email) = lower($1) ORDER BY external_id LIMIT 1`
	var id string
	err := a.store.Pool().QueryRow(ctx, q, email).Scan(&id)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return "", postgres.Translate(err)
	}
	return id, nil
}

func claimString(c map[string]any, name string) string {
	s, _ := c[name].(string)
	return strings.TrimSpace(s)
}

func claimStrings(c map[string]any, name string) []string {
	var out []string
	switch v := c[name].(type) {
	case []any:
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
	case string:
		out = strings.Fields(strings.ReplaceAll(v, ",", " "))
	}
	return out
}

func overlaps(have, want []string) bool {
	for _, h := range have {
		if slices.Contains(want, h) {
			return true
		}
	}
	return false
}

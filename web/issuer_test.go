package web_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// issuer is a minimal OpenID provider, run in the test process: discovery,
// JWKS, an authorization endpoint that signs in whichever account the test
// chose, and a token endpoint that checks the client's secret, the code,
// its redirect URI and the PKCE verifier, and returns an ID token signed
// with a real RSA key. Nothing in the app under test is stubbed.
type issuer struct {
	srv          *httptest.Server
	key          *rsa.PrivateKey
	clientID     string
	clientSecret string

	mu      sync.Mutex
	account map[string]any // the claims of who signs in next
	codes   map[string]grant
	// seenPKCE records that an authorization request carried an S256 challenge.
	seenPKCE bool
	// forge, when set, signs ID tokens with this key instead (under the
	// published key's id): a forged token.
	forge *rsa.PrivateKey
}

type grant struct {
	claims              map[string]any
	nonce, challenge    string
	redirectURI, client string
}

func newIssuer(t *testing.T) *issuer {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	is := &issuer{key: key, clientID: "franja-web", clientSecret: "s3cret-of-the-client", codes: map[string]grant{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", is.discovery)
	mux.HandleFunc("GET /keys", is.keys)
	mux.HandleFunc("GET /authorize", is.authorize)
	mux.HandleFunc("POST /token", is.token)
	is.srv = httptest.NewServer(mux)
	t.Cleanup(is.srv.Close)
	return is
}

func (is *issuer) url() string { return is.srv.URL }

// signInAs sets the account the next authorization signs in.
func (is *issuer) signInAs(claims map[string]any) {
	is.mu.Lock()
	defer is.mu.Unlock()
	is.account = claims
}

// sawPKCE reports whether an authorization request carried an S256 challenge.
func (is *issuer) sawPKCE() bool {
	is.mu.Lock()
	defer is.mu.Unlock()
	return is.seenPKCE
}

func (is *issuer) discovery(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, map[string]any{
		"issuer": is.url(), "authorization_endpoint": is.url() + "/authorize", "token_endpoint": is.url() + "/token",
		"jwks_uri": is.url() + "/keys", "response_types_supported": []string{"code"}, "subject_types_supported": []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"}, "code_challenge_methods_supported": []string{"S256"},
	})
}

func (is *issuer) keys(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &is.key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
}

func (is *issuer) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("client_id") != is.clientID || q.Get("response_type") != "code" || q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" {
		http.Error(w, "bad authorization request", http.StatusBadRequest)
		return
	}
	is.mu.Lock()
	code := rand.Text()
	is.codes[code] = grant{claims: is.account, nonce: q.Get("nonce"), challenge: q.Get("code_challenge"), redirectURI: q.Get("redirect_uri"), client: q.Get("client_id")}
	is.seenPKCE = true
	is.mu.Unlock()
	back, _ := url.Parse(q.Get("redirect_uri"))
	v := back.Query()
	v.Set("code", code)
	v.Set("state", q.Get("state"))
	back.RawQuery = v.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

func (is *issuer) token(w http.ResponseWriter, r *http.Request) {
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.FormValue("client_id"), r.FormValue("client_secret")
	}
	is.mu.Lock()
	g, found := is.codes[r.FormValue("code")]
	delete(is.codes, r.FormValue("code")) // a code is used once
	is.mu.Unlock()
	sum := sha256.Sum256([]byte(r.FormValue("code_verifier")))
	switch {
	case id != is.clientID || secret != is.clientSecret:
		http.Error(w, `{"error":"invalid_client"}`, http.StatusUnauthorized)
		return
	case !found || g.redirectURI != r.FormValue("redirect_uri") || base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge:
		http.Error(w, `{"error":"invalid_grant"}`, http.StatusBadRequest)
		return
	}
	key := is.key
	is.mu.Lock()
	if is.forge != nil {
		key = is.forge
	}
	is.mu.Unlock()
	signer, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "k1"))
	now := time.Now()
	claims := map[string]any{"iss": is.url(), "aud": is.clientID, "sub": g.claims["email"], "iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(), "nonce": g.nonce}
	for k, v := range g.claims {
		claims[k] = v
	}
	idToken, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeJSON(w, map[string]any{"access_token": rand.Text(), "token_type": "Bearer", "expires_in": 300, "id_token": idToken})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

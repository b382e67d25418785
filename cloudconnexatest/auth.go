package cloudconnexatest

import (
	"crypto/subtle"
	"encoding/json"
	"io"
	"math"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cloudconnexa-go/cloudconnexa/gen"
	"github.com/cloudconnexa-go/cloudconnexa/internal/tokenbucket"
)

type token struct {
	clientID string
	expires  time.Time
}

// serveToken is POST /api/v1/oauth/token, the client-credentials grant.
// Credentials are taken, in this order, from HTTP Basic authentication,
// the client_id/client_secret query parameters, or the form or JSON body.
// The body may be JSON with or without a Content-Type (as the vendor's own
// Go client sends it), a form, or absent; only WithStrictRequests holds it
// to the document.
func (h *Handler) serveToken(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var body gen.OAuthTokenRequest
	data, err := io.ReadAll(r.Body)
	if err != nil {
		e := readError(err)
		writeOAuthError(w, e.status, "invalid_request", e.msg)
		return
	}
	if len(data) > 0 {
		mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if mt == "" && json.Valid(data) {
			// No Content-Type (as some clients send it): the service reads
			// a JSON object as JSON.
			mt = "application/json"
		}
		switch mt {
		case "application/json":
			if err := json.Unmarshal(data, &body); err != nil {
				writeOAuthError(w, http.StatusBadRequest, "invalid_request", "malformed JSON body")
				return
			}
		default:
			form, err := url.ParseQuery(string(data))
			if err != nil {
				writeOAuthError(w, http.StatusBadRequest, "invalid_request", "malformed form body")
				return
			}
			if v := form.Get("client_id"); v != "" {
				body.ClientID, body.ClientSecret = &v, ptr(form.Get("client_secret"))
			}
			if v := form.Get("grant_type"); v != "" {
				body.GrantType = ptr(gen.GrantType(v))
			}
		}
	}
	grant := q.Get("grant_type")
	if body.GrantType != nil {
		grant = string(*body.GrantType)
	}
	if grant != "" && grant != string(gen.GrantTypeClientCredentials) {
		writeOAuthError(w, http.StatusBadRequest, "unsupported_grant_type", "Unsupported grant type: "+grant)
		return
	}

	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = q.Get("client_id"), q.Get("client_secret")
	}
	if id == "" && body.ClientID != nil {
		id, secret = *body.ClientID, deref(body.ClientSecret, "")
	}
	if id == "" {
		writeOAuthError(w, http.StatusUnauthorized, "invalid_client", "Full authentication is required: send the client id and secret")
		return
	}
	h.ctl.Lock()
	want, known := h.creds[id]
	h.ctl.Unlock()
	if !known || subtle.ConstantTimeCompare([]byte(want), []byte(secret)) != 1 {
		writeOAuthError(w, http.StatusUnauthorized, "invalid_client", "Bad client credentials")
		return
	}

	tok := randomHex(32)
	ttl := h.cfg.tokenTTL
	h.ctl.Lock()
	h.tokens[tok] = token{clientID: id, expires: h.cfg.now().Add(ttl)}
	h.ctl.Unlock()

	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, gen.OAuthResponse{
		AccessToken: tok,
		TokenType:   ptr("bearer"),
		ExpiresIn:   ptr(expiresIn(ttl)),
		Scope:       ptr("read write"),
	})
}

// expiresIn reports a lifetime the way the real service does: a second
// short (12 h → 43199), except for lifetimes too short to lose a second.
func expiresIn(ttl time.Duration) int32 {
	s := int64(math.Ceil(ttl.Seconds()))
	if ttl >= time.Minute {
		s--
	}
	return int32(min(max(s, 1), math.MaxInt32))
}

// authenticate checks the bearer token of an API request and returns the
// API key (client id) it was issued to.
func (h *Handler) authenticate(r *http.Request) (string, *apiError) {
	scheme, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	tok = strings.TrimSpace(tok)
	if !strings.EqualFold(scheme, "Bearer") || tok == "" {
		return "", errUnauthorized("Full authentication is required to access this resource")
	}
	h.ctl.Lock()
	defer h.ctl.Unlock()
	t, ok := h.tokens[tok]
	if !ok {
		return "", errUnauthorized("Invalid access token")
	}
	if !h.cfg.now().Before(t.expires) {
		delete(h.tokens, tok)
		return "", errUnauthorized("Access token expired")
	}
	return t.clientID, nil
}

// ExpireTokens invalidates every access token issued so far, as if they had
// all expired: the next API call with one of them is answered 401.
func (h *Handler) ExpireTokens() {
	h.ctl.Lock()
	defer h.ctl.Unlock()
	clear(h.tokens)
}

// expireToken invalidates the bearer token of r, if any.
func (h *Handler) expireToken(r *http.Request) {
	_, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	h.ctl.Lock()
	defer h.ctl.Unlock()
	delete(h.tokens, strings.TrimSpace(tok))
}

// addCredentials makes another API key valid (see createCloudId).
func (h *Handler) addCredentials(id, secret string) {
	h.ctl.Lock()
	defer h.ctl.Unlock()
	h.creds[id] = secret
}

// Credentials returns the client id and secret the handler accepts.
func (h *Handler) Credentials() (clientID, clientSecret string) {
	return h.cfg.clientID, h.cfg.clientSecret
}

// limit takes one request from the bucket of key and sets the X-RateLimit-*
// headers; it reports false, with Retry-After set, when the bucket is
// empty.
func (h *Handler) limit(key string, hdr http.Header) bool {
	c := h.cfg
	if !c.rateLimit {
		return true
	}
	now := c.now()
	perSecond := float64(c.replenishRate) / c.replenishTime.Seconds()
	h.ctl.Lock()
	b := h.buckets[key]
	if b == nil {
		b = tokenbucket.New(float64(c.burst), perSecond)
		h.buckets[key] = b
	}
	allowed, remaining, wait := b.Take(now)
	h.ctl.Unlock()

	rate, period := c.replenishRate, c.replenishTime
	if period < time.Second || period%time.Second != 0 {
		// The header counts whole seconds: state the rate per second.
		rate, period = max(int(math.Round(perSecond)), 1), time.Second
	}
	hdr.Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
	hdr.Set("X-RateLimit-Replenish-Rate", strconv.Itoa(rate))
	hdr.Set("X-RateLimit-Replenish-Time", strconv.Itoa(int(period/time.Second)))
	hdr.Set("X-RateLimit-Burst-Capacity", strconv.Itoa(c.burst))
	if !allowed {
		hdr.Set("Retry-After", strconv.Itoa(max(int(math.Ceil(wait.Seconds())), 1)))
	}
	return allowed
}

package auth

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
)

// redactMask replaces every credential found by [Authenticator.Redact].
const redactMask = "[redacted]"

// Redact returns s with every credential the Authenticator knows replaced by
// "[redacted]": the client secret, the Basic credentials built from the
// client id and secret, and the last eight access tokens fetched, each
// also in the encodings a server may echo it in (query and path escaping,
// JSON string escaping, with and without escaped slashes). It is the one
// redaction used for every text built from a server's answer, by this
// package for token errors and by package client for API errors, response
// snippets and log attributes. It is safe for concurrent use.
func (a *Authenticator) Redact(s string) string {
	if s == "" {
		return s
	}
	st := a.state()
	st.mu.Lock()
	r := st.redact
	st.mu.Unlock()
	if r == nil {
		r = a.cred().redact
	}
	return r.Replace(s)
}

// newRedactor builds the replacer for the secret as we send it (raw, query-
// and path-escaped, inside the Basic credentials, which x/oauth2 form-escapes
// before encoding) and for tokens.
func newRedactor(clientID, secret string, tokens ...string) *strings.Replacer {
	olds := encodings(secret)
	olds = append(olds,
		base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(clientID)+":"+url.QueryEscape(secret))),
		base64.StdEncoding.EncodeToString([]byte(clientID+":"+secret)),
	)
	for _, t := range tokens {
		olds = append(olds, encodings(t)...)
	}
	// Longer first: strings.Replacer tries the patterns in argument order at
	// each position, so an encoding that contains another must come first.
	var pairs []string
	seen := map[string]bool{}
	for _, o := range olds {
		if o != "" && !seen[o] {
			seen[o] = true
			pairs = append(pairs, o)
		}
	}
	sortByLenDesc(pairs)
	args := make([]string, 0, 2*len(pairs))
	for _, o := range pairs {
		args = append(args, o, redactMask)
	}
	return strings.NewReplacer(args...)
}

// encodings lists the spellings of v a server may echo: raw, query- and
// path-escaped, as a JSON string (also with "\/" for "/"), and each of these
// once more as a JSON string, for an echo of an echo.
func encodings(v string) []string {
	if v == "" {
		return nil
	}
	base := []string{v, url.QueryEscape(v), url.PathEscape(v)}
	var out []string
	for _, b := range base {
		js := jsonString(b)
		out = append(out, b, js, strings.ReplaceAll(js, "/", `\/`))
		js2 := jsonString(strings.ReplaceAll(js, "/", `\/`))
		out = append(out, js2, strings.ReplaceAll(js2, "/", `\/`))
	}
	return out
}

// jsonString is s as the contents of a JSON string literal.
func jsonString(s string) string {
	quoted, _ := json.Marshal(s)
	return strings.Trim(string(quoted), `"`)
}

func sortByLenDesc(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && len(s[j]) > len(s[j-1]); j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

package cloudconnexatest

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// maxLoggedBody bounds each body WithBodyLogging logs.
const maxLoggedBody = 4 << 10

// captureBody keeps the first maxLoggedBody bytes read from a request body.
type captureBody struct {
	io.ReadCloser
	buf bytes.Buffer
}

func (c *captureBody) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	if room := maxLoggedBody - c.buf.Len(); room > 0 {
		c.buf.Write(p[:min(n, room)])
	}
	return n, err
}

// secretKey matches the JSON properties and form fields whose values are
// credentials: client_secret, access_token, password, preSharedKey…
var secretKey = regexp.MustCompile(`(?i)(secret|token|password|passphrase|authorization|credentials?|key)$`)

var privateKeyBlock = regexp.MustCompile(`(?s)-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----.*?-----END [A-Z0-9 ]*PRIVATE KEY-----`)

const redacted = "[REDACTED]"

// redactBody returns body for a log: values of credential-like JSON
// properties or form fields and private keys replaced by [REDACTED], the
// whole of it when the operation's answer is itself a credential, cut to
// maxLoggedBody.
func redactBody(opID string, body []byte) string {
	if len(body) == 0 {
		return ""
	}
	if strings.HasPrefix(opID, "encrypt") {
		return redacted // an encrypted profile token is a credential
	}
	out := string(body)
	var v any
	if json.Unmarshal(body, &v) == nil {
		if b, err := json.Marshal(redactJSON(v)); err == nil {
			out = string(b)
		}
	} else if form, err := url.ParseQuery(out); err == nil && strings.Contains(out, "=") && !strings.ContainsAny(out, " \n") {
		parts := make([]string, 0, len(form))
		for _, k := range slices.Sorted(maps.Keys(form)) {
			for _, v := range form[k] {
				if secretKey.MatchString(k) {
					v = redacted
				} else {
					v = url.QueryEscape(v)
				}
				parts = append(parts, url.QueryEscape(k)+"="+v)
			}
		}
		out = strings.Join(parts, "&")
	} else {
		out = privateKeyBlock.ReplaceAllString(out, "-----"+redacted+" PRIVATE KEY-----")
	}
	if len(out) > maxLoggedBody {
		out = out[:maxLoggedBody] + "…"
	}
	return out
}

func redactJSON(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if _, nested := val.(map[string]any); !nested && secretKey.MatchString(k) && val != nil {
				x[k] = redacted
			} else {
				x[k] = redactJSON(val)
			}
		}
	case []any:
		for i := range x {
			x[i] = redactJSON(x[i])
		}
	}
	return v
}

// redactQuery returns a raw query string with the values of credential-like
// parameters (client_secret…) replaced by [REDACTED], the rest as sent.
func redactQuery(raw string) string {
	if raw == "" {
		return raw
	}
	parts := strings.Split(raw, "&")
	for i, p := range parts {
		k, _, hasValue := strings.Cut(p, "=")
		if key, err := url.QueryUnescape(k); hasValue && (err != nil || secretKey.MatchString(key)) {
			parts[i] = k + "=" + url.QueryEscape(redacted)
		}
	}
	return strings.Join(parts, "&")
}

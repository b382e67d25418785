// Where requests may go: the base URL rules, origins, and the token client.

package httpsafe

import (
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// BaseURLError is a base URL that [ParseBaseURL] refuses. Reason never
// quotes the input, which could hold credentials.
type BaseURLError struct {
	// Insecure: a plain-http URL to a host that is not loopback, or
	// without the caller's permission for loopback.
	Insecure bool
	// Reason completes "base URL ...": "must not contain userinfo ...".
	Reason string
}

func (e *BaseURLError) Error() string { return "base URL " + e.Reason }

// ParseBaseURL applies the base URL rules: an absolute URL with a host, no
// userinfo, query or fragment, a port from 1 to 65535 if any, and https
// (plain http only for a loopback host, and only when allowLoopback). The
// scheme is lower-cased; the rest is returned as written. Every error is a
// *BaseURLError.
func ParseBaseURL(raw string, allowLoopback bool) (*url.URL, error) {
	bad := func(reason string) (*url.URL, error) { return nil, &BaseURLError{Reason: reason} }
	if raw == "" {
		return bad("is empty")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return bad("is not a valid URL")
	}
	switch {
	case u.User != nil:
		return bad("must not contain userinfo (pass credentials to New instead)")
	case u.Scheme == "" || u.Opaque != "" || u.Host == "":
		return bad("must be absolute, like https://acme.api.openvpn.com")
	case u.Hostname() == "":
		return bad("has no host")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return bad("must not have a query or fragment")
	case !validPort(u.Port()):
		return bad("port must be a number from 1 to 65535")
	}
	u.Scheme = strings.ToLower(u.Scheme)
	switch u.Scheme {
	case "https":
	case "http":
		if !allowLoopback || !IsLoopback(u.Hostname()) {
			return nil, &BaseURLError{Insecure: true, Reason: "must use https (plain http only for loopback hosts, with WithAllowInsecureLoopback)"}
		}
	default:
		return bad("must use https")
	}
	return u, nil
}

// validPort accepts an empty port (the scheme's default) or 1 to 65535.
func validPort(p string) bool {
	if p == "" {
		return true
	}
	n, err := strconv.Atoi(p)
	return err == nil && n >= 1 && n <= 65535
}

// IsLoopback reports whether host is "localhost" or a loopback address.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}

// Origin returns scheme://host:port, lower-cased, with the default port
// made explicit and an IPv6 host in brackets, so that equivalent spellings
// of the same origin compare equal and different ones do not.
func Origin(u *url.URL) string {
	scheme, port := strings.ToLower(u.Scheme), u.Port()
	if port == "" {
		port = "443"
		if scheme == "http" {
			port = "80"
		}
	}
	host := strings.ToLower(u.Hostname())
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return scheme + "://" + host + ":" + port
}

// TokenClient returns the http.Client of token requests: over transport
// (http.DefaultTransport if nil), bounded by timeout, following no
// redirect. A token endpoint has no reason to redirect, and following one
// could carry the credentials elsewhere; the redirect answer itself is
// returned, as an answer the token parser refuses.
func TokenClient(transport http.RoundTripper, timeout time.Duration) *http.Client {
	return &http.Client{
		Transport:     transport,
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

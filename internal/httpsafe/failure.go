// Failures that say something about whether a request can have reached the
// server, or can ever succeed.

package httpsafe

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"strings"
)

// Misconfiguration names a permanent TLS or protocol mismatch between the
// client and the server, "" for any other error: retrying cannot help, and
// the cause, not the request that met it, is what the user has to fix.
func Misconfiguration(err error) string {
	var (
		header      tls.RecordHeaderError
		unknownAuth x509.UnknownAuthorityError
		hostname    x509.HostnameError
		invalid     x509.CertificateInvalidError
		verify      *tls.CertificateVerificationError
		op          *net.OpError
	)
	switch {
	case errors.Is(err, http.ErrSchemeMismatch),
		errors.As(err, &header) && strings.HasPrefix(string(header.RecordHeader[:]), "HTTP/"):
		return "the server speaks plain HTTP (an https URL to a plain-HTTP port)"
	case errors.As(err, &unknownAuth):
		return "the server's certificate is signed by an unknown authority"
	case errors.As(err, &hostname):
		return "the server's certificate is for another host"
	case errors.As(err, &invalid):
		return "the server's certificate is not valid"
	case errors.As(err, &verify):
		return "the server's certificate could not be verified"
	case errors.As(err, &op) && op.Op == "remote error":
		// The peer's TLS alert (crypto/tls does not export its type).
		switch alert := op.Err.Error(); {
		case strings.HasSuffix(alert, "protocol version not supported"):
			return "no TLS version in common with the server"
		case strings.HasSuffix(alert, "certificate required"), strings.HasSuffix(alert, "bad certificate"):
			return "the server requires a client certificate"
		case strings.HasSuffix(alert, "handshake failure"), strings.HasSuffix(alert, "insufficient security"):
			return "no TLS cipher suite in common with the server"
		}
	}
	var s string
	if err != nil {
		s = err.Error()
	}
	switch {
	case strings.Contains(s, "tls: server selected unsupported protocol version"),
		strings.Contains(s, "tls: client offered only unsupported versions"):
		return "no TLS version in common with the server"
	case strings.Contains(s, "tls: no cipher suite supported by both"):
		return "no TLS cipher suite in common with the server"
	}
	return ""
}

// NothingSent reports whether a request that failed with err cannot have
// reached the server: the connection was never made (refused, no route,
// the name did not resolve), so the request may be repeated whatever its
// method.
func NothingSent(err error) bool {
	var (
		op  *net.OpError
		dns *net.DNSError
	)
	return errors.As(err, &dns) || errors.As(err, &op) && op.Op == "dial"
}

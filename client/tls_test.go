package client

import (
	"context"
	"crypto/tls"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudconnexa-go/cloudconnexa/gen"
)

// countingListener counts the connections a server accepts.
type countingListener struct {
	net.Listener
	n atomic.Int32
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.n.Add(1)
	}
	return c, err
}

// TestTLSMisconfigurationFailsAtOnce: https to a plain-HTTP port, a server
// speaking TLS 1.1 only, one requiring a client certificate, and one whose
// certificate no authority we trust signed. Before: the first three took
// five connections each, and every error read "authentication failed".
func TestTLSMisconfigurationFailsAtOnce(t *testing.T) {
	for _, tc := range []struct {
		name    string
		setup   func(s *httptest.Server)
		trusted bool // the client trusts the server's certificate
		cause   string
	}{
		{"plain HTTP port", func(s *httptest.Server) { s.Start() }, false, "the server speaks plain HTTP"},
		{"TLS 1.1 only", func(s *httptest.Server) {
			s.TLS = &tls.Config{MaxVersion: tls.VersionTLS11}
			s.StartTLS()
		}, true, "no TLS version in common"},
		{"client certificate required", func(s *httptest.Server) {
			s.TLS = &tls.Config{ClientAuth: tls.RequireAnyClientCert}
			s.StartTLS()
		}, true, "the server requires a client certificate"},
		{"unknown authority", func(s *httptest.Server) { s.StartTLS() }, false, "signed by an unknown authority"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := httptest.NewUnstartedServer(http.HandlerFunc(okNetwork))
			s.Config.ErrorLog = log.New(io.Discard, "", 0)
			ln := &countingListener{Listener: s.Listener}
			s.Listener = ln
			tc.setup(s)
			defer s.Close()
			opts := []Option{fastRetries}
			if tc.trusted {
				tr := NewTransport()
				tr.TLSClientConfig.RootCAs = s.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
				opts = append(opts, WithHTTPClient(&http.Client{Transport: tr}))
			}
			c, err := New("https://"+s.Listener.Addr().String(), testClientID, testSecret, opts...)
			require.NoError(t, err)
			err = getNetwork(t.Context(), c)
			require.ErrorIs(t, err, ErrTLSMisconfigured)
			assert.Contains(t, err.Error(), tc.cause)
			assert.NotContains(t, err.Error(), "authentication failed")
			var rerr *RequestError
			require.ErrorAs(t, err, &rerr)
			assert.Equal(t, 1, rerr.Attempts)
			assert.Equal(t, int32(1), ln.n.Load(), "connections")
		})
	}
}

// TestRefusedPostIsRetried: a POST whose connection was refused sent
// nothing, so it is retried like a GET. Before: one attempt.
func TestRefusedPostIsRetried(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close()
	c, err := New("http://"+addr, testClientID, testSecret, WithAllowInsecureLoopback(),
		WithRetryPolicy(RetryPolicy{MaxAttempts: 3, MaxElapsed: time.Second, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}))
	require.NoError(t, err)
	// The token is the first thing refused: give the client one.
	c.pipe.token = func(context.Context) (string, error) { return "tok", nil }
	c.pipe.http.Transport = http.DefaultTransport
	_, err = c.Raw.CreateNetworkWithResponse(t.Context(), gen.NetworkCreateRequest{Name: "n"})
	var rerr *RequestError
	require.ErrorAs(t, err, &rerr)
	assert.Equal(t, 3, rerr.Attempts, "err = %v", err)
}

package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// syncBuffer is a bytes.Buffer safe for the server and the test at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var listening = regexp.MustCompile(`listening on (\S+)`)

// start runs the command with args until the test ends and returns its
// base URL and output.
func start(t *testing.T, args ...string) (string, *syncBuffer, context.CancelFunc, chan error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, args, out) }()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if m := listening.FindStringSubmatch(out.String()); m != nil {
			return m[1], out, cancel, done
		}
		select {
		case err := <-done:
			require.FailNow(t, "run ended", "%v\n%s", err, out)
		case <-time.After(10 * time.Millisecond):
		}
	}
	cancel()
	require.FailNow(t, "no URL printed", "output:\n%s", out)
	return "", nil, nil, nil
}

func TestRunServesTLS(t *testing.T) {
	certPath := filepath.Join(t.TempDir(), "ca.pem")
	base, out, cancel, done := start(t, "-addr", "127.0.0.1:0", "-tls", "-cert-out", certPath,
		"-client-id", "id", "-client-secret", "secret", "-v")
	require.True(t, strings.HasPrefix(base, "https://127.0.0.1:"), "URL %s; output:\n%s", base, out)
	require.Contains(t, out.String(), "client secret: secret", "output")

	// Trust exactly the written certificate, as curl --cacert would.
	pemBytes, err := os.ReadFile(certPath)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	require.True(t, pool.AppendCertsFromPEM(pemBytes), "no certificate in "+certPath)
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	defer hc.CloseIdleConnections()

	req, _ := http.NewRequest("POST", base+"/api/v1/oauth/token", strings.NewReader(url.Values{"grant_type": {"client_credentials"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("id", "secret")
	resp, err := hc.Do(req)
	require.NoError(t, err)
	var tok struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	require.NoError(t, err, "token")
	require.Equal(t, 200, resp.StatusCode, "token")
	require.NotEmpty(t, tok.AccessToken, "token: %+v", tok)
	require.Equal(t, 43199, tok.ExpiresIn, "token: %+v", tok)

	req, _ = http.NewRequest("GET", base+"/api/v1/regions", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err = hc.Do(req)
	require.NoError(t, err)
	var regions []struct{ ID string }
	err = json.NewDecoder(resp.Body).Decode(&regions)
	resp.Body.Close()
	require.NoError(t, err, "regions")
	require.Equal(t, 200, resp.StatusCode, "regions")
	require.GreaterOrEqual(t, len(regions), 20, "regions")
	require.NotEmpty(t, resp.Header.Get("X-RateLimit-Remaining"), "regions: X-RateLimit-Remaining")
	assert.Contains(t, out.String(), "operation=listRegions", "-v logged no request")

	start := time.Now()
	cancel()
	select {
	case err := <-done:
		require.NoError(t, err, "run")
	case <-time.After(15 * time.Second):
		require.FailNow(t, "run did not stop on cancel")
	}
	t.Logf("stopped in %v", time.Since(start))
	_, err = hc.Get(base + "/api/v1/regions")
	assert.Error(t, err, "still serving after stop")
}

func TestRunPlainHTTPAndRateLimit(t *testing.T) {
	base, _, cancel, done := start(t, "-addr", "127.0.0.1:0", "-rate-burst", "1", "-rate-replenish", "1", "-rate-replenish-time", "1h", "-no-seed")
	defer func() { cancel(); <-done }()
	require.True(t, strings.HasPrefix(base, "http://127.0.0.1:"), "URL %s", base)
	resp, err := http.Post(base+"/api/v1/oauth/token?client_id=fake-client-id&client_secret=fake-client-secret&grant_type=client_credentials", "", nil)
	require.NoError(t, err)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	statuses := []int{}
	for range 2 {
		req, _ := http.NewRequest("GET", base+"/api/v1/users", nil)
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		statuses = append(statuses, resp.StatusCode)
	}
	assert.Equal(t, 200, statuses[0], "statuses %v", statuses)
	assert.Equal(t, 429, statuses[1], "statuses %v", statuses)
}

func TestRunArguments(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		args []string
		ok   bool
	}{
		{[]string{"-h"}, true},
		{[]string{"-cert-out", "x.pem"}, false},
		{[]string{"-no-such-flag"}, false},
		{[]string{"extra"}, false},
		{[]string{"-addr", "256.0.0.1:0"}, false},
		{[]string{"-tls", "-cert-out", filepath.Join(t.TempDir(), "missing", "ca.pem")}, false},
	} {
		var out syncBuffer
		err := run(ctx, tc.args, &out)
		assert.Equal(t, tc.ok, err == nil, "run(%q) = %v", tc.args, err)
	}
}

func TestSelfSignedCertificate(t *testing.T) {
	now := time.Now()
	cert, pemBytes, err := selfSignedCertificate(now)
	require.NoError(t, err)
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	require.NoError(t, err)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pemBytes)
	for _, name := range []string{"localhost", "127.0.0.1", "::1"} {
		_, err := leaf.Verify(x509.VerifyOptions{DNSName: name, Roots: pool, CurrentTime: now})
		assert.NoError(t, err, name)
	}
	assert.Equal(t, x509.ECDSA, leaf.PublicKeyAlgorithm, "key algorithm")
}

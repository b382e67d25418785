package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRunRefusesBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		says string
	}{
		{[]string{"-rate-burst", "-1"}, "-rate-burst must be at least 1 (got -1)"},
		{[]string{"-rate-replenish", "0"}, "-rate-replenish must be at least 1 (got 0)"},
		{[]string{"-token-ttl", "-5s"}, "-token-ttl must be positive (got -5s)"},
		{[]string{"-rate-replenish-time", "0s"}, "-rate-replenish-time must be at least 1ms (got 0s)"},
		{[]string{"-read-header-timeout", "0s"}, "-read-header-timeout must be positive"},
		{[]string{"-tenant", "-2"}, "-tenant must be a seed of 0 or more"},
		{[]string{"-addr", ":0"}, "not only on loopback"},
		{[]string{"-addr", "0.0.0.0:0"}, "add -public"},
		{[]string{"-addr", "192.0.2.1:0"}, "add -public"},
	} {
		var out syncBuffer
		err := run(context.Background(), tc.args, &out)
		if assert.Error(t, err, "%q", tc.args) {
			assert.Contains(t, err.Error(), tc.says, "%q", tc.args)
		}
	}
}

func TestCheckAddr(t *testing.T) {
	for addr, ok := range map[string]bool{
		"127.0.0.1:8080": true, "[::1]:0": true, "localhost:0": true, "127.1.2.3:0": true,
		":8080": false, "0.0.0.0:0": false, "[::]:0": false, "10.0.0.1:0": false, "nohost": false,
	} {
		assert.Equal(t, ok, checkAddr(addr, false) == nil, addr)
	}
	assert.NoError(t, checkAddr("0.0.0.0:0", true), "-public")
}

func TestRunBannerTrustsTheCertificate(t *testing.T) {
	_, out, cancel, done := start(t, "-addr", "127.0.0.1:0", "-tls")
	defer func() { cancel(); <-done }()
	m := regexp.MustCompile(`token:\s+curl --cacert (\S+) -u`).FindStringSubmatch(out.String())
	require.NotNil(t, m, "banner:\n%s", out)
	assert.FileExists(t, m[1], "the certificate the banner names")
}

func TestRunDropsHalfSentRequests(t *testing.T) {
	base, _, cancel, done := start(t, "-addr", "127.0.0.1:0", "-read-header-timeout", "200ms")
	defer func() { cancel(); <-done }()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	_, err = io.WriteString(conn, "GET /api/v1/regions HTTP/1.1\r\nHost: x\r\n") // no final CRLF
	require.NoError(t, err)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second)))
	start := time.Now()
	// The server gives up on the headers: it answers 408 or just closes,
	// either way long before the read deadline.
	_, _ = bufio.NewReader(conn).ReadString('\n')
	assert.Less(t, time.Since(start), 9*time.Second, "the connection was not dropped")
}

func TestRunLogsBodiesRedacted(t *testing.T) {
	base, out, cancel, done := start(t, "-addr", "127.0.0.1:0", "-log-bodies", "-client-secret", "s3cr3t-value")
	defer func() { cancel(); <-done }()
	resp, err := http.Post(base+"/api/v1/oauth/token", "application/x-www-form-urlencoded",
		strings.NewReader("grant_type=client_credentials&client_id=fake-client-id&client_secret=s3cr3t-value"))
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode, string(body))
	tok := regexp.MustCompile(`"access_token":"([^"]+)"`).FindStringSubmatch(string(body))
	require.NotNil(t, tok)

	req, _ := http.NewRequest("POST", base+"/api/v1/networks", strings.NewReader(`{"name":"logged-network"}`))
	req.Header.Set("Authorization", "Bearer "+tok[1])
	req.Header.Set("Content-Type", "application/json")
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 201, resp.StatusCode)

	logs := out.String()
	logs = logs[strings.Index(logs, "level="):] // after the banner, which shows the fake credentials
	assert.Contains(t, logs, "logged-network", "request and response bodies are logged")
	assert.Contains(t, logs, "grant_type=client_credentials")
	assert.NotContains(t, logs, "s3cr3t-value", "the secret of the token request")
	assert.NotContains(t, logs, tok[1], "the access token of the answer")
	assert.Contains(t, logs, "[REDACTED]")
}

func TestRunStrict(t *testing.T) {
	base, _, cancel, done := start(t, "-addr", "127.0.0.1:0", "-strict")
	defer func() { cancel(); <-done }()
	req, _ := http.NewRequest("POST", base+"/api/v1/oauth/token", strings.NewReader(`{"grant_type":"client_credentials"}`))
	req.SetBasicAuth("fake-client-id", "fake-client-secret")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 400, resp.StatusCode, "JSON without Content-Type is off the document")
}

// TestCheckAddrLoopbackSpellings: every spelling of a loopback address is
// loopback (issue 22: -addr LOCALHOST:0 was refused).
func TestCheckAddrLoopbackSpellings(t *testing.T) {
	for _, addr := range []string{
		"LOCALHOST:0", "LocalHost:0", "localhost.:0", "127.0.0.1:0", "127.255.255.254:0",
		"[::1]:0", "[0:0:0:0:0:0:0:1]:0", "[::ffff:127.0.0.1]:0",
	} {
		assert.NoError(t, checkAddr(addr, false), addr)
	}
	for _, addr := range []string{"localhost.example.com:0", "mylocalhost:0", "128.0.0.1:0", "[::2]:0"} {
		assert.Error(t, checkAddr(addr, false), addr)
	}
}

// TestRunVerboseLogsEveryRequest: -v logs every request, those that match
// no operation included.
func TestRunVerboseLogsEveryRequest(t *testing.T) {
	base, out, cancel, done := start(t, "-addr", "LOCALHOST:0", "-v", "-no-seed")
	defer func() { cancel(); <-done }()
	for _, p := range []string{"/api/v1/nothing", "/favicon.ico", "/api/v1/networks/"} {
		resp, err := http.Get(base + p)
		require.NoError(t, err)
		resp.Body.Close()
	}
	for _, want := range []string{"path=/api/v1/nothing status=404", "path=/favicon.ico status=404", "path=/api/v1/networks/ status="} {
		assert.Contains(t, out.String(), want)
	}
}

package cloudconnexatest

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRedactBody(t *testing.T) {
	for _, tc := range []struct {
		op, body, want string
	}{
		{"requestToken", `{"grant_type":"client_credentials","client_secret":"s"}`, `{"client_secret":"[REDACTED]","grant_type":"client_credentials"}`},
		{"requestToken", `client_id=a&client_secret=s&grant_type=client_credentials`, `client_id=a&client_secret=[REDACTED]&grant_type=client_credentials`},
		{"createNetworkConnector", `{"ipSecConfig":{"preSharedKey":"k","platform":"AWS"},"name":"c"}`, `{"ipSecConfig":{"platform":"AWS","preSharedKey":"[REDACTED]"},"name":"c"}`},
		{"generateDeviceProfile", "client\n<key>\n-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n</key>\n", "client\n<key>\n-----[REDACTED] PRIVATE KEY-----\n</key>\n"},
		{"encryptNetworkConnectorProfile", "ENC-0123", "[REDACTED]"},
		{"getNetwork", "", ""},
	} {
		assert.Equal(t, tc.want, redactBody(tc.op, []byte(tc.body)), tc.body)
	}
	long := redactBody("x", []byte(strings.Repeat("a b", 3000)))
	assert.Len(t, long, maxLoggedBody+len("…"))
}

func TestBodyLogging(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv := NewServer(t, WithLogger(logger), WithBodyLogging(), WithReadHeaderTimeout(5e9))
	tok := getToken(t, srv)
	status, _, _ := call(t, srv, tok, "POST", "/api/v1/dns-records", "application/json", `{"domain":"a.example","ipv4Addresses":["10.0.0.1"]}`)
	require.Equal(t, 201, status)
	srv.Close()
	assert.Contains(t, buf.String(), `request_body="{\"domain\":\"a.example\"`)
	assert.Contains(t, buf.String(), `response_body="{\"domain\":\"a.example\"`)
	assert.NotContains(t, buf.String(), tok)
}

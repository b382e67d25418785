package client

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func setEnv(t *testing.T, base, id, secret string) {
	t.Helper()
	for name, v := range map[string]string{EnvBaseURL: base, EnvClientID: id, EnvClientSecret: secret} {
		if v == "-" {
			t.Setenv(name, "")
			os.Unsetenv(name) // restored by t.Setenv's cleanup
			continue
		}
		t.Setenv(name, v)
	}
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), ".env")
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

func TestNewFromEnv(t *testing.T) {
	s := newTestAPI(t, sequence(200))
	setEnv(t, s.URL, testClientID, testSecret)
	c, err := NewFromEnv(WithAllowInsecureLoopback())
	require.NoError(t, err)
	_, err = c.Raw.GetNetworkWithResponse(context.Background(), "n-1")
	require.NoError(t, err)
	assert.Equal(t, s.URL, c.BaseURL(), "BaseURL")
}

func TestNewFromEnvMissing(t *testing.T) {
	for _, tc := range []struct {
		base, id, secret, missing string
	}{
		{"-", "id", "s3cr3t", EnvBaseURL},
		{"acme", "-", "s3cr3t", EnvClientID},
		{"acme", "id", "-", EnvClientSecret},
		{"acme", "id", "  ", EnvClientSecret},
	} {
		setEnv(t, tc.base, tc.id, tc.secret)
		_, err := NewFromEnv()
		assert.ErrorContains(t, err, tc.missing, "want the error to name the missing variable")
	}
}

func TestNewFromEnvMalformed(t *testing.T) {
	setEnv(t, "http://acme.example", "id", "very-secret-value")
	_, err := NewFromEnv()
	assert.ErrorContains(t, err, EnvBaseURL)
	assert.ErrorContains(t, err, "https")
	setEnv(t, "acme", "id", "very-secret\nvalue")
	_, err = NewFromEnv()
	if assert.ErrorContains(t, err, EnvClientSecret) {
		assert.NotContains(t, err.Error(), "very-secret")
	}
	setEnv(t, "acme", "i\rd", "x")
	_, err = NewFromEnv()
	assert.ErrorContains(t, err, EnvClientID)
	_, err = NewFromEnv(WithMaxResponseBytes(-1))
	assert.Error(t, err, "invalid option accepted")
}

func TestNewFromEnvFile(t *testing.T) {
	s := newTestAPI(t, sequence(200))
	path := writeFile(t, "# CloudConnexa credentials\n"+
		"export CLOUDCONNEXA_BASE_URL=\""+s.URL+"\"\n"+
		"\n"+
		"CLOUDCONNEXA_CLIENT_ID = 'file-id' # inline comment\n"+
		"CLOUDCONNEXA_CLIENT_SECRET="+testSecret+" # inline comment\n")
	setEnv(t, "-", testClientID, "-") // the real environment wins for the id
	c, err := NewFromEnv(WithEnvFile(path), WithAllowInsecureLoopback())
	require.NoError(t, err)
	_, err = c.Raw.GetNetworkWithResponse(context.Background(), "n-1")
	require.NoError(t, err, "credentials from file and environment")

	setEnv(t, "-", "-", "-")
	_, err = NewFromEnv(WithEnvFile(filepath.Join(t.TempDir(), "missing.env")))
	assert.ErrorContains(t, err, "env file", "missing file")
	bad := writeFile(t, "CLOUDCONNEXA_CLIENT_SECRET=ok\nthis line holds hunter2 but no equals sign\n")
	_, err = NewFromEnv(WithEnvFile(bad))
	if assert.ErrorContains(t, err, "line 2", "malformed file") {
		assert.NotContains(t, err.Error(), "hunter2", "malformed file")
	}
}

func TestParseEnvLine(t *testing.T) {
	for _, tc := range []struct {
		line, key, val string
		ok, err        bool
	}{
		{"", "", "", false, false},
		{"   # comment", "", "", false, false},
		{"A=1", "A", "1", true, false},
		{"\uFEFFA=1", "A", "1", true, false},
		{"export A=1", "A", "1", true, false},
		{"A = spaced value ", "A", "spaced value", true, false},
		{"A=", "A", "", true, false},
		{"A=x#not-a-comment", "A", "x#not-a-comment", true, false},
		{"A=x #comment", "A", "x", true, false},
		{"A=x\t#comment", "A", "x", true, false},
		{"A='single # kept'", "A", "single # kept", true, false},
		{`A='it\n'`, "A", `it\n`, true, false},
		{`A="dq \"esc\" \\ \n\t\r"`, "A", "dq \"esc\" \\ \n\t\r", true, false},
		{`A="x" # c`, "A", "x", true, false},
		{"A=a=b", "A", "a=b", true, false},
		{"a.b_C9=1", "a.b_C9", "1", true, false},
		{"A='open", "", "", false, true},
		{`A="open`, "", "", false, true},
		{`A="x" y`, "", "", false, true},
		{"A='x' y", "", "", false, true},
		{"no equals", "", "", false, true},
		{"1A=x", "", "", false, true},
		{"A B=x", "", "", false, true},
		{"=x", "", "", false, true},
	} {
		key, val, ok, err := parseEnvLine(tc.line)
		assert.Equal(t, tc.key, key, "parseEnvLine(%q) key", tc.line)
		assert.Equal(t, tc.val, val, "parseEnvLine(%q) value", tc.line)
		assert.Equal(t, tc.ok, ok, "parseEnvLine(%q) ok", tc.line)
		assert.Equal(t, tc.err, err != nil, "parseEnvLine(%q) error: %v", tc.line, err)
	}
}

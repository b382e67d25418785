package client

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestNewFromEnv(t *testing.T) {
	s := newTestAPI(t, sequence(200))
	setEnv(t, s.URL, testClientID, testSecret)
	c, err := NewFromEnv(WithAllowInsecureLoopback())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetNetworkWithResponse(context.Background(), "n-1"); err != nil {
		t.Fatal(err)
	}
	if c.BaseURL() != s.URL {
		t.Errorf("BaseURL %q", c.BaseURL())
	}
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
		if err == nil || !strings.Contains(err.Error(), tc.missing) {
			t.Errorf("err = %v, want it to name %s", err, tc.missing)
		}
	}
}

func TestNewFromEnvMalformed(t *testing.T) {
	setEnv(t, "http://acme.example", "id", "very-secret-value")
	_, err := NewFromEnv()
	if err == nil || !strings.Contains(err.Error(), EnvBaseURL) || !strings.Contains(err.Error(), "https") {
		t.Errorf("err = %v", err)
	}
	setEnv(t, "acme", "id", "very-secret\nvalue")
	_, err = NewFromEnv()
	if err == nil || !strings.Contains(err.Error(), EnvClientSecret) || strings.Contains(err.Error(), "very-secret") {
		t.Errorf("err = %v", err)
	}
	setEnv(t, "acme", "i\rd", "x")
	if _, err := NewFromEnv(); err == nil || !strings.Contains(err.Error(), EnvClientID) {
		t.Errorf("err = %v", err)
	}
	if _, err := NewFromEnv(WithMaxResponseBytes(-1)); err == nil {
		t.Error("invalid option accepted")
	}
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
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetNetworkWithResponse(context.Background(), "n-1"); err != nil {
		t.Fatalf("credentials from file and environment: %v", err)
	}

	setEnv(t, "-", "-", "-")
	if _, err := NewFromEnv(WithEnvFile(filepath.Join(t.TempDir(), "missing.env"))); err == nil || !strings.Contains(err.Error(), "env file") {
		t.Errorf("missing file: %v", err)
	}
	bad := writeFile(t, "CLOUDCONNEXA_CLIENT_SECRET=ok\nthis line holds hunter2 but no equals sign\n")
	_, err = NewFromEnv(WithEnvFile(bad))
	if err == nil || !strings.Contains(err.Error(), "line 2") || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("malformed file: %v", err)
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
		if key != tc.key || val != tc.val || ok != tc.ok || (err != nil) != tc.err {
			t.Errorf("parseEnvLine(%q) = %q, %q, %t, %v", tc.line, key, val, ok, err)
		}
	}
}

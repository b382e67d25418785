package main

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudconnexa-go/cloudconnexa/client"
	"github.com/cloudconnexa-go/cloudconnexa/cloudconnexatest"
	"github.com/cloudconnexa-go/cloudconnexa/gen"
)

// TestNoSecretInOutput: whatever the server echoes (the secret in an error
// message, in a 200 body, in the token endpoint's refusal, the Basic
// credentials), the secret reaches neither stdout nor stderr nor the
// --debug log, in any output format.
func TestNoSecretInOutput(t *testing.T) {
	const id, secret = "cli-test-id", "s3cr3t-Value-Never-Shown-9f8e7d"
	basic := base64.StdEncoding.EncodeToString([]byte(id + ":" + secret))
	forms := []string{secret, basic, base64.StdEncoding.EncodeToString([]byte(secret))}
	echo := secret + " " + basic
	r := newRunner(t, cloudconnexatest.WithCredentials(id, secret), cloudconnexatest.WithTenant(cloudconnexatest.RealisticTenant(1)))

	check := func(name string, res outcome) {
		t.Helper()
		for _, f := range forms {
			assert.NotContains(t, res.stdout, f, "%s: stdout", name)
			assert.NotContains(t, res.stderr, f, "%s: stderr", name)
		}
	}
	faults := []struct {
		name string
		op   gen.OperationID
		f    cloudconnexatest.Fault
		args []string
		code int
	}{
		{"400 message", gen.OpListNetworks, cloudconnexatest.Fault{Status: 400, Body: `{"errorMessage":"bad key ` + echo + `","statusError":"Bad Request"}`}, []string{"networks", "list"}, exitAPI},
		{"400 details", gen.OpListNetworks, cloudconnexatest.Fault{Status: 400, Body: `{"errorDetails":{"` + secret + `":[{"errorCode":"` + secret + `","message":"` + echo + `"}]},"statusError":"Bad Request"}`}, []string{"networks", "list"}, exitAPI},
		{"404 text body", gen.OpGetNetwork, cloudconnexatest.Fault{Status: 404, Body: "no network for " + echo, ContentType: "text/plain"}, []string{"networks", "get", "n-1"}, exitNotFound},
		{"200 body", gen.OpGetTopology, cloudconnexatest.Fault{Status: 200, Body: echo, ContentType: "text/plain"}, []string{"settings", "get-topology"}, exitOK},
		{"200 json body", gen.OpGetDefaultRegion, cloudconnexatest.Fault{Status: 200, Body: echo, ContentType: "text/plain"}, []string{"settings", "get-default-region"}, exitOK},
		{"token refused", gen.OpRequestToken, cloudconnexatest.Fault{Status: 401, Body: `{"error":"invalid_client","error_description":"wrong secret ` + echo + `"}`}, []string{"networks", "list"}, exitCredentials},
		{"429", gen.OpListUsers, cloudconnexatest.Fault{Status: 429, RetryAfter: "1", Body: `{"errorMessage":"slow down ` + echo + `"}`}, []string{"users", "list"}, exitRateLimited},
	}
	for _, f := range faults {
		for _, format := range []string{"json", "table", "yaml"} {
			r.srv.ClearFaults()
			r.srv.InjectFault(f.op, f.f)
			res := r.run(append(f.args, "--debug", "-o", format)...)
			assert.Equal(t, f.code, res.code, "%s (%s): %s", f.name, format, res.stderr)
			check(f.name+" "+format, res)
		}
	}
	r.srv.ClearFaults()

	// The debug log names every request and never a credential.
	res := r.run("networks", "list", "--debug")
	require.Equal(t, exitOK, res.code, res.stderr)
	assert.Contains(t, res.stderr, "cloudconnexa: request")
	check("debug", res)

	// A dotenv file gives the secret; a missing one is named, not shown.
	dir := t.TempDir()
	env := filepath.Join(dir, ".env")
	require.NoError(t, os.WriteFile(env, []byte(client.EnvClientSecret+"="+secret+"\n"), 0o600))
	t.Setenv(client.EnvClientSecret, "")
	os.Unsetenv(client.EnvClientSecret)
	res = r.run("networks", "list", "--limit", "1", "--env-file", env)
	assert.Equal(t, exitOK, res.code, res.stderr)
	res = r.run("networks", "list")
	assert.Equal(t, exitCredentials, res.code)
	assert.Contains(t, res.stderr, client.EnvClientSecret)
	check("missing", res)
	require.NoError(t, os.WriteFile(env, []byte(client.EnvClientSecret+"="+secret+"\nbroken line with "+secret+"\n"), 0o600))
	res = r.run("networks", "list", "--env-file", env)
	assert.Equal(t, exitCredentials, res.code)
	check("malformed env file", res)

	// No flag takes the secret, not even the token request's.
	root := newApp(nil, &strings.Builder{}, &strings.Builder{}).rootCommand()
	for _, name := range []string{"client-secret", "secret", "client-id", "token"} {
		assert.Nil(t, root.PersistentFlags().Lookup(name), name)
	}
	tokenCmd, _, err := root.Find([]string{"oauth", "request-token"})
	require.NoError(t, err)
	for _, name := range []string{"client_secret", "client_id", "data", "set"} {
		assert.Nil(t, tokenCmd.Flags().Lookup(name), name)
	}
	// oauth request-token prints an access token (what it is for), from the
	// environment's credentials, and still not the secret.
	t.Setenv(client.EnvClientSecret, secret)
	res = r.run("oauth", "request-token", "--jq", ".access_token", "--debug")
	require.Equal(t, exitOK, res.code, res.stderr)
	assert.Regexp(t, `^[0-9a-f]{32,}\n$`, res.stdout)
	check("request-token", res)
}

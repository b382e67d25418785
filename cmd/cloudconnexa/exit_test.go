package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudconnexa-go/cloudconnexa/client"
	"github.com/cloudconnexa-go/cloudconnexa/cloudconnexatest"
	"github.com/cloudconnexa-go/cloudconnexa/gen"
)

// TestExitCodes: each class of failure has its documented exit code, one
// line on stderr (a JSON document with --output json) and nothing on stdout.
func TestExitCodes(t *testing.T) {
	r := newRunner(t)
	cases := []struct {
		name  string
		fault *cloudconnexatest.Fault
		op    gen.OperationID
		args  []string
		code  int
		kind  string
	}{
		{"usage: unknown flag", nil, "", []string{"networks", "list", "--nope"}, exitUsage, "usage"},
		{"usage: bad body", nil, "", []string{"networks", "create", "--data", "{"}, exitUsage, "usage"},
		{"usage: bad output", nil, "", []string{"networks", "list", "-o", "xml"}, exitUsage, "usage"},
		{"not found", nil, "", []string{"networks", "get", "missing"}, exitNotFound, "not_found"},
		{"validation", nil, "", []string{"networks", "create", "--set", "name="}, exitAPI, "api"},
		{"rate limited", &cloudconnexatest.Fault{Status: 429, RetryAfter: "1"}, gen.OpListNetworks, []string{"networks", "list"}, exitRateLimited, "rate_limited"},
		{"server error", &cloudconnexatest.Fault{Status: 500}, gen.OpListNetworks, []string{"networks", "list"}, exitAPI, "api"},
		{"forbidden", &cloudconnexatest.Fault{Status: 403}, gen.OpListNetworks, []string{"networks", "list"}, exitCredentials, "credentials"},
		{"network", &cloudconnexatest.Fault{DropConnection: true}, gen.OpListNetworks, []string{"networks", "list"}, exitNetwork, "network"},
		{"malformed answer", &cloudconnexatest.Fault{MalformedBody: true}, gen.OpGetTopology, []string{"settings", "get-topology"}, exitOK, ""},
		{"api: not found", nil, "", []string{"api", "GET", "networks/missing"}, exitNotFound, "not_found"},
	}
	for _, c := range cases {
		for _, jsonErrors := range []bool{false, true} {
			r.srv.ClearFaults()
			if c.fault != nil {
				r.srv.InjectFault(c.op, *c.fault)
			}
			args := c.args
			if jsonErrors && !strings.Contains(strings.Join(args, " "), "-o xml") {
				args = append(args, "-o", "json")
			}
			res := r.run(args...)
			if c.code == exitOK {
				continue // a text body cut short is still text
			}
			assert.Equal(t, c.code, res.code, "%s: %s", c.name, res.stderr)
			assert.Empty(t, res.stdout, c.name)
			// The error is the last line; retries before it are logged.
			lines := strings.Split(strings.TrimSuffix(res.stderr, "\n"), "\n")
			for _, l := range lines[:len(lines)-1] {
				assert.True(t, strings.HasPrefix(l, "cloudconnexa: retrying "), "%s: %q", c.name, l)
			}
			last := lines[len(lines)-1]
			if jsonErrors && c.kind != "usage" {
				var d errorDoc
				require.NoError(t, json.Unmarshal([]byte(last), &d), "%s: %s", c.name, res.stderr)
				assert.Equal(t, c.kind, d.Error.Kind, c.name)
				assert.Equal(t, c.code, d.Error.ExitCode, c.name)
			}
		}
	}
}

// failAfter fails every request to path after the first n with a 500.
type failAfter struct {
	base http.RoundTripper
	path string
	n    int32
	seen atomic.Int32
}

func (f *failAfter) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Path == f.path && f.seen.Add(1) > f.n {
		return &http.Response{StatusCode: 500, Status: "500 Internal Server Error", Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader(`{"errorMessage":"boom","statusError":"Internal Server Error"}`)), Request: r}, nil
	}
	return f.base.RoundTrip(r)
}

// TestListFailingHalfWay: a listing that fails on its second page leaves
// the items of the first on stdout, each a complete JSON document on its
// line (never a cut document), and exits with the error's code.
func TestListFailingHalfWay(t *testing.T) {
	r := newRunner(t, cloudconnexatest.WithTenant(cloudconnexatest.RealisticTenant(2)))
	var stdout, stderr strings.Builder
	a := r.app(nil, nil)
	a.stdout, a.stderr = &redactWriter{w: &stdout}, &redactWriter{w: &stderr}
	a.transport = &failAfter{base: r.srv.FastTransport(nil), path: "/api/v1/users", n: 1}
	a.extraOptions = append(a.extraOptions, client.WithRetryPolicy(client.RetryPolicy{MaxAttempts: 1}))
	code := a.run(t.Context(), []string{"users", "list", "--size", "100"})
	assert.Equal(t, exitAPI, code, stderr.String())
	lines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
	assert.Len(t, lines, 100)
	for _, l := range lines {
		assert.True(t, json.Valid([]byte(l)), l)
	}
	assert.True(t, strings.HasSuffix(stdout.String(), "}\n"))
	assert.Contains(t, stderr.String(), "500")
}

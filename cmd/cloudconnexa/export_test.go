package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudconnexa-go/cloudconnexa/client"
	"github.com/cloudconnexa-go/cloudconnexa/cloudconnexatest"
	"github.com/cloudconnexa-go/cloudconnexa/gen"
)

// memTransport answers requests with a handler in memory: no sockets, so
// the whole command runs inside a testing/synctest bubble, in virtual time.
type memTransport struct{ h http.Handler }

func (m memTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if err := r.Context().Err(); err != nil {
		return nil, err
	}
	if r.Body == nil {
		r.Body = http.NoBody
	}
	rec := httptest.NewRecorder()
	m.h.ServeHTTP(rec, r)
	resp := rec.Result()
	resp.Request = r
	return resp, nil
}

const (
	liveBurst = 20
	liveEvery = 15 * time.Second
)

const exportID, exportSecret = "export-id", "export-secret"

// setExportCredentials gives the command the fake's credentials.
func setExportCredentials(t *testing.T) {
	t.Setenv(client.EnvBaseURL, "http://127.0.0.1:1")
	t.Setenv(client.EnvClientID, exportID)
	t.Setenv(client.EnvClientSecret, exportSecret)
}

// liveBudgetFake is a realistic tenant behind the live service's budget
// (burst 20, then 1 request per 15 s); call it inside the synctest bubble.
func liveBudgetFake(t *testing.T) *cloudconnexatest.Handler {
	t.Helper()
	h, err := cloudconnexatest.NewHandler(
		cloudconnexatest.WithCredentials(exportID, exportSecret),
		cloudconnexatest.WithTenant(cloudconnexatest.RealisticTenant(7)),
		cloudconnexatest.WithEnforcedRateLimit(liveBurst, 1, liveEvery),
	)
	require.NoError(t, err)
	return h
}

// TestExportUnderTheLiveBudget exports a realistic tenant from a fake that
// enforces the live service's budget (burst 20, then 1 request per 15 s),
// in virtual time: every kind is exported, no request is refused with 429,
// the requests are the fewest the tenant's size allows (one per setting,
// ceil(items/largest page) per list), and the time is within 5% of the
// ideal schedule, (requests - burst) × 15 s.
func TestExportUnderTheLiveBudget(t *testing.T) {
	setExportCredentials(t)
	dir := t.TempDir()
	synctest.Test(t, func(t *testing.T) {
		h := liveBudgetFake(t)
		var stdout, stderr bytes.Buffer
		a := newApp(strings.NewReader(""), &stdout, &stderr)
		a.transport = memTransport{h}
		a.extraOptions = []client.Option{client.WithAllowInsecureLoopback()}
		start := time.Now()
		code := a.run(context.Background(), []string{"export", dir, "-o", "json"})
		elapsed := time.Since(start)
		require.Equal(t, exitOK, code, stderr.String())

		var rows []exportRow
		require.NoError(t, json.Unmarshal(stdout.Bytes(), &rows), stdout.String())
		kinds := exportKinds()
		require.Len(t, rows, len(kinds))
		assert.Len(t, kinds, 44, "every GET without a path parameter")

		// The fewest requests: one per setting, ceil(items/largest page) per list.
		minimum := 0
		for i, row := range rows {
			assert.Equal(t, "exported", row.Status, row.Kind)
			spec := kinds[i].spec
			want := 1
			if spec.List {
				size := 0
				for _, f := range spec.Flags {
					if f.Size {
						size = atoi(t, f.Max)
					}
				}
				require.Positive(t, size, spec.Operation)
				want = max(1, (row.Items+size-1)/size)
			}
			assert.EqualValues(t, want, row.Requests, "%s: %d items", row.Kind, row.Items)
			minimum += want
			_, err := os.Stat(filepath.Join(dir, row.Kind+".json"))
			assert.NoError(t, err)
		}
		var api, tooMany int
		for _, r := range h.Requests() {
			if r.Operation == gen.OpRequestToken {
				continue
			}
			api++
			if r.Status == http.StatusTooManyRequests {
				tooMany++
			}
		}
		assert.Equal(t, minimum, api, "requests the fake saw")
		assert.Zero(t, tooMany, "429 answers")
		ideal := time.Duration(max(0, api-liveBurst)) * liveEvery
		t.Logf("%d requests (minimum %d) in %v; ideal %v (%.3fx)", api, minimum, elapsed, ideal, float64(elapsed)/float64(ideal))
		assert.LessOrEqual(t, float64(elapsed), 1.05*float64(ideal), "time %v, ideal %v", elapsed, ideal)
		// Waits are reported on stderr (not a terminal: log lines).
		assert.Contains(t, stderr.String(), "for the rate limit budget")

		// Run again: every kind is kept, no request is sent.
		stdout.Reset()
		before := len(h.Requests())
		a = newApp(strings.NewReader(""), &stdout, &stderr)
		a.transport = memTransport{h}
		a.extraOptions = []client.Option{client.WithAllowInsecureLoopback()}
		require.Equal(t, exitOK, a.run(context.Background(), []string{"export", dir, "-o", "json"}))
		require.NoError(t, json.Unmarshal(stdout.Bytes(), &rows))
		for _, row := range rows {
			assert.Equal(t, "kept", row.Status, row.Kind)
		}
		for _, r := range h.Requests()[before:] {
			assert.Equal(t, gen.OpRequestToken, r.Operation, "a resumed export sends only a token request")
		}
	})
}

func atoi(t *testing.T, s string) int {
	var n int
	require.NoError(t, json.Unmarshal([]byte(s), &n), s)
	return n
}

// TestExportFailureAndResume: a kind that fails does not stop the others,
// leaves no file (nor a .partial), and the summary and exit code say so; the
// next run exports only that kind.
func TestExportFailureAndResume(t *testing.T) {
	r := newRunner(t, cloudconnexatest.WithTenant(cloudconnexatest.RealisticTenant(4)))
	dir := t.TempDir()
	r.srv.InjectFault(gen.OpListUsers, cloudconnexatest.Fault{Status: 403})
	res := r.run("export", dir, "-o", "json")
	assert.Equal(t, exitCredentials, res.code, res.stderr)
	assert.Contains(t, res.stderr, "1 of 44 kinds failed")
	var rows []exportRow
	require.NoError(t, json.Unmarshal([]byte(res.stdout), &rows))
	for _, row := range rows {
		if row.Kind == "users" {
			assert.True(t, strings.HasPrefix(row.Status, "failed: "), row.Status)
		} else {
			assert.Equal(t, "exported", row.Status, row.Kind)
		}
	}
	_, err := os.Stat(filepath.Join(dir, "users.json"))
	assert.True(t, os.IsNotExist(err))
	partials, _ := filepath.Glob(filepath.Join(dir, "*.partial"))
	assert.Empty(t, partials)

	r.srv.ClearFaults()
	r.srv.ResetRequests()
	res = r.run("export", dir, "-o", "json")
	require.Equal(t, exitOK, res.code, res.stderr)
	require.NoError(t, json.Unmarshal([]byte(res.stdout), &rows))
	for _, row := range rows {
		want := "kept"
		if row.Kind == "users" {
			want = "exported"
		}
		assert.Equal(t, want, row.Status, row.Kind)
	}
	assert.Equal(t, 1, r.srv.Count(gen.OpListUsers))
	var users []gen.UserResponse
	b, err := os.ReadFile(filepath.Join(dir, "users.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &users))
	assert.Len(t, users, 301)
}

// cancelAfter cancels the run when the n-th API request has been answered,
// as Ctrl-C would.
type cancelAfter struct {
	base   http.RoundTripper
	n      int
	seen   int
	cancel context.CancelFunc
}

func (c *cancelAfter) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := c.base.RoundTrip(r)
	if !strings.HasSuffix(r.URL.Path, tokenPath) {
		if c.seen++; c.seen == c.n {
			c.cancel()
		}
	}
	return resp, err
}

// TestExportInterruptedResumes: an export stopped half way under the live
// budget (as by Ctrl-C, while it waits) exits 130 saying how many kinds are
// done and how to resume, leaves no partial file, and the same command
// then exports the rest: over both runs each kind is read once, and the
// requests are the minimum.
func TestExportInterruptedResumes(t *testing.T) {
	setExportCredentials(t)
	dir := t.TempDir()
	synctest.Test(t, func(t *testing.T) {
		h := liveBudgetFake(t)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var stdout, stderr bytes.Buffer
		a := newApp(strings.NewReader(""), &stdout, &stderr)
		a.transport = &cancelAfter{base: memTransport{h}, n: 25, cancel: cancel}
		a.extraOptions = []client.Option{client.WithAllowInsecureLoopback()}
		code := a.run(ctx, []string{"export", dir, "-o", "json"})
		assert.Equal(t, exitInterrupted, code)
		assert.Contains(t, stderr.String(), "interrupted: 25 of 44 kinds in "+dir+" (run the same command to resume); 25 requests sent")
		partials, _ := filepath.Glob(filepath.Join(dir, "*.partial"))
		assert.Empty(t, partials)
		files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
		assert.Len(t, files, 25)

		stdout.Reset()
		a = newApp(strings.NewReader(""), &stdout, &stderr)
		a.transport = memTransport{h}
		a.extraOptions = []client.Option{client.WithAllowInsecureLoopback()}
		require.Equal(t, exitOK, a.run(context.Background(), []string{"export", dir, "-o", "json"}), stderr.String())
		var rows []exportRow
		require.NoError(t, json.Unmarshal(stdout.Bytes(), &rows))
		kept := 0
		for _, row := range rows {
			if row.Status == "kept" {
				kept++
			}
		}
		assert.Equal(t, 25, kept)
		// A new process starts with the default budget while the key's is
		// spent: its first request may be refused once, then it paces.
		perOp := map[gen.OperationID]int{}
		tooMany := 0
		for _, r := range h.Requests() {
			if r.Status == http.StatusTooManyRequests {
				tooMany++
				continue
			}
			perOp[r.Operation]++
		}
		assert.LessOrEqual(t, tooMany, 1)
		for _, k := range exportKinds() {
			assert.Equal(t, 1, perOp[k.spec.Operation], "%s read once over both runs", k.name)
		}
	})
}

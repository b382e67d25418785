package client

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudconnexa-go/cloudconnexa/gen"
)

// counter is a plain-http server counting the requests it gets.
func counter(t *testing.T) (*httptest.Server, *atomic.Int32) {
	var n atomic.Int32
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		writeJSON(w, 200, `{"id":"n-1","name":"elsewhere"}`)
	}))
	t.Cleanup(s.Close)
	return s, &n
}

func TestRedirectFromHTTPSToHTTPIsRefused(t *testing.T) {
	plain, hits := counter(t)
	s := &testAPI{t: t, tokens: []string{testToken}, handler: func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plain.URL+r.URL.Path, http.StatusFound)
	}}
	s.Server = httptest.NewTLSServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	c := newTestClient(t, s, WithHTTPClient(s.Client()))

	resp, err := c.Raw.GetNetworkWithResponse(context.Background(), "n-1")
	assert.Nil(t, resp)
	require.ErrorIs(t, err, ErrRedirectRefused)
	assert.ErrorContains(t, err, "from https to http")
	var rerr *RequestError
	require.ErrorAs(t, err, &rerr)
	assert.Equal(t, 1, rerr.Attempts, "a refused redirect is not retried")
	assert.Zero(t, hits.Load(), "the plain-http server is never asked")
}

func TestRedirectOfABodyToAnotherOriginIsRefused(t *testing.T) {
	other, hits := counter(t)
	s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusTemporaryRedirect)
	})
	c := newTestClient(t, s)
	_, err := c.Raw.CreateNetworkWithResponse(context.Background(), gen.NetworkCreateRequest{Name: "net"})
	require.ErrorIs(t, err, ErrRedirectRefused)
	assert.ErrorContains(t, err, "a request with a body to another origin")
	assert.Zero(t, hits.Load(), "the body is not re-sent elsewhere")
	assert.Equal(t, 1, s.count())
}

func TestRedirectsAreCountedOverTheWholeCall(t *testing.T) {
	s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Path, http.StatusFound) // a loop
	})
	c := newTestClient(t, s)
	_, err := c.Raw.GetNetworkWithResponse(context.Background(), "n-1")
	require.ErrorIs(t, err, ErrRedirectRefused)
	assert.ErrorContains(t, err, "more than 10 redirects")
	assert.Equal(t, 1+maxRedirects, s.count(), "one bound for the call, not 10 per attempt")
}

func TestSameOriginRedirectIsFollowedAndCallerMayBeStricter(t *testing.T) {
	s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v1/networks/old" {
			http.Redirect(w, r, "/api/v1/networks/n-1", http.StatusMovedPermanently)
			return
		}
		writeJSON(w, 200, `{"id":"n-1","name":"net"}`)
	})
	c := newTestClient(t, s)
	resp, err := c.Raw.GetNetworkWithResponse(context.Background(), "old")
	require.NoError(t, err)
	assert.Equal(t, "n-1", resp.JSON200.ID)
	assert.Empty(t, resp.HTTPResponse.Request.Header.Get("Authorization"), "no token reachable from the response")

	errNo := errors.New("no redirects here")
	strict := newTestClient(t, s, WithHTTPClient(&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return errNo }}))
	_, err = strict.Raw.GetNetworkWithResponse(context.Background(), "old")
	assert.ErrorIs(t, err, errNo)
}

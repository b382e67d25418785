package client

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newClosingAPI is a testAPI answering 200 that reports every connection it
// sees closed.
func newClosingAPI(t *testing.T) (*testAPI, chan struct{}) {
	closed := make(chan struct{}, 16)
	s := &testAPI{t: t, tokens: []string{testToken}, handler: sequence(200)}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateClosed {
			closed <- struct{}{}
		}
	}
	s.Start()
	t.Cleanup(s.Close)
	return s, closed
}

func TestCloseReleasesIdleConnections(t *testing.T) {
	s, closed := newClosingAPI(t)
	c := newTestClient(t, s)
	_, err := c.Raw.GetNetworkWithResponse(context.Background(), "n-1")
	require.NoError(t, err)
	require.NoError(t, c.Close())
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		require.FailNow(t, "the idle connection was not closed")
	}
	_, err = c.Raw.GetNetworkWithResponse(context.Background(), "n-1")
	assert.NoError(t, err, "the Client stays usable")
	assert.NoError(t, (*Client)(nil).Close())
}

func TestDroppedClientReleasesIdleConnections(t *testing.T) {
	s, closed := newClosingAPI(t)
	func() {
		c := newTestClient(t, s)
		_, err := c.Raw.GetNetworkWithResponse(context.Background(), "n-1")
		require.NoError(t, err)
	}()
	for range 50 { // bounded: at most 50 collections
		runtime.GC()
		select {
		case <-closed:
			return
		case <-time.After(100 * time.Millisecond):
		}
	}
	require.FailNow(t, "the idle connection of a dropped Client was not closed")
}

func TestBaseURLPortIsValidated(t *testing.T) {
	for _, u := range []string{"https://h:99999", "https://h:0", "https://h:65536", "https://h:-1"} {
		_, err := New(u, testClientID, testSecret)
		assert.Error(t, err, u)
	}
	_, err := New("https://h:8443", testClientID, testSecret)
	assert.NoError(t, err)
}

func TestDetailsPrintReadably(t *testing.T) {
	s := newTestAPI(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 400, `{"errorDetails":{"name":[{"errorCode":"9-1","message":"must not be blank"}],"region":[{"message":"unknown"}]}}`)
	})
	c := newTestClient(t, s)
	_, err := c.Raw.GetNetworkWithResponse(context.Background(), "n-1")
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	want := "name: must not be blank (error 9-1); region: unknown"
	assert.Equal(t, want, fmt.Sprintf("%v", apiErr.Details))
	assert.Equal(t, want, fmt.Sprintf("%+v", apiErr.Details))
	assert.Equal(t, `client.Details("`+want+`")`, fmt.Sprintf("%#v", apiErr.Details))
	assert.Contains(t, fmt.Sprintf("%+v", *apiErr), "Details:"+want)
	assert.NotContains(t, fmt.Sprintf("%v", *apiErr), "0x", "no pointers")
	assert.Equal(t, "name: must not be blank; region: unknown", apiErr.Message)
}

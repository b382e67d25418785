package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/cloudconnexa-go/cloudconnexa/client"
	"github.com/cloudconnexa-go/cloudconnexa/gen"
	"github.com/stretchr/testify/require"
)

// memTransport answers in memory, with the bench server's payloads and
// headers: no sockets, no server goroutines, no scheduler ping-pong. It
// isolates the cost of the library layers (request building, pipeline,
// auth, limiter, decoding) from the network stack, whose timing on a small
// shared VM is noisy.
type memTransport struct {
	network []byte
	token   []byte
	hdr     http.Header
}

func newMemTransport() *memTransport {
	return &memTransport{
		network: networkBody(),
		token:   []byte(`{"access_token":"mem-token","token_type":"bearer","expires_in":43199}`),
		hdr: http.Header{
			"Content-Type":               {"application/json"},
			"X-Ratelimit-Remaining":      {"999999999"},
			"X-Ratelimit-Replenish-Rate": {"1000000000"},
			"X-Ratelimit-Replenish-Time": {"1"},
			"X-Ratelimit-Burst-Capacity": {"1000000000"},
		},
	}
}

func (t *memTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		req.Body.Close()
	}
	body, status := t.network, http.StatusOK
	switch {
	case req.URL.Path == tokenPath:
		body = t.token
	case req.Header.Get("Authorization") != "Bearer mem-token":
		body = hUnauthed
		return &http.Response{StatusCode: http.StatusUnauthorized, Header: http.Header{"Content-Type": hJSON},
			Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)), Request: req}, nil
	case req.Method == http.MethodPost && req.URL.Path == createNetworkPath:
		status = http.StatusCreated // createNetwork, answered with the bench network
	case req.Method == http.MethodGet && req.URL.Path == usersPath:
		// The bench server's pages; page and size are always set here.
		q := req.URL.Query()
		page, err1 := strconv.Atoi(q.Get("page"))
		size, err2 := strconv.Atoi(q.Get("size"))
		if err1 != nil || err2 != nil || page < 0 || size < 1 || size > userPageSize {
			return nil, io.ErrUnexpectedEOF
		}
		body = usersPage(page, size)
	case !strings.HasPrefix(req.URL.Path, networksPath):
		return nil, io.ErrUnexpectedEOF
	}
	h := maps.Clone(t.hdr)
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	return &http.Response{
		Status: strconv.Itoa(status) + " " + http.StatusText(status), StatusCode: status, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: h, Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)), Request: req,
	}, nil
}

// BenchmarkGetNetworkInMemory is BenchmarkGetNetwork over an in-memory
// transport: the library's own cost per call, which the loopback benchmark
// measures on top of the network stack and the server. Neither side has a
// per-call timeout here: the raw side's http.Client would enforce one with a
// goroutine and a timer per request, its Transport not being an
// *http.Transport, and that would swamp what this measures.
func BenchmarkGetNetworkInMemory(b *testing.B) {
	ctx := context.Background()
	b.Run("raw", func(b *testing.B) {
		rc := &rawClient{hc: &http.Client{Transport: newMemTransport()},
			base: "http://127.0.0.1:1", bearer: "Bearer mem-token"}
		loop(b, networkOp(ctx, rc.getNetwork))
	})
	b.Run("client", func(b *testing.B) {
		c, err := client.New("http://127.0.0.1:1", benchClientID, benchClientSecret,
			client.WithAllowInsecureLoopback(), noThrottle, client.WithTimeout(0),
			client.WithHTTPClient(&http.Client{Transport: newMemTransport()}))
		require.NoError(b, err)
		loop(b, networkOp(ctx, func(ctx context.Context, _ string) (*gen.NetworkResponse, error) { return clientGetNetwork(ctx, c) }))
	})
	// The decoding step alone, as each side does it.
	b.Run("decode-raw", func(b *testing.B) {
		body := networkBody()
		loop(b, func() error {
			var n gen.NetworkResponse
			return json.NewDecoder(bytes.NewReader(body)).Decode(&n)
		})
	})
	b.Run("decode-client", func(b *testing.B) {
		body := networkBody()
		loop(b, func() error {
			resp := &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": hJSON},
				Body: io.NopCloser(bytes.NewReader(body))}
			r, err := gen.ParseGetNetworkResponse(resp)
			if err == nil && r.JSON200 == nil {
				err = io.ErrUnexpectedEOF
			}
			return err
		})
	})
}

package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/cloudconnexa-go/cloudconnexa/client"
	"github.com/cloudconnexa-go/cloudconnexa/gen"
	"github.com/stretchr/testify/require"
)

// The baseline: what a careful hand-written call looks like with net/http and
// encoding/json alone. It fetches one token up front, sets the bearer header,
// checks the status, decodes the body into the generated type and drains it so
// the connection is reused.

type rawClient struct {
	hc     *http.Client
	base   string
	bearer string
}

// newRawClient fetches a token and returns a baseline client. The token
// request is not part of any measurement.
func newRawClient(tb testing.TB, s *benchServer) *rawClient {
	tb.Helper()
	// The client's default transport and timeout, so both sides pool
	// connections alike and both pay for bounding each call.
	tr := client.NewTransport()
	tb.Cleanup(tr.CloseIdleConnections)
	rc := &rawClient{hc: &http.Client{Transport: tr, Timeout: client.DefaultTimeout}, base: s.URL}
	req, err := http.NewRequest(http.MethodPost, s.URL+tokenPath,
		strings.NewReader(url.Values{"grant_type": {"client_credentials"}}.Encode()))
	require.NoError(tb, err)
	req.SetBasicAuth(benchClientID, benchClientSecret)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	require.NoError(tb, rc.do(req, &tok), "raw token request")
	rc.bearer = "Bearer " + tok.AccessToken
	return rc
}

type rawStatusError int

func (e rawStatusError) Error() string { return "unexpected status " + strconv.Itoa(int(e)) }

func (rc *rawClient) do(req *http.Request, out any) error {
	resp, err := rc.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, resp.Body)
		return rawStatusError(resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, resp.Body) // reach EOF so the connection is reused
	return err
}

func (rc *rawClient) get(ctx context.Context, path string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rc.base+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", rc.bearer)
	req.Header.Set("Accept", "application/json")
	return rc.do(req, out)
}

func (rc *rawClient) getNetwork(ctx context.Context, id string) (*gen.NetworkResponse, error) {
	var n gen.NetworkResponse
	if err := rc.get(ctx, networksPath+url.PathEscape(id), &n); err != nil {
		return nil, err
	}
	return &n, nil
}

func (rc *rawClient) listUsers(ctx context.Context, page, size int) (*gen.PageUserResponse, error) {
	var p gen.PageUserResponse
	if err := rc.get(ctx, fmt.Sprintf("%s?page=%d&size=%d", usersPath, page, size), &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// genGetNetwork is getNetwork with the generated request builder and response
// parser in place of the hand-written ones: no client package involved.
func (rc *rawClient) genGetNetwork(ctx context.Context, id string) (*gen.NetworkResponse, error) {
	req, err := gen.NewGetNetworkRequest(rc.base, id)
	if err != nil {
		return nil, err
	}
	req = req.WithContext(ctx)
	req.Header.Set("Authorization", rc.bearer)
	resp, err := rc.hc.Do(req)
	if err != nil {
		return nil, err
	}
	parsed, err := gen.ParseGetNetworkResponse(resp) // reads and closes the body
	if err != nil {
		return nil, err
	}
	if parsed.JSON200 == nil {
		return nil, rawStatusError(parsed.StatusCode())
	}
	return parsed.JSON200, nil
}

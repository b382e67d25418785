package cloudconnexatest

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/cloudconnexa-go/cloudconnexa/gen"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAccessGroupItems(t *testing.T) {
	srv := NewServer(t)
	c := genClient(t, srv)
	ctx := context.Background()
	n := must[*gen.CreateNetworkResponse](t, 201)(c.CreateNetworkWithResponse(ctx, gen.NetworkCreateRequest{Name: "n"})).JSON201
	svc := func(name string) string {
		return must[*gen.CreateNetworkIPServiceResponse](t, 201)(c.CreateNetworkIPServiceWithResponse(ctx,
			&gen.CreateNetworkIPServiceParams{NetworkID: n.ID}, gen.NetworkIPServiceRequest{Name: name})).JSON201.ID
	}
	s1, s2 := svc("a"), svc("b")
	g := must[*gen.CreateAccessGroupResponse](t, 201)(c.CreateAccessGroupWithResponse(ctx, gen.AccessGroupRequest{Name: "g"})).JSON201
	if assert.NotNil(t, g.DefaultGroup, "defaultGroup") {
		assert.False(t, *g.DefaultGroup, "defaultGroup")
	}
	dest := func(children ...string) gen.AccessItemDestinationRequest {
		d := gen.AccessItemDestinationRequest{Type: gen.AccessItemDestinationTypeNetworkService, Parent: &n.ID}
		if children != nil {
			d.Children = &children
		}
		return d
	}
	must[*gen.AddAccessGroupDestinationResponse](t, 200)(c.AddAccessGroupDestinationWithResponse(ctx, g.ID, dest(s1)))
	// The same parent again merges the children.
	got := must[*gen.AddAccessGroupDestinationResponse](t, 200)(c.AddAccessGroupDestinationWithResponse(ctx, g.ID, dest(s1, s2))).JSON200
	require.Len(t, got.Destination, 1, "merged destination %+v", got.Destination)
	require.Equal(t, []string{s1, s2}, got.Destination[0].Children, "merged destination")
	must[*gen.AddAccessGroupDestinationResponse](t, 400)(c.AddAccessGroupDestinationWithResponse(ctx, g.ID,
		gen.AccessItemDestinationRequest{Type: gen.AccessItemDestinationTypeUserGroup, Parent: ptr("no-group")}))
	must[*gen.AddAccessGroupDestinationResponse](t, 404)(c.AddAccessGroupDestinationWithResponse(ctx, "no-group", dest()))
	must[*gen.CreateAccessGroupResponse](t, 400)(c.CreateAccessGroupWithResponse(ctx, gen.AccessGroupRequest{Name: "x",
		Source: &[]gen.AccessItemSourceRequest{{Type: gen.AccessItemSourceTypeHost, Parent: ptr("no-host")}}}))

	// Deleting a service drops it from the children.
	must[*gen.DeleteNetworkIPServiceResponse](t, 204)(c.DeleteNetworkIPServiceWithResponse(ctx, s1))
	got2 := must[*gen.GetAccessGroupResponse](t, 200)(c.GetAccessGroupWithResponse(ctx, g.ID)).JSON200
	assert.Equal(t, []string{s2}, got2.Destination[0].Children, "after deleting a service")
	// Removing the last child keeps the parent; removing the parent drops it.
	rm := func(child *string) *gen.AccessGroupResponse {
		return must[*gen.RemoveAccessGroupDestinationResponse](t, 200)(c.RemoveAccessGroupDestinationWithResponse(ctx, g.ID,
			&gen.RemoveAccessGroupDestinationParams{Type: gen.AccessItemDestinationTypeNetworkService, ParentID: &n.ID, ChildID: child})).JSON200
	}
	r := rm(&s2)
	if assert.Len(t, r.Destination, 1, "after removing the child: %+v", r.Destination) {
		assert.Empty(t, r.Destination[0].Children, "after removing the child")
	}
	assert.Empty(t, rm(nil).Destination, "after removing the parent")
}

func TestCyberShieldLists(t *testing.T) {
	srv := NewServer(t)
	c := genClient(t, srv)
	ctx := context.Background()
	add := func(domains ...string) {
		var req gen.AddDomainsRequest
		for _, d := range domains {
			req.DomainAndComments = append(req.DomainAndComments, gen.DomainAndComment{Domain: d, Comment: ptr("c-" + d)})
		}
		must[*gen.AddCyberShieldAllowListDomainsResponse](t, 200)(c.AddCyberShieldAllowListDomainsWithResponse(ctx, req))
	}
	add("a.example", "b.example")
	add("b.example", "c.example")
	must[*gen.RemoveCyberShieldAllowListDomainsResponse](t, 200)(c.RemoveCyberShieldAllowListDomainsWithResponse(ctx, gen.RemoveDomainsRequest{Domains: []string{"a.example", "zzz.example"}}))
	var domains []string
	for _, d := range srv.CyberShieldAllowList() {
		domains = append(domains, d.Domain)
	}
	assert.Equal(t, []string{"b.example", "c.example"}, domains, "allow list")
	must[*gen.AddCyberShieldBlockListDomainsResponse](t, 400)(c.AddCyberShieldBlockListDomainsWithResponse(ctx,
		gen.AddDomainsRequest{DomainAndComments: []gen.DomainAndComment{{Domain: "not a domain"}}}))
	assert.Empty(t, srv.CyberShieldBlockList(), "block list")
}

func TestNewHandlerAndLogger(t *testing.T) {
	var logs bytes.Buffer
	h, err := NewHandler(WithCredentials("a", "b"), WithLogger(slog.New(slog.NewTextHandler(&syncWriter{w: &logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	require.NoError(t, err)
	id, secret := h.Credentials()
	assert.Equal(t, "a", id, "credentials")
	assert.Equal(t, "b", secret, "credentials")
	assert.Equal(t, "1.2.3", h.Spec().Info.Version, "spec version")
	assert.Empty(t, h.Spec().Servers, "spec servers")
	ts := httptest.NewServer(h)
	defer ts.Close()
	srv := &Server{URL: ts.URL, ClientID: "a", ClientSecret: "b", h: h, ts: ts, tb: t}
	assert.True(t, srv.Handler() == h, "Handler differs")
	assert.True(t, srv.Spec() == h.Spec(), "Spec differs")
	_, err = srv.Client().Raw.ListRegionsWithResponse(context.Background())
	require.NoError(t, err)
	assert.Contains(t, logs.String(), "operation=listRegions", "logs")
	assert.Contains(t, logs.String(), "operation=requestToken", "logs")
}

// syncWriter serializes writes of concurrent requests.
type syncWriter struct {
	mu chan struct{}
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	if s.mu == nil {
		s.mu = make(chan struct{}, 1)
	}
	s.mu <- struct{}{}
	defer func() { <-s.mu }()
	return s.w.Write(p)
}

func TestValidatingTransportBrokenBody(t *testing.T) {
	srv := NewServer(t)
	srv.InjectFault(gen.OpListRegions, Fault{TruncateBody: true})
	rec := &recordingTB{TB: t}
	hc := &http.Client{Transport: ValidatingTransport(rec, srv.HTTPClient().Transport)}
	resp, err := hc.Do(authed(t, srv, "GET", "/api/v1/regions"))
	require.NoError(t, err)
	defer resp.Body.Close()
	_, err = io.ReadAll(resp.Body)
	assert.Error(t, err, "the read error was lost")
	errs, _ := rec.got()
	assert.Empty(t, errs, "a broken body reported as a spec violation")
}

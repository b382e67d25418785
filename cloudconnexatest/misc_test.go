package cloudconnexatest

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/cloudconnexa-go/cloudconnexa/gen"
)

func TestAccessGroupItems(t *testing.T) {
	srv := NewServer(t)
	c := genClient(t, srv)
	ctx := context.Background()
	n := must[*gen.CreateNetworkResponse](t, 201)(c.CreateNetworkWithResponse(ctx, gen.NetworkCreateRequest{Name: "n"})).JSON201
	svc := func(name string) string {
		return must[*gen.CreateNetworkIpServiceResponse](t, 201)(c.CreateNetworkIpServiceWithResponse(ctx,
			&gen.CreateNetworkIpServiceParams{NetworkId: n.Id}, gen.NetworkIpServiceRequest{Name: name})).JSON201.Id
	}
	s1, s2 := svc("a"), svc("b")
	g := must[*gen.CreateAccessGroupResponse](t, 201)(c.CreateAccessGroupWithResponse(ctx, gen.AccessGroupRequest{Name: "g"})).JSON201
	if g.DefaultGroup == nil || *g.DefaultGroup {
		t.Errorf("defaultGroup %v", g.DefaultGroup)
	}
	dest := func(children ...string) gen.AccessItemDestinationRequest {
		d := gen.AccessItemDestinationRequest{Type: gen.AccessItemDestinationTypeNetworkService, Parent: &n.Id}
		if children != nil {
			d.Children = &children
		}
		return d
	}
	must[*gen.AddAccessGroupDestinationResponse](t, 200)(c.AddAccessGroupDestinationWithResponse(ctx, g.Id, dest(s1)))
	// The same parent again merges the children.
	got := must[*gen.AddAccessGroupDestinationResponse](t, 200)(c.AddAccessGroupDestinationWithResponse(ctx, g.Id, dest(s1, s2))).JSON200
	if len(got.Destination) != 1 || !slices.Equal(got.Destination[0].Children, []string{s1, s2}) {
		t.Fatalf("merged destination %+v", got.Destination)
	}
	must[*gen.AddAccessGroupDestinationResponse](t, 400)(c.AddAccessGroupDestinationWithResponse(ctx, g.Id,
		gen.AccessItemDestinationRequest{Type: gen.AccessItemDestinationTypeUserGroup, Parent: ptr("no-group")}))
	must[*gen.AddAccessGroupDestinationResponse](t, 404)(c.AddAccessGroupDestinationWithResponse(ctx, "no-group", dest()))
	must[*gen.CreateAccessGroupResponse](t, 400)(c.CreateAccessGroupWithResponse(ctx, gen.AccessGroupRequest{Name: "x",
		Source: &[]gen.AccessItemSourceRequest{{Type: gen.AccessItemSourceTypeHost, Parent: ptr("no-host")}}}))

	// Deleting a service drops it from the children.
	must[*gen.DeleteNetworkIpServiceResponse](t, 204)(c.DeleteNetworkIpServiceWithResponse(ctx, s1))
	got2 := must[*gen.GetAccessGroupResponse](t, 200)(c.GetAccessGroupWithResponse(ctx, g.Id)).JSON200
	if !slices.Equal(got2.Destination[0].Children, []string{s2}) {
		t.Errorf("after deleting a service: %+v", got2.Destination)
	}
	// Removing the last child keeps the parent; removing the parent drops it.
	rm := func(child *string) *gen.AccessGroupResponse {
		return must[*gen.RemoveAccessGroupDestinationResponse](t, 200)(c.RemoveAccessGroupDestinationWithResponse(ctx, g.Id,
			&gen.RemoveAccessGroupDestinationParams{Type: gen.AccessItemDestinationTypeNetworkService, ParentId: &n.Id, ChildId: child})).JSON200
	}
	if r := rm(&s2); len(r.Destination) != 1 || len(r.Destination[0].Children) != 0 {
		t.Errorf("after removing the child: %+v", r.Destination)
	}
	if r := rm(nil); len(r.Destination) != 0 {
		t.Errorf("after removing the parent: %+v", r.Destination)
	}
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
	if !slices.Equal(domains, []string{"b.example", "c.example"}) {
		t.Errorf("allow list %v", domains)
	}
	must[*gen.AddCyberShieldBlockListDomainsResponse](t, 400)(c.AddCyberShieldBlockListDomainsWithResponse(ctx,
		gen.AddDomainsRequest{DomainAndComments: []gen.DomainAndComment{{Domain: "not a domain"}}}))
	if len(srv.CyberShieldBlockList()) != 0 {
		t.Errorf("block list %v", srv.CyberShieldBlockList())
	}
}

func TestNewHandlerAndLogger(t *testing.T) {
	var logs bytes.Buffer
	h, err := NewHandler(WithCredentials("a", "b"), WithLogger(slog.New(slog.NewTextHandler(&syncWriter{w: &logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	if err != nil {
		t.Fatal(err)
	}
	if id, secret := h.Credentials(); id != "a" || secret != "b" {
		t.Errorf("credentials %q %q", id, secret)
	}
	if h.Spec().Info.Version != "1.2.3" || len(h.Spec().Servers) != 0 {
		t.Errorf("spec %v %v", h.Spec().Info.Version, h.Spec().Servers)
	}
	ts := httptest.NewServer(h)
	defer ts.Close()
	srv := &Server{URL: ts.URL, ClientID: "a", ClientSecret: "b", h: h, ts: ts, tb: t}
	if srv.Handler() != h || srv.Spec() != h.Spec() {
		t.Error("Handler or Spec differ")
	}
	if _, err := srv.Client().ListRegionsWithResponse(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "operation=listRegions") || !strings.Contains(logs.String(), "operation=requestToken") {
		t.Errorf("logs:\n%s", logs.String())
	}
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
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if _, err := io.ReadAll(resp.Body); err == nil {
		t.Error("the read error was lost")
	}
	if errs, _ := rec.got(); len(errs) != 0 {
		t.Errorf("a broken body reported as a spec violation: %q", errs)
	}
}

package cloudconnexatest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// This file drives the fake with a client written the way hand-written
// CloudConnexa clients are (the vendor's own Go client, the Terraform
// provider's): plain structs mirroring the responses, sent back whole as
// request bodies, so they carry the response-only fields (id,
// systemSubnets, networkItemId, connectionStatus…) and null for every nil
// slice; the token is requested with HTTP Basic and a JSON body without a
// Content-Type. Such clients work against the live service, so they must
// work against the default fake, and WithStrictRequests must name every
// field they get wrong.

type hwRegion struct {
	ID         string `json:"id"`
	RegionName string `json:"regionName"`
	Country    string `json:"country"`
	Continent  string `json:"continent"`
	CountryISO string `json:"countryIso"`
}

type hwConnector struct {
	ID               string `json:"id"`
	Name             string `json:"name"`
	Description      string `json:"description"`
	NetworkItemID    string `json:"networkItemId"`
	NetworkItemType  string `json:"networkItemType"`
	VpnRegionID      string `json:"vpnRegionId"`
	IPv4Address      string `json:"ipV4Address"`
	IPv6Address      string `json:"ipV6Address"`
	ConnectionStatus string `json:"connectionStatus,omitempty"`
	Licensed         bool   `json:"licensed"`
}

type hwRoute struct {
	ID          string `json:"id"`
	Type        string `json:"type,omitempty"`
	Subnet      string `json:"subnet"`
	Value       string `json:"value"`
	Description string `json:"description"`
}

type hwNetwork struct {
	ID                string        `json:"id"`
	Name              string        `json:"name"`
	Description       string        `json:"description"`
	Egress            bool          `json:"egress"`
	InternetAccess    string        `json:"internetAccess"`
	SystemSubnets     []string      `json:"systemSubnets"`
	Connectors        []hwConnector `json:"connectors"`
	Routes            []hwRoute     `json:"routes"`
	GatewaysIDs       []string      `json:"gatewaysIds"`
	TunnelingProtocol string        `json:"tunnelingProtocol,omitempty"`
}

type hwDNSRecord struct {
	ID            string   `json:"id"`
	Domain        string   `json:"domain"`
	Description   string   `json:"description"`
	IPV4Addresses []string `json:"ipv4Addresses"`
	IPV6Addresses []string `json:"ipv6Addresses"`
}

type hwHost struct {
	ID             string        `json:"id"`
	Name           string        `json:"name"`
	Description    string        `json:"description"`
	InternetAccess string        `json:"internetAccess"`
	SystemSubnets  []string      `json:"systemSubnets"`
	Connectors     []hwConnector `json:"connectors"`
	GatewaysIDs    []string      `json:"gatewaysIds"`
}

type hwServiceConfig struct {
	CustomServiceTypes []struct {
		Protocol string `json:"protocol"`
	} `json:"customServiceTypes"`
	ServiceTypes []string `json:"serviceTypes"`
}

type hwIPService struct {
	ID              string           `json:"id"`
	Name            string           `json:"name"`
	Description     string           `json:"description"`
	NetworkItemType string           `json:"networkItemType"`
	NetworkItemID   string           `json:"networkItemId"`
	Type            string           `json:"type,omitempty"`
	Routes          []hwRoute        `json:"routes"`
	Config          *hwServiceConfig `json:"config"`
}

type hwUserGroup struct {
	ID                 string   `json:"id"`
	Name               string   `json:"name"`
	ConnectAuth        string   `json:"connectAuth"`
	InternetAccess     string   `json:"internetAccess"`
	MaxDevice          int      `json:"maxDevice"`
	SystemSubnets      []string `json:"systemSubnets"`
	VpnRegionIDs       []string `json:"vpnRegionIds"`
	AllRegionsIncluded bool     `json:"allRegionsIncluded"`
	GatewaysIDs        []string `json:"gatewaysIds"`
}

type hwUser struct {
	ID                string   `json:"id"`
	Username          string   `json:"username"`
	Email             string   `json:"email"`
	FirstName         string   `json:"firstName"`
	LastName          string   `json:"lastName"`
	GroupID           string   `json:"groupId"`
	SecondaryGroupIDs []string `json:"secondaryGroupIds"`
	Status            string   `json:"status,omitempty"`
	Role              string   `json:"role"`
	AuthType          string   `json:"authType,omitempty"`
	ConnectionStatus  string   `json:"connectionStatus,omitempty"`
	Devices           []struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"devices"`
}

type hwPage[T any] struct {
	Content       []T `json:"content"`
	TotalElements int `json:"totalElements"`
	TotalPages    int `json:"totalPages"`
	Page          int `json:"page"`
	Success       bool
}

// hwClient is the hand-written client: one generic request helper, errors
// as status and raw body.
type hwClient struct {
	base, id, secret, token string
	hc                      *http.Client
}

type hwError struct {
	status int
	body   string
}

func (e *hwError) Error() string { return fmt.Sprintf("status %d: %s", e.status, e.body) }

// authenticate requests a token as the vendor's Go client does: Basic
// credentials, a JSON body, no Content-Type.
func (c *hwClient) authenticate() error {
	req, err := http.NewRequest(http.MethodPost, c.base+"/api/v1/oauth/token",
		strings.NewReader(`{"grant_type":"client_credentials","scope":"default"}`))
	if err != nil {
		return err
	}
	req.SetBasicAuth(c.id, c.secret)
	req.Header.Set("Accept", "application/json")
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := c.send(req, &tok); err != nil {
		return err
	}
	c.token = tok.AccessToken
	return nil
}

func (c *hwClient) do(method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	return c.send(req, out)
}

func (c *hwClient) send(req *http.Request, out any) error {
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return &hwError{resp.StatusCode, string(b)}
	}
	if out == nil || len(b) == 0 {
		return nil
	}
	return json.Unmarshal(b, out)
}

// hwStep is one request of the lifecycle; in is built from the results of
// the earlier steps (ids), offending the fields strict mode must name.
type hwStep struct {
	name   string
	method string
	path   func() string
	in     func() any
	out    any
	// offending are the JSON pointers strict mode must name for in.
	offending []string
}

func hwLifecycle(c *hwClient) []hwStep {
	var (
		regions []hwRegion
		network hwNetwork
		route   hwRoute
		record  hwDNSRecord
		host    hwHost
		service hwIPService
		group   hwUserGroup
		user    hwUser
	)
	connector := hwConnector{Name: "hq-1", VpnRegionID: "us-east-1", NetworkItemType: "NETWORK"}
	return []hwStep{
		{name: "regions", method: "GET", path: func() string { return "/api/v1/regions" }, out: &regions},
		{
			name: "create network", method: "POST", path: func() string { return "/api/v1/networks" }, out: &network,
			in: func() any {
				return hwNetwork{Name: "hq", InternetAccess: "SPLIT_TUNNEL_ON", Connectors: []hwConnector{connector}}
			},
			offending: []string{"/id", "/systemSubnets", "/routes", "/gatewaysIds", "/connectors/0/id", "/connectors/0/networkItemId",
				"/connectors/0/networkItemType", "/connectors/0/ipV4Address", "/connectors/0/ipV6Address", "/connectors/0/licensed"},
		},
		{
			name: "create route", method: "POST", out: &route,
			path: func() string { return "/api/v1/networks/routes?networkId=" + url.QueryEscape(network.ID) },
			in:   func() any { return hwRoute{Value: "10.20.0.0/16", Description: "office"} },
			// subnet is the response's name of the request's value.
			offending: []string{"/id", "/subnet"},
		},
		{
			name: "create DNS record", method: "POST", path: func() string { return "/api/v1/dns-records" }, out: &record,
			in:        func() any { return hwDNSRecord{Domain: "db.hq.example", IPV4Addresses: []string{"10.20.0.5"}} },
			offending: []string{"/id", "/ipv6Addresses"},
		},
		{
			name: "create host", method: "POST", path: func() string { return "/api/v1/hosts" }, out: &host,
			in: func() any {
				return hwHost{Name: "db", InternetAccess: "SPLIT_TUNNEL_ON", Connectors: []hwConnector{{Name: "db-1", VpnRegionID: "eu-central-1"}}}
			},
			offending: []string{"/id", "/systemSubnets", "/gatewaysIds", "/connectors/0/id", "/connectors/0/networkItemId",
				"/connectors/0/networkItemType", "/connectors/0/ipV4Address", "/connectors/0/ipV6Address", "/connectors/0/licensed"},
		},
		{
			name: "create IP service", method: "POST", out: &service,
			path: func() string { return "/api/v1/hosts/ip-services?hostId=" + url.QueryEscape(host.ID) },
			in: func() any {
				return hwIPService{Name: "postgres", Config: &hwServiceConfig{ServiceTypes: []string{"ANY"}}}
			},
			offending: []string{"/id", "/networkItemType", "/networkItemId", "/routes", "/config/customServiceTypes"},
		},
		{
			name: "create user group", method: "POST", path: func() string { return "/api/v1/user-groups" }, out: &group,
			in: func() any {
				return hwUserGroup{Name: "engineers", ConnectAuth: "ON_PRIOR_AUTH", InternetAccess: "SPLIT_TUNNEL_ON", MaxDevice: 3, VpnRegionIDs: []string{"us-east-1"}}
			},
			offending: []string{"/id", "/systemSubnets", "/gatewaysIds"},
		},
		{
			name: "create user", method: "POST", path: func() string { return "/api/v1/users" }, out: &user,
			in: func() any {
				return hwUser{Username: "ada", Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace", GroupID: group.ID, Role: "MEMBER"}
			},
			offending: []string{"/id", "/secondaryGroupIds", "/devices"},
		},
		{name: "list networks", method: "GET", path: func() string { return "/api/v1/networks?page=0&size=100" }, out: &hwPage[hwNetwork]{}},
		{name: "list users", method: "GET", path: func() string { return "/api/v1/users?page=0&size=100" }, out: &hwPage[hwUser]{}},
		{name: "delete user", method: "DELETE", path: func() string { return "/api/v1/users/" + user.ID }},
		{name: "delete user group", method: "DELETE", path: func() string { return "/api/v1/user-groups/" + group.ID }},
		{name: "delete host", method: "DELETE", path: func() string { return "/api/v1/hosts/" + host.ID }},
		{name: "delete DNS record", method: "DELETE", path: func() string { return "/api/v1/dns-records/" + record.ID }},
		{name: "delete network", method: "DELETE", path: func() string { return "/api/v1/networks/" + network.ID }},
	}
}

func TestHandWrittenClientLifecycle(t *testing.T) {
	srv := NewServer(t)
	c := &hwClient{base: srv.URL, id: srv.ClientID, secret: srv.ClientSecret, hc: srv.HTTPClient()}
	require.NoError(t, c.authenticate(), "token: Basic + JSON body without Content-Type")

	steps := hwLifecycle(c)
	for _, st := range steps {
		var in any
		if st.in != nil {
			in = st.in()
		}
		require.NoError(t, c.do(st.method, st.path(), in, st.out), st.name)
	}

	regions := *steps[0].out.(*[]hwRegion)
	ids := make([]string, len(regions))
	for i, r := range regions {
		ids[i] = r.ID
	}
	assert.Contains(t, ids, "us-east-1")
	network := steps[1].out.(*hwNetwork)
	require.Len(t, network.Connectors, 1)
	assert.Equal(t, "us-east-1", network.Connectors[0].VpnRegionID)
	assert.Equal(t, network.ID, network.Connectors[0].NetworkItemID, "the server's own ids, not the client's empty ones")
	assert.Equal(t, "10.20.0.0/16", steps[2].out.(*hwRoute).Subnet)
	assert.Equal(t, []string{"ANY"}, steps[5].out.(*hwIPService).Config.ServiceTypes)
	user := steps[7].out.(*hwUser)
	assert.Equal(t, steps[6].out.(*hwUserGroup).ID, user.GroupID)
	assert.True(t, slices.ContainsFunc(steps[8].out.(*hwPage[hwNetwork]).Content, func(n hwNetwork) bool { return n.ID == network.ID }))
	assert.True(t, slices.ContainsFunc(steps[9].out.(*hwPage[hwUser]).Content, func(u hwUser) bool { return u.ID == user.ID }))

	// Deleted means gone, in the words the service uses.
	err := c.do("GET", "/api/v1/dns-records/"+steps[3].out.(*hwDNSRecord).ID, nil, nil)
	var he *hwError
	require.ErrorAs(t, err, &he)
	assert.Equal(t, 400, he.status)
	assert.Contains(t, he.body, "not found")
}

func TestHandWrittenClientStrict(t *testing.T) {
	srv := NewServer(t, WithStrictRequests())
	c := &hwClient{base: srv.URL, id: srv.ClientID, secret: srv.ClientSecret, hc: srv.HTTPClient()}

	err := c.authenticate()
	var he *hwError
	require.ErrorAs(t, err, &he, "strict: a token request with an undeclared body form")
	assert.Equal(t, 400, he.status)
	assert.Contains(t, he.body, "Content-Type")

	tok, err := srv.Token() // the documented form
	require.NoError(t, err)
	c.token = tok
	for _, st := range hwLifecycle(c) {
		if st.offending == nil {
			continue
		}
		t.Run(st.name, func(t *testing.T) {
			err := c.do(st.method, st.path(), st.in(), nil)
			var he *hwError
			require.ErrorAs(t, err, &he)
			require.Equal(t, 400, he.status, he.body)
			var e struct {
				ErrorMessage string                         `json:"errorMessage"`
				ErrorDetails map[string][]map[string]string `json:"errorDetails"`
			}
			require.NoError(t, json.Unmarshal([]byte(he.body), &e))
			for _, p := range st.offending {
				key := strings.ReplaceAll(strings.TrimPrefix(p, "/"), "/", ".")
				assert.Contains(t, e.ErrorDetails, key, "errorDetails names %s", p)
				assert.Contains(t, e.ErrorMessage, fmt.Sprintf("%q", p))
			}
			assert.Len(t, e.ErrorDetails, len(st.offending), "nothing else is at fault: %s", e.ErrorMessage)
		})
	}
}

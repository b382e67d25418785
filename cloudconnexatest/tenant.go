package cloudconnexatest

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"

	"github.com/cloudconnexa-go/cloudconnexa/gen"
)

// Tenant describes sample data for list, paging and lookup tests, seeded
// by [WithTenant]: networks with connectors, routes and IP services, hosts
// with connectors and IP services, user groups, and users with devices.
// The same Tenant (Seed included) gives the same data, ids included, on
// every run. Counts must not be negative.
type Tenant struct {
	// Seed makes the names, ids, regions and subnets; two tenants with the
	// same counts and Seed are identical.
	Seed uint64

	Networks             int
	ConnectorsPerNetwork int
	RoutesPerNetwork     int
	IPServicesPerNetwork int

	Hosts             int
	ConnectorsPerHost int
	IPServicesPerHost int

	// ApplicationsPerNetwork and ApplicationsPerHost are domain-routed
	// applications.
	ApplicationsPerNetwork int
	ApplicationsPerHost    int

	// UserGroups are made besides the "Default" group every tenant has;
	// users are spread over all of them, and every SecondaryGroupEvery-th
	// user (0: none) is also in the next group as a secondary group.
	UserGroups          int
	Users               int
	DevicesPerUser      int
	SecondaryGroupEvery int

	// AccessGroups each let a user group reach a network's services (or a
	// host's), taking the groups, networks and hosts in turn; DNSRecords
	// name the hosts' addresses; DevicePostures and LocationContexts each
	// apply to a user group.
	AccessGroups     int
	DNSRecords       int
	DevicePostures   int
	LocationContexts int

	// Settings sets what a new tenant leaves unset: a default DNS suffix,
	// DNS zones, client options, LDAP and SAML group mappings and Cyber
	// Shield lists.
	Settings bool
}

// RealisticTenant is a mid-sized company with every kind of object the
// API has, referring to each other: 8 networks with 2 connectors, 3
// routes, 2 IP services and an application each; 6 hosts with a
// connector, 2 IP services and an application each; 5 user groups
// besides "Default"; 300 users with 2 devices each (600 devices), every
// tenth also in a secondary group; 4 access groups from user groups to
// network and host services; 10 DNS records; 2 device postures and 2
// location contexts for user groups; and every setting set (with the
// default seed: the owner, sessions, audit records and DNS resolutions
// too). Every list and setting of the API reads non-empty.
func RealisticTenant(seed uint64) Tenant {
	return Tenant{
		Seed:     seed,
		Networks: 8, ConnectorsPerNetwork: 2, RoutesPerNetwork: 3, IPServicesPerNetwork: 2, ApplicationsPerNetwork: 1,
		Hosts: 6, ConnectorsPerHost: 1, IPServicesPerHost: 2, ApplicationsPerHost: 1,
		UserGroups: 5, Users: 300, DevicesPerUser: 2, SecondaryGroupEvery: 10,
		AccessGroups: 4, DNSRecords: 10, DevicePostures: 2, LocationContexts: 2,
		Settings: true,
	}
}

// WithTenant seeds t besides the regular seed data (see [RealisticTenant]).
func WithTenant(t Tenant) Option {
	return func(c *config) {
		v := reflect.ValueOf(t)
		for i := range v.NumField() {
			if f := v.Field(i); f.Kind() == reflect.Int && f.Int() < 0 {
				c.fail("WithTenant: %s is %d; counts must not be negative", v.Type().Field(i).Name, f.Int())
				return
			}
		}
		c.tenant = &t
	}
}

var (
	tenantFirstNames = []string{"Ada", "Alan", "Barbara", "Claude", "Dennis", "Edsger", "Frances", "Grace", "Hedy", "John", "Katherine", "Ken", "Leslie", "Linus", "Margaret", "Niklaus", "Radia", "Shafi", "Tim", "Whitfield"}
	tenantLastNames  = []string{"Lovelace", "Turing", "Liskov", "Shannon", "Ritchie", "Dijkstra", "Allen", "Hopper", "Lamarr", "Backus", "Johnson", "Thompson", "Lamport", "Torvalds", "Hamilton", "Wirth", "Perlman", "Goldwasser", "Berners-Lee", "Diffie"}
	tenantSites      = []string{"hq", "branch", "warehouse", "lab", "datacenter", "store", "factory", "office"}
	tenantServices   = []string{"postgres", "redis", "ldap", "intranet", "git", "jenkins", "grafana", "vault"}
	tenantGroups     = []string{"Engineering", "Sales", "Support", "Finance", "Operations", "Marketing", "Legal", "Research"}
)

// seedTenant adds t to the state. It runs before any request, so it writes
// the stores directly.
func (st *state) seedTenant(t Tenant) {
	rng := rand.New(rand.NewPCG(t.Seed, t.Seed^0x9e3779b97f4a7c15))
	id := seededIDs(rng)
	region := func() string { return st.regions[rng.IntN(len(st.regions))].ID }

	var networks, hosts []string
	for n := range t.Networks {
		nid := id()
		name := pickName(tenantSites, n)
		st.networks.put(nid, "", gen.NetworkResponse{
			ID: nid, Name: name, Description: ptr("Network of the " + name + " site"),
			Egress: ptr(n%3 == 0), InternetAccess: ptr(gen.InternetAccessSplitTunnelOn),
			TunnelingProtocol: ptr(gen.TunnelingProtocolOpenvpn),
		})
		for c := range t.ConnectorsPerNetwork {
			cid := id()
			conn := st.newNetConnector(cid, nid, gen.TunnelingProtocolOpenvpn, gen.NetworkConnectorRequest{
				Name: fmt.Sprintf("%s-%d", name, c+1), VPNRegionID: region(),
			})
			st.netConnectors.put(cid, nid, conn)
		}
		for r := range t.RoutesPerNetwork {
			rid := id()
			st.netRoutes.put(rid, nid, gen.NetworkRouteResponse{
				ID: rid, Subnet: fmt.Sprintf("10.%d.%d.0/24", n%250, r%250), Type: ptr(gen.RouteTypeIPv4),
				Description: ptr(fmt.Sprintf("%s subnet %d", name, r+1)),
			})
		}
		for s := range t.IPServicesPerNetwork {
			sid := id()
			svc, _ := networkIPService(sid, nid, gen.NetworkIPServiceRequest{
				Name:   fmt.Sprintf("%s-%s", name, pickName(tenantServices, s)),
				Routes: &[]gen.ServiceRouteRequest{{Value: fmt.Sprintf("10.%d.%d.%d/32", n%250, s%250, rng.IntN(250)+1)}},
			})
			for i := range svc.Routes {
				svc.Routes[i].ID = id()
			}
			st.netIPServices.put(sid, nid, svc)
		}
		for a := range t.ApplicationsPerNetwork {
			aid := id()
			app, _ := networkApplication(aid, nid, gen.NetworkApplicationRequest{
				Name:   fmt.Sprintf("%s-%s-app", name, pickName(tenantServices, a)),
				Routes: &[]gen.NetworkApplicationRouteRequest{{Value: fmt.Sprintf("%s.%s.corp.example", pickName(tenantServices, a), name)}},
			})
			for i := range app.Routes {
				app.Routes[i].ID = id()
			}
			st.netApps.put(aid, nid, app)
		}
		networks = append(networks, nid)
	}
	for h := range t.Hosts {
		hid := id()
		name := pickName(tenantServices, h) + "-host"
		st.hosts.put(hid, "", gen.HostResponse{
			ID: hid, Name: name, Domain: ptr(name + ".corp.example"),
			InternetAccess: ptr(gen.InternetAccessSplitTunnelOn),
		})
		for c := range t.ConnectorsPerHost {
			cid := id()
			st.hostConnectors.put(cid, hid, st.newHostConnector(cid, hid, gen.HostConnectorRequest{
				Name: fmt.Sprintf("%s-%d", name, c+1), VPNRegionID: region(),
			}))
		}
		for s := range t.IPServicesPerHost {
			sid := id()
			st.hostIPServices.put(sid, hid, hostIPService(sid, hid, gen.HostIPServiceRequest{
				Name: fmt.Sprintf("%s-%s", name, pickName(tenantServices, s)),
			}))
		}
		for a := range t.ApplicationsPerHost {
			aid := id()
			app, _ := hostApplication(aid, hid, gen.HostApplicationRequest{
				Name:   fmt.Sprintf("%s-app-%d", name, a+1),
				Routes: &[]gen.HostApplicationRouteRequest{{Value: fmt.Sprintf("app%d.%s.corp.example", a+1, name)}},
			})
			for i := range app.Routes {
				app.Routes[i].ID = id()
			}
			st.hostApps.put(aid, hid, app)
		}
		hosts = append(hosts, hid)
	}
	groups := []string{st.defaultGroupID}
	for g := range t.UserGroups {
		gid := id()
		grp, _ := st.userGroup(gid, gen.UserGroupRequest{Name: pickName(tenantGroups, g), VPNRegionIDs: &[]string{region()}})
		st.userGroups.put(gid, "", grp)
		groups = append(groups, gid)
	}
	statuses := []gen.UserStatus{gen.UserStatusActive, gen.UserStatusActive, gen.UserStatusActive, gen.UserStatusInvited, gen.UserStatusSuspended}
	for u := range t.Users {
		uid := id()
		first, last := tenantFirstNames[rng.IntN(len(tenantFirstNames))], tenantLastNames[rng.IntN(len(tenantLastNames))]
		username := fmt.Sprintf("user%04d", u+1)
		var secondary []string
		if t.SecondaryGroupEvery > 0 && u%t.SecondaryGroupEvery == 0 && len(groups) > 1 {
			secondary = []string{groups[(u+1)%len(groups)]}
		}
		st.users.put(uid, "", gen.UserResponse{
			ID: uid, Username: username, Email: username + "@corp.example",
			FirstName: ptr(first), LastName: ptr(last), SecondaryGroupIDs: secondary,
			GroupID: ptr(groups[u%len(groups)]), Role: ptr(gen.UserRoleMember),
			Status: ptr(statuses[rng.IntN(len(statuses))]), AuthType: ptr(gen.UserAuthTypeInternal),
			ConnectionStatus: ptr(gen.ConnectionStatusOffline), Licensed: ptr(true),
		})
		st.indexUser(gen.UserResponse{}, gen.UserResponse{ID: uid, Username: username, Email: username + "@corp.example"})
		for d := range t.DevicesPerUser {
			did := id()
			dev := st.newDevice(did, uid, gen.DeviceRequest{Name: fmt.Sprintf("%s-device-%d", username, d+1), ClientUUID: ptr(id())})
			st.devices.put(did, uid, dev)
		}
	}
	st.seedPolicies(t, id, groups[1:], networks, hosts)
}

// seedPolicies adds the access groups, DNS records, device postures,
// location contexts and settings of t, referring to the groups (besides
// "Default"), networks and hosts seeded before.
func (st *state) seedPolicies(t Tenant, id func() string, groups, networks, hosts []string) {
	at := func(ids []string, i int) string {
		if len(ids) == 0 {
			return ""
		}
		return ids[i%len(ids)]
	}
	for a := range t.AccessGroups {
		group := at(groups, a)
		if group == "" {
			group = st.defaultGroupID
		}
		src := []map[string]any{{"type": "USER_GROUP", "parent": group, "allCovered": true}}
		var dst []map[string]any
		if n := at(networks, a); n != "" && (a%2 == 0 || len(hosts) == 0) {
			dst = append(dst, map[string]any{"type": "NETWORK_SERVICE", "parent": n, "children": append(slices.Clone(st.netIPServices.ids(n)), st.netApps.ids(n)...)})
		} else if h := at(hosts, a); h != "" {
			dst = append(dst, map[string]any{"type": "HOST_SERVICE", "parent": h, "children": append(slices.Clone(st.hostIPServices.ids(h)), st.hostApps.ids(h)...)})
		} else {
			dst = append(dst, map[string]any{"type": "USER_GROUP", "parent": group, "allCovered": true})
		}
		gid := id()
		st.accessGroups.put(gid, "", convert[gen.AccessGroupResponse](nil, map[string]any{
			"id": gid, "name": fmt.Sprintf("%s access %d", pickName(tenantGroups, a), a+1), "defaultGroup": false,
			"description": "Seeded access group", "source": src, "destination": dst,
		}))
	}
	for d := range t.DNSRecords {
		rid := id()
		st.dnsRecords.put(rid, "", gen.DNSRecordResponse{
			ID: rid, Domain: fmt.Sprintf("%s.corp.example", pickName(tenantServices, d)),
			Description:   ptr("Seeded DNS record"),
			IPv4Addresses: []string{fmt.Sprintf("10.200.%d.%d", d/250, d%250+1)},
		})
	}
	forGroup := func(i int) []string {
		if g := at(groups, i); g != "" {
			return []string{g}
		}
		return []string{st.defaultGroupID}
	}
	for p := range t.DevicePostures {
		pid := id()
		st.devicePostures.put(pid, "", convert[gen.DevicePostureResponse](nil, map[string]any{
			"id": pid, "name": fmt.Sprintf("posture-%d", p+1), "description": "Seeded device posture",
			"userGroupsIds": forGroup(p),
			"windows":       map[string]any{"allowed": true}, "macos": map[string]any{"allowed": true},
			"linux": map[string]any{"allowed": p%2 == 0}, "android": map[string]any{"allowed": false}, "ios": map[string]any{"allowed": true},
		}))
	}
	for l := range t.LocationContexts {
		lid := id()
		st.locationContexts.put(lid, "", convert[gen.LocationContextResponse](nil, map[string]any{
			"id": lid, "name": fmt.Sprintf("location-%d", l+1), "description": "Seeded location context",
			"userGroupsIds": forGroup(l + 1),
			"ipCheck":       map[string]any{"allowed": true, "ips": []map[string]any{{"ip": fmt.Sprintf("203.0.113.%d", l+1), "description": "office"}}},
			"countryCheck":  map[string]any{"allowed": true, "countries": []string{"US", "DE"}},
			"defaultCheck":  map[string]any{"allowed": false},
		}))
	}
	if !t.Settings {
		return
	}
	s := &st.settings
	s.dnsSuffix = "corp.example"
	s.dnsZones = gen.DNSZones{Zones: &[]gen.DNSZone{{Name: "corp.example", Addresses: &[]string{"10.200.0.53"}}}}
	s.clientOptions = []string{"tun-mtu 1400"}
	mapping := gen.GroupMappingResponse{FallbackGroupID: ptr(st.defaultGroupID), Mappings: []gen.GroupMappingRecordResponse{
		{GroupID: ptr(forGroup(0)[0]), IdpGroupNames: []string{"vpn-users"}, SortingOrder: ptr(int32(1))},
	}}
	s.ldapMappings, s.samlMappings = mapping, mapping
	st.allowList = []gen.DomainAndComment{{Domain: "corp.example", Comment: ptr("our own")}}
	st.blockList = []gen.DomainAndComment{{Domain: "malware.example", Comment: ptr("seeded")}}
}

// pickName returns the i-th name, numbered once the names run out.
func pickName(names []string, i int) string {
	if i < len(names) {
		return names[i]
	}
	return fmt.Sprintf("%s-%d", names[i%len(names)], i/len(names)+1)
}

// seededIDs returns a source of version 4 UUIDs drawn from rng: the same
// rng state gives the same ids.
func seededIDs(rng *rand.Rand) func() string {
	return func() string {
		hi, lo := rng.Uint64(), rng.Uint64()
		hi = hi&^(0xf<<12) | 0x4<<12 // version 4
		lo = lo&^(0x3<<62) | 0x2<<62 // RFC 9562 variant
		return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", hi>>32, hi>>16&0xffff, hi&0xffff, lo>>48, lo&0xffffffffffff)
	}
}

package cloudconnexatest

import (
	"fmt"
	"math/rand/v2"
	"reflect"

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

	// UserGroups are made besides the "Default" group every tenant has;
	// users are spread over all of them.
	UserGroups     int
	Users          int
	DevicesPerUser int
}

// RealisticTenant is a mid-sized company: 8 networks with 2 connectors, 3
// routes and 2 IP services each, 6 hosts with a connector and 2 IP
// services each, 5 user groups besides "Default", and 300 users with 2
// devices each (600 devices).
func RealisticTenant(seed uint64) Tenant {
	return Tenant{
		Seed:     seed,
		Networks: 8, ConnectorsPerNetwork: 2, RoutesPerNetwork: 3, IPServicesPerNetwork: 2,
		Hosts: 6, ConnectorsPerHost: 1, IPServicesPerHost: 2,
		UserGroups: 5, Users: 300, DevicesPerUser: 2,
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
	id := func() string {
		hi, lo := rng.Uint64(), rng.Uint64()
		hi = hi&^(0xf<<12) | 0x4<<12 // version 4
		lo = lo&^(0x3<<62) | 0x2<<62 // RFC 9562 variant
		return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", hi>>32, hi>>16&0xffff, hi&0xffff, lo>>48, lo&0xffffffffffff)
	}
	region := func() string { return st.regions[rng.IntN(len(st.regions))].ID }
	pick := func(names []string, i int) string {
		if i < len(names) {
			return names[i]
		}
		return fmt.Sprintf("%s-%d", names[i%len(names)], i/len(names)+1)
	}

	for n := range t.Networks {
		nid := id()
		name := pick(tenantSites, n)
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
				Name:   fmt.Sprintf("%s-%s", name, pick(tenantServices, s)),
				Routes: &[]gen.ServiceRouteRequest{{Value: fmt.Sprintf("10.%d.%d.%d/32", n%250, s%250, rng.IntN(250)+1)}},
			})
			for i := range svc.Routes {
				svc.Routes[i].ID = id()
			}
			st.netIPServices.put(sid, nid, svc)
		}
	}
	for h := range t.Hosts {
		hid := id()
		name := pick(tenantServices, h) + "-host"
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
				Name: fmt.Sprintf("%s-%s", name, pick(tenantServices, s)),
			}))
		}
	}
	groups := []string{st.defaultGroupID}
	for g := range t.UserGroups {
		gid := id()
		grp, _ := st.userGroup(gid, gen.UserGroupRequest{Name: pick(tenantGroups, g), VPNRegionIDs: &[]string{region()}})
		st.userGroups.put(gid, "", grp)
		groups = append(groups, gid)
	}
	statuses := []gen.UserStatus{gen.UserStatusActive, gen.UserStatusActive, gen.UserStatusActive, gen.UserStatusInvited, gen.UserStatusSuspended}
	for u := range t.Users {
		uid := id()
		first, last := tenantFirstNames[rng.IntN(len(tenantFirstNames))], tenantLastNames[rng.IntN(len(tenantLastNames))]
		username := fmt.Sprintf("user%04d", u+1)
		st.users.put(uid, "", gen.UserResponse{
			ID: uid, Username: username, Email: username + "@corp.example",
			FirstName: ptr(first), LastName: ptr(last),
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
}

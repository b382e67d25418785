package cloudconnexatest

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"reflect"
	"time"

	"github.com/cloudconnexa-go/cloudconnexa/gen"
)

// state is the tenant the fake serves. Handlers use it with Handler.mu held.
type state struct {
	now func() time.Time

	regions []gen.VPNRegionResponse

	networks       *store[gen.NetworkResponse]
	netConnectors  *store[gen.NetworkConnectorResponse]
	netRoutes      *store[gen.NetworkRouteResponse]
	netIPServices  *store[gen.NetworkIPServiceResponse]
	netApps        *store[gen.NetworkApplicationResponse]
	hosts          *store[gen.HostResponse]
	hostConnectors *store[gen.HostConnectorResponse]
	hostIPServices *store[gen.HostIPServiceResponse]
	hostApps       *store[gen.HostApplicationResponse]

	users            *store[gen.UserResponse]
	devices          *store[gen.DeviceResponse]
	userGroups       *store[gen.UserGroupResponse]
	accessGroups     *store[gen.AccessGroupResponse]
	locationContexts *store[gen.LocationContextResponse]
	devicePostures   *store[gen.DevicePostureResponse]
	dnsRecords       *store[gen.DNSRecordResponse]

	// refRows are the tenant's references (see references), refs the index
	// of what names what, kinds the stores by kind name.
	refRows []reference
	refs    refIndex
	kinds   map[string]refKind

	defaultGroupID string
	ownerID        string
	cloudIDs       map[string]bool
	// userKeys maps "u:"+lower(username) and "e:"+lower(email) to the
	// user's id, for uniqueness checks without a scan.
	userKeys map[string]string

	settings    settings
	allowList   []gen.DomainAndComment
	blockList   []gen.DomainAndComment
	sessions    []gen.SessionResponse
	auditLogs   []gen.AuditLogResponse
	resolutions []gen.UserDNSResolution

	// addressSeq numbers the tunnel addresses handed to connectors and
	// devices.
	addressSeq int
}

// settings holds the tenant-wide settings; the text ones as the bare text
// the API exchanges.
type settings struct {
	topology, defaultRegion, profileDistribution, deviceEnforcement string
	connectAuth, ipAllocationMode, dnsSuffix                        string
	dnsServers                                                      gen.DNSServerAddresses
	dnsZones                                                        gen.DNSZones
	domainRoutingSubnet                                             gen.DomainRoutingSubnet
	subnet                                                          gen.Subnet
	clientOptions                                                   []string
	deviceAllowance, connectionTimeout                              int32
	dnsProxy, snat, routesAdvanced, trustedDevices, twoFactor       bool
	deviceAllowanceForceUpdate, dnsLog, accessVisibility            bool
	ldapMappings, samlMappings                                      gen.GroupMappingResponse
}

func newState(cfg config) *state {
	st := &state{
		now:              cfg.now,
		regions:          seedRegions(),
		networks:         newStore[gen.NetworkResponse](),
		netConnectors:    newStore[gen.NetworkConnectorResponse](),
		netRoutes:        newStore[gen.NetworkRouteResponse](),
		netIPServices:    newStore[gen.NetworkIPServiceResponse](),
		netApps:          newStore[gen.NetworkApplicationResponse](),
		hosts:            newStore[gen.HostResponse](),
		hostConnectors:   newStore[gen.HostConnectorResponse](),
		hostIPServices:   newStore[gen.HostIPServiceResponse](),
		hostApps:         newStore[gen.HostApplicationResponse](),
		users:            newStore[gen.UserResponse](),
		devices:          newStore[gen.DeviceResponse](),
		userGroups:       newStore[gen.UserGroupResponse](),
		accessGroups:     newStore[gen.AccessGroupResponse](),
		locationContexts: newStore[gen.LocationContextResponse](),
		devicePostures:   newStore[gen.DevicePostureResponse](),
		dnsRecords:       newStore[gen.DNSRecordResponse](),
		cloudIDs:         map[string]bool{},
		userKeys:         map[string]string{},
		refRows:          references(),
		refs:             refIndex{},
		kinds:            map[string]refKind{},
	}
	watch(st, "network", st.networks)
	watch(st, "networkConnector", st.netConnectors)
	watch(st, "networkRoute", st.netRoutes)
	watch(st, "networkIpService", st.netIPServices)
	watch(st, "networkApplication", st.netApps)
	watch(st, "host", st.hosts)
	watch(st, "hostConnector", st.hostConnectors)
	watch(st, "hostIpService", st.hostIPServices)
	watch(st, "hostApplication", st.hostApps)
	watch(st, "user", st.users)
	watch(st, "device", st.devices)
	watch(st, "userGroup", st.userGroups)
	watch(st, "accessGroup", st.accessGroups)
	watch(st, "locationContext", st.locationContexts)
	watch(st, "devicePosture", st.devicePostures)
	watch(st, "dnsRecord", st.dnsRecords)
	// With a Tenant, the ids every tenant has come from its seed too, so
	// that what refers to them is the same on every run.
	baseID := newID
	if cfg.tenant != nil {
		baseID = seededIDs(rand.New(rand.NewPCG(cfg.tenant.Seed^0x5eed, cfg.tenant.Seed)))
	}
	st.defaultGroupID = baseID()
	st.userGroups.put(st.defaultGroupID, "", gen.UserGroupResponse{
		ID: st.defaultGroupID, Name: "Default",
		AllRegionsIncluded: ptr(true),
		ConnectAuth:        ptr(gen.ConnectAuthOnPriorAuth),
		InternetAccess:     ptr(gen.InternetAccessSplitTunnelOn),
		MaxDevice:          ptr(int32(3)),
		SystemSubnets:      []string{"100.96.0.0/11", "fd:0:0:8000::/49"},
	})
	mappings := gen.GroupMappingResponse{FallbackGroupID: ptr(st.defaultGroupID), Mappings: []gen.GroupMappingRecordResponse{}}
	st.settings = settings{
		topology:            string(gen.TopologyFullMesh),
		defaultRegion:       "us-east-1",
		profileDistribution: string(gen.ProfileDistributionAutomatic),
		deviceEnforcement:   string(gen.DeviceEnforcementOff),
		connectAuth:         string(gen.ConnectAuthOnPriorAuth),
		ipAllocationMode:    string(gen.IPAllocationModeBoth),
		dnsServers:          gen.DNSServerAddresses{PrimaryIPv4: ptr("1.1.1.1"), SecondaryIPv4: ptr("8.8.8.8")},
		dnsZones:            gen.DNSZones{Zones: &[]gen.DNSZone{}},
		domainRoutingSubnet: gen.DomainRoutingSubnet{IPV4Address: ptr("100.64.0.0/10"), IPV6Address: ptr("fd:0:0:4000::/50")},
		subnet:              gen.Subnet{IPV4Address: &[]string{"100.96.0.0/11"}, IPV6Address: &[]string{"fd:0:0:8000::/49"}},
		clientOptions:       []string{},
		deviceAllowance:     3,
		connectionTimeout:   20,
		dnsProxy:            true,
		snat:                true,
		trustedDevices:      true,
		ldapMappings:        mappings,
		samlMappings:        mappings,
	}
	if cfg.seed {
		st.ownerID = baseID()
		st.users.put(st.ownerID, "", gen.UserResponse{
			ID: st.ownerID, Username: "owner", Email: "owner@example.com",
			FirstName: ptr("Olivia"), LastName: ptr("Owner"),
			GroupID: ptr(st.defaultGroupID), Role: ptr(gen.UserRoleOwner),
			Status: ptr(gen.UserStatusActive), AuthType: ptr(gen.UserAuthTypeInternal),
			ConnectionStatus: ptr(gen.ConnectionStatusOffline), Licensed: ptr(true),
		})
		owner, _ := st.users.get(st.ownerID)
		st.indexUser(gen.UserResponse{}, owner)
		st.resolutions = seedResolutions(cfg.now(), st.ownerID)
	}
	if cfg.tenant != nil {
		st.seedTenant(*cfg.tenant)
	}
	st.sessions = seedSessions(cfg.now(), cfg.sessions)
	st.auditLogs = seedAuditLogs(cfg.now(), cfg.auditLogs)
	st.trimAudit(MaxAuditLogs)
	return st
}

// nextAddresses returns a fresh pair of tunnel addresses.
func (st *state) nextAddresses() (v4, v6 string) {
	// 100.96.0.0/11 holds two million addresses; .0 and .1 of it are not
	// handed out.
	st.addressSeq++
	n := st.addressSeq%(1<<21-2) + 1
	a := 100<<24 | 96<<16 | n
	return fmt.Sprintf("%d.%d.%d.%d", a>>24, a>>16&0xff, a>>8&0xff, a&0xff), fmt.Sprintf("fd:0:0:8000::%x", n+1)
}

func (st *state) regionExists(id string) bool {
	for _, r := range st.regions {
		if r.ID == id {
			return true
		}
	}
	return false
}

func (st *state) checkRegion(field, id string) error {
	if !st.regionExists(id) {
		return errBadRequest(field, "Unknown VPN region %q", id)
	}
	return nil
}

// audit appends an audit log record for a successful change.
func (st *state) audit(op *opInfo, r *http.Request, result any, now time.Time) {
	if op.id == opTokenRequest {
		return
	}
	rec := gen.AuditLogResponse{
		ID:            newID(),
		Timestamp:     ptr(now.UTC()),
		Operation:     ptr(op.id),
		EntityType:    ptr(op.tag),
		InitiatorType: ptr("API"),
		InitiatorName: ptr("API client"),
		Description:   ptr(r.Method + " " + r.URL.Path),
	}
	if key := requestInfo(r).clientID; key != "" {
		rec.InitiatorID = ptr(key)
	}
	id := r.PathValue("id")
	if id == "" {
		id = r.PathValue("userId")
	}
	resultID, name := idAndName(result)
	if id == "" {
		id = resultID
	}
	if id != "" {
		rec.EntityID = ptr(id)
	}
	if name != "" {
		rec.EntityName = ptr(name)
	}
	st.auditLogs = append(st.auditLogs, rec)
	// Trimmed in batches: each record is copied at most once.
	st.trimAudit(2 * MaxAuditLogs)
}

// MaxAuditLogs is how many audit records the fake keeps, seeded and
// recorded: when a change adds one more, the oldest goes.
const MaxAuditLogs = 10_000

// trimAudit keeps the last MaxAuditLogs records once there are more than
// limit.
func (st *state) trimAudit(limit int) {
	if len(st.auditLogs) <= limit {
		return
	}
	n := copy(st.auditLogs, st.auditLogs[len(st.auditLogs)-MaxAuditLogs:])
	clear(st.auditLogs[n:])
	st.auditLogs = st.auditLogs[:n]
}

// auditRecords returns the audit records kept, oldest first.
func (st *state) auditRecords() []gen.AuditLogResponse {
	return st.auditLogs[max(len(st.auditLogs)-MaxAuditLogs, 0):]
}

// idAndName reads the ID and Name fields of a result model, if it has
// them (string or *string).
func idAndName(result any) (id, name string) {
	v := reflect.ValueOf(result)
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return "", ""
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return "", ""
	}
	str := func(field string) string {
		f := v.FieldByName(field)
		if f.Kind() == reflect.Pointer && !f.IsNil() {
			f = f.Elem()
		}
		if f.Kind() == reflect.String {
			return f.String()
		}
		return ""
	}
	return str("ID"), str("Name")
}

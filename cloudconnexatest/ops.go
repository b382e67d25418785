package cloudconnexatest

import (
	"github.com/cloudconnexa-go/cloudconnexa/gen"
)

// resources are the kinds of the tenant, wired to the state.
type resources struct {
	networks         *kind[gen.NetworkResponse]
	netConnectors    *kind[gen.NetworkConnectorResponse]
	netRoutes        *kind[gen.NetworkRouteResponse]
	netIPServices    *kind[gen.NetworkIPServiceResponse]
	netApps          *kind[gen.NetworkApplicationResponse]
	hosts            *kind[gen.HostResponse]
	hostConnectors   *kind[gen.HostConnectorResponse]
	hostIPServices   *kind[gen.HostIPServiceResponse]
	hostApps         *kind[gen.HostApplicationResponse]
	users            *kind[gen.UserResponse]
	devices          *kind[gen.DeviceResponse]
	userGroups       *kind[gen.UserGroupResponse]
	accessGroups     *kind[gen.AccessGroupResponse]
	locationContexts *kind[gen.LocationContextResponse]
	devicePostures   *kind[gen.DevicePostureResponse]
	dnsRecords       *kind[gen.DNSRecordResponse]
}

// operations wires the resource kinds to the state and returns the
// handlers of every operation but the token endpoint, by operation id.
func (h *Handler) operations() map[string]opFunc {
	st := h.st
	k := &resources{
		networks:         &kind[gen.NetworkResponse]{ref: "network", st: st, name: "network", label: "Network", store: st.networks},
		netConnectors:    &kind[gen.NetworkConnectorResponse]{ref: "networkConnector", st: st, name: "connector", label: "Network connector", store: st.netConnectors, parentParam: "networkId"},
		netRoutes:        &kind[gen.NetworkRouteResponse]{ref: "networkRoute", st: st, name: "route", label: "Network route", store: st.netRoutes, parentParam: "networkId"},
		netIPServices:    &kind[gen.NetworkIPServiceResponse]{ref: "networkIpService", st: st, name: "ipService", label: "IP service", store: st.netIPServices, parentParam: "networkId"},
		netApps:          &kind[gen.NetworkApplicationResponse]{ref: "networkApplication", st: st, name: "application", label: "Application", store: st.netApps, parentParam: "networkId", as400: true},
		hosts:            &kind[gen.HostResponse]{ref: "host", st: st, name: "host", label: "Host", store: st.hosts},
		hostConnectors:   &kind[gen.HostConnectorResponse]{ref: "hostConnector", st: st, name: "connector", label: "Host connector", store: st.hostConnectors, parentParam: "hostId"},
		hostIPServices:   &kind[gen.HostIPServiceResponse]{ref: "hostIpService", st: st, name: "ipService", label: "IP service", store: st.hostIPServices, parentParam: "hostId"},
		hostApps:         &kind[gen.HostApplicationResponse]{ref: "hostApplication", st: st, name: "application", label: "Application", store: st.hostApps, parentParam: "hostId", as400: true},
		users:            &kind[gen.UserResponse]{ref: "user", st: st, name: "user", label: "User", store: st.users},
		devices:          &kind[gen.DeviceResponse]{ref: "device", st: st, name: "device", label: "Device", store: st.devices, parentParam: "userId"},
		userGroups:       &kind[gen.UserGroupResponse]{ref: "userGroup", st: st, name: "userGroup", label: "User group", store: st.userGroups},
		accessGroups:     &kind[gen.AccessGroupResponse]{ref: "accessGroup", st: st, name: "accessGroup", label: "Access group", store: st.accessGroups},
		locationContexts: &kind[gen.LocationContextResponse]{ref: "locationContext", st: st, name: "locationContext", label: "Location context", store: st.locationContexts},
		devicePostures:   &kind[gen.DevicePostureResponse]{ref: "devicePosture", st: st, name: "devicePosture", label: "Device posture", store: st.devicePostures},
		dnsRecords:       &kind[gen.DNSRecordResponse]{ref: "dnsRecord", st: st, name: "dnsRecord", label: "DNS record", store: st.dnsRecords, as400: true},
	}
	for _, c := range []interface{ setParent(func(string) error) }{k.netConnectors, k.netRoutes, k.netIPServices, k.netApps} {
		c.setParent(k.networks.exists)
	}
	for _, c := range []interface{ setParent(func(string) error) }{k.hostConnectors, k.hostIPServices, k.hostApps} {
		c.setParent(k.hosts.exists)
	}
	k.devices.parent = k.users.exists

	// Derived fields: what a network, host or user owns is listed with it.
	k.networks.view = func(id string, n gen.NetworkResponse) gen.NetworkResponse {
		n.Connectors, n.Routes = k.netConnectors.all(id), st.netRoutes.list(id)
		return n
	}
	k.hosts.view = func(id string, v gen.HostResponse) gen.HostResponse {
		v.Connectors = k.hostConnectors.all(id)
		return v
	}
	k.users.view = func(id string, u gen.UserResponse) gen.UserResponse {
		u.Devices = st.devices.list(id)
		return u
	}
	// What a delete does to what names the deleted object is the table of
	// references' business (refs.go); these are the service's other
	// refusals, and the usernames index.
	k.users.onDelete = st.unindexUser
	k.users.canDelete = func(id string) error {
		if u, _ := st.users.get(id); deref(u.Role, "") == gen.UserRoleOwner {
			return errBadRequest("user", "User %s is the owner of the account and cannot be deleted", id)
		}
		return nil
	}
	k.userGroups.canDelete = func(id string) error {
		if id == st.defaultGroupID {
			return errBadRequest("userGroup", "The default user group cannot be deleted")
		}
		return nil
	}

	ops := map[string]opFunc{}
	for _, part := range []map[string]opFunc{
		h.networkOps(k), h.hostOps(k), h.userOps(k), h.policyOps(k), h.settingsOps(), h.miscOps(),
	} {
		for id, fn := range part {
			if _, dup := ops[id]; dup {
				panic("cloudconnexatest: two handlers for " + id)
			}
			ops[id] = fn
		}
	}
	return ops
}

func (k *kind[T]) setParent(fn func(string) error) { k.parent = fn }

package cloudconnexatest

import (
	"slices"

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
		networks:         &kind[gen.NetworkResponse]{name: "network", label: "Network", store: st.networks},
		netConnectors:    &kind[gen.NetworkConnectorResponse]{name: "connector", label: "Network connector", store: st.netConnectors, parentParam: "networkId"},
		netRoutes:        &kind[gen.NetworkRouteResponse]{name: "route", label: "Network route", store: st.netRoutes, parentParam: "networkId"},
		netIPServices:    &kind[gen.NetworkIPServiceResponse]{name: "ipService", label: "IP service", store: st.netIPServices, parentParam: "networkId"},
		netApps:          &kind[gen.NetworkApplicationResponse]{name: "application", label: "Application", store: st.netApps, parentParam: "networkId", as400: true},
		hosts:            &kind[gen.HostResponse]{name: "host", label: "Host", store: st.hosts},
		hostConnectors:   &kind[gen.HostConnectorResponse]{name: "connector", label: "Host connector", store: st.hostConnectors, parentParam: "hostId"},
		hostIPServices:   &kind[gen.HostIPServiceResponse]{name: "ipService", label: "IP service", store: st.hostIPServices, parentParam: "hostId"},
		hostApps:         &kind[gen.HostApplicationResponse]{name: "application", label: "Application", store: st.hostApps, parentParam: "hostId", as400: true},
		users:            &kind[gen.UserResponse]{name: "user", label: "User", store: st.users},
		devices:          &kind[gen.DeviceResponse]{name: "device", label: "Device", store: st.devices, parentParam: "userId"},
		userGroups:       &kind[gen.UserGroupResponse]{name: "userGroup", label: "User group", store: st.userGroups},
		accessGroups:     &kind[gen.AccessGroupResponse]{name: "accessGroup", label: "Access group", store: st.accessGroups},
		locationContexts: &kind[gen.LocationContextResponse]{name: "locationContext", label: "Location context", store: st.locationContexts},
		devicePostures:   &kind[gen.DevicePostureResponse]{name: "devicePosture", label: "Device posture", store: st.devicePostures},
		dnsRecords:       &kind[gen.DNSRecordResponse]{name: "dnsRecord", label: "DNS record", store: st.dnsRecords, as400: true},
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
	// Deleting an owner deletes what it owns, and what refers to it.
	k.networks.onDelete = func(id string) {
		st.netConnectors.removeChildren(id)
		st.netRoutes.removeChildren(id)
		st.netIPServices.removeChildren(id)
		st.netApps.removeChildren(id)
		st.forgetAccessItems(id)
	}
	k.hosts.onDelete = func(id string) {
		st.hostConnectors.removeChildren(id)
		st.hostIPServices.removeChildren(id)
		st.hostApps.removeChildren(id)
		st.forgetAccessItems(id)
	}
	k.users.onDelete = func(id string) {
		u, _ := st.users.get(id)
		st.unindexUser(u)
		st.devices.removeChildren(id)
	}
	k.userGroups.canDelete = func(id string) error {
		if id == st.defaultGroupID {
			return errBadRequest("userGroup", "The default user group cannot be deleted")
		}
		for _, u := range st.users.list("") {
			if deref(u.GroupID, "") == id || slices.Contains(u.SecondaryGroupIDs, id) {
				return errBadRequest("userGroup", "User group %s still has users", id)
			}
		}
		return nil
	}
	k.netIPServices.onDelete = st.forgetAccessItems
	k.hostIPServices.onDelete = st.forgetAccessItems

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

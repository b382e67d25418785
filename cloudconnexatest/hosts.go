package cloudconnexatest

import (
	"fmt"

	"github.com/cloudconnexa-go/cloudconnexa/gen"
)

// hostOps returns the handlers of the Host tag.
func (h *Handler) hostOps(k *resources) map[string]opFunc {
	st := h.st
	return map[string]opFunc{
		"listHosts":  k.hosts.list,
		"getHost":    k.hosts.get,
		"deleteHost": k.hosts.remove,
		"createHost": create(h, k.hosts, func(id, _ string, req gen.HostCreateRequest) (gen.HostResponse, error) {
			for i, c := range req.Connectors {
				if err := st.checkRegion(fmt.Sprintf("connectors[%d].vpnRegionId", i), c.VpnRegionId); err != nil {
					return gen.HostResponse{}, err
				}
			}
			for _, c := range req.Connectors {
				conn := st.newHostConnector(newID(), id, c)
				st.hostConnectors.put(conn.Id, id, conn)
			}
			return gen.HostResponse{
				Id: id, Name: req.Name, Description: req.Description, Domain: req.Domain,
				GatewaysIds:    req.GatewaysIds,
				InternetAccess: ptr(deref(req.InternetAccess, gen.InternetAccessSplitTunnelOn)),
			}, nil
		}),
		"updateHost": update(h, k.hosts, func(id string, _ gen.HostResponse, req gen.HostUpdateRequest) (gen.HostResponse, error) {
			return gen.HostResponse{
				Id: id, Name: req.Name, Description: req.Description, Domain: req.Domain,
				GatewaysIds:    deref(req.GatewaysIds, nil),
				InternetAccess: ptr(deref(req.InternetAccess, gen.InternetAccessSplitTunnelOn)),
			}, nil
		}),

		"listHostConnectors":  k.hostConnectors.list,
		"getHostConnector":    k.hostConnectors.get,
		"deleteHostConnector": k.hostConnectors.remove,
		"createHostConnector": create(h, k.hostConnectors, func(id, parent string, req gen.HostConnectorRequest) (gen.HostConnectorResponse, error) {
			if err := st.checkRegion("vpnRegionId", req.VpnRegionId); err != nil {
				return gen.HostConnectorResponse{}, err
			}
			return st.newHostConnector(id, parent, req), nil
		}),
		"updateHostConnector": update(h, k.hostConnectors, func(_ string, old gen.HostConnectorResponse, req gen.HostConnectorRequest) (gen.HostConnectorResponse, error) {
			if err := st.checkRegion("vpnRegionId", req.VpnRegionId); err != nil {
				return old, err
			}
			old.Name, old.Description, old.VpnRegionId = req.Name, req.Description, &req.VpnRegionId
			return old, nil
		}),
		"suspendHostConnector":           connectorState(k.hostConnectors, true),
		"activateHostConnector":          connectorState(k.hostConnectors, false),
		"generateHostConnectorProfile":   connectorProfile(k.hostConnectors, profileOVPN),
		"encryptHostConnectorProfile":    connectorProfile(k.hostConnectors, profileToken),
		"generateHostConnectorAppBundle": connectorProfile(k.hostConnectors, profileBundle),
		"revokeHostConnectorProfile":     connectorProfile(k.hostConnectors, profileRevoke),

		"listHostIpServices":  k.hostIPServices.list,
		"getHostIpService":    k.hostIPServices.get,
		"deleteHostIpService": k.hostIPServices.remove,
		"createHostIpService": create(h, k.hostIPServices, func(id, parent string, req gen.HostIpServiceRequest) (gen.HostIpServiceResponse, error) {
			return hostIPService(id, parent, req), nil
		}),
		"updateHostIpService": update(h, k.hostIPServices, func(id string, old gen.HostIpServiceResponse, req gen.HostIpServiceRequest) (gen.HostIpServiceResponse, error) {
			return hostIPService(id, deref(old.NetworkItemId, ""), req), nil
		}),

		"listHostApplications":  k.hostApps.list,
		"getHostApplication":    k.hostApps.get,
		"deleteHostApplication": k.hostApps.remove,
		"createHostApplication": create(h, k.hostApps, func(id, parent string, req gen.HostApplicationRequest) (gen.HostApplicationResponse, error) {
			return hostApplication(id, parent, req)
		}),
		"updateHostApplication": update(h, k.hostApps, func(id string, old gen.HostApplicationResponse, req gen.HostApplicationRequest) (gen.HostApplicationResponse, error) {
			return hostApplication(id, deref(old.NetworkItemId, ""), req)
		}),
	}
}

func (st *state) newHostConnector(id, hostID string, req gen.HostConnectorRequest) gen.HostConnectorResponse {
	v4, v6 := st.nextAddresses()
	return gen.HostConnectorResponse{
		Id: id, Name: req.Name, Description: req.Description, VpnRegionId: ptr(req.VpnRegionId),
		NetworkItemId: ptr(hostID), NetworkItemType: ptr(gen.NetworkItemTypeHost),
		ConnectionStatus: ptr(gen.ConnectionStatusOffline), IpV4Address: &v4, IpV6Address: &v6,
		Licensed: ptr(true),
	}
}

func hostIPService(id, hostID string, req gen.HostIpServiceRequest) gen.HostIpServiceResponse {
	return gen.HostIpServiceResponse{
		Id: id, Name: req.Name, Description: req.Description,
		NetworkItemId: ptr(hostID), NetworkItemType: ptr(gen.NetworkItemTypeHost),
		Config: serviceConfig(req.Config),
	}
}

func hostApplication(id, hostID string, req gen.HostApplicationRequest) (gen.HostApplicationResponse, error) {
	routes := make([]gen.HostDomainRouteResponse, 0, len(deref(req.Routes, nil)))
	for i, rr := range deref(req.Routes, nil) {
		if err := checkDomain(fmt.Sprintf("routes[%d].value", i), rr.Value); err != nil {
			return gen.HostApplicationResponse{}, err
		}
		routes = append(routes, gen.HostDomainRouteResponse{
			Id: newID(), Domain: ptr(rr.Value), Type: ptr(gen.DomainRouteTypeDomain),
			AllowEmbeddedIp: ptr(deref(rr.AllowEmbeddedIp, false)),
		})
	}
	return gen.HostApplicationResponse{
		Id: id, Name: req.Name, Description: req.Description,
		NetworkItemId: ptr(hostID), NetworkItemType: ptr(gen.NetworkItemTypeHost),
		Config: serviceConfig(req.Config), Routes: routes,
	}, nil
}

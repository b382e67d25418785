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
				if err := st.checkRegion(fmt.Sprintf("connectors[%d].vpnRegionId", i), c.VPNRegionID); err != nil {
					return gen.HostResponse{}, err
				}
			}
			for _, c := range req.Connectors {
				conn := st.newHostConnector(newID(), id, c)
				st.hostConnectors.put(conn.ID, id, conn)
			}
			return gen.HostResponse{
				ID: id, Name: req.Name, Description: req.Description, Domain: req.Domain,
				GatewaysIDs:    deref(req.GatewaysIDs, nil),
				InternetAccess: ptr(deref(req.InternetAccess, gen.InternetAccessSplitTunnelOn)),
			}, nil
		}),
		"updateHost": update(h, k.hosts, func(id string, _ gen.HostResponse, req gen.HostUpdateRequest) (gen.HostResponse, error) {
			return gen.HostResponse{
				ID: id, Name: req.Name, Description: req.Description, Domain: req.Domain,
				GatewaysIDs:    deref(req.GatewaysIDs, nil),
				InternetAccess: ptr(deref(req.InternetAccess, gen.InternetAccessSplitTunnelOn)),
			}, nil
		}),

		"listHostConnectors":  k.hostConnectors.list,
		"getHostConnector":    k.hostConnectors.get,
		"deleteHostConnector": k.hostConnectors.remove,
		"createHostConnector": create(h, k.hostConnectors, func(id, parent string, req gen.HostConnectorRequest) (gen.HostConnectorResponse, error) {
			if err := st.checkRegion("vpnRegionId", req.VPNRegionID); err != nil {
				return gen.HostConnectorResponse{}, err
			}
			return st.newHostConnector(id, parent, req), nil
		}),
		"updateHostConnector": update(h, k.hostConnectors, func(_ string, old gen.HostConnectorResponse, req gen.HostConnectorRequest) (gen.HostConnectorResponse, error) {
			if err := st.checkRegion("vpnRegionId", req.VPNRegionID); err != nil {
				return old, err
			}
			old.Name, old.Description, old.VPNRegionID = req.Name, req.Description, &req.VPNRegionID
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
		"createHostIpService": create(h, k.hostIPServices, func(id, parent string, req gen.HostIPServiceRequest) (gen.HostIPServiceResponse, error) {
			return hostIPService(id, parent, req), nil
		}),
		"updateHostIpService": update(h, k.hostIPServices, func(id string, old gen.HostIPServiceResponse, req gen.HostIPServiceRequest) (gen.HostIPServiceResponse, error) {
			return hostIPService(id, deref(old.NetworkItemID, ""), req), nil
		}),

		"listHostApplications":  k.hostApps.list,
		"getHostApplication":    k.hostApps.get,
		"deleteHostApplication": k.hostApps.remove,
		"createHostApplication": create(h, k.hostApps, func(id, parent string, req gen.HostApplicationRequest) (gen.HostApplicationResponse, error) {
			return hostApplication(id, parent, req)
		}),
		"updateHostApplication": update(h, k.hostApps, func(id string, old gen.HostApplicationResponse, req gen.HostApplicationRequest) (gen.HostApplicationResponse, error) {
			return hostApplication(id, deref(old.NetworkItemID, ""), req)
		}),
	}
}

func (st *state) newHostConnector(id, hostID string, req gen.HostConnectorRequest) gen.HostConnectorResponse {
	v4, v6 := st.nextAddresses()
	return gen.HostConnectorResponse{
		ID: id, Name: req.Name, Description: req.Description, VPNRegionID: ptr(req.VPNRegionID),
		NetworkItemID: ptr(hostID), NetworkItemType: ptr(gen.NetworkItemTypeHost),
		ConnectionStatus: ptr(gen.ConnectionStatusOffline), IPV4Address: &v4, IPV6Address: &v6,
		Licensed: ptr(true),
	}
}

func hostIPService(id, hostID string, req gen.HostIPServiceRequest) gen.HostIPServiceResponse {
	return gen.HostIPServiceResponse{
		ID: id, Name: req.Name, Description: req.Description,
		NetworkItemID: ptr(hostID), NetworkItemType: ptr(gen.NetworkItemTypeHost),
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
			ID: newID(), Domain: ptr(rr.Value), Type: ptr(gen.DomainRouteTypeDomain),
			AllowEmbeddedIP: ptr(deref(rr.AllowEmbeddedIP, false)),
		})
	}
	return gen.HostApplicationResponse{
		ID: id, Name: req.Name, Description: req.Description,
		NetworkItemID: ptr(hostID), NetworkItemType: ptr(gen.NetworkItemTypeHost),
		Config: serviceConfig(req.Config), Routes: routes,
	}, nil
}

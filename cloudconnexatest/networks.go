package cloudconnexatest

import (
	"fmt"
	"net/http"
	"net/netip"
	"strings"

	"github.com/cloudconnexa-go/cloudconnexa/gen"
)

// networkOps returns the handlers of the Network tag.
func (h *Handler) networkOps(k *resources) map[string]opFunc {
	st := h.st
	return map[string]opFunc{
		"listNetworks":  k.networks.list,
		"getNetwork":    k.networks.get,
		"deleteNetwork": k.networks.remove,
		"createNetwork": create(h, k.networks, func(id, _ string, req gen.NetworkCreateRequest) (gen.NetworkResponse, error) {
			proto := deref(req.TunnelingProtocol, gen.TunnelingProtocolOpenvpn)
			for i, c := range req.Connectors {
				if err := st.checkRegion(fmt.Sprintf("connectors[%d].vpnRegionId", i), c.VPNRegionID); err != nil {
					return gen.NetworkResponse{}, err
				}
			}
			routes := make([]gen.NetworkRouteResponse, 0, len(req.Routes))
			for i, rr := range req.Routes {
				route, err := newRoute(fmt.Sprintf("routes[%d].value", i), rr)
				if err != nil {
					return gen.NetworkResponse{}, err
				}
				routes = append(routes, route)
			}
			for _, c := range req.Connectors {
				conn := st.newNetConnector(newID(), id, proto, c)
				st.netConnectors.put(conn.ID, id, conn)
			}
			for _, route := range routes {
				st.netRoutes.put(route.ID, id, route)
			}
			return gen.NetworkResponse{
				ID: id, Name: req.Name, Description: req.Description,
				Egress:            ptr(deref(req.Egress, false)),
				GatewaysIDs:       deref(req.GatewaysIDs, nil),
				InternetAccess:    ptr(deref(req.InternetAccess, gen.InternetAccessSplitTunnelOn)),
				TunnelingProtocol: &proto,
			}, nil
		}),
		"updateNetwork": update(h, k.networks, func(id string, old gen.NetworkResponse, req gen.NetworkUpdateRequest) (gen.NetworkResponse, error) {
			return gen.NetworkResponse{
				ID: id, Name: req.Name, Description: req.Description,
				Egress:            ptr(deref(req.Egress, false)),
				GatewaysIDs:       deref(req.GatewaysIDs, nil),
				InternetAccess:    ptr(deref(req.InternetAccess, gen.InternetAccessSplitTunnelOn)),
				TunnelingProtocol: ptr(deref(req.TunnelingProtocol, deref(old.TunnelingProtocol, gen.TunnelingProtocolOpenvpn))),
			}, nil
		}),

		"listNetworkConnectors":  k.netConnectors.list,
		"getNetworkConnector":    k.netConnectors.get,
		"deleteNetworkConnector": k.netConnectors.remove,
		"createNetworkConnector": create(h, k.netConnectors, func(id, parent string, req gen.NetworkConnectorRequest) (gen.NetworkConnectorResponse, error) {
			if err := st.checkRegion("vpnRegionId", req.VPNRegionID); err != nil {
				return gen.NetworkConnectorResponse{}, err
			}
			n, _ := st.networks.get(parent)
			return st.newNetConnector(id, parent, deref(n.TunnelingProtocol, gen.TunnelingProtocolOpenvpn), req), nil
		}),
		"updateNetworkConnector": update(h, k.netConnectors, func(_ string, old gen.NetworkConnectorResponse, req gen.NetworkConnectorRequest) (gen.NetworkConnectorResponse, error) {
			if err := st.checkRegion("vpnRegionId", req.VPNRegionID); err != nil {
				return old, err
			}
			old.Name, old.Description, old.VPNRegionID = req.Name, req.Description, &req.VPNRegionID
			if req.IPSecConfig == nil {
				old.IPSecConfig = nil
			} else {
				old.IPSecConfig = ipSecResponse(req.IPSecConfig, old.IPSecConfig)
			}
			return old, nil
		}),
		"suspendNetworkConnector":  connectorState(k.netConnectors, true),
		"activateNetworkConnector": connectorState(k.netConnectors, false),
		"startNetworkConnectorIpSec": func(r *http.Request) (any, error) {
			return nil, ipSecRun(k.netConnectors, r, gen.ConnectionStatusOnline)
		},
		"stopNetworkConnectorIpSec": func(r *http.Request) (any, error) {
			return nil, ipSecRun(k.netConnectors, r, gen.ConnectionStatusOffline)
		},
		"generateNetworkConnectorProfile":   connectorProfile(k.netConnectors, profileOVPN),
		"encryptNetworkConnectorProfile":    connectorProfile(k.netConnectors, profileToken),
		"generateNetworkConnectorAppBundle": connectorProfile(k.netConnectors, profileBundle),
		"revokeNetworkConnectorProfile":     connectorProfile(k.netConnectors, profileRevoke),

		"listNetworkRoutes":  k.netRoutes.list,
		"getNetworkRoute":    k.netRoutes.get,
		"deleteNetworkRoute": k.netRoutes.remove,
		"createNetworkRoute": create(h, k.netRoutes, func(id, _ string, req gen.NetworkRouteRequest) (gen.NetworkRouteResponse, error) {
			route, err := newRoute("value", req)
			route.ID = id
			return route, err
		}),
		"updateNetworkRoute": update(h, k.netRoutes, func(id string, _ gen.NetworkRouteResponse, req gen.NetworkRouteRequest) (gen.NetworkRouteResponse, error) {
			route, err := newRoute("value", req)
			route.ID = id
			return route, err
		}),

		"listNetworkIpServices":  k.netIPServices.list,
		"getNetworkIpService":    k.netIPServices.get,
		"deleteNetworkIpService": k.netIPServices.remove,
		"createNetworkIpService": create(h, k.netIPServices, func(id, parent string, req gen.NetworkIPServiceRequest) (gen.NetworkIPServiceResponse, error) {
			return networkIPService(id, parent, req)
		}),
		"updateNetworkIpService": update(h, k.netIPServices, func(id string, old gen.NetworkIPServiceResponse, req gen.NetworkIPServiceRequest) (gen.NetworkIPServiceResponse, error) {
			return networkIPService(id, deref(old.NetworkItemID, ""), req)
		}),

		"listNetworkApplications":  k.netApps.list,
		"getNetworkApplication":    k.netApps.get,
		"deleteNetworkApplication": k.netApps.remove,
		"createNetworkApplication": create(h, k.netApps, func(id, parent string, req gen.NetworkApplicationRequest) (gen.NetworkApplicationResponse, error) {
			return networkApplication(id, parent, req)
		}),
		"updateNetworkApplication": update(h, k.netApps, func(id string, old gen.NetworkApplicationResponse, req gen.NetworkApplicationRequest) (gen.NetworkApplicationResponse, error) {
			return networkApplication(id, deref(old.NetworkItemID, ""), req)
		}),
	}
}

// newNetConnector makes a connector of a network, offline until its
// software connects (which in the fake it never does).
func (st *state) newNetConnector(id, networkID string, proto gen.TunnelingProtocol, req gen.NetworkConnectorRequest) gen.NetworkConnectorResponse {
	v4, v6 := st.nextAddresses()
	c := gen.NetworkConnectorResponse{
		ID: id, Name: req.Name, Description: req.Description, VPNRegionID: ptr(req.VPNRegionID),
		NetworkItemID: ptr(networkID), NetworkItemType: ptr(gen.NetworkItemTypeNetwork),
		ConnectionStatus: ptr(gen.ConnectionStatusOffline), IPV4Address: &v4, IPV6Address: &v6,
		Licensed: ptr(true), TunnelingProtocol: &proto,
	}
	if req.IPSecConfig != nil {
		c.IPSecConfig = ipSecResponse(req.IPSecConfig, nil)
		c.TunnelingProtocol = ptr(gen.TunnelingProtocolIPsec)
	}
	return c
}

// ipSecResponse makes the IPsec configuration of a connector from a request,
// keeping the server side (and suspension state) of old.
func ipSecResponse(req *gen.IPSecConfigRequest, old *gen.IPSecConfigResponse) *gen.IPSecConfigResponse {
	out := convert[gen.IPSecConfigResponse](req, nil)
	if old != nil {
		out.ConnectorState, out.ServerID, out.ServerIP = old.ConnectorState, old.ServerID, old.ServerIP
	} else {
		out.ConnectorState = ptr(gen.IPsecConnectorStateActive)
		out.ServerID = ptr(newID())
		out.ServerIP = ptr("198.51.100.10")
	}
	return &out
}

// connectorState is the suspend or activate handler of a connector kind.
// A suspended connector is unlicensed and offline, and its IPsec state (if
// any) says SUSPENDED.
func connectorState[T gen.NetworkConnectorResponse | gen.HostConnectorResponse](k *kind[T], suspend bool) opFunc {
	return func(r *http.Request) (any, error) {
		_, err := k.change(r, func(v *T) error {
			switch c := any(v).(type) {
			case *gen.NetworkConnectorResponse:
				c.Licensed = ptr(!suspend)
				if suspend {
					c.ConnectionStatus = ptr(gen.ConnectionStatusOffline)
				}
				if c.IPSecConfig != nil {
					c.IPSecConfig.ConnectorState = ptr(gen.IPsecConnectorStateActive)
					if suspend {
						c.IPSecConfig.ConnectorState = ptr(gen.IPsecConnectorStateSuspended)
					}
				}
			case *gen.HostConnectorResponse:
				c.Licensed = ptr(!suspend)
				if suspend {
					c.ConnectionStatus = ptr(gen.ConnectionStatusOffline)
				}
			}
			return nil
		})
		return nil, err
	}
}

// ipSecRun starts or stops the IPsec tunnel of a network connector.
func ipSecRun(k *kind[gen.NetworkConnectorResponse], r *http.Request, status gen.ConnectionStatus) error {
	_, err := k.change(r, func(c *gen.NetworkConnectorResponse) error {
		if c.IPSecConfig == nil {
			return errBadRequest("connector", "Connector %s is not an IPsec connector", c.ID)
		}
		if status == gen.ConnectionStatusOnline && deref(c.IPSecConfig.ConnectorState, "") == gen.IPsecConnectorStateSuspended {
			return errBadRequest("connector", "Connector %s is suspended", c.ID)
		}
		c.ConnectionStatus = &status
		return nil
	})
	return err
}

type profileKind int

const (
	profileOVPN profileKind = iota
	profileToken
	profileBundle
	profileRevoke
)

// connectorProfile serves the profile operations of a connector kind.
func connectorProfile[T any](k *kind[T], what profileKind) opFunc {
	return func(r *http.Request) (any, error) {
		id := r.PathValue("id")
		v, err := k.find(id)
		if err != nil {
			return nil, err
		}
		region := ""
		switch c := any(v).(type) {
		case gen.NetworkConnectorResponse:
			region = deref(c.VPNRegionID, "")
		case gen.HostConnectorResponse:
			region = deref(c.VPNRegionID, "")
		}
		switch what {
		case profileToken:
			return "ENC-" + randomHex(24), nil
		case profileBundle:
			ext := strings.ToLower(r.URL.Query().Get("type"))
			return fmt.Sprintf("https://fake.cloudconnexa.invalid/bundles/%s/%s.%s", id, randomHex(8), ext), nil
		case profileRevoke:
			return true, nil
		}
		return ovpnProfile("connector "+id, region), nil
	}
}

// ovpnProfile returns an OpenVPN client profile that looks like the real
// ones (it connects nowhere).
func ovpnProfile(who, region string) string {
	return fmt.Sprintf(`# CloudConnexa profile for %s (issued by the cloudconnexatest fake)
client
dev tun
proto udp
remote %s.fake.cloudconnexa.invalid 1194
resolv-retry infinite
nobind
remote-cert-tls server
cipher AES-256-GCM
verb 3
<ca>
-----BEGIN CERTIFICATE-----
RkFLRSBDRVJUSUZJQ0FURSAtIE5PVCBWQUxJRA==
-----END CERTIFICATE-----
</ca>
<key>
-----BEGIN PRIVATE KEY-----
%s
-----END PRIVATE KEY-----
</key>
`, who, region, randomHex(32))
}

// parseSubnet checks a CIDR route and tells its address family.
func parseSubnet(field, value string) (gen.RouteType, error) {
	p, err := netip.ParsePrefix(value)
	if err != nil {
		return "", errBadRequest(field, "Invalid subnet %q: expected CIDR notation such as 10.0.0.0/24", value)
	}
	if p.Addr().Is4() {
		return gen.RouteTypeIPv4, nil
	}
	return gen.RouteTypeIPv6, nil
}

func newRoute(field string, req gen.NetworkRouteRequest) (gen.NetworkRouteResponse, error) {
	typ, err := parseSubnet(field, req.Value)
	if err != nil {
		return gen.NetworkRouteResponse{}, err
	}
	return gen.NetworkRouteResponse{ID: newID(), Subnet: req.Value, Type: &typ, Description: req.Description}, nil
}

func serviceConfig(req *gen.ServiceConfigRequest) *gen.ServiceConfigResponse {
	if req == nil {
		return &gen.ServiceConfigResponse{ServiceTypes: []gen.ServiceType{gen.ServiceTypeAny}}
	}
	return ptr(convert[gen.ServiceConfigResponse](req, nil))
}

func networkIPService(id, networkID string, req gen.NetworkIPServiceRequest) (gen.NetworkIPServiceResponse, error) {
	routes := make([]gen.IPRouteResponse, 0, len(deref(req.Routes, nil)))
	for i, rr := range deref(req.Routes, nil) {
		typ, err := parseSubnet(fmt.Sprintf("routes[%d].value", i), rr.Value)
		if err != nil {
			return gen.NetworkIPServiceResponse{}, err
		}
		routes = append(routes, gen.IPRouteResponse{ID: newID(), Subnet: rr.Value, Type: &typ})
	}
	return gen.NetworkIPServiceResponse{
		ID: id, Name: req.Name, Description: req.Description,
		NetworkItemID: ptr(networkID), NetworkItemType: ptr(gen.NetworkItemTypeNetwork),
		Type:   ptr(deref(req.Type, gen.IPServiceTypeServiceDestination)),
		Config: serviceConfig(req.Config), Routes: routes,
	}, nil
}

func checkDomain(field, d string) error {
	if d == "" || strings.ContainsAny(d, " /\t") {
		return errBadRequest(field, "Invalid domain %q", d)
	}
	return nil
}

func networkApplication(id, networkID string, req gen.NetworkApplicationRequest) (gen.NetworkApplicationResponse, error) {
	routes := make([]gen.NetworkDomainRouteResponse, 0, len(deref(req.Routes, nil)))
	for i, rr := range deref(req.Routes, nil) {
		if err := checkDomain(fmt.Sprintf("routes[%d].value", i), rr.Value); err != nil {
			return gen.NetworkApplicationResponse{}, err
		}
		routes = append(routes, gen.NetworkDomainRouteResponse{
			ID: newID(), Domain: ptr(rr.Value), Type: ptr(gen.DomainRouteTypeDomain),
			AllowEmbeddedIP: ptr(deref(rr.AllowEmbeddedIP, false)), ExactMatch: ptr(deref(rr.ExactMatch, false)),
		})
	}
	return gen.NetworkApplicationResponse{
		ID: id, Name: req.Name, Description: req.Description,
		NetworkItemID: ptr(networkID), NetworkItemType: ptr(gen.NetworkItemTypeNetwork),
		Config: serviceConfig(req.Config), Routes: routes,
	}, nil
}

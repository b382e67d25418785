package cloudconnexatest

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/netip"
	"slices"

	"github.com/cloudconnexa-go/cloudconnexa/gen"
)

// settingsOps returns the handlers of the Settings tag: every setting is a
// GET/PUT pair whose PUT answers the stored value.
func (h *Handler) settingsOps() map[string]opFunc {
	st := h.st
	s := &st.settings
	ops := map[string]opFunc{
		"getLdapGroupMappings": func(*http.Request) (any, error) { return s.ldapMappings, nil },
		"getSamlGroupMappings": func(*http.Request) (any, error) { return s.samlMappings, nil },
	}
	pair := func(name string, p getSet) {
		ops["get"+name], ops["set"+name] = p.get, p.set
	}
	pair("Topology", textSetting(&s.topology, oneOf(gen.TopologyFullMesh, gen.TopologyCustom)))
	pair("ProfileDistribution", textSetting(&s.profileDistribution, oneOf(gen.ProfileDistributionAutomatic, gen.ProfileDistributionManual)))
	pair("DeviceEnforcement", textSetting(&s.deviceEnforcement, oneOf(gen.DeviceEnforcementOff, gen.DeviceEnforcementLearnAndEnforce, gen.DeviceEnforcementEnforce)))
	pair("ConnectAuth", textSetting(&s.connectAuth, oneOf(gen.ConnectAuthNoAuth, gen.ConnectAuthOnPriorAuth, gen.ConnectAuthEveryTime)))
	pair("IpAllocationMode", textSetting(&s.ipAllocationMode, oneOf(gen.IPAllocationModeBoth, gen.IPAllocationModeIPV4Only)))
	pair("DefaultRegion", textSetting(&s.defaultRegion, func(v string) error { return st.checkRegion("region", v) }))
	pair("DefaultDnsSuffix", textSetting(&s.dnsSuffix, nil))

	pair("DnsCustomServers", jsonSetting(h, &s.dnsServers, func(v gen.DNSServerAddresses) error {
		for field, a := range map[string]*string{"primaryIpV4": v.PrimaryIPv4, "secondaryIpV4": v.SecondaryIPv4} {
			if a != nil {
				if ip, err := netip.ParseAddr(*a); err != nil || !ip.Is4() {
					return errBadRequest(field, "Invalid IPv4 address %q", *a)
				}
			}
		}
		return nil
	}))
	pair("DnsZones", jsonSetting(h, &s.dnsZones, func(v gen.DNSZones) error {
		for i, z := range deref(v.Zones, nil) {
			if err := checkDomain(fmt.Sprintf("zones[%d].name", i), z.Name); err != nil {
				return err
			}
			for j, a := range deref(z.Addresses, nil) {
				if _, err := netip.ParseAddr(a); err != nil {
					return errBadRequest(fmt.Sprintf("zones[%d].addresses[%d]", i, j), "Invalid IP address %q", a)
				}
			}
		}
		return nil
	}))
	pair("DomainRoutingSubnet", jsonSetting(h, &s.domainRoutingSubnet, func(v gen.DomainRoutingSubnet) error {
		return checkSubnets(map[string][]string{"ipV4Address": optional(v.IPV4Address), "ipV6Address": optional(v.IPV6Address)})
	}))
	pair("Subnet", jsonSetting(h, &s.subnet, func(v gen.Subnet) error {
		return checkSubnets(map[string][]string{"ipV4Address": deref(v.IPV4Address, nil), "ipV6Address": deref(v.IPV6Address, nil)})
	}))
	pair("ClientOptions", jsonSetting(h, &s.clientOptions, nil))
	pair("DeviceAllowance", jsonSetting(h, &s.deviceAllowance, atLeast("deviceAllowance", 1)))
	pair("ConnectionTimeout", jsonSetting(h, &s.connectionTimeout, atLeast("connectionTimeout", 0)))
	for name, p := range map[string]*bool{
		"DnsProxyEnabled":                    &s.dnsProxy,
		"Snat":                               &s.snat,
		"RoutesAdvancedConfigurationEnabled": &s.routesAdvanced,
		"TrustedDevicesAllowed":              &s.trustedDevices,
		"TwoFactorAuthEnabled":               &s.twoFactor,
		"DeviceAllowanceForceUpdate":         &s.deviceAllowanceForceUpdate,
	} {
		pair(name, jsonSetting(h, p, nil))
	}
	return ops
}

// getSet is the GET and PUT handlers of one setting.
type getSet struct{ get, set opFunc }

// jsonSetting returns the handlers of a JSON setting.
func jsonSetting[T any](h *Handler, p *T, check func(T) error) getSet {
	get := func(*http.Request) (any, error) { return *p, nil }
	set := func(r *http.Request) (any, error) {
		v, err := decodeBody[T](h, r)
		if err != nil {
			return nil, err
		}
		if check != nil {
			if err := check(v); err != nil {
				return nil, err
			}
		}
		*p = v
		return v, nil
	}
	return getSet{get, set}
}

// textSetting returns the handlers of a bare-text setting. The PUT also
// takes a JSON string, which the document allows for the default DNS
// suffix.
func textSetting(p *string, check func(string) error) getSet {
	get := func(*http.Request) (any, error) { return *p, nil }
	set := func(r *http.Request) (any, error) {
		data, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, readError(err)
		}
		v := string(data)
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "application/json" {
			if err := json.Unmarshal(data, &v); err != nil {
				return nil, errBadRequest("body", "expected a JSON string: %v", err)
			}
		}
		if check != nil {
			if err := check(v); err != nil {
				return nil, err
			}
		}
		*p = v
		return v, nil
	}
	return getSet{get, set}
}

func oneOf[T ~string](values ...T) func(string) error {
	return func(v string) error {
		if !slices.Contains(values, T(v)) {
			return errBadRequest("value", "%q is not one of %v", v, values)
		}
		return nil
	}
}

func atLeast(field string, n int32) func(int32) error {
	return func(v int32) error {
		if v < n {
			return errBadRequest(field, "%s must be at least %d", field, n)
		}
		return nil
	}
}

func optional(p *string) []string {
	if p == nil {
		return nil
	}
	return []string{*p}
}

func checkSubnets(fields map[string][]string) error {
	for field, values := range fields {
		for _, v := range values {
			if _, err := parseSubnet(field, v); err != nil {
				return err
			}
		}
	}
	return nil
}

package cloudconnexatest

import (
	"fmt"
	"net/http"
	"net/netip"
	"slices"

	"github.com/cloudconnexa-go/cloudconnexa/gen"
)

// policyOps returns the handlers of the Access Group, Location Context,
// Device Posture, DNS Record and Cyber Shield tags.
func (h *Handler) policyOps(k *resources) map[string]opFunc {
	st := h.st
	withID := func(id string) map[string]any { return map[string]any{"id": id} }
	return map[string]opFunc{
		"listAccessGroups":  k.accessGroups.list,
		"getAccessGroup":    k.accessGroups.get,
		"deleteAccessGroup": k.accessGroups.remove,
		"createAccessGroup": create(h, k.accessGroups, func(id, _ string, req gen.AccessGroupRequest) (gen.AccessGroupResponse, error) {
			return st.accessGroup(id, req)
		}),
		"updateAccessGroup": update(h, k.accessGroups, func(id string, _ gen.AccessGroupResponse, req gen.AccessGroupRequest) (gen.AccessGroupResponse, error) {
			return st.accessGroup(id, req)
		}),
		"addAccessGroupSource": func(r *http.Request) (any, error) {
			req, err := decodeBody[gen.AccessItemSourceRequest](h, r)
			if err != nil {
				return nil, err
			}
			return k.accessGroups.change(r, func(g *gen.AccessGroupResponse) error {
				g.Source = addAccessItem(g.Source, convert[gen.AccessItemSourceResponse](req, nil))
				return nil
			})
		},
		"addAccessGroupDestination": func(r *http.Request) (any, error) {
			req, err := decodeBody[gen.AccessItemDestinationRequest](h, r)
			if err != nil {
				return nil, err
			}
			return k.accessGroups.change(r, func(g *gen.AccessGroupResponse) error {
				g.Destination = addAccessItem(g.Destination, convert[gen.AccessItemDestinationResponse](req, nil))
				return nil
			})
		},
		"removeAccessGroupSource": func(r *http.Request) (any, error) {
			return k.accessGroups.change(r, func(g *gen.AccessGroupResponse) error {
				g.Source = removeAccessItems(g.Source, r)
				return nil
			})
		},
		"removeAccessGroupDestination": func(r *http.Request) (any, error) {
			return k.accessGroups.change(r, func(g *gen.AccessGroupResponse) error {
				g.Destination = removeAccessItems(g.Destination, r)
				return nil
			})
		},

		"listLocationContexts":  k.locationContexts.list,
		"getLocationContext":    k.locationContexts.get,
		"deleteLocationContext": k.locationContexts.remove,
		"createLocationContext": create(h, k.locationContexts, func(id, _ string, req gen.LocationContextRequest) (gen.LocationContextResponse, error) {
			return convert[gen.LocationContextResponse](req, withID(id)), nil
		}),
		"updateLocationContext": update(h, k.locationContexts, func(id string, _ gen.LocationContextResponse, req gen.LocationContextRequest) (gen.LocationContextResponse, error) {
			return convert[gen.LocationContextResponse](req, withID(id)), nil
		}),

		"listDevicePostures":  k.devicePostures.list,
		"getDevicePosture":    k.devicePostures.get,
		"deleteDevicePosture": k.devicePostures.remove,
		"createDevicePosture": create(h, k.devicePostures, func(id, _ string, req gen.DevicePostureRequest) (gen.DevicePostureResponse, error) {
			return convert[gen.DevicePostureResponse](req, withID(id)), nil
		}),
		"updateDevicePosture": update(h, k.devicePostures, func(id string, _ gen.DevicePostureResponse, req gen.DevicePostureRequest) (gen.DevicePostureResponse, error) {
			return convert[gen.DevicePostureResponse](req, withID(id)), nil
		}),

		"listDnsRecords":  k.dnsRecords.list,
		"getDnsRecord":    k.dnsRecords.get,
		"deleteDnsRecord": k.dnsRecords.remove,
		"createDnsRecord": create(h, k.dnsRecords, func(id, _ string, req gen.DNSRecordRequest) (gen.DNSRecordResponse, error) {
			return convert[gen.DNSRecordResponse](req, withID(id)), checkDNSRecord(req)
		}),
		"updateDnsRecord": update(h, k.dnsRecords, func(id string, _ gen.DNSRecordResponse, req gen.DNSRecordRequest) (gen.DNSRecordResponse, error) {
			return convert[gen.DNSRecordResponse](req, withID(id)), checkDNSRecord(req)
		}),

		"addCyberShieldAllowListDomains":    h.cyberShieldAdd(&st.allowList),
		"addCyberShieldBlockListDomains":    h.cyberShieldAdd(&st.blockList),
		"removeCyberShieldAllowListDomains": h.cyberShieldRemove(&st.allowList),
		"removeCyberShieldBlockListDomains": h.cyberShieldRemove(&st.blockList),
	}
}

func (st *state) accessGroup(id string, req gen.AccessGroupRequest) (gen.AccessGroupResponse, error) {
	return convert[gen.AccessGroupResponse](req, map[string]any{"id": id, "defaultGroup": false}), nil
}

// accessItem is what sources and destinations of access groups share.
type accessItem interface {
	gen.AccessItemSourceResponse | gen.AccessItemDestinationResponse
}

func itemKey[T accessItem](v T) (typ, parent string, children *[]string) {
	switch x := any(&v).(type) {
	case *gen.AccessItemSourceResponse:
		return string(deref(x.Type, "")), deref(x.Parent, ""), &x.Children
	case *gen.AccessItemDestinationResponse:
		return string(deref(x.Type, "")), deref(x.Parent, ""), &x.Children
	}
	return "", "", nil
}

// addAccessItem adds item, merging its children into an item of the same
// type and parent.
func addAccessItem[T accessItem](items []T, item T) []T {
	typ, parent, children := itemKey(item)
	for i := range items {
		t, p, _ := itemKey(items[i])
		if t == typ && p == parent {
			merged := items[i]
			switch x := any(&merged).(type) {
			case *gen.AccessItemSourceResponse:
				x.Children = union(x.Children, *children)
			case *gen.AccessItemDestinationResponse:
				x.Children = union(x.Children, *children)
			}
			items[i] = merged
			return items
		}
	}
	return append(items, item)
}

func union(a, b []string) []string {
	for _, s := range b {
		if !slices.Contains(a, s) {
			a = append(a, s)
		}
	}
	return a
}

// removeAccessItems removes the items selected by the type, parentId and
// childId query parameters: a child alone when childId is given.
func removeAccessItems[T accessItem](items []T, r *http.Request) []T {
	q := r.URL.Query()
	typ, parent, child := q.Get("type"), q.Get("parentId"), q.Get("childId")
	out := items[:0]
	for _, it := range items {
		t, p, children := itemKey(it)
		if t != typ || (parent != "" && p != parent) {
			out = append(out, it)
			continue
		}
		if child != "" {
			kept := slices.DeleteFunc(slices.Clone(*children), func(c string) bool { return c == child })
			switch x := any(&it).(type) {
			case *gen.AccessItemSourceResponse:
				x.Children = kept
			case *gen.AccessItemDestinationResponse:
				x.Children = kept
			}
			out = append(out, it)
		}
	}
	return out
}

func checkDNSRecord(req gen.DNSRecordRequest) error {
	if err := checkDomain("domain", req.Domain); err != nil {
		return err
	}
	for i, a := range deref(req.IPv4Addresses, nil) {
		if ip, err := netip.ParseAddr(a); err != nil || !ip.Is4() {
			return errBadRequest(fmt.Sprintf("ipv4Addresses[%d]", i), "Invalid IPv4 address %q", a)
		}
	}
	for i, a := range deref(req.IPv6Addresses, nil) {
		if ip, err := netip.ParseAddr(a); err != nil || !ip.Is6() {
			return errBadRequest(fmt.Sprintf("ipv6Addresses[%d]", i), "Invalid IPv6 address %q", a)
		}
	}
	return nil
}

func (h *Handler) cyberShieldAdd(list *[]gen.DomainAndComment) opFunc {
	return func(r *http.Request) (any, error) {
		req, err := decodeBody[gen.AddDomainsRequest](h, r)
		if err != nil {
			return nil, err
		}
		for i, d := range req.DomainAndComments {
			if err := checkDomain(fmt.Sprintf("domainAndComments[%d].domain", i), d.Domain); err != nil {
				return nil, err
			}
		}
		for _, d := range req.DomainAndComments {
			if i := slices.IndexFunc(*list, func(x gen.DomainAndComment) bool { return x.Domain == d.Domain }); i >= 0 {
				(*list)[i] = d
			} else {
				*list = append(*list, d)
			}
		}
		return nil, nil
	}
}

func (h *Handler) cyberShieldRemove(list *[]gen.DomainAndComment) opFunc {
	return func(r *http.Request) (any, error) {
		req, err := decodeBody[gen.RemoveDomainsRequest](h, r)
		if err != nil {
			return nil, err
		}
		*list = slices.DeleteFunc(*list, func(x gen.DomainAndComment) bool { return slices.Contains(req.Domains, x.Domain) })
		return nil, nil
	}
}

// CyberShieldAllowList returns the domains of the Cyber Shield allow list
// (the API has no operation that reads it).
func (h *Handler) CyberShieldAllowList() []gen.DomainAndComment {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.st.allowList)
}

// CyberShieldBlockList returns the domains of the Cyber Shield block list.
func (h *Handler) CyberShieldBlockList() []gen.DomainAndComment {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.st.blockList)
}

package cloudconnexatest

import (
	"fmt"
	"maps"
	"slices"

	"github.com/cloudconnexa-go/cloudconnexa/gen"
)

// This file keeps the tenant's references whole. Every way an object names
// another is one row of references: what names what, through which field,
// and what deleting the named object does. The same rows check, on every
// create and update, that what is named exists, and keep an index from
// each named object to what names it, so that a delete finds its
// referrers without a scan. docs/testing.md lists the rows.

// refRule is what deleting the target of a reference does.
type refRule int

const (
	// refuse: the delete is refused while anything names the target.
	refuse refRule = iota
	// detach: the reference is removed from the referrer, which stays.
	detach
	// cascade: the referrer, which the target owns, is deleted with it.
	cascade
)

func (r refRule) String() string {
	return [...]string{"refuse", "detach", "cascade"}[r]
}

// reference is one row: objects of kind from name objects of one of the
// kinds to through field.
type reference struct {
	from  string
	field string // as a request names it; the errorDetails key of a dangling reference
	to    []string
	rule  refRule
	// owned rows are the parent of a child (a network's connector): the
	// target is the owner the child was created under, checked by the
	// create itself.
	owned bool
	// targets returns the ids a referrer names through field; parent is
	// the referrer's owner in its store.
	targets func(parent string, v any) []string
	// drop removes target from the referrer (rule detach).
	drop func(v any, target string) any
}

// refKind is what the reference machinery needs of a store.
type refKind interface {
	has(id string) bool
	value(id string) (any, bool)
	replace(id string, v any)
	remove(id string) bool
	ids(parent string) []string
}

func (s *store[T]) has(id string) bool { _, ok := s.items[id]; return ok }

func (s *store[T]) value(id string) (any, bool) {
	e, ok := s.items[id]
	if !ok {
		return nil, false
	}
	return e.v, true
}

func (s *store[T]) replace(id string, v any) { s.put(id, "", v.(T)) }

// kindLabels name the kinds in messages.
var kindLabels = map[string]string{
	"network": "Network", "networkConnector": "Network connector", "networkRoute": "Network route",
	"networkIpService": "IP service", "networkApplication": "Application",
	"host": "Host", "hostConnector": "Host connector", "hostIpService": "IP service", "hostApplication": "Application",
	"user": "User", "device": "Device", "userGroup": "User group", "accessGroup": "Access group",
	"locationContext": "Location context", "devicePosture": "Device posture", "dnsRecord": "DNS record",
}

// references is every reference of the tenant. A kind that rows cascade to
// is never the target of a refuse row (TestReferenceTable checks it), so a
// cascade cannot stop half-way.
func references() []reference {
	owner := func(parent string, _ any) []string { return []string{parent} }
	owned := func(from, to string) reference {
		return reference{from: from, field: "parent", to: []string{to}, rule: cascade, owned: true, targets: owner}
	}
	groupIDs := func(from string, ids func(any) []string, set func(any, []string) any) reference {
		return reference{
			from: from, field: "userGroupsIds", to: []string{"userGroup"}, rule: detach,
			targets: func(_ string, v any) []string { return ids(v) },
			drop: func(v any, target string) any {
				return set(v, slices.DeleteFunc(slices.Clone(ids(v)), func(s string) bool { return s == target }))
			},
		}
	}
	rows := []reference{
		owned("networkConnector", "network"),
		owned("networkRoute", "network"),
		owned("networkIpService", "network"),
		owned("networkApplication", "network"),
		owned("hostConnector", "host"),
		owned("hostIpService", "host"),
		owned("hostApplication", "host"),
		owned("device", "user"),
		{
			from: "user", field: "groupId", to: []string{"userGroup"}, rule: refuse,
			targets: func(_ string, v any) []string { return optional(v.(gen.UserResponse).GroupID) },
		},
		{
			from: "user", field: "secondaryGroupIds", to: []string{"userGroup"}, rule: refuse,
			targets: func(_ string, v any) []string { return v.(gen.UserResponse).SecondaryGroupIDs },
		},
		groupIDs("locationContext",
			func(v any) []string { return v.(gen.LocationContextResponse).UserGroupsIDs },
			func(v any, ids []string) any { x := v.(gen.LocationContextResponse); x.UserGroupsIDs = ids; return x }),
		groupIDs("devicePosture",
			func(v any) []string { return v.(gen.DevicePostureResponse).UserGroupsIDs },
			func(v any, ids []string) any { x := v.(gen.DevicePostureResponse); x.UserGroupsIDs = ids; return x }),
	}
	// Access group sources and destinations: the parent by the item's
	// type, and the services of a network or host as its children.
	for _, item := range []struct {
		side    string
		parents map[string][]string // item type → kinds of its parent
		kids    map[string][]string // item type → kinds of its children
	}{
		{"source",
			map[string][]string{"USER_GROUP": {"userGroup"}, "NETWORK_SERVICE": {"network"}, "HOST": {"host"}},
			map[string][]string{"NETWORK_SERVICE": {"networkIpService", "networkApplication"}, "HOST": {"hostIpService", "hostApplication"}}},
		{"destination",
			map[string][]string{"USER_GROUP": {"userGroup"}, "NETWORK_SERVICE": {"network"}, "HOST_SERVICE": {"host"}},
			map[string][]string{"NETWORK_SERVICE": {"networkIpService", "networkApplication"}, "HOST_SERVICE": {"hostIpService", "hostApplication"}}},
	} {
		for _, typ := range slices.Sorted(maps.Keys(item.parents)) {
			side := item.side
			rows = append(rows, reference{
				from: "accessGroup", field: side + ".parent", to: item.parents[typ], rule: detach,
				targets: func(_ string, v any) []string {
					var out []string
					eachAccessItem(v.(gen.AccessGroupResponse), side, func(t, parent string, _ []string) {
						if t == typ && parent != "" {
							out = append(out, parent)
						}
					})
					return out
				},
				drop: func(v any, target string) any {
					return dropAccessItems(v.(gen.AccessGroupResponse), side, typ, target, true)
				},
			})
		}
		for _, typ := range slices.Sorted(maps.Keys(item.kids)) {
			side := item.side
			rows = append(rows, reference{
				from: "accessGroup", field: side + ".children", to: item.kids[typ], rule: detach,
				targets: func(_ string, v any) []string {
					var out []string
					eachAccessItem(v.(gen.AccessGroupResponse), side, func(t, _ string, children []string) {
						if t == typ {
							out = append(out, children...)
						}
					})
					return out
				},
				drop: func(v any, target string) any {
					return dropAccessItems(v.(gen.AccessGroupResponse), side, typ, target, false)
				},
			})
		}
	}
	return rows
}

// eachAccessItem calls fn with the type, parent and children of each
// source or destination of g.
func eachAccessItem(g gen.AccessGroupResponse, side string, fn func(typ, parent string, children []string)) {
	if side == "source" {
		for _, it := range g.Source {
			fn(string(deref(it.Type, "")), deref(it.Parent, ""), it.Children)
		}
		return
	}
	for _, it := range g.Destination {
		fn(string(deref(it.Type, "")), deref(it.Parent, ""), it.Children)
	}
}

// dropAccessItems removes from g's side the items of type typ whose parent
// is target (whole), or target from their children.
func dropAccessItems(g gen.AccessGroupResponse, side, typ, target string, parent bool) gen.AccessGroupResponse {
	if side == "source" {
		g.Source = dropItems(g.Source, typ, target, parent)
	} else {
		g.Destination = dropItems(g.Destination, typ, target, parent)
	}
	return g
}

func dropItems[T accessItem](items []T, typ, target string, parent bool) []T {
	out := make([]T, 0, len(items))
	for _, it := range items {
		t, p, children := itemKey(it)
		switch {
		case t != typ:
		case parent && p == target:
			continue
		case !parent:
			kept := slices.DeleteFunc(slices.Clone(*children), func(c string) bool { return c == target })
			switch x := any(&it).(type) {
			case *gen.AccessItemSourceResponse:
				x.Children = kept
			case *gen.AccessItemDestinationResponse:
				x.Children = kept
			}
		}
		out = append(out, it)
	}
	return out
}

// refIndex maps a named object's id to the referrers that name it, by row
// (an index into state.refRows): referrers are found without a scan. Owned
// rows are not in it: a store's children index answers for them.
type refIndex map[string]map[int]map[string]struct{}

func (ix refIndex) add(target string, row int, from string) {
	byRow := ix[target]
	if byRow == nil {
		byRow = map[int]map[string]struct{}{}
		ix[target] = byRow
	}
	set := byRow[row]
	if set == nil {
		set = map[string]struct{}{}
		byRow[row] = set
	}
	set[from] = struct{}{}
}

func (ix refIndex) del(target string, row int, from string) {
	byRow := ix[target]
	delete(byRow[row], from)
	if len(byRow[row]) == 0 {
		delete(byRow, row)
	}
	if len(byRow) == 0 {
		delete(ix, target)
	}
}

// watch keeps the index up to date with the store of kind: its rows'
// targets are re-read whenever one of its items changes.
func watch[T any](st *state, kind string, s *store[T]) {
	st.kinds[kind] = s
	var rows []int
	for i, r := range st.refRows {
		// Owned rows need no index: the store knows a parent's children.
		if r.from == kind && !r.owned {
			rows = append(rows, i)
		}
	}
	if len(rows) == 0 {
		return
	}
	s.onChange = func(id, parent string, old, cur *T) {
		for _, i := range rows {
			row := st.refRows[i]
			var before, after []string
			if old != nil {
				before = row.targets(parent, *old)
			}
			if cur != nil {
				after = row.targets(parent, *cur)
			}
			if slices.Equal(before, after) {
				continue
			}
			for _, t := range before {
				st.refs.del(t, i, id)
			}
			for _, t := range after {
				st.refs.add(t, i, id)
			}
		}
	}
}

// checkRefs refuses an object of kind that names what the tenant does not
// have, with a 400 under the row's field. Owned rows are the create's own
// business (the owner parameter).
func (st *state) checkRefs(kind string, v any) error {
	for _, row := range st.refRows {
		if row.from != kind || row.owned {
			continue
		}
		for _, t := range row.targets("", v) {
			if !slices.ContainsFunc(row.to, func(k string) bool { return st.kinds[k].has(t) }) {
				return errBadRequest(row.field, "%s with ID %s not found", kindLabels[row.to[0]], t)
			}
		}
	}
	return nil
}

// deleteObject deletes the object id of kind by the rows that name kind:
// refused while a refuse row names it, else its detach referrers lose the
// reference and its cascade referrers are deleted (by their own rows), then
// it goes. key is the errorDetails key of a refusal.
func (st *state) deleteObject(kind, key, id string) error {
	byRow := st.refs[id]
	for i, from := range byRow {
		row := st.refRows[i]
		if row.rule != refuse || !slices.Contains(row.to, kind) || len(from) == 0 {
			continue
		}
		for f := range from { // any one of them makes the point
			return errBadRequest(key, "%s %s is still named by %s %s (%s)", kindLabels[kind], id, kindLabels[row.from], f, row.field)
		}
	}
	for i, row := range st.refRows {
		if row.rule == refuse || !slices.Contains(row.to, kind) {
			continue
		}
		from := st.kinds[row.from]
		var referrers []string
		if row.owned {
			referrers = slices.Clone(from.ids(id))
		} else {
			referrers = slices.Sorted(maps.Keys(byRow[i]))
		}
		for _, f := range referrers {
			switch row.rule {
			case detach:
				if v, ok := from.value(f); ok {
					from.replace(f, row.drop(v, id))
				}
			case cascade:
				if err := st.deleteObject(row.from, row.from, f); err != nil {
					return fmt.Errorf("cloudconnexatest: cascade stopped half-way: %w", err)
				}
			}
		}
	}
	st.kinds[kind].remove(id)
	return nil
}

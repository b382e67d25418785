package cloudconnexatest

import (
	"fmt"
	"time"

	"github.com/cloudconnexa-go/cloudconnexa/gen"
)

// seedRegions returns the VPN regions of a tenant: the 35 ids the live
// service has been observed to list and accept, in its order (see
// docs/testing.md, "Regions"). Names and countries are given where they are
// known from the service's UI or follow from an airport-code id; for the
// others (eu-central-2, af-south-1, ap-southeast-2) only the continent is
// given, as the service's own records are not known.
func seedRegions() []gen.VPNRegionResponse {
	rows := [][5]string{
		// id, region name, country, ISO code, continent
		{"se-arn", "Stockholm", "Sweden", "SE", "Europe"},
		{"us-ewr", "Newark", "United States", "US", "North America"},
		{"us-pdx", "Portland", "United States", "US", "North America"},
		{"ap-south-1", "Mumbai", "India", "IN", "Asia"},
		{"us-bos", "Boston", "United States", "US", "North America"},
		{"us-mia", "Miami", "United States", "US", "North America"},
		{"fr-cdg", "Paris", "France", "FR", "Europe"},
		{"ie-dub", "Dublin", "Ireland", "IE", "Europe"},
		{"ca-east-1", "Toronto", "Canada", "CA", "North America"},
		{"eu-central-1", "Frankfurt", "Germany", "DE", "Europe"},
		{"ca-yvr", "Vancouver", "Canada", "CA", "North America"},
		{"eu-central-2", "", "", "", "Europe"},
		{"us-central-1", "Chicago", "United States", "US", "North America"},
		{"us-west-1", "San Jose", "United States", "US", "North America"},
		{"us-cmh", "Columbus", "United States", "US", "North America"},
		{"us-west-2", "Los Angeles", "United States", "US", "North America"},
		{"il-tlv", "Tel Aviv", "Israel", "IL", "Asia"},
		{"af-south-1", "", "", "", "Africa"},
		{"us-south-1", "Dallas", "United States", "US", "North America"},
		{"it-mxp", "Milan", "Italy", "IT", "Europe"},
		{"eu-west-1", "London", "United Kingdom", "GB", "Europe"},
		{"fi-hel", "Helsinki", "Finland", "FI", "Europe"},
		{"us-sea", "Seattle", "United States", "US", "North America"},
		{"jp-hnd", "Tokyo", "Japan", "JP", "Asia"},
		{"es-mad", "Madrid", "Spain", "ES", "Europe"},
		{"us-mci", "Kansas City", "United States", "US", "North America"},
		{"ch-zrh", "Zurich", "Switzerland", "CH", "Europe"},
		{"ap-southeast-1", "Singapore", "Singapore", "SG", "Asia"},
		{"ap-southeast-2", "", "", "", "Oceania"},
		{"pl-waw", "Warsaw", "Poland", "PL", "Europe"},
		{"br-gru", "São Paulo", "Brazil", "BR", "South America"},
		{"us-atl", "Atlanta", "United States", "US", "North America"},
		{"be-bru", "Brussels", "Belgium", "BE", "Europe"},
		{"us-east-1", "Ashburn", "United States", "US", "North America"},
		{"ca-yul", "Montreal", "Canada", "CA", "North America"},
	}
	opt := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	out := make([]gen.VPNRegionResponse, len(rows))
	for i, r := range rows {
		out[i] = gen.VPNRegionResponse{ID: r[0], RegionName: opt(r[1]), Country: opt(r[2]), CountryIso: opt(r[3]), Continent: opt(r[4])}
	}
	return out
}

// seedSessions makes n sessions started over the last 23 hours, oldest
// first, so that the default one-day window of listSessions holds them all.
func seedSessions(now time.Time, n int) []gen.SessionResponse {
	statuses := []gen.SessionStatus{gen.SessionStatusCompleted, gen.SessionStatusActive, gen.SessionStatusFailed}
	regions := []string{"us-east-1", "eu-central-1", "ap-southeast-1", "eu-west-1"}
	out := make([]gen.SessionResponse, 0, n)
	for i := range n {
		start := now.Add(-23 * time.Hour).Add(time.Duration(i) * 23 * time.Hour / time.Duration(max(n, 1))).UTC().Truncate(time.Second)
		s := gen.SessionResponse{
			ID:               newID(),
			SessionStartTime: ptr(start),
			Status:           ptr(statuses[i%len(statuses)]),
			UserID:           ptr(newID()),
			UserName:         ptr(fmt.Sprintf("user%02d", i+1)),
			Email:            ptr(fmt.Sprintf("user%02d@example.com", i+1)),
			FirstName:        ptr("User"),
			LastName:         ptr(fmt.Sprintf("%02d", i+1)),
			DeviceID:         ptr(newID()),
			DeviceName:       ptr(fmt.Sprintf("laptop-%02d", i+1)),
			ClientUUID:       ptr(newID()),
			OSType:           ptr("Linux"),
			OSVersion:        ptr("6.8"),
			Protocol:         ptr("UDP"),
			PublicIP:         ptr(fmt.Sprintf("203.0.113.%d", i%250+1)),
			Region:           ptr(regions[i%len(regions)]),
			TunnelIPv4:       ptr(fmt.Sprintf("100.96.200.%d", i%250+2)),
			TunnelIPv6:       ptr(fmt.Sprintf("fd:0:0:8000::c8:%x", i+2)),
			UserGroup:        ptr("Default"),
			PrimaryGroupName: ptr("Default"),
			BytesIn:          ptr(int64(1024 * (i + 1))),
			BytesOut:         ptr(int64(2048 * (i + 1))),
		}
		if *s.Status != gen.SessionStatusActive {
			end := start.Add(10 * time.Minute)
			s.SessionEndTime = &end
			s.SessionDurationSeconds = ptr(int64(600))
			s.DisconnectReason = ptr("USER_DISCONNECTED")
		}
		out = append(out, s)
	}
	return out
}

// seedAuditLogs makes n audit log records over the last 23 hours.
func seedAuditLogs(now time.Time, n int) []gen.AuditLogResponse {
	ops := []string{"CREATE", "UPDATE", "DELETE"}
	types := []string{"NETWORK", "USER", "USER_GROUP", "HOST"}
	initiator := newID()
	out := make([]gen.AuditLogResponse, 0, n)
	for i := range n {
		ts := now.Add(-23 * time.Hour).Add(time.Duration(i) * 23 * time.Hour / time.Duration(max(n, 1))).UTC().Truncate(time.Second)
		out = append(out, gen.AuditLogResponse{
			ID:             newID(),
			Timestamp:      &ts,
			Operation:      ptr(ops[i%len(ops)]),
			EntityType:     ptr(types[i%len(types)]),
			EntityID:       ptr(newID()),
			EntityName:     ptr(fmt.Sprintf("entity-%02d", i+1)),
			InitiatorID:    ptr(initiator),
			InitiatorType:  ptr("USER"),
			InitiatorName:  ptr("Olivia Owner"),
			InitiatorEmail: ptr("owner@example.com"),
			Description:    ptr(fmt.Sprintf("Seeded change %d", i+1)),
			Fields: []gen.AuditLogField{{
				Name: "name", OldValue: fmt.Sprintf("old-%02d", i+1), NewValue: fmt.Sprintf("entity-%02d", i+1),
			}},
		})
	}
	return out
}

// seedResolutions makes hourly DNS resolution aggregates for the last two
// days, three domains an hour.
func seedResolutions(now time.Time, memberID string) []gen.UserDNSResolution {
	domains := []string{"example.com", "intranet.corp.example", "updates.example.net"}
	hour := now.UTC().Truncate(time.Hour)
	var out []gen.UserDNSResolution
	for h := 47; h >= 0; h-- {
		t := hour.Add(-time.Duration(h) * time.Hour).UnixMilli()
		for i, d := range domains {
			out = append(out, gen.UserDNSResolution{
				Time: ptr(t), Domain: ptr(d), MemberID: ptr(memberID),
				InternalDomain: ptr(i == 1),
				AllowedCount:   ptr(int64(10 + h + i)), BlockedCount: ptr(int64(i)), FailedCount: ptr(int64(h % 2)),
			})
		}
	}
	return out
}

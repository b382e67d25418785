package cloudconnexatest

import (
	"fmt"
	"time"

	"github.com/cloudconnexa-go/cloudconnexa/gen"
)

// seedRegions returns CloudConnexa's VPN regions, with the real service's
// <country>-<city code> ids.
func seedRegions() []gen.VpnRegionResponse {
	rows := [][5]string{
		// id, region name, country, ISO code, continent
		{"us-nyc", "New York City", "United States", "US", "North America"},
		{"us-sfo", "San Francisco", "United States", "US", "North America"},
		{"us-chi", "Chicago", "United States", "US", "North America"},
		{"us-dal", "Dallas", "United States", "US", "North America"},
		{"us-mia", "Miami", "United States", "US", "North America"},
		{"us-sea", "Seattle", "United States", "US", "North America"},
		{"us-ash", "Ashburn", "United States", "US", "North America"},
		{"ca-tor", "Toronto", "Canada", "CA", "North America"},
		{"ca-mtl", "Montreal", "Canada", "CA", "North America"},
		{"br-gru", "São Paulo", "Brazil", "BR", "South America"},
		{"gb-lon", "London", "United Kingdom", "GB", "Europe"},
		{"ie-dub", "Dublin", "Ireland", "IE", "Europe"},
		{"de-fra", "Frankfurt", "Germany", "DE", "Europe"},
		{"nl-ams", "Amsterdam", "Netherlands", "NL", "Europe"},
		{"fr-par", "Paris", "France", "FR", "Europe"},
		{"it-mxp", "Milan", "Italy", "IT", "Europe"},
		{"es-mad", "Madrid", "Spain", "ES", "Europe"},
		{"se-sto", "Stockholm", "Sweden", "SE", "Europe"},
		{"pl-waw", "Warsaw", "Poland", "PL", "Europe"},
		{"ch-zrh", "Zurich", "Switzerland", "CH", "Europe"},
		{"za-jnb", "Johannesburg", "South Africa", "ZA", "Africa"},
		{"ae-dxb", "Dubai", "United Arab Emirates", "AE", "Asia"},
		{"in-bom", "Mumbai", "India", "IN", "Asia"},
		{"in-maa", "Chennai", "India", "IN", "Asia"},
		{"sg-sin", "Singapore", "Singapore", "SG", "Asia"},
		{"hk-hkg", "Hong Kong", "Hong Kong", "HK", "Asia"},
		{"jp-tyo", "Tokyo", "Japan", "JP", "Asia"},
		{"kr-sel", "Seoul", "South Korea", "KR", "Asia"},
		{"au-syd", "Sydney", "Australia", "AU", "Oceania"},
		{"nz-akl", "Auckland", "New Zealand", "NZ", "Oceania"},
	}
	out := make([]gen.VpnRegionResponse, len(rows))
	for i, r := range rows {
		out[i] = gen.VpnRegionResponse{Id: r[0], RegionName: ptr(r[1]), Country: ptr(r[2]), CountryIso: ptr(r[3]), Continent: ptr(r[4])}
	}
	return out
}

// seedSessions makes n sessions started over the last 23 hours, oldest
// first, so that the default one-day window of listSessions holds them all.
func seedSessions(now time.Time, n int) []gen.SessionResponse {
	statuses := []gen.SessionStatus{gen.SessionStatusCompleted, gen.SessionStatusActive, gen.SessionStatusFailed}
	regions := []string{"us-nyc", "de-fra", "sg-sin", "gb-lon"}
	out := make([]gen.SessionResponse, 0, n)
	for i := range n {
		start := now.Add(-23 * time.Hour).Add(time.Duration(i) * 23 * time.Hour / time.Duration(max(n, 1))).UTC().Truncate(time.Second)
		s := gen.SessionResponse{
			Id:               newID(),
			SessionStartTime: ptr(start),
			Status:           ptr(statuses[i%len(statuses)]),
			UserId:           ptr(newID()),
			UserName:         ptr(fmt.Sprintf("user%02d", i+1)),
			Email:            ptr(fmt.Sprintf("user%02d@example.com", i+1)),
			FirstName:        ptr("User"),
			LastName:         ptr(fmt.Sprintf("%02d", i+1)),
			DeviceId:         ptr(newID()),
			DeviceName:       ptr(fmt.Sprintf("laptop-%02d", i+1)),
			ClientUUID:       ptr(newID()),
			OsType:           ptr("Linux"),
			OsVersion:        ptr("6.8"),
			Protocol:         ptr("UDP"),
			PublicIp:         ptr(fmt.Sprintf("203.0.113.%d", i%250+1)),
			Region:           ptr(regions[i%len(regions)]),
			TunnelIpV4:       ptr(fmt.Sprintf("100.96.200.%d", i%250+2)),
			TunnelIpV6:       ptr(fmt.Sprintf("fd:0:0:8000::c8:%x", i+2)),
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
			Id:             newID(),
			Timestamp:      &ts,
			Operation:      ptr(ops[i%len(ops)]),
			EntityType:     ptr(types[i%len(types)]),
			EntityId:       ptr(newID()),
			EntityName:     ptr(fmt.Sprintf("entity-%02d", i+1)),
			InitiatorId:    ptr(initiator),
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
func seedResolutions(now time.Time, memberID string) []gen.UserDnsResolution {
	domains := []string{"example.com", "intranet.corp.example", "updates.example.net"}
	hour := now.UTC().Truncate(time.Hour)
	var out []gen.UserDnsResolution
	for h := 47; h >= 0; h-- {
		t := hour.Add(-time.Duration(h) * time.Hour).UnixMilli()
		for i, d := range domains {
			out = append(out, gen.UserDnsResolution{
				Time: ptr(t), Domain: ptr(d), MemberId: ptr(memberID),
				InternalDomain: ptr(i == 1),
				AllowedCount:   ptr(int64(10 + h + i)), BlockedCount: ptr(int64(i)), FailedCount: ptr(int64(h % 2)),
			})
		}
	}
	return out
}

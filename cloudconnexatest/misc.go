package cloudconnexatest

import (
	"encoding/base64"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/cloudconnexa-go/cloudconnexa/gen"
)

// miscOps returns the handlers of the Region, Sessions, Audit Log, DNS Log,
// Access Visibility and Account tags.
func (h *Handler) miscOps() map[string]opFunc {
	st := h.st
	flag := func(p *bool, v bool) opFunc {
		return func(*http.Request) (any, error) { *p = v; return nil, nil }
	}
	read := func(p *bool) opFunc {
		return func(*http.Request) (any, error) { return *p, nil }
	}
	return map[string]opFunc{
		"listRegions": func(*http.Request) (any, error) { return st.regions, nil },

		"enableDnsLog":               flag(&st.settings.dnsLog, true),
		"disableDnsLog":              flag(&st.settings.dnsLog, false),
		"getDnsLogEnabled":           read(&st.settings.dnsLog),
		"enableAccessVisibility":     flag(&st.settings.accessVisibility, true),
		"disableAccessVisibility":    flag(&st.settings.accessVisibility, false),
		"getAccessVisibilityEnabled": read(&st.settings.accessVisibility),

		"listSessions": func(r *http.Request) (any, error) {
			q := r.URL.Query()
			from, to, err := window(q.Get("startDate"), q.Get("endDate"), st.now(), 30*24*time.Hour, 0)
			if err != nil {
				return nil, err
			}
			var match []gen.SessionResponse
			for _, s := range st.sessions {
				status := q.Get("status")
				if to.contains(from, deref(s.SessionStartTime, time.Time{})) && (status == "" || string(deref(s.Status, "")) == status) {
					match = append(match, s)
				}
			}
			batch, next, err := cursorBatch(match, q, "sessions")
			return gen.SessionsResponse{Sessions: batch, NextCursor: next}, err
		},
		"listAuditLogs": func(r *http.Request) (any, error) {
			q := r.URL.Query()
			from, to, err := window(q.Get("startDate"), q.Get("endDate"), st.now(), 0, 24*time.Hour)
			if err != nil {
				return nil, err
			}
			var match []gen.AuditLogResponse
			for _, a := range st.auditRecords() {
				initiator := q.Get("initiatorId")
				if to.contains(from, deref(a.Timestamp, time.Time{})) && (initiator == "" || deref(a.InitiatorID, "") == initiator) {
					match = append(match, a)
				}
			}
			batch, next, err := cursorBatch(match, q, "auditLogs")
			return gen.AuditLogsResponse{AuditLogs: batch, NextCursor: next}, err
		},
		"listUserDnsResolutions": func(r *http.Request) (any, error) {
			q := r.URL.Query()
			start, err := time.Parse(time.RFC3339, q.Get("startHour"))
			if err != nil {
				return nil, errBadRequest("startHour", "startHour must be an ISO 8601 instant: %v", err)
			}
			back := queryInt(q.Get("hoursBack"), 1)
			if back < 0 {
				return nil, errBadRequest("hoursBack", "hoursBack must not be negative")
			}
			to := start.UTC().Truncate(time.Hour).Add(time.Hour)
			from := to.Add(-time.Duration(back+1) * time.Hour)
			match := []gen.UserDNSResolution{}
			for _, d := range st.resolutions {
				if t := time.UnixMilli(deref(d.Time, 0)); !t.Before(from) && t.Before(to) {
					match = append(match, d)
				}
			}
			return paginate(r, match, 500), nil
		},

		"createCloudId": func(r *http.Request) (any, error) {
			id := r.URL.Query().Get("id")
			if !cloudIDPattern.MatchString(id) {
				return nil, errBadRequest("id", "Invalid Cloud ID %q: use 1 to 63 lowercase letters, digits and hyphens", id)
			}
			if st.cloudIDs[id] {
				return nil, errBadRequest("id", "Cloud ID %s is already taken", id)
			}
			st.cloudIDs[id] = true
			creds := gen.AuthCredentials{ClientID: randomHex(16), ClientSecret: randomHex(24)}
			// The new tenant is this fake too: its credentials work here.
			h.addCredentials(creds.ClientID, creds.ClientSecret)
			return creds, nil
		},
	}
}

var cloudIDPattern = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// end is the end of a time window: exclusive when the caller gave it,
// inclusive when it defaults to now (so that what was just recorded is in).
type end struct {
	t         time.Time
	inclusive bool
}

func (e end) contains(from, t time.Time) bool {
	if t.Before(from) {
		return false
	}
	return t.Before(e.t) || (e.inclusive && t.Equal(e.t))
}

// window parses the startDate/endDate pair of the cursor lists: start
// defaults to one day ago, maxBack (if not 0) bounds how far back it may
// be and maxSpan (if not 0) how long the window may be.
func window(startS, endS string, now time.Time, maxBack, maxSpan time.Duration) (time.Time, end, error) {
	from := now.Add(-24 * time.Hour)
	to := end{t: now, inclusive: true}
	if startS != "" {
		t, err := time.Parse(time.RFC3339, startS)
		if err != nil {
			return from, to, errBadRequest("startDate", "startDate must be an ISO 8601 instant: %v", err)
		}
		from = t
		if maxSpan > 0 {
			to = end{t: from.Add(maxSpan)}
		}
	}
	if endS != "" {
		t, err := time.Parse(time.RFC3339, endS)
		if err != nil {
			return from, to, errBadRequest("endDate", "endDate must be an ISO 8601 instant: %v", err)
		}
		to = end{t: t}
	}
	if maxBack > 0 && from.Before(now.Add(-maxBack)) {
		return from, to, errBadRequest("startDate", "startDate must be at most %d days back", int(maxBack.Hours()/24))
	}
	if maxSpan > 0 && to.t.Sub(from) > maxSpan {
		return from, to, errBadRequest("endDate", "endDate must be at most %d hours after startDate", int(maxSpan.Hours()))
	}
	if to.t.Before(from) {
		return from, to, errBadRequest("endDate", "endDate is before startDate")
	}
	return from, to, nil
}

// cursorBatch returns the batch of items that the size and cursor query
// parameters select, and the cursor of the next batch ("" on the last).
// Cursors are opaque to clients; here they encode an offset.
func cursorBatch[T any](items []T, q map[string][]string, list string) ([]T, *string, error) {
	size := queryInt(first(q["size"]), 100)
	if size < 1 {
		return nil, nil, errBadRequest("size", "size must be between 1 and 100")
	}
	offset := 0
	if c := first(q["cursor"]); c != "" {
		raw, err := base64.RawURLEncoding.DecodeString(c)
		n, convErr := strconv.Atoi(strings.TrimPrefix(string(raw), list+":"))
		if err != nil || convErr != nil || !strings.HasPrefix(string(raw), list+":") || n < 0 {
			return nil, nil, errBadRequest("cursor", "Invalid cursor %q", c)
		}
		offset = n
	}
	out := []T{}
	if offset < len(items) {
		out = items[offset:min(offset+size, len(items))]
	}
	var next *string
	if offset+size < len(items) {
		next = ptr(base64.RawURLEncoding.EncodeToString([]byte(list + ":" + strconv.Itoa(offset+size))))
	}
	return out, next, nil
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

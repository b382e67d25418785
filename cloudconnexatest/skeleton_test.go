package cloudconnexatest

import (
	"encoding/json"
	"hash/maphash"
	"maps"
	"slices"
	"testing"

	"github.com/cloudconnexa-go/cloudconnexa/gen"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func skeletonKey(seed maphash.Seed, body string, plain map[string]bool) uint64 {
	var h maphash.Hash
	h.SetSeed(seed)
	writeSkeleton(&h, []byte(body), plain)
	return h.Sum64()
}

// TestSkeletonKeepsWhatDecidesValidity: the memo's key of an answer
// leaves out only the text of plain strings; enums, numbers, booleans,
// nulls, keys, array lengths and the text of other strings stay in.
func TestSkeletonKeepsWhatDecidesValidity(t *testing.T) {
	sp, err := loadSpec()
	require.NoError(t, err)
	plain := sp.ops["createNetwork"].plain
	require.NotNil(t, plain, "createNetwork's answer is keyed by skeleton")
	assert.True(t, plain["id"] && plain["name"], "plain: %v", slices.Sorted(maps.Keys(plain)))
	assert.False(t, plain["internetAccess"], "an enum is not plain")
	assert.False(t, plain["tunnelingProtocol"], "an enum is not plain")
	assert.Nil(t, sp.ops["listAuditLogs"].plain, "free-form values: hashed whole")

	seed := maphash.MakeSeed()
	base := `{"id":"a","name":"n \" x","connectors":[{"id":"c1","name":"c","vpnRegionId":"us-east-1"}],"internetAccess":"SPLIT_TUNNEL_ON","egress":false}`
	key := func(s string) uint64 { return skeletonKey(seed, s, plain) }
	assert.Equal(t, key(base), key(`{"id":"bbbbbb","name":"other","connectors":[{"id":"c2","name":"d","vpnRegionId":"us-east-1"}],"internetAccess":"SPLIT_TUNNEL_ON","egress":false}`), "only plain texts differ")
	for name, other := range map[string]string{
		"enum":         `{"id":"a","name":"n \" x","connectors":[{"id":"c1","name":"c","vpnRegionId":"us-east-1"}],"internetAccess":"BOGUS","egress":false}`,
		"boolean":      `{"id":"a","name":"n \" x","connectors":[{"id":"c1","name":"c","vpnRegionId":"us-east-1"}],"internetAccess":"SPLIT_TUNNEL_ON","egress":true}`,
		"null":         `{"id":null,"name":"n \" x","connectors":[{"id":"c1","name":"c","vpnRegionId":"us-east-1"}],"internetAccess":"SPLIT_TUNNEL_ON","egress":false}`,
		"number":       `{"id":5,"name":"n \" x","connectors":[{"id":"c1","name":"c","vpnRegionId":"us-east-1"}],"internetAccess":"SPLIT_TUNNEL_ON","egress":false}`,
		"array length": `{"id":"a","name":"n \" x","connectors":[],"internetAccess":"SPLIT_TUNNEL_ON","egress":false}`,
		"key":          `{"id":"a","nome":"n \" x","connectors":[{"id":"c1","name":"c","vpnRegionId":"us-east-1"}],"internetAccess":"SPLIT_TUNNEL_ON","egress":false}`,
	} {
		assert.NotEqual(t, key(base), key(other), name)
	}
}

// TestMemoStillCatchesViolations: after a valid answer of an operation is
// remembered, an invalid one that differs in a checked value is still
// reported.
func TestMemoStillCatchesViolations(t *testing.T) {
	rec := &recordingTB{TB: t}
	srv := NewServer(rec)
	tok := getToken(t, srv)
	status, _, body := call(t, srv, tok, "POST", "/api/v1/networks", "application/json", `{"name":"good"}`)
	require.Equal(t, 201, status, body)
	var good struct{ ID string }
	require.NoError(t, json.Unmarshal([]byte(body), &good))
	status, _, _ = call(t, srv, tok, "GET", "/api/v1/networks/"+good.ID, "", "")
	require.Equal(t, 200, status)
	srv.h.mu.Lock()
	srv.h.st.networks.put("bad", "", gen.NetworkResponse{ID: "bad", Name: "good", InternetAccess: ptr(gen.InternetAccess("BOGUS"))})
	srv.h.mu.Unlock()
	call(t, srv, tok, "GET", "/api/v1/networks/bad", "", "")
	srv.Close()
	errs, _ := rec.got()
	require.Len(t, errs, 1)
	assert.Contains(t, errs[0], "BOGUS")
}

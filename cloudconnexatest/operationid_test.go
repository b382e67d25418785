package cloudconnexatest

import (
	"fmt"
	"runtime"
	"sync"
	"testing"

	"github.com/cloudconnexa-go/cloudconnexa/gen"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fatalTB records the first Fatal instead of failing the real test.
type fatalTB struct {
	testing.TB
	mu    sync.Mutex
	fatal string
}

func (f *fatalTB) Helper() {}

func (f *fatalTB) Fatal(args ...any) {
	f.mu.Lock()
	if f.fatal == "" {
		f.fatal = fmt.Sprint(args...)
	}
	f.mu.Unlock()
	runtime.Goexit()
}

// runFatal runs fn in its own goroutine (Fatal ends it) and returns the
// message fn's Fatal call gave, "" if none.
func runFatal(tb *fatalTB, fn func()) string {
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	<-done
	tb.mu.Lock()
	defer tb.mu.Unlock()
	return tb.fatal
}

func TestUnknownOperationFailsTheTest(t *testing.T) {
	for _, tc := range []struct {
		name string
		call func(*Server)
	}{
		{"InjectFault", func(s *Server) { s.InjectFault("CreateDnsRecord", Fault{Status: 500}) }},
		{"RequestCount", func(s *Server) { s.RequestCount("CreateDnsRecord") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tb := &fatalTB{TB: t}
			srv := NewServer(tb)
			msg := runFatal(tb, func() { tc.call(srv) })
			assert.Contains(t, msg, `no operation "CreateDnsRecord"`)
			assert.Contains(t, msg, `did you mean "createDnsRecord"?`)
		})
	}
	t.Run("known ids pass", func(t *testing.T) {
		tb := &fatalTB{TB: t}
		srv := NewServer(tb)
		msg := runFatal(tb, func() {
			srv.InjectFault(gen.OpCreateDNSRecord, Fault{Status: 500, Times: 1})
			srv.InjectFault(AnyOperation, Fault{Status: 500, Times: 1})
			srv.RequestCount(gen.OpRequestToken)
			srv.RequestCount(AnyOperation)
		})
		assert.Empty(t, msg)
	})
}

func TestUnknownOperationPanicsWithoutTest(t *testing.T) {
	h, err := NewHandler()
	require.NoError(t, err)
	assert.PanicsWithValue(t,
		`cloudconnexatest: InjectFault: the document has no operation "getnetwork"; did you mean "getNetwork"? (use the gen.Op constants)`,
		func() { h.InjectFault("getnetwork", Fault{}) })
	assert.Panics(t, func() { h.RequestCount("noSuchOperation") })
}

func TestRequestCountAnyOperation(t *testing.T) {
	srv := NewServer(t)
	c := srv.Client()
	_, err := c.Raw.ListRegionsWithResponse(t.Context())
	require.NoError(t, err)
	_, err = c.Raw.ListRegionsWithResponse(t.Context())
	require.NoError(t, err)
	assert.Equal(t, 2, srv.RequestCount(gen.OpListRegions))
	assert.Equal(t, 1, srv.TokenRequestCount())
	assert.Equal(t, 3, srv.RequestCount(AnyOperation))
}

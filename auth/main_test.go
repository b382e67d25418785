package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any goroutine they started is still
// running once they are done. No goroutine is exempt: the one detached token
// fetch a cancelled caller may leave behind is bounded (see
// TestDetachedFetchOutlivesItsCaller), so by the end it has finished.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// runFetch is the goroutine of the detached token fetch
// (docs/authentication.md, "Cancellation is per caller").
const runFetch = "github.com/cloudconnexa-go/cloudconnexa/auth.(*Authenticator).runFetch"

// TestDetachedFetchOutlivesItsCaller pins down the one goroutine the package
// documents as outliving a call: a caller that gives up returns at once, its
// token request carries on detached, and ends as soon as the server answers.
func TestDetachedFetchOutlivesItsCaller(t *testing.T) {
	before := goleak.IgnoreCurrent()
	held, arrived, release := heldIssuer()
	s := newServer(t, held, nil)
	a := newAuth(t, s)

	ctx, cancel := context.WithCancel(context.Background())
	done := tokenAsync(ctx, a)
	<-arrived
	cancel()
	select {
	case err := <-done:
		require.ErrorIs(t, err, context.Canceled, "the cancelled caller")
	case <-time.After(5 * time.Second):
		require.FailNow(t, "the cancelled caller did not return promptly")
	}

	// The caller is gone; its fetch is not.
	leaked := goleak.Find(before)
	require.Error(t, leaked, "no goroutine left after the cancelled call")
	assert.Contains(t, leaked.Error(), runFetch, "the goroutine left is not the detached fetch")

	// Once the server answers, the fetch ends, caches the token for the next
	// caller, and nothing of the call is left.
	close(release)
	assert.Equal(t, tokenN(1), mustToken(t, a), "the detached fetch's token is not cached")
	assert.Equal(t, int64(1), s.tokenCalls.Load(), "token requests")
	s.Close() // and with it the connection the fetch used
	goleak.VerifyNone(t, before)
}

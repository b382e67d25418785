package cloudconnexatest

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any goroutine they started is still
// running once they are done. Nothing is exempt, not even the detached token
// fetch of a caller that gave up: it is bounded and has ended by then (see
// auth's TestDetachedFetchOutlivesItsCaller).
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

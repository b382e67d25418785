package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestRun runs the example against the embedded fake server and checks
// that it got to the end.
func TestRun(t *testing.T) {
	var out bytes.Buffer
	ctx := context.Background()
	if err := run(ctx, &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "sent 1 time(s)") {
		t.Fatalf("output lacks %q:\n%s", "sent 1 time(s)", out.String())
	}
}

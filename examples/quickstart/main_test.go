package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
)

// TestRun runs the example against the embedded fake server and checks
// that it got to the end.
func TestRun(t *testing.T) {
	if os.Getenv("CLOUDCONNEXA_BASE_URL") != "" {
		t.Skip("CLOUDCONNEXA_BASE_URL is set: not running the example against a real tenant from go test")
	}
	var out bytes.Buffer
	ctx := context.Background()
	if err := run(ctx, &out, false); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "not found = true") {
		t.Fatalf("output lacks %q:\n%s", "not found = true", out.String())
	}
}

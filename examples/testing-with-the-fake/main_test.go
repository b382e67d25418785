package main

import (
	"context"
	"errors"
	"testing"

	"github.com/cloudconnexa-go/cloudconnexa/client"
	"github.com/cloudconnexa-go/cloudconnexa/cloudconnexatest"
	"github.com/cloudconnexa-go/cloudconnexa/gen"
)

func TestEnsureNetworkIsIdempotent(t *testing.T) {
	srv := cloudconnexatest.NewServer(t) // closed when the test ends
	c := srv.Client()
	ctx := context.Background()

	id1, created1, err := EnsureNetwork(ctx, c, "branch-office", "us-nyc")
	if err != nil || !created1 {
		t.Fatalf("first call: id=%q created=%t err=%v", id1, created1, err)
	}
	id2, created2, err := EnsureNetwork(ctx, c, "branch-office", "us-nyc")
	if err != nil || created2 || id2 != id1 {
		t.Fatalf("second call: id=%q created=%t err=%v, want id %q and no creation", id2, created2, err, id1)
	}
	if got := srv.RequestCount(gen.OpCreateNetwork); got != 1 {
		t.Fatalf("createNetwork called %d times, want 1", got)
	}
}

func TestEnsureNetworkReportsAPIErrors(t *testing.T) {
	srv := cloudconnexatest.NewServer(t)
	srv.InjectFault(gen.OpCreateNetwork, cloudconnexatest.Fault{Status: 403})
	_, _, err := EnsureNetwork(context.Background(), srv.Client(), "branch-office", "us-nyc")
	if !errors.Is(err, client.ErrForbidden) {
		t.Fatalf("err = %v, want client.ErrForbidden", err)
	}
}

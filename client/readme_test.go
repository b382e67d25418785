package client_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudconnexa-go/cloudconnexa/client"
	"github.com/cloudconnexa-go/cloudconnexa/gen"
)

// readmeSnippet is the Go snippet at the top of README.md, verbatim (checked
// by TestREADMESnippetsCompile), so that the README shows code that builds.
func readmeSnippet(ctx context.Context) error {
	c, err := client.NewFromEnv() // CLOUDCONNEXA_BASE_URL, _CLIENT_ID, _CLIENT_SECRET
	if err != nil {
		return err
	}
	n, err := c.Networks.Create(ctx, gen.NetworkCreateRequest{Name: "office", Egress: client.Ptr(true)})
	if err != nil {
		return err
	}
	if _, err := c.NetworkRoutes.Create(ctx, n.Id, gen.NetworkRouteRequest{Value: "10.10.0.0/24"}); err != nil {
		return err
	}
	for n, err := range c.Networks.All(ctx, nil) {
		if err != nil {
			return err
		}
		fmt.Println(n.Id, n.Name, n.GetEgress())
	}
	if err := c.Networks.Delete(ctx, n.Id); errors.Is(err, client.ErrNotFound) {
		// already gone
	}
	return nil
}

var _ = readmeSnippet

// TestREADMESnippetsCompile fails when a Go snippet of README.md is not
// the body of a function in this file, which the compiler checks.
func TestREADMESnippetsCompile(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	self, err := os.ReadFile("readme_test.go")
	require.NoError(t, err)
	blocks := regexp.MustCompile("(?s)```go\n(.*?)```").FindAllSubmatch(readme, -1)
	require.NotEmpty(t, blocks, "README.md has Go snippets")
	for _, b := range blocks {
		var body strings.Builder
		for line := range strings.SplitSeq(strings.TrimSuffix(string(b[1]), "\n"), "\n") {
			if line != "" {
				line = "\t" + line
			}
			body.WriteString(line + "\n")
		}
		assert.Contains(t, string(self), body.String(), "README snippet not kept compiling here:\n%s", b[1])
	}
}

package client

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLightImports keeps what importing client links into a program small:
// not the OpenAPI document (package api embeds it), not kin-openapi, no YAML
// parser and no JSON-schema library.
func TestLightImports(t *testing.T) {
	goTool, err := exec.LookPath("go")
	require.NoError(t, err, "the go command runs this test")
	out, err := exec.Command(goTool, "list", "-deps", ".").CombinedOutput()
	require.NoError(t, err, "%s", out)
	deps := strings.Fields(string(out))
	require.Contains(t, deps, "github.com/cloudconnexa-go/cloudconnexa/gen", "the listing is of package client")
	for _, dep := range deps {
		for _, banned := range []string{"github.com/cloudconnexa-go/cloudconnexa/api", "kin-openapi", "yaml", "jsonschema"} {
			assert.NotContains(t, dep, banned, "client links %s", dep)
		}
	}
}

package main

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/mod/modfile"
)

// TestGoModAllowsGoInstallAtAVersion keeps go.mod free of what makes
// `go install …/cmd/cloudconnexa-fake@v1.2.3` refuse the module: replace
// and exclude directives are honoured only in the main module, so the go
// command rejects a module that needs them.
func TestGoModAllowsGoInstallAtAVersion(t *testing.T) {
	data, err := os.ReadFile("../../../go.mod")
	require.NoError(t, err)
	f, err := modfile.Parse("go.mod", data, nil)
	require.NoError(t, err)
	assert.Equal(t, modulePath, f.Module.Mod.Path)
	assert.Empty(t, f.Replace, "go install pkg@version refuses a module with replace directives")
	assert.Empty(t, f.Exclude, "go install pkg@version refuses a module with exclude directives")
}

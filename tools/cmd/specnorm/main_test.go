package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudconnexa-go/cloudconnexa/tools/internal/specnorm"
)

// TestRunWritesNormalisedDocument: the command writes exactly what
// specnorm.Normalize returns, and reports a missing input.
func TestRunWritesNormalisedDocument(t *testing.T) {
	in := "../../../api/testdata/vendor-v1.1.0.json"
	out := filepath.Join(t.TempDir(), "normalised.json")
	require.NoError(t, run(in, out))
	raw, err := os.ReadFile(in)
	require.NoError(t, err)
	want, _, err := specnorm.Normalize(raw)
	require.NoError(t, err)
	got, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, want, got)

	assert.Error(t, run(filepath.Join(t.TempDir(), "missing.json"), out))
}

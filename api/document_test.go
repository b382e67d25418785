package api_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/cloudconnexa-go/cloudconnexa/api"
)

// yamlAnchors lists every anchor and alias of a YAML document, with its line.
func yamlAnchors(t *testing.T, doc []byte) []string {
	t.Helper()
	var root yaml.Node
	require.NoError(t, yaml.Unmarshal(doc, &root))
	var found []string
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Anchor != "" {
			found = append(found, fmt.Sprintf("line %d: anchor &%s", n.Line, n.Anchor))
		}
		if n.Kind == yaml.AliasNode {
			found = append(found, fmt.Sprintf("line %d: alias *%s", n.Line, n.Value))
			return // the alias's target is walked where it is defined
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(&root)
	return found
}

// TestNoYAMLAnchors keeps the document free of anchors and aliases: with
// them, editing one operation silently edits every operation that reuses the
// anchored node. Shared pieces belong in components and are referenced with
// $ref.
func TestNoYAMLAnchors(t *testing.T) {
	assert.Empty(t, yamlAnchors(t, api.Document()), "api/openapi.yaml")
}

// TestYAMLAnchorDetector proves the detector behind TestNoYAMLAnchors sees
// both an anchor and its alias.
func TestYAMLAnchorDetector(t *testing.T) {
	doc := []byte("a:\n  schema: &s\n    type: string\nb:\n  schema: *s\n")
	assert.Equal(t, []string{"line 2: anchor &s", "line 5: alias *s"}, yamlAnchors(t, doc))
}

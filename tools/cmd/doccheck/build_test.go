//go:build doccheck_build

// The tests that build Go blocks with the go command against the library
// and its nested modules: they compile the library (gen, and kin-openapi
// for cloudconnexatest) and go-redis without -race, which nothing else in
// `make test` leaves in the build cache, and resolve imports from the
// module cache: 36 s cold on 2 cores, 5 s warm. `make docs-check` runs
// them (go test -tags doccheck_build), next to its check of the real
// documents; the default `go test` covers the rest of the command in well
// under a second.

package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// libraryRoot is the root of the library module, whose packages the
// blocks are compiled against (this command lives in the tools module).
const libraryRoot = "../../.."

func TestSnippets(t *testing.T) {
	d, err := parseFile("testdata", "snippets.md")
	require.NoError(t, err)
	require.Len(t, d.blocks, 9, "Go blocks found (the sh block is not one)")
	problems, err := buildSnippets(libraryRoot, []*document{d}, nil)
	require.NoError(t, err)
	got := messages(append(d.marks, problems...))
	assert.ElementsMatch(t, []string{
		`snippets.md:61: doccheck: skip needs a reason: <!-- doccheck: skip, why -->`,
		`snippets.md:66: unknown doccheck directive "compile please" (only "skip, <reason>")`,
		`snippets.md:39: Go block: cannot use x (variable of type int) as string value in variable declaration`,
		`snippets.md:46: Go block: c.NoSuchMethod undefined (type *client.Client has no field or method NoSuchMethod)`,
		`snippets.md:52: Go block does not parse: expected '(', found f`,
	}, got)
}

// TestMissingImport: the go command stops at a package it cannot find;
// the problem still points at the block's line.
func TestMissingImport(t *testing.T) {
	d, err := parseFile("testdata", "badimport.md")
	require.NoError(t, err)
	problems, err := buildSnippets(libraryRoot, []*document{d}, nil)
	require.NoError(t, err)
	got := messages(problems)
	require.Len(t, got, 1, "%q", got)
	assert.True(t, strings.HasPrefix(got[0], "badimport.md:6: Go block: no required module provides package example.com/nope"), got[0])
}

// TestNestedModule: a block that names a nested module's package is built
// in that module, where the package and its requirements (go-redis)
// resolve, and its errors still point at the block.
func TestNestedModule(t *testing.T) {
	d, err := parseFile("testdata", "nested.md")
	require.NoError(t, err)
	require.Len(t, d.blocks, 2)
	problems, err := buildSnippets(libraryRoot, []*document{d}, []string{"redislimit"})
	require.NoError(t, err)
	assert.Equal(t, []string{"nested.md:13: Go block: undefined: redislimit.NoSuchFunction"}, messages(problems))

	// In the library's module its imports do not resolve.
	problems, err = buildSnippets(libraryRoot, []*document{d}, nil)
	require.NoError(t, err)
	got := messages(problems)
	require.NotEmpty(t, got)
	assert.Contains(t, got[0], "no required module provides package")
}

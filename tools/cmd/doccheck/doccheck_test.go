package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSlug(t *testing.T) {
	for heading, want := range map[string]string{
		"Errors & retries":                  "errors--retries",
		"WithTimeout(d time.Duration)":      "withtimeoutd-timeduration",
		"Caching, refresh and 401s":         "caching-refresh-and-401s",
		"The `All…` iterators":              "the-all-iterators",
		"snake_case and kebab-case":         "snake_case-and-kebab-case",
		"  Straße über Ünïcode  ":           "straße-über-ünïcode",
		"What's new? (v1.2.3, 2026-01-02)!": "whats-new-v123-2026-01-02",
	} {
		assert.Equal(t, want, slug(heading), "slug(%q)", heading)
	}
}

func TestHeadingAnchors(t *testing.T) {
	d := parseMarkdown("x.md", []byte("# A *b* `c`\n\n## Repeated\n\n## Repeated\n\nSetext\n---\n\n<a name=\"n\"></a>\n"))
	for _, a := range []string{"a-b-c", "repeated", "repeated-1", "setext", "n"} {
		assert.True(t, d.anchors[a], "anchor %q missing from %v", a, d.anchors)
	}
	assert.False(t, d.anchors["repeated-2"], "a third Repeated anchor")
}

func TestLinks(t *testing.T) {
	d, err := parseFile("testdata", "links.md")
	require.NoError(t, err)
	got := messages(checkLinks("testdata", d, map[string]*document{d.path: d}))
	assert.Equal(t, []string{
		`links.md:8: link "nope.md": nope.md does not exist`,
		`links.md:8: link "target.md#nope": target.md has no heading or anchor #nope`,
		`links.md:9: link "target.md#repeated-2": target.md has no heading or anchor #repeated-2`,
		`links.md:9: link "#nope": links.md has no heading or anchor #nope`,
		`links.md:10: link "sub/file.go#top": #top is not a line anchor (#L10, #L10-L20) of sub/file.go`,
		`links.md:10: link "../../../../../x.md" leaves the repository`,
		`links.md:12: link "target.md#gone": target.md has no heading or anchor #gone`,
	}, got)
}

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

func TestShapes(t *testing.T) {
	for code, want := range map[string]shape{
		"// A file.\npackage x\n":       wholeFile,
		"type T int\nfunc (T) M() {}\n": declarations,
		"x := 1\n_ = x\n":               statements,
		"return nil\n":                  statements,
	} {
		got, perr := classify(code)
		require.Nil(t, perr, "%q", code)
		assert.Equal(t, want, got, "%q", code)
	}
	_, perr := classify("x := \n")
	require.NotNil(t, perr)
	assert.Equal(t, 1, perr.line, "line of the parse error, counted in the block")
}

// TestRun checks the exit status and the output of the command: 1 with the
// problems on stdout, 0 and nothing for good documents.
func TestRun(t *testing.T) {
	t.Chdir("testdata")
	var stdout, stderr bytes.Buffer
	assert.Equal(t, 1, run([]string{"links.md"}, nil, &stdout, &stderr))
	assert.Contains(t, stdout.String(), `links.md:8: link "nope.md": nope.md does not exist`)
	assert.Contains(t, stderr.String(), "7 problem(s)")

	stdout.Reset()
	stderr.Reset()
	assert.Equal(t, 0, run([]string{"target.md"}, nil, &stdout, &stderr), stderr.String())
	assert.Empty(t, stdout.String())

	assert.Equal(t, 2, run([]string{"missing.md"}, nil, &stdout, &stderr))
}

// TestDefaultFiles: with no arguments, the README, the contributing guide
// and every page under docs/.
func TestDefaultFiles(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, "docs"), 0o755))
	for _, f := range []string{"docs/b.md", "docs/a.md", "docs/notes.txt"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, f), nil, 0o644))
	}
	t.Chdir(dir)
	files, err := defaultFiles()
	require.NoError(t, err)
	assert.Equal(t, []string{"README.md", "CONTRIBUTING.md", "docs/a.md", "docs/b.md"}, files)
}

func messages(ps []problem) []string {
	var out []string
	for _, p := range ps {
		out = append(out, strings.TrimPrefix(p.String(), "testdata/"))
	}
	return out
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

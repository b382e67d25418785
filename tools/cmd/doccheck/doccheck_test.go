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

// TestSnippetFiles: the files a block is built from, without building them
// (build_test.go builds them, in make docs-check).
func TestSnippetFiles(t *testing.T) {
	root := filepath.FromSlash("/repo")
	files, p := snippetFiles(root, "docs/x.md", codeBlock{line: 5,
		code: "n, err := client.New(baseURL, clientID, secret)\nfmt.Println(n, strings.ToUpper(id))\nreturn err\n"}, "")
	require.Nil(t, p)
	assert.Equal(t, prelude, files["prelude.go"])
	snippet := files["snippet.go"]
	for _, want := range []string{
		`import "github.com/cloudconnexa-go/cloudconnexa/client"`, `import "fmt"`, `import "strings"`,
		"func _() error {\n//line " + filepath.Join(root, "docs", "x.md") + ":5:1\nn, err := client.New(",
	} {
		assert.Contains(t, snippet, want)
	}

	files, p = snippetFiles(root, "docs/x.md", codeBlock{line: 1, code: "var l = redislimit.New\n"}, "redislimit")
	require.Nil(t, p)
	assert.Contains(t, files["snippet.go"], `import "github.com/cloudconnexa-go/cloudconnexa/redislimit"`)
	assert.Equal(t, "redislimit", moduleOf("l, err := redislimit.New(rdb)", []string{"redislimit"}))
	assert.Empty(t, moduleOf("c.Networks.Get(ctx, id)", []string{"redislimit"}))

	files, p = snippetFiles(root, "docs/x.md", codeBlock{line: 3, code: "package main\n\nfunc main() {}\n"}, "")
	require.Nil(t, p)
	assert.Equal(t, map[string]string{"snippet.go": "//line " + filepath.Join(root, "docs", "x.md") + ":3:1\npackage main\n\nfunc main() {}\n"}, files)

	_, p = snippetFiles(root, "docs/x.md", codeBlock{line: 3, code: "x := 1\ny := \n"}, "")
	require.NotNil(t, p)
	assert.Equal(t, "docs/x.md:4: Go block does not parse: expected operand, found '}'", p.String())
}

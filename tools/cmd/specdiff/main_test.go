package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	ours       = "../../../api/openapi.yaml"
	vendor     = "../../../api/testdata/vendor-v1.1.0.json"
	ignoreFile = "../../../api/spec-diff-ignore.txt"
	specDoc    = "../../../docs/spec.md"
)

func gateRun(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	return code, out.String() + errOut.String()
}

// TestGateVendorV110: against the vendor's v1.1.0 document every breaking
// change is a documented deviation, every ignore entry is needed, and the
// report fits on one screen.
func TestGateVendorV110(t *testing.T) {
	code, out := gateRun(t, "-ignore", ignoreFile, ours, vendor)
	assert.Equal(t, 0, code, out)
	assert.LessOrEqual(t, strings.Count(out, "\n"), 24, "more than one screen:\n%s", out)
	assert.Contains(t, out, "not documented: 0")
	assert.NotContains(t, out, "unused ignore entry")
	t.Log("\n" + out)
}

// TestGateWithoutIgnoreFileFails: the same comparison without the ignore
// file fails, so exit 0 above comes from the documented deviations.
func TestGateWithoutIgnoreFileFails(t *testing.T) {
	code, out := gateRun(t, ours, vendor)
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "FAIL:")
}

// drift writes a copy of the vendor document with one response field's type
// changed, one response enum value added and one parameter removed.
func drift(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile(vendor)
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(raw, &doc))
	obj := func(v any, keys ...string) map[string]any {
		for _, k := range keys {
			v = v.(map[string]any)[k]
		}
		return v.(map[string]any)
	}
	props := obj(doc, "components", "schemas", "NetworkResponse", "properties")
	require.Equal(t, "boolean", obj(props, "egress")["type"])
	obj(props, "egress")["type"] = "string"
	ia := obj(props, "internetAccess")
	ia["enum"] = append(ia["enum"].([]any), "FULL_ACCESS")
	get := obj(doc, "paths", "/api/v1/networks", "get")
	var kept []any
	for _, p := range get["parameters"].([]any) {
		if p.(map[string]any)["name"] != "size" {
			kept = append(kept, p)
		}
	}
	require.Len(t, kept, len(get["parameters"].([]any))-1)
	get["parameters"] = kept
	b, err := json.Marshal(doc)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "vendor-drift.json")
	require.NoError(t, os.WriteFile(path, b, 0o644))
	return path
}

// TestGateReportsSyntheticDrift: each of the three drifts is reported and
// the gate fails, although the ignore file is in use.
func TestGateReportsSyntheticDrift(t *testing.T) {
	normalised := filepath.Join(t.TempDir(), "normalised.json")
	code, out := gateRun(t, "-ignore", ignoreFile, "-normalised", normalised, ours, drift(t))
	assert.Equal(t, 1, code, out)
	for _, want := range []string{
		"GET /api/v1/networks: the `content/items/egress` response's property `type` changed from `boolean` to `string` for status `200` [response-property-type-changed]",
		"GET /api/v1/networks/{id}: the `egress` response's property `type` changed from `boolean` to `string`",
		"GET /api/v1/networks: added the new `FULL_ACCESS` enum value to the `content/items/internetAccess` response property for the response status `200` [response-property-enum-value-added]",
		"GET /api/v1/networks: deleted the `query` request parameter `size` [request-parameter-removed]",
		"FAIL:",
	} {
		assert.Contains(t, out, want)
	}
	assert.NotContains(t, out, "unused ignore entry", "the drift must not hide a documented deviation")
	written, err := os.ReadFile(normalised)
	require.NoError(t, err)
	assert.Contains(t, string(written), `"FULL_ACCESS"`)
	assert.NotContains(t, string(written), `"*/*"`)
	t.Log("\n" + out)
}

func TestGateUsageAndInputErrors(t *testing.T) {
	code, out := gateRun(t, ours)
	assert.Equal(t, 2, code)
	assert.Contains(t, out, "usage:")
	code, _ = gateRun(t, "-nope", ours, vendor)
	assert.Equal(t, 2, code)
	code, out = gateRun(t, ours, filepath.Join(t.TempDir(), "missing.json"))
	assert.Equal(t, 2, code)
	assert.Contains(t, out, "missing.json")

	bad := filepath.Join(t.TempDir(), "ignore.txt")
	require.NoError(t, os.WriteFile(bad, []byte("# comment\nGET /api/v1/x removed something\n"), 0o644))
	code, out = gateRun(t, "-ignore", bad, ours, vendor)
	assert.Equal(t, 2, code)
	assert.Contains(t, out, `ignore.txt:2: no trailing "# docs/spec.md:<line>" reference`)
}

// documented checks that an ignore entry's docs/spec.md line documents it:
// the line is a table row or list item after the Coverage heading (where
// the added operations, the deviations and the v1.2.3 schema changes are
// listed), and it names the entry's path (with or without /api/v1) or, for
// a rule entry, the oasdiff check id.
func documented(e *entry, docLines []string) error {
	if e.ref < 1 || e.ref > len(docLines) {
		return fmt.Errorf("line %d: docs/spec.md:%d does not exist", e.line, e.ref)
	}
	coverage := -1
	for i, l := range docLines {
		if strings.HasPrefix(l, "## Coverage") {
			coverage = i + 1
			break
		}
	}
	row := docLines[e.ref-1]
	trimmed := strings.TrimSpace(row)
	if e.ref <= coverage || !(strings.HasPrefix(trimmed, "|") || strings.HasPrefix(trimmed, "* ") || strings.HasPrefix(row, "  ")) {
		return fmt.Errorf("line %d: docs/spec.md:%d is not a deviation row or list item: %q", e.line, e.ref, row)
	}
	var subjects []string
	if e.rule != "" {
		subjects = []string{e.rule}
	} else {
		fields := strings.Fields(e.text)
		if len(fields) < 3 {
			return fmt.Errorf("line %d: want <METHOD> <path> <change text>", e.line)
		}
		subjects = []string{fields[1], strings.TrimPrefix(fields[1], "/api/v1")}
	}
	for _, s := range subjects {
		if regexp.MustCompile("(^|[\\s`(])" + regexp.QuoteMeta(s) + "($|[\\s`),;])").MatchString(row) {
			return nil
		}
	}
	hint := ""
	for i, l := range docLines {
		if strings.Contains(l, subjects[len(subjects)-1]) && i+1 > coverage {
			hint = fmt.Sprintf(" (it is named on line %d)", i+1)
			break
		}
	}
	return fmt.Errorf("line %d: docs/spec.md:%d does not name %s%s: %q", e.line, e.ref, subjects[len(subjects)-1], hint, row)
}

// TestIgnoreEntriesDocumented: every ignore entry points at the docs/spec.md
// line that documents the deviation it accepts.
func TestIgnoreEntriesDocumented(t *testing.T) {
	entries, err := readIgnore(ignoreFile)
	require.NoError(t, err)
	require.NotEmpty(t, entries)
	raw, err := os.ReadFile(specDoc)
	require.NoError(t, err)
	lines := strings.Split(string(raw), "\n")
	for _, e := range entries {
		assert.NoError(t, documented(e, lines))
	}
}

// TestDocumentedCheckRejects proves the check above fails for an entry that
// points at the wrong line, at a line outside the deviations, or nowhere.
func TestDocumentedCheckRejects(t *testing.T) {
	lines := []string{
		"# Title",
		"| `GET /networks` | in the rules, not a deviation |",
		"## Coverage",
		"| `GET /networks` | deviation |",
		"| `GET /networks/{id}` | another |",
		"prose mentioning `GET /networks`",
	}
	entry := func(text string, ref int) *entry {
		e := &entry{line: 1, text: text, ref: ref}
		e.rule, _ = strings.CutPrefix(text, "rule ")
		if e.rule == text {
			e.rule = ""
		}
		return e
	}
	assert.NoError(t, documented(entry("GET /api/v1/networks removed something", 4), lines))
	assert.ErrorContains(t, documented(entry("GET /api/v1/networks removed something", 5), lines), "does not name /networks (it is named on line 4)")
	assert.ErrorContains(t, documented(entry("GET /api/v1/networks removed something", 2), lines), "not a deviation row")
	assert.ErrorContains(t, documented(entry("GET /api/v1/networks removed something", 6), lines), "not a deviation row")
	assert.ErrorContains(t, documented(entry("GET /api/v1/networks removed something", 60), lines), "does not exist")
	assert.ErrorContains(t, documented(entry("rule response-property-became-optional", 4), lines), "does not name response-property-became-optional")
}

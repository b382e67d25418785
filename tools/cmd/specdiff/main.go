// Command specdiff is the drift gate behind make spec-diff. It normalises a
// vendor-published OpenAPI document (package tools/internal/specnorm), compares
// ours with it using oasdiff's breaking-change checks (pinned in go.mod),
// drops the changes the ignore file lists as documented deviations, and
// fails when anything else is left:
//
// The Makefile builds it into .tools/bin (go build -C tools -o
// ../.tools/bin/ ./cmd/specdiff) and runs it from the repository root:
//
//	.tools/bin/specdiff [-ignore api/spec-diff-ignore.txt] [-normalised out.json] api/openapi.yaml vendor.json
//
// Ours is the base and the vendor document the revision, so a "breaking
// change" reads: if the API behaved as the vendor now documents, this would
// break a client generated from our document (a response field that changed
// type, a new response enum value, a removed parameter…). Descriptions,
// summaries, titles and examples are excluded from the comparison.
//
// Exit status: 0 when every breaking change is a documented deviation, 1 when
// some are not, 2 on a usage, input or ignore-file error.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oasdiff/oasdiff/checker"
	"github.com/oasdiff/oasdiff/diff"
	"github.com/oasdiff/oasdiff/load"

	"github.com/cloudconnexa-go/cloudconnexa/tools/internal/specnorm"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("specdiff", flag.ContinueOnError)
	fs.SetOutput(stderr)
	ignorePath := fs.String("ignore", "", "ignore file of documented deviations")
	normalisedPath := fs.String("normalised", "", "also write the normalised vendor document here")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: specdiff [-ignore file] [-normalised out.json] <ours.yaml> <vendor.json>")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 2 {
		fs.Usage()
		return 2
	}
	res, err := gate(fs.Arg(0), fs.Arg(1), *ignorePath, *normalisedPath)
	if err != nil {
		fmt.Fprintln(stderr, "specdiff:", err)
		return 2
	}
	res.print(stdout)
	if len(res.undocumented) > 0 {
		return 1
	}
	return 0
}

// entry is one line of the ignore file.
type entry struct {
	line int    // line number in the ignore file
	text string // the line as written, without the trailing comment
	rule string // for "rule <check-id>" entries: every change of that check
	ref  int    // the docs/spec.md line it points at
	hits int    // changes it matched
}

var refRE = regexp.MustCompile(`#\s*docs/spec\.md:(\d+)\s*$`)

// readIgnore parses the ignore file: blank lines and lines starting with #
// are skipped; every other line ends with "# docs/spec.md:N" and is either
// "rule <check-id>" or an oasdiff ignore line ("<METHOD> <path> <change text>",
// or a text containing "components" for component changes).
func readIgnore(path string) ([]*entry, error) {
	if path == "" {
		return nil, nil
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var entries []*entry
	var bad []string
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		m := refRE.FindStringSubmatchIndex(line)
		if m == nil {
			bad = append(bad, fmt.Sprintf("%s:%d: no trailing \"# docs/spec.md:<line>\" reference", path, n))
			continue
		}
		e := &entry{line: n, text: strings.TrimSpace(line[:m[0]])}
		fmt.Sscan(line[m[2]:m[3]], &e.ref)
		if rule, ok := strings.CutPrefix(e.text, "rule "); ok {
			e.rule = strings.TrimSpace(rule)
		}
		entries = append(entries, e)
	}
	if len(bad) > 0 {
		return nil, errors.New(strings.Join(bad, "\n"))
	}
	return entries, sc.Err()
}

// ignorePath is the first field of an ignore line that starts with "/", as
// oasdiff reads it.
func ignorePath(line string) string {
	for _, f := range strings.Fields(line) {
		if strings.HasPrefix(f, "/") {
			return f
		}
	}
	return ""
}

func (e *entry) matches(c checker.Change, l checker.Localizer) bool {
	if e.rule != "" {
		return c.GetId() == e.rule
	}
	line := strings.ToLower(e.text)
	return c.MatchIgnore(ignorePath(line), line, l)
}

type result struct {
	ours, vendor string
	report       specnorm.Report
	breaking     checker.Changes
	undocumented checker.Changes
	entries      []*entry
	l            checker.Localizer
}

func gate(oursPath, vendorPath, ignoreFile, normalisedPath string) (*result, error) {
	entries, err := readIgnore(ignoreFile)
	if err != nil {
		return nil, err
	}
	raw, err := os.ReadFile(vendorPath)
	if err != nil {
		return nil, err
	}
	norm, report, err := specnorm.Normalize(raw)
	if err != nil {
		return nil, err
	}
	if normalisedPath != "" {
		if err := os.WriteFile(normalisedPath, norm, 0o644); err != nil {
			return nil, err
		}
	}
	loader := openapi3.NewLoader()
	base, err := loader.LoadFromFile(oursPath)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", oursPath, err)
	}
	rev, err := openapi3.NewLoader().LoadFromData(norm)
	if err != nil {
		return nil, fmt.Errorf("load normalised %s: %w", vendorPath, err)
	}
	cfg := diff.NewConfig(diff.WithExcludeElements([]string{
		diff.ExcludeDescriptionOption, diff.ExcludeSummaryOption, diff.ExcludeTitleOption, diff.ExcludeExamplesOption,
	}))
	d, sources, err := diff.GetWithOperationsSourcesMap(cfg,
		&load.SpecInfo{Url: oursPath, Spec: base}, &load.SpecInfo{Url: vendorPath, Spec: rev})
	if err != nil {
		return nil, fmt.Errorf("diff: %w", err)
	}
	res := &result{ours: oursPath, vendor: vendorPath, report: report, entries: entries, l: checker.NewLocalizer("en")}
	res.breaking = checker.CheckBackwardCompatibilityUntilLevel(checker.NewConfig(checker.GetAllChecks()), d, sources, checker.WARN)
	for _, c := range res.breaking {
		documented := false
		for _, e := range entries {
			if e.matches(c, res.l) {
				e.hits++
				documented = true
			}
		}
		if !documented {
			res.undocumented = append(res.undocumented, c)
		}
	}
	return res, nil
}

// print writes the outcome; against a vendor document we agree with it is
// a handful of lines.
func (r *result) print(w io.Writer) {
	var rules []string
	for rule, n := range r.report {
		rules = append(rules, fmt.Sprintf("%s %d", rule, n))
	}
	slices.Sort(rules)
	fmt.Fprintf(w, "spec-diff: %s (base) vs %s (normalised: %s)\n", r.ours, r.vendor, strings.Join(rules, ", "))
	used := 0
	for _, e := range r.entries {
		if e.hits > 0 {
			used++
		}
	}
	fmt.Fprintf(w, "breaking changes: %d; documented deviations: %d (%d of %d ignore entries used); not documented: %d\n",
		len(r.breaking), len(r.breaking)-len(r.undocumented), used, len(r.entries), len(r.undocumented))
	for _, c := range r.undocumented {
		op := strings.TrimSpace(c.GetOperation() + " " + c.GetPath())
		if op == "" {
			op = c.GetSection()
		}
		fmt.Fprintf(w, "  %-7s %s: %s [%s]\n", c.GetLevel(), op, c.GetUncolorizedText(r.l), c.GetId())
	}
	if len(r.undocumented) > 0 {
		fmt.Fprintln(w, "FAIL: fix api/openapi.yaml, or document the deviation in docs/spec.md and add it to the ignore file (docs/regenerating.md)")
	}
	for _, e := range r.entries {
		if e.hits == 0 {
			fmt.Fprintf(w, "  unused ignore entry, line %d: %s\n", e.line, e.text)
		}
	}
}

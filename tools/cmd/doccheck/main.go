// Command doccheck checks the hand-written documentation the way CI needs
// it checked: every relative link and #anchor in the Markdown files
// resolves, and every Go code block compiles against the module.
//
// The Makefile builds it into .tools/bin (go build -C tools -o
// ../.tools/bin/ ./cmd/doccheck) and runs it from the repository root:
//
//	.tools/bin/doccheck                 # README.md, CONTRIBUTING.md, docs/*.md
//	.tools/bin/doccheck docs/errors.md  # some files only
//
// It runs from the module root (make docs-check). Each problem is printed as
// file:line: message; the exit status is 1 when there is any, 2 when the
// check itself could not run.
//
// # Links
//
// A link with a scheme (https:, mailto:) is not followed. Any other link
// must name a file or directory that exists, relative to the Markdown file;
// its #anchor, or a bare #anchor, must be a heading of the target Markdown
// file (GitHub's rule: lower case, punctuation dropped, spaces to hyphens,
// -1, -2… for repeats) or an <a id> / <a name> in it. Anchors into other
// files may only be GitHub's line anchors (#L10, #L10-L20).
//
// # Go code blocks
//
// Every ```go block is built with the module, in a package of its own, by
// one of three rules chosen from its content (a block that names the
// package of a nested module, -modules, such as redislimit.New, is built in
// that module, which requires the library):
//
//   - a whole file (it starts with a package clause) is built as it is;
//   - declarations only (func, type, var, const) are built as a file;
//   - anything else is built as the body of a function.
//
// The function returns error, so that "return err" works. Imports are
// added as needed (standard library, this module, its requirements), and a
// block may use these names without declaring them, for what a reader of
// the docs already has at hand:
//
//	ctx     context.Context
//	c       *client.Client
//	a       *auth.Authenticator
//	srv     *cloudconnexatest.Server
//	t       *testing.T
//	logger  *slog.Logger
//	id, baseURL, clientID, clientSecret, secret string
//
// Variables a block declares but does not use are not an error (a snippet
// shows how to get a value, the reader's program uses it), nor is a missing
// return at its end. Everything else the compiler reports is. A block that is deliberately not Go (pseudo-code,
// a shape with elisions) is preceded by an HTML comment that says so and
// why, on the line right before the fence:
//
//	<!-- doccheck: skip, an excerpt with elided fields -->
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

func main() {
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: doccheck [-modules 'dir ...'] [file.md ...]  (run from the module root)")
		flag.PrintDefaults()
	}
	modules := flag.String("modules", "", "space-separated directories of the nested modules: a Go block that names one's package is built in it")
	flag.Parse()
	os.Exit(run(flag.Args(), strings.Fields(*modules), os.Stdout, os.Stderr))
}

// defaultFiles are the documents CI checks.
func defaultFiles() ([]string, error) {
	docs, err := filepath.Glob("docs/*.md")
	if err != nil {
		return nil, err
	}
	sort.Strings(docs)
	return append([]string{"README.md", "CONTRIBUTING.md"}, docs...), nil
}

func run(files, nested []string, stdout, stderr io.Writer) int {
	if len(files) == 0 {
		var err error
		if files, err = defaultFiles(); err != nil {
			fmt.Fprintln(stderr, "doccheck:", err)
			return 2
		}
	}
	root, err := os.Getwd()
	if err != nil {
		fmt.Fprintln(stderr, "doccheck:", err)
		return 2
	}
	problems, err := check(root, files, nested)
	if err != nil {
		fmt.Fprintln(stderr, "doccheck:", err)
		return 2
	}
	for _, p := range problems {
		fmt.Fprintln(stdout, p)
	}
	if len(problems) > 0 {
		fmt.Fprintf(stderr, "doccheck: %d problem(s) in %d file(s)\n", len(problems), len(files))
		return 1
	}
	return 0
}

// check reads the Markdown files (relative to root, the module root) and
// returns every broken link and every Go block that does not compile
// (nested: the nested modules' directories, see buildSnippets).
func check(root string, files, nested []string) ([]problem, error) {
	docs := map[string]*document{} // by clean path relative to root
	var order []*document
	for _, f := range files {
		d, err := parseFile(root, f)
		if err != nil {
			return nil, err
		}
		docs[d.path] = d
		order = append(order, d)
	}
	var problems []problem
	for _, d := range order {
		problems = append(problems, checkLinks(root, d, docs)...)
	}
	built, err := buildSnippets(root, order, nested)
	if err != nil {
		return nil, err
	}
	problems = append(problems, built...)
	sort.SliceStable(problems, func(i, j int) bool {
		if problems[i].file != problems[j].file {
			return problems[i].file < problems[j].file
		}
		return problems[i].line < problems[j].line
	})
	return problems, nil
}

// problem is one finding, printed as file:line: message.
type problem struct {
	file string
	line int
	msg  string
}

func (p problem) String() string { return fmt.Sprintf("%s:%d: %s", p.file, p.line, p.msg) }

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/parser"
	"go/scanner"
	"go/token"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/tools/imports"
)

const modulePath = "github.com/cloudconnexa-go/cloudconnexa"

// prelude declares the names a block may use without declaring them (see
// the package comment), in a file of its own next to the block.
const prelude = `package snippet

import (
	"context"
	"log/slog"
	"testing"

	"github.com/cloudconnexa-go/cloudconnexa/auth"
	"github.com/cloudconnexa-go/cloudconnexa/client"
	"github.com/cloudconnexa-go/cloudconnexa/cloudconnexatest"
)

var (
	ctx                              context.Context
	c                                *client.Client
	a                                *auth.Authenticator
	srv                              *cloudconnexatest.Server
	t                                *testing.T
	logger                           *slog.Logger
	id, baseURL, clientID, clientSecret, secret string
)
`

// preludeNames stand in for the prelude while imports are worked out, so
// that c.Foo is not taken for a package c.
const preludeNames = "\nvar ctx, c, a, srv, t, logger, id, baseURL, clientID, clientSecret, secret any\n"

// modulePackages are imported when a block names them, before the rest of
// the imports are resolved, so that client.New always means ours.
var modulePackages = regexp.MustCompile(`\b(client|auth|gen|cloudconnexatest|api)\.[A-Z]`)

// shape is how a block is built.
type shape int

const (
	wholeFile shape = iota
	declarations
	statements
)

// tolerated are compiler messages that are not problems in a snippet: a
// value it shows how to get but does not use, and the end of the function
// its statements are put in (which returns an error, for "return err").
var tolerated = regexp.MustCompile(`declared and not used|missing return`)

// compilerLine is one error of go build.
var compilerLine = regexp.MustCompile(`^(.+?):(\d+)(?::\d+)?: (.*)$`)

// buildSnippets compiles every Go block of docs, each in its own package of
// the module (through go build -overlay, so nothing is written to the
// tree), and returns what the compiler reports. A block that names the
// package of a nested module (nested: directories relative to root, each
// with a go.mod that requires the library, such as redislimit) is built in
// that module, the only place where its package and its requirements
// resolve.
func buildSnippets(root string, docs []*document, nested []string) ([]problem, error) {
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "doccheck-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)

	var problems []problem
	overlay := map[string]string{}
	pkgs := map[string][]string{} // by module directory relative to root, "" for the library
	// origin maps a generated file to its block, for errors outside the
	// block's own lines (in the prelude or the imports added to it).
	origin := map[string]problem{}
	n := 0
	for _, d := range docs {
		for _, b := range d.blocks {
			if b.skip {
				continue
			}
			n++
			mod := moduleOf(b.code, nested)
			files, p := snippetFiles(root, d.path, b, mod)
			if p != nil {
				problems = append(problems, *p)
				continue
			}
			// A package of the module that exists only in the overlay
			// (internal, so nothing can import it).
			dir := filepath.Join("internal", "doccheck", "b"+strconv.Itoa(n))
			for name, content := range files {
				f := filepath.Join(tmp, fmt.Sprintf("b%d-%s", n, name))
				if err := os.WriteFile(f, []byte(content), 0o600); err != nil {
					return nil, err
				}
				overlay[filepath.Join(root, filepath.FromSlash(mod), dir, name)] = f
				origin[f] = problem{file: d.path, line: b.line}
			}
			pkgs[mod] = append(pkgs[mod], "./"+filepath.ToSlash(dir))
		}
	}
	if len(pkgs) == 0 {
		return problems, nil
	}
	cfg, err := json.Marshal(struct{ Replace map[string]string }{overlay})
	if err != nil {
		return nil, err
	}
	cfgPath := filepath.Join(tmp, "overlay.json")
	if err := os.WriteFile(cfgPath, cfg, 0o600); err != nil {
		return nil, err
	}
	mods := make([]string, 0, len(pkgs))
	for mod := range pkgs {
		mods = append(mods, mod)
	}
	slices.Sort(mods)
	for _, mod := range mods {
		built, err := buildPackages(root, mod, cfgPath, pkgs[mod], origin)
		if err != nil {
			return nil, err
		}
		problems = append(problems, built...)
	}
	return problems, nil
}

// buildPackages builds the overlay packages pkgs of the module in directory
// mod (relative to root) and returns what the compiler reports, mapped back
// to the documents through origin.
func buildPackages(root, mod, cfgPath string, pkgs []string, origin map[string]problem) ([]problem, error) {
	var problems []problem
	cmd := exec.Command("go", append([]string{"build", "-gcflags=-e", "-overlay=" + cfgPath}, pkgs...)...)
	cmd.Dir = filepath.Join(root, filepath.FromSlash(mod))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	runErr := cmd.Run()
	// A block that imports a missing package stops go build before it
	// compiles anything: that one is reported, the others on the next run.
	reported := 0 // compiler errors, tolerated or not
	for _, line := range strings.Split(out.String(), "\n") {
		m := compilerLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		reported++
		if tolerated.MatchString(m[3]) {
			continue
		}
		ln, _ := strconv.Atoi(m[2])
		if blk, ok := origin[m[1]]; ok { // in what doccheck added to the block
			problems = append(problems, problem{blk.file, blk.line, "Go block: " + m[3]})
			continue
		}
		file := m[1] // absolute (the loader), or made relative to the module's directory (the compiler)
		if !filepath.IsAbs(file) {
			file = filepath.Join(cmd.Dir, file)
		}
		if rel, err := filepath.Rel(root, file); err == nil {
			file = rel
		}
		problems = append(problems, problem{filepath.ToSlash(filepath.Clean(file)), ln, "Go block: " + m[3]})
	}
	if runErr != nil && reported == 0 { // go build failed before compiling
		return nil, fmt.Errorf("go build of the Go blocks: %v\n%s", runErr, out.String())
	}
	return problems, nil
}

// moduleOf returns the nested module (one of nested) whose package the Go
// block code names, as in redislimit.New, or "" for the library.
func moduleOf(code string, nested []string) string {
	for _, mod := range nested {
		if regexp.MustCompile(`\b` + regexp.QuoteMeta(path.Base(mod)) + `\.[A-Z]`).MatchString(code) {
			return mod
		}
	}
	return ""
}

// snippetFiles returns the files that build block b of the document at
// path in module mod ("" for the library, else a nested module's directory,
// whose package the block names), or the problem that prevents it.
func snippetFiles(root, path string, b codeBlock, mod string) (map[string]string, *problem) {
	// An absolute name: go build reports it as it is, the go command's
	// package loader (a missing import) joins a relative one to the
	// package's directory.
	lineDirective := fmt.Sprintf("//line %s:%d:1\n", filepath.Join(root, filepath.FromSlash(path)), b.line)
	sh, perr := classify(b.code)
	if perr != nil {
		return nil, &problem{path, b.line + perr.line - 1, "Go block does not parse: " + perr.msg}
	}
	if sh == wholeFile {
		return map[string]string{"snippet.go": lineDirective + b.code}, nil
	}
	var body string
	switch sh {
	case declarations:
		body = lineDirective + b.code
	case statements:
		body = "func _() error {\n" + lineDirective + b.code + "\n}\n"
	}
	imps, err := importsFor(body, mod)
	if err != nil {
		return nil, &problem{path, b.line, "Go block: " + err.Error()}
	}
	return map[string]string{
		"prelude.go": prelude,
		"snippet.go": "package snippet\n\n" + imps + body,
	}, nil
}

// importsFor returns the import declaration body needs: this module's
// packages it names, the package of the nested module mod when there is
// one, and whatever else goimports resolves.
func importsFor(body, mod string) (string, error) {
	var pre strings.Builder
	if mod != "" {
		fmt.Fprintf(&pre, "import %q\n", modulePath+"/"+mod)
	}
	seen := map[string]bool{}
	for _, m := range modulePackages.FindAllStringSubmatch(body, -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			fmt.Fprintf(&pre, "import %q\n", modulePath+"/"+m[1])
		}
	}
	src := "package snippet\n\n" + pre.String() + preludeNames + body
	out, err := imports.Process("snippet.go", []byte(src), &imports.Options{Comments: true, FormatOnly: false})
	if err != nil {
		return "", err
	}
	f, err := parser.ParseFile(token.NewFileSet(), "", out, parser.ImportsOnly)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, spec := range f.Imports {
		b.WriteString("import ")
		if spec.Name != nil {
			b.WriteString(spec.Name.Name + " ")
		}
		b.WriteString(spec.Path.Value + "\n")
	}
	return b.String() + "\n", nil
}

// parseError is where and why a block does not parse, in block lines.
type parseError struct {
	line int
	msg  string
}

// classify decides how a block is built: a package clause makes it a whole
// file; else it is declarations if it parses as such; else statements.
func classify(code string) (shape, *parseError) {
	fset := token.NewFileSet()
	if f, err := parser.ParseFile(fset, "", code, parser.PackageClauseOnly); err == nil && f.Name != nil {
		if _, err := parser.ParseFile(fset, "", code, parser.AllErrors); err != nil {
			return 0, firstError(err, 0)
		}
		return wholeFile, nil
	}
	if f, err := parser.ParseFile(fset, "", "package p\n"+code, parser.AllErrors); err == nil && len(f.Decls) > 0 {
		return declarations, nil
	}
	_, err := parser.ParseFile(fset, "", "package p\nfunc _() {\n"+code+"\n}", parser.AllErrors)
	if err != nil {
		perr := firstError(err, 2)
		perr.line = min(perr.line, strings.Count(strings.TrimSuffix(code, "\n"), "\n")+1) // not the } added
		return 0, perr
	}
	return statements, nil
}

// firstError is the first of a parse error list, with its line moved back
// by the lines put in front of the block.
func firstError(err error, before int) *parseError {
	line, msg := 1+before, err.Error()
	if list, ok := err.(scanner.ErrorList); ok && len(list) > 0 {
		line, msg = list[0].Pos.Line, list[0].Msg
	}
	return &parseError{max(line-before, 1), msg}
}

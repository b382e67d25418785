// Command apicompat is the API-compatibility gate: it compares the exported
// Go API of every importable package of the module (generated code
// included) with a baseline, prints the changes in Go terms with
// golang.org/x/exp/apidiff, and with -check fails when an incompatible
// change is not declared under "### Breaking" in the "## [Unreleased]"
// section of CHANGELOG.md (see "Declaring a breaking change" in
// CONTRIBUTING.md).
//
// The baseline is the committed export data of the newest release
// (-baseline, tools/apicompat/baseline.zip, written by make api-baseline at
// the release commit: apidiff's module export data, one entry per public
// package, with the release it records in the archive's comment), so the
// gate needs neither a tag nor the history. Without that file it is the
// newest release CHANGELOG.md lists ("## [1.4.0] - …", tag v1.4.0, fetched
// from origin when the clone lacks it), or the first commit while there is
// none. -base compares with a git revision instead.
//
// The nested modules (-modules, the Makefile's MODULES: redislimit, with a
// go.mod of its own) are part of the API: their packages are loaded from
// their directories, in the working tree and in the baseline (where a
// revision from before a package moved into a nested module has it in the
// library's module), and compared as one module.
//
// The Makefile builds it into .tools/bin (go build -C tools -o
// ../.tools/bin/ ./cmd/apicompat) and runs it from the repository root:
//
//	.tools/bin/apicompat          # make api-diff: the report
//	.tools/bin/apicompat -check   # make api-check: the CI gate
//
// Exit status: 0 compatible or declared, 1 undeclared incompatible changes
// (with -check), 2 the comparison could not be made.
package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"go/token"
	"go/types"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/exp/apidiff"
	"golang.org/x/mod/semver"
	"golang.org/x/tools/go/gcexportdata"
	"golang.org/x/tools/go/packages"
)

const (
	modulePath = "github.com/cloudconnexa-go/cloudconnexa"
	// rootPackage is the name of the package at the module root, used to
	// name its identifiers (apidiff prints them without a prefix).
	rootPackage = "cloudconnexa"
)

func main() {
	check := flag.Bool("check", false, "exit 1 when an incompatible change is not declared in CHANGELOG.md")
	base := flag.String("base", "", "git revision to compare with (default: the newest release in CHANGELOG.md, else the first commit)")
	changelogPath := flag.String("changelog", "CHANGELOG.md", "the changelog that declares breaking changes")
	baselinePath := flag.String("baseline", "", "the committed export data of the newest release, used when the file exists and -base is not given")
	write := flag.Bool("write-baseline", false, "write the working tree's API to -baseline as the newest release of CHANGELOG.md, and compare nothing")
	modules := flag.String("modules", "", "space-separated directories of the nested modules, whose packages are part of the API")
	flag.Parse()
	nested := strings.Fields(*modules)
	var status int
	var err error
	if *write {
		err = writeBaseline(os.Stdout, *changelogPath, *baselinePath, nested)
	} else {
		status, err = run(os.Stdout, *changelogPath, *baselinePath, *base, *check, nested)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "apicompat:", err)
		os.Exit(2)
	}
	os.Exit(status)
}

func run(w io.Writer, changelogPath, baselinePath, base string, check bool, nested []string) (int, error) {
	start := time.Now()
	cl, err := readChangelog(changelogPath)
	if err != nil {
		return 0, err
	}
	fset := token.NewFileSet()
	oldMod, desc, err := committedBaseline(fset, cl, baselinePath, base)
	if err != nil {
		return 0, err
	}
	if oldMod == nil {
		rev, d, err := baseline(cl, base)
		if err != nil {
			return 0, err
		}
		desc = d
		oldDir, cleanup, err := checkout(rev)
		if err != nil {
			return 0, fmt.Errorf("extracting %s: %w", desc, err)
		}
		defer cleanup()
		if oldMod, err = loadModule(fset, oldDir, nested); err != nil {
			return 0, fmt.Errorf("loading %s: %w", desc, err)
		}
	}
	newMod, err := loadModule(fset, ".", nested)
	if err != nil {
		return 0, fmt.Errorf("loading the working tree: %w", err)
	}
	changes := classify(apidiff.ModuleChanges(oldMod, newMod))
	decls, problems := cl.declarations()
	undeclared := report(w, changes, decls, problems, desc)
	fmt.Fprintf(w, "(%d packages compared in %.1fs)\n", len(newMod.Packages), time.Since(start).Seconds())
	if check && (undeclared > 0 || len(problems) > 0) {
		return 1, nil
	}
	return 0, nil
}

func readChangelog(path string) (changelog, error) {
	text, err := os.ReadFile(path)
	if err != nil {
		return changelog{}, err
	}
	return parseChangelog(string(text))
}

// baselineComment starts the comment of a baseline archive; the release
// it records follows.
const baselineComment = "apidiff export data of " + modulePath + " "

// committedBaseline reads the committed baseline at path: nil when -base
// names a revision or there is no such file. It must record the newest
// release CHANGELOG.md lists: a release that did not move it (make
// api-baseline) would compare with the one before.
func committedBaseline(fset *token.FileSet, cl changelog, path, base string) (*apidiff.Module, string, error) {
	if base != "" || path == "" {
		return nil, "", nil
	}
	mod, version, err := readBaseline(fset, path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("baseline %s: %w", path, err)
	}
	if want := "v" + cl.latestRelease; version != want {
		if cl.latestRelease == "" {
			want = "no release"
		}
		return nil, "", fmt.Errorf("baseline %s records %s but the newest release in CHANGELOG.md is %s: at a release commit, run make api-baseline (CONTRIBUTING.md, \"Cutting a release\")", path, version, want)
	}
	return mod, "release " + version + " (" + path + ")", nil
}

// writeBaseline writes the exported API of the working tree to path as the
// baseline of the newest release CHANGELOG.md lists.
func writeBaseline(w io.Writer, changelogPath, path string, nested []string) error {
	if path == "" {
		return errors.New("-write-baseline needs -baseline")
	}
	cl, err := readChangelog(changelogPath)
	if err != nil {
		return err
	}
	if cl.latestRelease == "" {
		return errors.New(`CHANGELOG.md lists no release: rename "## [Unreleased]" to "## [X.Y.Z] - date" first (CONTRIBUTING.md, "Cutting a release")`)
	}
	fset := token.NewFileSet()
	mod, err := loadModule(fset, ".", nested)
	if err != nil {
		return fmt.Errorf("loading the working tree: %w", err)
	}
	version := "v" + cl.latestRelease
	if err := writeBaselineFile(fset, mod, version, path); err != nil {
		return err
	}
	fmt.Fprintf(w, "%s: the Go API of %d packages as release %s\n", path, len(mod.Packages), version)
	return nil
}

// writeBaselineFile writes mod in the format of apidiff -m -w (a zip with
// an entry "module" holding the module path and one entry of export data
// per package, "<import path>.x", readable by the apidiff command too),
// with the release in the archive's comment. The same packages give the
// same bytes: entries carry no time, positions name files relative to the
// module root (see loadModule).
func writeBaselineFile(fset *token.FileSet, mod *apidiff.Module, version, path string) (err error) {
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	if err := z.SetComment(baselineComment + version); err != nil {
		return err
	}
	entry, err := z.Create("module")
	if err != nil {
		return err
	}
	if _, err := io.WriteString(entry, mod.Path); err != nil {
		return err
	}
	for _, pkg := range mod.Packages {
		entry, err := z.Create(pkg.Path() + ".x")
		if err != nil {
			return err
		}
		if err := gcexportdata.Write(entry, fset, pkg); err != nil {
			return fmt.Errorf("writing %s: %w", pkg.Path(), err)
		}
	}
	if err := z.Close(); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// readBaseline reads a file written by writeBaselineFile and returns the
// module and the release it records. Each package's export data is
// self-contained, so each is decoded with imports of its own.
func readBaseline(fset *token.FileSet, path string) (*apidiff.Module, string, error) {
	z, err := zip.OpenReader(path)
	if err != nil {
		return nil, "", err
	}
	defer z.Close()
	version, ok := strings.CutPrefix(z.Comment, baselineComment)
	if !ok || !semver.IsValid(version) {
		return nil, "", fmt.Errorf("comment %q does not name a release of %s", z.Comment, modulePath)
	}
	mod := &apidiff.Module{}
	for _, f := range z.File {
		data, err := readEntry(f)
		if err != nil {
			return nil, "", err
		}
		if f.Name == "module" {
			mod.Path = string(data)
			continue
		}
		pkgPath, ok := strings.CutSuffix(f.Name, ".x")
		if !ok {
			return nil, "", fmt.Errorf("unexpected entry %q", f.Name)
		}
		pkg, err := gcexportdata.Read(bytes.NewReader(data), fset, map[string]*types.Package{}, pkgPath)
		if err != nil {
			return nil, "", fmt.Errorf("reading %s: %w", pkgPath, err)
		}
		mod.Packages = append(mod.Packages, pkg)
	}
	if mod.Path != modulePath {
		return nil, "", fmt.Errorf("module %q, not %s", mod.Path, modulePath)
	}
	return mod, version, nil
}

func readEntry(f *zip.File) ([]byte, error) {
	r, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

// baseline picks the revision to compare with and describes it.
func baseline(cl changelog, explicit string) (rev, desc string, err error) {
	if explicit != "" {
		rev, err := git("rev-parse", "--verify", explicit+"^{commit}")
		return rev, explicit, err
	}
	if cl.latestRelease != "" {
		tag := "v" + cl.latestRelease
		rev, err := git("rev-parse", "-q", "--verify", "refs/tags/"+tag+"^{commit}")
		if err != nil {
			// A clone without tags: fetch just this one.
			if _, ferr := git("fetch", "-q", "--no-tags", "origin", "refs/tags/"+tag+":refs/tags/"+tag); ferr != nil {
				return "", "", fmt.Errorf("CHANGELOG.md lists release %s but tag %s is not here and could not be fetched (%v); run git fetch --tags", cl.latestRelease, tag, ferr)
			}
			rev, err = git("rev-parse", "--verify", "refs/tags/"+tag+"^{commit}")
			if err != nil {
				return "", "", err
			}
		}
		return rev, "release " + tag, nil
	}
	// No release in CHANGELOG.md: a release tag would contradict it.
	tags, err := git("tag", "--list", "v*", "--merged", "HEAD")
	if err != nil {
		return "", "", err
	}
	for t := range strings.FieldsSeq(tags) {
		if semver.IsValid(t) && semver.Prerelease(t) == "" {
			return "", "", fmt.Errorf("tag %s is a release but CHANGELOG.md has no \"## [%s] - date\" section", t, strings.TrimPrefix(t, "v"))
		}
	}
	if shallow, _ := git("rev-parse", "--is-shallow-repository"); shallow == "true" {
		return "", "", errors.New("no release yet, so the baseline is the first commit, but this clone is shallow: git fetch --unshallow")
	}
	roots, err := git("rev-list", "--max-parents=0", "HEAD")
	if err != nil {
		return "", "", err
	}
	fields := strings.Fields(roots)
	if len(fields) == 0 {
		return "", "", errors.New("no first commit found")
	}
	rev = fields[len(fields)-1] // the oldest root when histories were joined
	return rev, "the first commit " + rev[:12] + " (no release yet)", nil
}

func git(args ...string) (string, error) {
	var stderr bytes.Buffer
	cmd := exec.Command("git", args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(string(out)), nil
}

// checkout returns a directory holding the tree of rev as committed. It is
// kept in the user's cache directory under the commit's name, so that the
// build cache (whose keys include directories) compiles a baseline once,
// not on every run.
func checkout(rev string) (dir string, cleanup func(), err error) {
	cache, err := os.UserCacheDir()
	if err == nil {
		cache = filepath.Join(cache, "cloudconnexa-apicompat")
		err = os.MkdirAll(cache, 0o755)
	}
	if err != nil {
		// No usable cache directory: a temporary tree, compiled every run.
		dir, err := os.MkdirTemp("", "apicompat-")
		if err != nil {
			return "", nil, err
		}
		cleanup = func() { os.RemoveAll(dir) }
		if err := extract(rev, dir); err != nil {
			cleanup()
			return "", nil, err
		}
		return dir, cleanup, nil
	}
	keep := func() {}
	dir = filepath.Join(cache, rev)
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
		return dir, keep, nil
	}
	tmp, err := os.MkdirTemp(cache, rev+".tmp-")
	if err != nil {
		return "", nil, err
	}
	defer os.RemoveAll(tmp)
	if err := extract(rev, tmp); err != nil {
		return "", nil, err
	}
	// Another run may have finished first: either tree is the same.
	if err := os.Rename(tmp, dir); err != nil {
		if _, serr := os.Stat(filepath.Join(dir, "go.mod")); serr != nil {
			return "", nil, err
		}
	}
	return dir, keep, nil
}

// extract writes the tree of rev into dir, as committed.
func extract(rev, dir string) error {
	cmd := exec.Command("git", "archive", "--format=tar", rev)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	tr := tar.NewReader(out)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		name := filepath.Join(dir, filepath.FromSlash(h.Name))
		if !strings.HasPrefix(name, filepath.Clean(dir)+string(filepath.Separator)) {
			continue
		}
		switch h.Typeflag {
		case tar.TypeDir:
			err = os.MkdirAll(name, 0o755)
		case tar.TypeReg:
			err = writeFile(name, tr)
		}
		if err != nil {
			return err
		}
	}
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("git archive: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

func writeFile(name string, r io.Reader) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	_, err = io.Copy(f, r)
	return errors.Join(err, f.Close())
}

// loadModule type-checks the importable packages of the module in dir and
// of its nested modules (directories relative to dir; one that has no
// go.mod there is part of the module in dir, or absent): not main
// packages, not internal ones, not test-only ones. It builds with
// -trimpath, so that positions name files by import path, not by where the
// checkout is, and a baseline's export data does not depend on it.
func loadModule(fset *token.FileSet, dir string, nested []string) (*apidiff.Module, error) {
	mod := &apidiff.Module{Path: modulePath}
	var errs []error
	load := func(dir, path string) error {
		cfg := &packages.Config{
			Dir:  dir,
			Fset: fset,
			Mode: packages.NeedName | packages.NeedFiles | packages.NeedTypes | packages.NeedModule,
			Env:  append(os.Environ(), "GOWORK=off", "GOFLAGS="+strings.TrimSpace(os.Getenv("GOFLAGS")+" -trimpath")),
		}
		pkgs, err := packages.Load(cfg, "./...")
		if err != nil {
			return err
		}
		for _, p := range pkgs {
			if p.Module == nil || p.Module.Path != path {
				return fmt.Errorf("package %s is not in module %s", p.PkgPath, path)
			}
			if p.Name == "main" || isInternal(p.PkgPath) || len(p.GoFiles) == 0 {
				continue
			}
			for _, e := range p.Errors {
				errs = append(errs, e)
			}
			if p.Types != nil {
				mod.Packages = append(mod.Packages, p.Types)
			}
		}
		return nil
	}
	if err := load(dir, modulePath); err != nil {
		return nil, err
	}
	for _, sub := range nested {
		subDir := filepath.Join(dir, filepath.FromSlash(sub))
		if _, err := os.Stat(filepath.Join(subDir, "go.mod")); errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err := load(subDir, modulePath+"/"+strings.Trim(filepath.ToSlash(sub), "/")); err != nil {
			return nil, fmt.Errorf("nested module %s: %w", sub, err)
		}
	}
	slices.SortFunc(mod.Packages, func(a, b *types.Package) int { return strings.Compare(a.Path(), b.Path()) })
	return mod, errors.Join(errs...)
}

func isInternal(pkgPath string) bool {
	rel := strings.TrimPrefix(pkgPath, modulePath)
	return strings.HasSuffix(rel, "/internal") || strings.Contains(rel, "/internal/")
}

// change is one entry of the apidiff report with the name it is declared by.
type change struct {
	name, message string
	compatible    bool
}

// classify names every change the way CHANGELOG.md declares it.
func classify(r apidiff.Report) []change {
	changes := make([]change, 0, len(r.Changes))
	for _, c := range r.Changes {
		changes = append(changes, change{name: changeName(c.Message), message: c.Message, compatible: c.Compatible})
	}
	return changes
}

// changeName is the declarable name of an apidiff message:
// "./gen.Network.Description: changed from string to *string" is
// "gen.Network.Description"; "package …/cloudconnexatest/legacy: removed"
// is "cloudconnexatest/legacy"; "Foo: removed" (the root package) is
// "cloudconnexa.Foo".
func changeName(msg string) string {
	subject, _, _ := strings.Cut(msg, ": ")
	if p, ok := strings.CutPrefix(subject, "package "); ok {
		if p == modulePath {
			return rootPackage
		}
		return canonicalName(p)
	}
	if !strings.HasPrefix(subject, "./") && !strings.Contains(strings.SplitN(subject, ".", 2)[0], "/") {
		return rootPackage + "." + canonicalName(subject)
	}
	return canonicalName(subject)
}

// unqualified returns the declared name that is name without its leading
// qualifiers (`AllUsers` or `Client.AllUsers` for client.Client.AllUsers),
// or "".
func unqualified(name string, declared map[string]bool) string {
	for rest := name; ; {
		_, after, ok := strings.Cut(rest, ".")
		if !ok {
			return ""
		}
		if declared[after] {
			return after
		}
		rest = after
	}
}

// report prints the changes, marks the incompatible ones as declared or
// not, and returns how many are not.
func report(w io.Writer, changes []change, decls []declaration, problems []string, desc string) int {
	declared := map[string]bool{}
	for _, d := range decls {
		for _, n := range d.names {
			declared[n] = true
		}
	}
	fmt.Fprintf(w, "Go API of %s compared with %s\n", modulePath, desc)
	var incompatible, compatible, missing []change
	for _, c := range changes {
		if c.compatible {
			compatible = append(compatible, c)
			continue
		}
		incompatible = append(incompatible, c)
		if !declared[c.name] {
			missing = append(missing, c)
		}
	}
	fmt.Fprintf(w, "\nIncompatible changes: %d (%d not declared)\n", len(incompatible), len(missing))
	for _, c := range incompatible {
		mark := "declared"
		if !declared[c.name] {
			mark = "NOT DECLARED"
		}
		fmt.Fprintf(w, "  %-12s %s\n", mark, c.message)
	}
	fmt.Fprintf(w, "\nCompatible changes: %d\n", len(compatible))
	for _, c := range compatible {
		fmt.Fprintf(w, "  %s\n", c.message)
	}
	for _, p := range problems {
		fmt.Fprintf(w, "\nCHANGELOG.md, ### Breaking: %s\n", p)
	}
	if len(missing) > 0 {
		fmt.Fprintf(w, "\nFAIL: %d incompatible change(s) not declared. Add under \"### Breaking\" in \"## [Unreleased]\" of CHANGELOG.md,\n", len(missing))
		fmt.Fprintf(w, "replacing each TODO with what changed and what a user does (CONTRIBUTING.md, \"Declaring a breaking change\"):\n\n")
		var hints []string
		for _, c := range missing {
			_, what, _ := strings.Cut(c.message, ": ")
			fmt.Fprintf(w, "- `%s`: %s; TODO\n", c.name, what)
			if short := unqualified(c.name, declared); short != "" {
				hints = append(hints, fmt.Sprintf("hint: CHANGELOG.md names `%s`; write `%s` to declare this change\n", short, c.name))
			}
		}
		fmt.Fprintln(w)
		for _, h := range hints {
			fmt.Fprint(w, h)
		}
	}
	return len(missing)
}

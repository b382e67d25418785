package main

import (
	"go/token"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/exp/apidiff"
)

// module writes a module with this module's path and a package client
// holding src, and returns its directory.
func module(t *testing.T, src string) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module "+modulePath+"\n\ngo 1.26.0\n"), 0o644))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "client"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "client", "client.go"), []byte("package client\n\n"+src), 0o644))
	return dir
}

const clientV1 = "// A does nothing.\nfunc A() {}\n\ntype T struct{ X int }\n\nfunc (T) M(s string) error { return nil }\n"

// writeModuleBaseline loads the module in dir and writes its baseline.
func writeModuleBaseline(t *testing.T, dir, version, path string) {
	t.Helper()
	fset := token.NewFileSet()
	mod, err := loadModule(fset, dir, nil)
	require.NoError(t, err)
	require.NoError(t, writeBaselineFile(fset, mod, version, path))
}

// TestBaselineRoundTrip: the committed export data is the API it was
// written from (no change against the same tree), records its release,
// and is the same bytes from a checkout anywhere else.
func TestBaselineRoundTrip(t *testing.T) {
	dir := module(t, clientV1)
	path := filepath.Join(t.TempDir(), "baseline.zip")
	writeModuleBaseline(t, dir, "v0.1.0", path)

	fset := token.NewFileSet()
	old, version, err := readBaseline(fset, path)
	require.NoError(t, err)
	assert.Equal(t, "v0.1.0", version)
	require.Len(t, old.Packages, 1)
	assert.Equal(t, modulePath+"/client", old.Packages[0].Path())
	current, err := loadModule(fset, dir, nil)
	require.NoError(t, err)
	assert.Empty(t, apidiff.ModuleChanges(old, current).Changes)

	elsewhere := filepath.Join(t.TempDir(), "baseline.zip")
	writeModuleBaseline(t, module(t, clientV1), "v0.1.0", elsewhere)
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	got, err := os.ReadFile(elsewhere)
	require.NoError(t, err)
	assert.Equal(t, want, got, "the baseline depends on where the checkout is")
}

// TestBaselineCatchesAnIncompatibleChange: a change against the committed
// export data reads as it does against a checkout of the release.
func TestBaselineCatchesAnIncompatibleChange(t *testing.T) {
	path := filepath.Join(t.TempDir(), "baseline.zip")
	writeModuleBaseline(t, module(t, clientV1), "v0.1.0", path)
	fset := token.NewFileSet()
	old, _, err := readBaseline(fset, path)
	require.NoError(t, err)
	current, err := loadModule(fset, module(t, "type T struct{ X int64 }\n\nfunc (T) M(s string) error { return nil }\n\nfunc B() {}\n"), nil)
	require.NoError(t, err)

	got := map[string]bool{}
	for _, c := range classify(apidiff.ModuleChanges(old, current)) {
		got[c.name+" "+c.message] = c.compatible
	}
	assert.Equal(t, map[string]bool{
		"client.A ./client.A: removed":                       false,
		"client.T.X ./client.T.X: changed from int to int64": false,
		"client.B ./client.B: added":                         true,
	}, got)
}

func TestCommittedBaselineMustRecordTheNewestRelease(t *testing.T) {
	path := filepath.Join(t.TempDir(), "baseline.zip")
	fset := token.NewFileSet()

	mod, _, err := committedBaseline(fset, changelog{}, path, "")
	require.NoError(t, err, "no committed baseline yet")
	assert.Nil(t, mod, "without the file the gate compares with a revision")

	writeModuleBaseline(t, module(t, clientV1), "v0.1.0", path)
	mod, desc, err := committedBaseline(fset, changelog{latestRelease: "0.1.0"}, path, "")
	require.NoError(t, err)
	require.NotNil(t, mod)
	assert.Equal(t, "release v0.1.0 ("+path+")", desc)

	mod, _, err = committedBaseline(fset, changelog{latestRelease: "0.1.0"}, path, "HEAD~1")
	require.NoError(t, err)
	assert.Nil(t, mod, "-base wins")

	_, _, err = committedBaseline(fset, changelog{latestRelease: "0.2.0"}, path, "")
	require.ErrorContains(t, err, "records v0.1.0 but the newest release in CHANGELOG.md is v0.2.0: at a release commit, run make api-baseline",
		"a release that did not move the baseline")
	_, _, err = committedBaseline(fset, changelog{}, path, "")
	require.ErrorContains(t, err, "records v0.1.0 but the newest release in CHANGELOG.md is no release")
}

func TestBaselineRefusesAForeignFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "baseline.zip")
	writeModuleBaseline(t, module(t, clientV1), "not-a-version", path)
	_, _, err := readBaseline(token.NewFileSet(), path)
	require.ErrorContains(t, err, "does not name a release")

	require.NoError(t, os.WriteFile(path, []byte("not a zip"), 0o644))
	_, _, err = readBaseline(token.NewFileSet(), path)
	require.Error(t, err)
}

func TestWriteBaselineNeedsARelease(t *testing.T) {
	changelog := filepath.Join(t.TempDir(), "CHANGELOG.md")
	require.NoError(t, os.WriteFile(changelog, []byte("# Changelog\n\n## [Unreleased]\n"), 0o644))
	err := writeBaseline(os.Stdout, changelog, filepath.Join(t.TempDir(), "baseline.zip"), nil)
	require.ErrorContains(t, err, "CHANGELOG.md lists no release")
}

// TestNestedModuleIsPartOfTheAPI: a package that moves from the library
// into a nested module of its own (as redislimit did) keeps its API under
// the gate: loaded with -modules it is no change, left out it is removed.
func TestNestedModuleIsPartOfTheAPI(t *testing.T) {
	const limitSrc = "package limit\n\n// L limits.\nfunc L(n int) error { return nil }\n"
	before := module(t, clientV1)
	require.NoError(t, os.Mkdir(filepath.Join(before, "limit"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(before, "limit", "limit.go"), []byte(limitSrc), 0o644))
	after := module(t, clientV1)
	require.NoError(t, os.Mkdir(filepath.Join(after, "limit"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(after, "limit", "go.mod"), []byte("module "+modulePath+"/limit\n\ngo 1.26.0\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(after, "limit", "limit.go"), []byte(limitSrc), 0o644))

	fset := token.NewFileSet()
	nested := []string{"limit"}
	old, err := loadModule(fset, before, nested) // no go.mod there yet: part of the library
	require.NoError(t, err)
	require.Len(t, old.Packages, 2)
	current, err := loadModule(fset, after, nested)
	require.NoError(t, err)
	require.Len(t, current.Packages, 2)
	assert.Empty(t, classify(apidiff.ModuleChanges(old, current)), "a move into a nested module changes no API")

	libraryOnly, err := loadModule(fset, after, nil)
	require.NoError(t, err)
	assert.NotEmpty(t, classify(apidiff.ModuleChanges(old, libraryOnly)), "without -modules the nested package is missing")
}

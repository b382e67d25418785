package main

import (
	"bytes"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/exp/apidiff"
)

const sample = "# Changelog\n\n" +
	"- `client.Outside`: an item above every section declares nothing at all.\n\n" +
	"## [Unreleased]\n\n" +
	"Prose naming `client.Prose` outside a list declares nothing here.\n\n" +
	"### Breaking\n\n" +
	"- `gen.Network.Description`, `gen.Host.Description`: now `*string`, because\n" +
	"  the service omits the field; test for nil.\n" +
	"- `client.(*Client).Do`: removed; call the typed methods instead.\n" +
	"* ``cloudconnexatest/legacy``: package removed, use cloudconnexatest.\n" +
	"- `client.Bare`\n" +
	"- `client.Short`: removed.\n" +
	"- `client.Todo`: changed from int to string; TODO\n" +
	"- no name in backticks, only words about a change\n" +
	"Prose after the list naming `client.AfterList` declares nothing.\n\n" +
	"```markdown\n- `client.InFence`: an example in a fence declares nothing.\n```\n\n" +
	"### Added\n\n" +
	"- `client.Added`: in another section this declares nothing.\n\n" +
	"## [1.4.0] - 2026-11-30\n\n" +
	"### Breaking\n\n" +
	"- `client.Released`: already released, so it declares nothing now.\n\n" +
	"## [1.3.0] - 2026-10-01\n"

func declaredNames(t *testing.T, text string) (map[string]bool, []string) {
	t.Helper()
	cl, err := parseChangelog(text)
	require.NoError(t, err)
	decls, problems := cl.declarations()
	names := map[string]bool{}
	for _, d := range decls {
		for _, n := range d.names {
			names[n] = true
		}
	}
	return names, problems
}

func TestChangelogDeclarations(t *testing.T) {
	cl, err := parseChangelog(sample)
	require.NoError(t, err)
	assert.Equal(t, "1.4.0", cl.latestRelease, "the newest release comes first")

	names, problems := declaredNames(t, sample)
	assert.Equal(t, map[string]bool{
		"gen.Network.Description": true, "gen.Host.Description": true, "*string": true,
		"client.Client.Do":        true,
		"cloudconnexatest/legacy": true,
	}, names)
	require.Len(t, problems, 4)
	assert.Contains(t, problems[0], "client.Bare", "a name alone says nothing")
	assert.Contains(t, problems[1], "client.Short", "one word is not an explanation")
	assert.Contains(t, problems[2], "TODO", "the report's suggestion must be completed")
	assert.Contains(t, problems[3], "names nothing")
}

func TestChangelogWithoutUnreleased(t *testing.T) {
	_, err := parseChangelog("# Changelog\n\n## [1.0.0] - 2026-01-01\n")
	require.ErrorContains(t, err, "no \"## [Unreleased]\"")
	_, err = parseChangelog("## [Unreleased]\n\n## [Unreleased]\n")
	require.ErrorContains(t, err, "two")
}

func TestChangeName(t *testing.T) {
	for msg, want := range map[string]string{
		"./gen.Network.Description: changed from string to *string":                        "gen.Network.Description",
		"./client.(*Client).Do: removed":                                                   "client.Client.Do",
		"./client.Iterator.Next: added":                                                    "client.Iterator.Next",
		"package github.com/cloudconnexa-go/cloudconnexa/cloudconnexatest/legacy: removed": "cloudconnexatest/legacy",
		"package github.com/cloudconnexa-go/cloudconnexa: removed":                         "cloudconnexa",
		"Version: removed":                          "cloudconnexa.Version",
		"./gen.InternetAccess, method Foo: changed": "gen.InternetAccess, method Foo",
	} {
		assert.Equal(t, want, changeName(msg), msg)
	}
}

func TestReportFailsOnlyOnUndeclaredIncompatibleChanges(t *testing.T) {
	r := apidiff.Report{Changes: []apidiff.Change{
		{Message: "./gen.Network.Description: changed from string to *string"},
		{Message: "./client.(*Client).Do: removed"},
		{Message: "./client.WithLimiter: added", Compatible: true},
	}}
	names := func(text string) []declaration {
		cl, err := parseChangelog(text)
		require.NoError(t, err)
		decls, problems := cl.declarations()
		require.Empty(t, problems)
		return decls
	}

	var out bytes.Buffer
	missing := report(&out, classify(r), names("## [Unreleased]\n\n### Breaking\n\n- `client.Client.Do`: removed; use the typed methods.\n"), nil, "test")
	assert.Equal(t, 1, missing)
	assert.Contains(t, out.String(), "Incompatible changes: 2 (1 not declared)")
	assert.Contains(t, out.String(), "NOT DECLARED ./gen.Network.Description: changed from string to *string")
	assert.Contains(t, out.String(), "declared     ./client.(*Client).Do: removed")
	assert.Contains(t, out.String(), "- `gen.Network.Description`: changed from string to *string; TODO\n", "a snippet to complete")

	out.Reset()
	missing = report(&out, classify(r), names("## [Unreleased]\n\n### Breaking\n\n- `client.Client.Do`, `Network.Description`: see the docs about these.\n"), nil, "test")
	assert.Equal(t, 1, missing, "an unqualified name declares nothing")
	assert.Contains(t, out.String(), "hint: CHANGELOG.md names `Network.Description`; write `gen.Network.Description` to declare this change")

	out.Reset()
	missing = report(&out, classify(r), names("## [Unreleased]\n\n### Breaking\n\n"+
		"- `client.(*Client).Do`: removed; use the typed methods.\n"+
		"- `gen.Network.Description`: now a pointer, nil when the service omits it.\n"+
		"- `client.DefaultRetryPolicy`: five attempts instead of `3`.\n"), nil, "test")
	assert.Zero(t, missing)
	assert.Contains(t, out.String(), "Incompatible changes: 2 (0 not declared)")
	assert.NotContains(t, out.String(), "NOT DECLARED", "names of behaviour changes or replacements are fine")
	assert.Contains(t, out.String(), "Compatible changes: 1\n  ./client.WithLimiter: added")
}

// TestRepositoryChangelog keeps CHANGELOG.md readable by the gate, with
// every item under Breaking a usable declaration.
func TestRepositoryChangelog(t *testing.T) {
	text, err := os.ReadFile("../../../CHANGELOG.md")
	require.NoError(t, err)
	cl, err := parseChangelog(string(text))
	require.NoError(t, err)
	_, problems := cl.declarations()
	assert.Empty(t, problems)
}

// repo makes a git repository in a new directory with two commits and
// returns it with the commits' hashes.
func repo(t *testing.T) (dir, first, second string) {
	t.Helper()
	dir = t.TempDir()
	for k, v := range map[string]string{
		"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
		"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
		"GIT_CONFIG_GLOBAL": os.DevNull, "GIT_CONFIG_NOSYSTEM": "1",
	} {
		t.Setenv(k, v)
	}
	t.Chdir(dir)
	mustGit(t, "init", "-q", "-b", "main")
	for _, name := range []string{"a", "b"} {
		require.NoError(t, os.WriteFile(name, []byte(name), 0o644))
		mustGit(t, "add", name)
		mustGit(t, "commit", "-q", "-m", name)
	}
	first = mustGit(t, "rev-parse", "HEAD~1")
	second = mustGit(t, "rev-parse", "HEAD")
	return dir, first, second
}

func mustGit(t *testing.T, args ...string) string {
	t.Helper()
	out, err := git(args...)
	require.NoError(t, err)
	return out
}

func TestBaselineIsTheFirstCommitWithoutARelease(t *testing.T) {
	_, first, _ := repo(t)
	rev, desc, err := baseline(changelog{}, "")
	require.NoError(t, err)
	assert.Equal(t, first, rev)
	assert.Contains(t, desc, "first commit")

	mustGit(t, "tag", "v0.1.0-rc.1") // a pre-release tag is no release
	rev, _, err = baseline(changelog{}, "")
	require.NoError(t, err)
	assert.Equal(t, first, rev)
}

func TestBaselineIsTheNewestReleaseInTheChangelog(t *testing.T) {
	_, first, second := repo(t)
	mustGit(t, "tag", "-a", "-m", "v0.1.0", "v0.1.0", first)
	mustGit(t, "tag", "v0.2.0", second)
	rev, desc, err := baseline(changelog{latestRelease: "0.2.0"}, "")
	require.NoError(t, err)
	assert.Equal(t, second, rev)
	assert.Equal(t, "release v0.2.0", desc)
	rev, _, err = baseline(changelog{latestRelease: "0.1.0"}, "")
	require.NoError(t, err)
	assert.Equal(t, first, rev, "an annotated tag names its commit")

	_, _, err = baseline(changelog{}, "")
	require.ErrorContains(t, err, "tag v0.1.0 is a release but CHANGELOG.md has no \"## [0.1.0] - date\" section",
		"a release tag contradicts a changelog without releases")

	rev, desc, err = baseline(changelog{latestRelease: "0.2.0"}, "HEAD~1")
	require.NoError(t, err)
	assert.Equal(t, first, rev, "-base wins")
	assert.Equal(t, "HEAD~1", desc)
}

func TestBaselineTagIsFetchedWhenTheCloneLacksIt(t *testing.T) {
	origin, first, _ := repo(t)
	mustGit(t, "tag", "v0.1.0", first)
	clone := t.TempDir()
	mustGit(t, "clone", "-q", "--no-tags", origin, clone)
	t.Chdir(clone)
	_, err := git("rev-parse", "-q", "--verify", "refs/tags/v0.1.0")
	require.Error(t, err, "the clone has no tags")

	rev, _, err := baseline(changelog{latestRelease: "0.1.0"}, "")
	require.NoError(t, err)
	assert.Equal(t, first, rev)

	_, _, err = baseline(changelog{latestRelease: "0.9.0"}, "")
	require.ErrorContains(t, err, "CHANGELOG.md lists release 0.9.0 but tag v0.9.0 is not here and could not be fetched")
}

func TestBaselineRefusesAShallowCloneWithoutARelease(t *testing.T) {
	origin, _, _ := repo(t)
	clone := t.TempDir()
	mustGit(t, "clone", "-q", "--depth=1", "file://"+origin, clone)
	t.Chdir(clone)
	_, _, err := baseline(changelog{}, "")
	require.ErrorContains(t, err, "shallow")
}

func TestCheckoutIsTheCommittedTree(t *testing.T) {
	_, first, _ := repo(t)
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	require.NoError(t, os.WriteFile("a", []byte("changed, not committed"), 0o644))
	dir, cleanup, err := checkout(first)
	require.NoError(t, err)
	defer cleanup()
	got, err := os.ReadFile(dir + "/a")
	require.NoError(t, err)
	assert.Equal(t, "a", string(got))
	assert.NoFileExists(t, dir+"/b", "b came in the second commit")
}

func TestCheckoutWithoutACacheDirectoryIsTemporary(t *testing.T) {
	_, first, _ := repo(t)
	notADir := t.TempDir() + "/file"
	require.NoError(t, os.WriteFile(notADir, nil, 0o644))
	t.Setenv("XDG_CACHE_HOME", notADir)
	t.Setenv("HOME", notADir)
	dir, cleanup, err := checkout(first)
	require.NoError(t, err)
	assert.FileExists(t, dir+"/a")
	cleanup()
	assert.NoDirExists(t, dir, "removed after the run")
}

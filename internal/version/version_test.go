package version

import (
	"os"
	"regexp"
	"runtime/debug"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFromBuildInfo(t *testing.T) {
	dep := func(path, version string, replace *debug.Module) *debug.Module {
		return &debug.Module{Path: path, Version: version, Replace: replace}
	}
	for _, tc := range []struct {
		name string
		bi   *debug.BuildInfo
		ok   bool
		want string
	}{
		{"no build info", nil, false, Fallback},
		{"nil build info", nil, true, Fallback},
		{"dependency", &debug.BuildInfo{Main: debug.Module{Path: "example.com/app", Version: "v3.0.0"},
			Deps: []*debug.Module{nil, dep("example.com/other", "v9.0.0", nil), dep(ModulePath, "v1.4.0", nil)}}, true, "v1.4.0"},
		{"dependency at a pseudo-version", &debug.BuildInfo{Deps: []*debug.Module{dep(ModulePath, "v0.1.1-0.20261201084500-f562d0d3a1b2", nil)}}, true, "v0.1.1-0.20261201084500-f562d0d3a1b2"},
		{"replaced by a local directory: the compiled source's own constant", &debug.BuildInfo{Deps: []*debug.Module{dep(ModulePath, "v1.4.0", dep("../fork", "", nil))}}, true, Fallback},
		{"replaced by another version", &debug.BuildInfo{Deps: []*debug.Module{dep(ModulePath, "v1.4.0", dep("example.com/fork", "v1.4.1", nil))}}, true, "v1.4.1"},
		{"dependency without a version", &debug.BuildInfo{Deps: []*debug.Module{dep(ModulePath, "(devel)", nil)}}, true, Fallback},
		{"main module, go install @version", &debug.BuildInfo{Main: debug.Module{Path: ModulePath, Version: "v1.5.0"}}, true, "v1.5.0"},
		{"main module built in a checkout with VCS stamping", &debug.BuildInfo{Main: debug.Module{Path: ModulePath, Version: "v1.5.1-0.20261201084500-f562d0d3a1b2+dirty"}}, true, "v1.5.1-0.20261201084500-f562d0d3a1b2+dirty"},
		{"main module without a version", &debug.BuildInfo{Main: debug.Module{Path: ModulePath, Version: "(devel)"}}, true, Fallback},
		{"main module, go test", &debug.BuildInfo{Main: debug.Module{Path: ModulePath}}, true, Fallback},
		{"another program that does not use the module", &debug.BuildInfo{Main: debug.Module{Path: "example.com/app", Version: "v3.0.0"}}, true, Fallback},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, fromBuildInfo(tc.bi, tc.ok))
		})
	}
}

func TestModuleInTests(t *testing.T) {
	// go test records no version for the main module: the constant it is.
	assert.Equal(t, Fallback, Module())
}

// releaseHeading matches a released section of CHANGELOG.md: "## [1.2.0] - 2026-12-01".
var releaseHeading = regexp.MustCompile(`(?m)^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}\s*$`)

// semverPattern is a semantic version as Go modules spell it, without build
// metadata: v1.2.3 or v1.2.3-pre.release.
var semverPattern = regexp.MustCompile(`^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$`)

// parseVersion splits v into its release numbers and pre-release, or fails
// the test.
func parseVersion(t *testing.T, v string) (release [3]int, prerelease string) {
	t.Helper()
	m := semverPattern.FindStringSubmatch(v)
	require.NotNil(t, m, "%q is not a semantic version without build metadata", v)
	for i := range release {
		n, err := strconv.Atoi(m[i+1])
		require.NoError(t, err)
		release[i] = n
	}
	return release, m[4]
}

// TestFallbackFollowsChangelog keeps the constant in step with the releases
// CHANGELOG.md records: it is the newest release itself (its release
// commit) or a pre-release of a later one, never older.
func TestFallbackFollowsChangelog(t *testing.T) {
	fallback, pre := parseVersion(t, Fallback)
	changelog, err := os.ReadFile("../../CHANGELOG.md")
	require.NoError(t, err)
	require.Contains(t, string(changelog), "\n## [Unreleased]\n")

	m := releaseHeading.FindStringSubmatch(string(changelog)) // newest first
	if m == nil {
		assert.NotEmpty(t, pre, "no release yet: Fallback must be a pre-release of the first one")
		return
	}
	latest := "v" + m[1]
	if pre == "" {
		assert.Equal(t, latest, Fallback, "a release version must be the newest release in CHANGELOG.md")
		return
	}
	// A pre-release comes before its release, so its numbers must be
	// greater than the newest release's.
	released, _ := parseVersion(t, latest)
	assert.Positive(t, slices.Compare(fallback[:], released[:]), "pre-release %s must come after the newest release %s", Fallback, latest)
}

// Package version is the one place that knows this module's version: the
// client's User-Agent and the cloudconnexa-fake command both report it.
//
// The version comes from the build information the go command records in
// every binary, when that names a version of this module (a program that
// requires the module, or `go install …/cmd/cloudconnexa-fake@v1.2.0`).
// Otherwise (a build inside a checkout, go test, a replace directive to a
// local directory) it is [Fallback], the constant a release commit sets.
package version

import "runtime/debug"

// ModulePath is the path of this module.
const ModulePath = "github.com/cloudconnexa-go/cloudconnexa"

// Fallback is the version reported when the build information names none.
// It is the version under development: a pre-release ("-dev") of the next
// release between releases, the release's own version in its release commit
// (see "Versions and releases" in CONTRIBUTING.md). A test keeps it in step
// with CHANGELOG.md.
const Fallback = "v0.2.0-dev"

// Module returns the version of this module in the running program.
func Module() string {
	return fromBuildInfo(debug.ReadBuildInfo())
}

// fromBuildInfo finds this module in the build information: as a dependency
// of the program (the usual case), else as the main module, else Fallback.
func fromBuildInfo(bi *debug.BuildInfo, ok bool) string {
	if !ok || bi == nil {
		return Fallback
	}
	for _, dep := range bi.Deps {
		if dep == nil || dep.Path != ModulePath {
			continue
		}
		if dep.Replace != nil {
			// A replacement by another module version names that version;
			// one by a local directory names none.
			return orFallback(dep.Replace.Version)
		}
		return orFallback(dep.Version)
	}
	if bi.Main.Path == ModulePath {
		return orFallback(bi.Main.Version)
	}
	return Fallback
}

// orFallback returns v unless the go command recorded no version: "" or
// "(devel)" (a build in a checkout without version control information).
func orFallback(v string) string {
	if v == "" || v == "(devel)" {
		return Fallback
	}
	return v
}

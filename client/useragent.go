package client

import (
	"runtime/debug"

	"github.com/cloudconnexa-go/cloudconnexa/api"
)

// modulePath is the path of the module this package belongs to; the
// User-Agent reports the version the build resolved for it.
const modulePath = "github.com/cloudconnexa-go/cloudconnexa"

// UserAgent returns the default User-Agent header,
// "cloudconnexa-go/<module version> (api <APIVersion>)", for example
// "cloudconnexa-go/v1.4.0 (api 1.2.3)". Override it with [WithUserAgent].
func UserAgent() string {
	return userAgentFor(debug.ReadBuildInfo())
}

func userAgentFor(bi *debug.BuildInfo, ok bool) string {
	return "cloudconnexa-go/" + moduleVersion(bi, ok) + " (api " + api.Version + ")"
}

// moduleVersion finds this module in the build information: as a dependency
// of the program (the usual case), else as the main module, else "devel".
func moduleVersion(bi *debug.BuildInfo, ok bool) string {
	if !ok || bi == nil {
		return "devel"
	}
	for _, dep := range bi.Deps {
		if dep == nil || dep.Path != modulePath {
			continue
		}
		if dep.Replace != nil && usable(dep.Replace.Version) {
			return dep.Replace.Version
		}
		if usable(dep.Version) {
			return dep.Version
		}
		return "devel"
	}
	if bi.Main.Path == modulePath && usable(bi.Main.Version) {
		return bi.Main.Version
	}
	return "devel"
}

func usable(v string) bool { return v != "" && v != "(devel)" }

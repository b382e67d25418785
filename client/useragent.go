package client

import "github.com/cloudconnexa-go/cloudconnexa/internal/version"

// UserAgent returns the default User-Agent header,
// "cloudconnexa-go/<module version> (api <APIVersion>)", for example
// "cloudconnexa-go/v1.4.0 (api 1.2.3)". The module version is the one the
// program's build information records for this module (what its go.mod
// requires), or the source's own version constant when it records none
// (a replace directive to a local directory, a build in a checkout). The
// cloudconnexa-fake command reports the same version. Override the header
// with [WithUserAgent].
func UserAgent() string {
	return userAgent(version.Module())
}

func userAgent(moduleVersion string) string {
	return "cloudconnexa-go/" + moduleVersion + " (api " + APIVersion + ")"
}

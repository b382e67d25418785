//go:build tools

// Package tools pins the versions of the code generator, the spec differ,
// the API differ (apidiff, whose library the API gate uses), the linter and
// the API reference server (pkgsite, for make docs) in go.mod, so every
// machine regenerates, lints, compares and browses identically.
package tools

import (
	_ "github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen"
	_ "github.com/oasdiff/oasdiff"
	_ "golang.org/x/exp/cmd/apidiff"
	_ "golang.org/x/pkgsite/cmd/pkgsite"
	_ "honnef.co/go/tools/cmd/staticcheck"
)

//go:build tools

// Package tools pins the versions of the code generator, the spec differ,
// the API differ (apidiff, whose library the API gate uses) and the linter in
// go.mod, so every machine regenerates, lints and compares identically.
package tools

import (
	_ "github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen"
	_ "github.com/oasdiff/oasdiff"
	_ "golang.org/x/exp/cmd/apidiff"
	_ "honnef.co/go/tools/cmd/staticcheck"
)

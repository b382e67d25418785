//go:build tools

// Package tools pins the versions of the code generator, the spec differ and
// the linter in go.mod, so every machine regenerates and lints identically.
package tools

import (
	_ "github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen"
	_ "github.com/oasdiff/oasdiff"
	_ "honnef.co/go/tools/cmd/staticcheck"
)

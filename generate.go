// Package cloudconnexa is the root of the CloudConnexa Go client module. The
// typed client lives in package client, the generated code in package gen.
//
// The generator, oapi-codegen, is pinned in the tools module (tools/go.mod),
// not in this module's go.mod, so that its dependencies stay out of the
// module graph of programs that import the library (CONTRIBUTING.md,
// "Tools").
package cloudconnexa

//go:generate go tool -modfile=tools/go.mod oapi-codegen -config api/oapi-codegen.yaml api/openapi.yaml
//go:generate go run ./internal/cmd/opsgen api/openapi.yaml gen/operations.gen.go
//go:generate go run ./internal/cmd/resourcegen

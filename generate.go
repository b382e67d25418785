// Package cloudconnexa is the root of the CloudConnexa Go client module. The
// typed client lives in package client, the generated code in package gen.
package cloudconnexa

//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config api/oapi-codegen.yaml api/openapi.yaml
//go:generate go run ./internal/cmd/opsgen api/openapi.yaml gen/operations.gen.go
//go:generate go run ./internal/cmd/resourcegen

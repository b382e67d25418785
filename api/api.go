// Package api owns the maintained OpenAPI document of the CloudConnexa API
// (api/openapi.yaml) and embeds it, so that code and tests can validate
// traffic against exactly the document the generated client came from.
package api

import (
	"context"
	_ "embed"
	"fmt"
	"sync"

	"github.com/cloudconnexa-go/cloudconnexa/gen"
	"github.com/getkin/kin-openapi/openapi3"
)

// Version is the CloudConnexa API version the document describes (its
// info.version), the same as gen.APIVersion.
const Version = gen.APIVersion

//go:embed openapi.yaml
var document []byte

// Document returns a copy of the raw YAML document.
func Document() []byte {
	return append([]byte(nil), document...)
}

// Spec parses and validates the embedded document. Every call returns a
// fresh *openapi3.T that the caller may modify; use SharedSpec to avoid the
// parsing cost when the document is only read.
func Spec() (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(document)
	if err != nil {
		return nil, fmt.Errorf("api: load openapi.yaml: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("api: validate openapi.yaml: %w", err)
	}
	return doc, nil
}

// SharedSpec returns one parsed document shared by all callers, parsed on
// first use. Callers must treat it as read-only.
var SharedSpec = sync.OnceValues(Spec)

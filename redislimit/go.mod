// Package redislimit in a module of its own, so that only programs that
// import it download and link a Redis client: a program importing only the
// library's client has no go-redis in its module graph
// (CONTRIBUTING.md, "Modules").
//
// During development the library is the checkout around it (the replace
// directive below); the release commit of redislimit pins the library's
// released version and drops the replace (CONTRIBUTING.md, "Cutting a
// release").
module github.com/cloudconnexa-go/cloudconnexa/redislimit

go 1.26.0

require (
	github.com/cloudconnexa-go/cloudconnexa v0.0.0-00010101000000-000000000000
	github.com/redis/go-redis/v9 v9.23.0
	github.com/stretchr/testify v1.12.1
	go.uber.org/goleak v1.3.0
)

require (
	github.com/apapsch/go-jsonmerge/v2 v2.0.0 // indirect
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/getkin/kin-openapi v0.153.0 // indirect
	github.com/go-openapi/jsonpointer v1.0.2 // indirect
	github.com/google/uuid v1.6.0 // indirect
	github.com/oapi-codegen/runtime v1.9.0 // indirect
	github.com/santhosh-tekuri/jsonschema/v6 v6.0.3 // indirect
	go.uber.org/atomic v1.12.0 // indirect
	go.yaml.in/yaml/v3 v3.0.6 // indirect
	go.yaml.in/yaml/v4 v4.0.0 // indirect
	golang.org/x/oauth2 v0.38.0 // indirect
	golang.org/x/sys v0.49.0 // indirect
	golang.org/x/text v0.43.0 // indirect
)

replace github.com/cloudconnexa-go/cloudconnexa => ../

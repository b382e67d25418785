// The cloudconnexa command line, in a module of its own so that programs
// importing the library do not get its dependencies (cobra, gojq) in their
// module graph (CONTRIBUTING.md, "The CLI module"). During development it
// builds against the library of this checkout (the replace below); its
// release commit requires the library's released version and drops the
// replace, so that `go install …/cmd/cloudconnexa@latest` works.
module github.com/cloudconnexa-go/cloudconnexa/cmd/cloudconnexa

go 1.26.0

require (
	github.com/cloudconnexa-go/cloudconnexa v0.0.0-00010101000000-000000000000
	github.com/creack/pty v1.1.24
	github.com/itchyny/gojq v0.12.20
	github.com/spf13/cobra v1.10.2
	github.com/spf13/pflag v1.0.10
	github.com/stretchr/testify v1.12.1
	go.yaml.in/yaml/v3 v3.0.6
	golang.org/x/term v0.48.0
)

require (
	github.com/apapsch/go-jsonmerge/v2 v2.0.0 // indirect
	github.com/getkin/kin-openapi v0.153.0 // indirect
	github.com/go-openapi/jsonpointer v1.0.2 // indirect
	github.com/google/uuid v1.6.0 // indirect
	github.com/inconshreveable/mousetrap v1.1.0 // indirect
	github.com/itchyny/timefmt-go v0.1.9 // indirect
	github.com/oapi-codegen/runtime v1.9.0 // indirect
	github.com/santhosh-tekuri/jsonschema/v6 v6.0.3 // indirect
	go.yaml.in/yaml/v4 v4.0.0 // indirect
	golang.org/x/oauth2 v0.38.0 // indirect
	golang.org/x/sys v0.50.0 // indirect
	golang.org/x/text v0.43.0 // indirect
)

replace github.com/cloudconnexa-go/cloudconnexa => ../..

// Command resourcegen writes the resource API of package client from
// api/openapi.yaml and the oapi-codegen output in gen/:
//
//   - client/resources.gen.go: one service per resource (c.Networks,
//     c.NetworkConnectors, …), one method per operation, an iterator per list;
//   - client/resources_gen_test.go: the operation → method table and a call
//     of every method with a path id, for the tests;
//   - gen/getters.gen.go: nil-safe getters for the optional fields of the
//     types the API answers with;
//   - gen/version.gen.go: the document's version, so that package client
//     needs neither the document nor a YAML parser;
//   - docs/resources.md: the naming rules and the whole mapping;
//   - cmd/cloudconnexa/commands.gen.go: a command of the CLI per operation.
//
// The rules are in docs/resources.md (written by this program); the
// generator fails rather than produce two methods of the same name.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"log"
	"os"
	"path/filepath"

	"github.com/getkin/kin-openapi/openapi3"
)

func main() {
	spec := flag.String("spec", "api/openapi.yaml", "the OpenAPI document")
	genFile := flag.String("gen", "gen/cloudconnexa.gen.go", "oapi-codegen's output")
	root := flag.String("root", ".", "repository root to write into")
	flag.Parse()

	doc, err := openapi3.NewLoader().LoadFromFile(*spec)
	if err != nil {
		log.Fatal(err)
	}
	g, err := loadGen(*genFile)
	if err != nil {
		log.Fatal(err)
	}
	services, err := build(doc, g)
	if err != nil {
		log.Fatal(err)
	}
	outputs := []struct {
		path  string
		gofmt bool
		data  []byte
	}{
		{"client/resources.gen.go", true, emitServices(services)},
		{"client/resources_gen_test.go", true, emitTestTables(services)},
		{"gen/getters.gen.go", true, emitGetters(g, services)},
		{"gen/version.gen.go", true, emitVersion(doc.Info.Version)},
		{"docs/resources.md", false, emitDoc(services)},
		{"cmd/cloudconnexa/commands.gen.go", true, emitCLI(doc, services)},
	}
	for _, o := range outputs {
		data := o.data
		if o.gofmt {
			if data, err = format.Source(o.data); err != nil {
				log.Fatalf("%s: %v\n%s", o.path, err, numbered(o.data))
			}
		}
		if err := os.WriteFile(filepath.Join(*root, o.path), data, 0o644); err != nil {
			log.Fatal(err)
		}
	}
}

func numbered(src []byte) []byte {
	var b bytes.Buffer
	for i, l := range bytes.Split(src, []byte("\n")) {
		fmt.Fprintf(&b, "%5d %s\n", i+1, l)
	}
	return b.Bytes()
}

package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// emitCLI writes cmd/cloudconnexa/commands.gen.go: one command of the
// cloudconnexa CLI per operation, from the same services and methods as the
// resource API, so that the command line stays in step with the library.
// The commands are data (opSpec) plus a Run function calling the service
// method; everything else (flags, bodies, output) is hand-written in the CLI.
func emitCLI(doc *openapi3.T, services []*service) []byte {
	var w writer
	w.WriteString(header)
	w.p("package main")
	w.p("")
	w.p("import (")
	w.p("\t\"reflect\"")
	w.p("\t\"time\"")
	w.p("")
	w.p("\t\"github.com/cloudconnexa-go/cloudconnexa/client\"")
	w.p("\t\"github.com/cloudconnexa-go/cloudconnexa/gen\"")
	w.p(")")
	w.p("")
	w.p("var _ time.Time")
	w.p("")
	w.p("// serviceSpecs are the command groups, one per service of the resource API.")
	w.p("var serviceSpecs = []serviceSpec{")
	for _, s := range services {
		w.p("\t{Name: %q, Field: %q, Doc: %q},", kebab(s.Name), s.Name, s.Doc)
	}
	w.p("}")
	w.p("")
	w.p("// opSpecs are the commands, one per operation of the document.")
	w.p("var opSpecs = []*opSpec{")
	for _, s := range services {
		for _, op := range s.Ops {
			emitOpSpec(&w, doc, op)
		}
	}
	w.p("}")
	return []byte(w.String())
}

// kebab writes a Go name as a command name: NetworkConnectors →
// network-connectors, GetDNSProxyEnabled → get-dns-proxy-enabled.
func kebab(s string) string {
	// Initialisms in mixed case are one word: OAuth, IPsec, IPv4.
	for _, w := range []string{"OAuth", "IPsec", "IPv4", "IPv6"} {
		s = strings.ReplaceAll(s, w, w[:1]+strings.ToLower(w[1:]))
	}
	ws := words(s)
	for i, w := range ws {
		ws[i] = strings.ToLower(w)
	}
	return strings.Join(ws, "-")
}

// schemaOf finds the document's schema of an operation's parameter.
func schemaOf(doc *openapi3.T, op *operation, in, name string) *openapi3.Schema {
	item := doc.Paths.Value(op.Path)
	params := append(openapi3.Parameters{}, item.Parameters...)
	params = append(params, item.GetOperation(op.Method).Parameters...)
	for _, p := range params {
		if p.Value.In == in && p.Value.Name == name && p.Value.Schema != nil {
			return p.Value.Schema.Value
		}
	}
	return nil
}

// valueKind is how the CLI reads a value of the Go type t.
func valueKind(t string) string {
	switch t {
	case "string", "time.Time", "int32", "int64", "bool", "*bool":
		return t
	}
	return "enum"
}

func enumLit(s *openapi3.Schema) string {
	if s == nil || len(s.Enum) == 0 {
		return ""
	}
	var vs []string
	for _, e := range s.Enum {
		vs = append(vs, fmt.Sprintf("%q", fmt.Sprint(e)))
	}
	return "[]string{" + strings.Join(vs, ", ") + "}"
}

func defaultOf(s *openapi3.Schema) string {
	if s == nil || s.Default == nil {
		return ""
	}
	if str, ok := s.Default.(string); ok {
		return str
	}
	b, _ := json.Marshal(s.Default)
	return string(b)
}

func maxOf(s *openapi3.Schema) string {
	if s == nil || s.Max == nil {
		return ""
	}
	return fmt.Sprint(*s.Max)
}

// argUse is the placeholder of a positional argument: userID → USER-ID.
func argUse(arg string) string { return strings.ToUpper(kebab(upperFirst(arg))) }

func emitOpSpec(w *writer, doc *openapi3.T, op *operation) {
	svc := kebab(op.Service.Name)
	name := kebab(op.Name)
	w.p("\t{")
	w.p("\t\tService: %q, Name: %q, Operation: gen.Op%s,", svc, name, op.GoOp)
	w.p("\t\tMethod: %q, Path: %q,", op.Method, op.Path)
	short := strings.TrimSuffix(strings.TrimSpace(op.Summary), ".")
	if op.ListKind != "" {
		// The command follows every page or batch.
		for _, how := range []string{", one page at a time", " in batches, by cursor"} {
			if cut, ok := strings.CutSuffix(short, how); ok {
				short = "List all " + strings.TrimPrefix(cut, "List ")
			}
		}
	}
	w.p("\t\tShort: %q,", short)
	example := "cloudconnexa " + svc + " " + name
	if len(op.Args) > 0 {
		w.p("\t\tArgs: []argSpec{")
		for _, a := range op.Args {
			s := schemaOf(doc, op, a.In, a.Name)
			w.p("\t\t\t{Use: %q, Param: %q, Kind: %q, Desc: %q, Enum: %s},", argUse(a.Arg), a.Name, valueKind(a.Type), strings.TrimSpace(a.Desc), orNil(enumLit(s)))
			example += " " + argUse(a.Arg)
		}
		w.p("\t\t},")
	}
	var flags []param
	for _, q := range op.OptQuery {
		// The iterators walk pages and cursors themselves.
		if op.ListKind != "" && (q.Name == "page" || q.Name == "cursor") {
			continue
		}
		flags = append(flags, q)
	}
	if len(flags) > 0 {
		w.p("\t\tFlags: []flagSpec{")
		for _, q := range flags {
			s := schemaOf(doc, op, "query", q.Name)
			w.p("\t\t\t{Name: %q, Kind: %q, Desc: %q, Enum: %s, Default: %q, Max: %q, Size: %v},", kebab(upperFirst(q.Name)), valueKind(q.clientType()), strings.TrimSpace(q.Desc), orNil(enumLit(s)), defaultOf(s), maxOf(s), q.Name == "size")
		}
		w.p("\t\t},")
	}
	switch op.BodyKind {
	case bodyJSON, bodyForm:
		w.p("\t\tBody: %q, BodyType: reflect.TypeFor[%s](),", bodyJSON, op.BodyType)
		example += " --data @" + strings.TrimSuffix(svc, "s") + ".json"
	case bodyText:
		w.p("\t\tBody: %q, BodyType: reflect.TypeFor[%s](),", bodyText, op.BodyType)
		example += " --data VALUE"
	}
	if op.ListKind != "" {
		w.p("\t\tList: true,")
	}
	w.p("\t\tExample: %q,", example)
	w.p("\t\tRun: func(x *call) (any, error) {")
	var args []string
	for i, a := range op.Args {
		w.p("\t\t\tvar %s %s", a.Arg, a.Type)
		w.p("\t\t\tif err := x.arg(%d, &%s); err != nil {", i, a.Arg)
		w.p("\t\t\t\treturn nil, err")
		w.p("\t\t\t}")
		args = append(args, a.Arg)
	}
	if op.OptType != "" {
		w.p("\t\t\tparams := &client.%s{}", op.OptType)
		for _, q := range flags {
			w.p("\t\t\tif err := x.flag(%q, &params.%s); err != nil {", kebab(upperFirst(q.Name)), q.Field)
			w.p("\t\t\t\treturn nil, err")
			w.p("\t\t\t}")
		}
		args = append(args, "params")
	}
	if op.BodyKind != "" {
		w.p("\t\t\tvar body %s", op.BodyType)
		w.p("\t\t\tif err := x.body(&body); err != nil {")
		w.p("\t\t\t\treturn nil, err")
		w.p("\t\t\t}")
		args = append(args, "body")
	}
	call := fmt.Sprintf("x.c.%s.%%s(%s)", op.Service.Name, strings.Join(append([]string{"x.ctx"}, args...), ", "))
	switch {
	case op.ListKind != "":
		w.p("\t\t\treturn stream(x, x.c.%s.%s(%s)), nil", op.Service.Name, op.IterName, strings.Join(append([]string{"x.ctx"}, args...), ", "))
	case op.ResultKind == resultNone:
		w.p("\t\t\treturn nil, "+call, op.Name)
	default:
		w.p("\t\t\treturn result("+call+")", op.Name)
	}
	w.p("\t\t},")
	w.p("\t},")
}

func orNil(s string) string {
	if s == "" {
		return "nil"
	}
	return s
}

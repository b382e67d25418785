package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/getkin/kin-openapi/openapi3"
)

// genPkg is what resourcegen knows about package gen, read from the
// oapi-codegen output: the declared types and the raw client's methods.
type genPkg struct {
	types       map[string]*ast.TypeSpec
	methods     map[string]*ast.FuncType // ClientInterface
	methodDecls []methodDecl             // methods declared on gen's types
	// opNames maps a lower-cased operationId to gen's Go name of the
	// operation: oapi-codegen applies the naming rule, once.
	opNames map[string]string
}

type methodDecl struct{ recv, name string }

func loadGen(path string) (*genPkg, error) {
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	g := &genPkg{types: map[string]*ast.TypeSpec{}, methods: map[string]*ast.FuncType{}}
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv != nil && len(fd.Recv.List) == 1 {
			t := fd.Recv.List[0].Type
			if st, ok := t.(*ast.StarExpr); ok {
				t = st.X
			}
			if id, ok := t.(*ast.Ident); ok {
				g.methodDecls = append(g.methodDecls, methodDecl{id.Name, fd.Name.Name})
			}
			continue
		}
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.TYPE {
			continue
		}
		for _, s := range gd.Specs {
			ts := s.(*ast.TypeSpec)
			g.types[ts.Name.Name] = ts
		}
	}
	ci, ok := g.types["ClientInterface"]
	if !ok {
		return nil, fmt.Errorf("%s: no ClientInterface", path)
	}
	g.opNames = map[string]string{}
	for _, m := range ci.Type.(*ast.InterfaceType).Methods.List {
		if ft, ok := m.Type.(*ast.FuncType); ok && len(m.Names) == 1 {
			name := m.Names[0].Name
			g.methods[name] = ft
			for _, suffix := range []string{"WithBody", "WithTextBody", "WithFormdataBody", ""} {
				if op, ok := strings.CutSuffix(name, suffix); ok {
					g.opNames[strings.ToLower(op)] = op
					break
				}
			}
		}
	}
	return g, nil
}

// typeNamed returns gen's Go name of the schema name (oapi-codegen's
// naming rule), "" when gen declares no such type.
func (g *genPkg) typeNamed(schema string) string {
	for name := range g.types {
		if strings.EqualFold(name, schema) {
			return name
		}
	}
	return ""
}

// qualify prints a type expression of package gen as seen from another
// package: gen's own identifiers get the "gen." prefix.
func (g *genPkg) qualify(e ast.Expr) string {
	switch t := e.(type) {
	case *ast.Ident:
		if _, ok := g.types[t.Name]; ok {
			return "gen." + t.Name
		}
		return t.Name
	case *ast.StarExpr:
		return "*" + g.qualify(t.X)
	case *ast.ArrayType:
		return "[]" + g.qualify(t.Elt)
	case *ast.MapType:
		return "map[" + g.qualify(t.Key) + "]" + g.qualify(t.Value)
	case *ast.SelectorExpr:
		return t.X.(*ast.Ident).Name + "." + t.Sel.Name
	}
	panic(fmt.Sprintf("unsupported type expression %T", e))
}

// resolve follows aliases (type A = B) to the named type or type literal
// they stand for.
func (g *genPkg) resolve(e ast.Expr) ast.Expr {
	for range 10 {
		id, ok := e.(*ast.Ident)
		if !ok {
			return e
		}
		ts, ok := g.types[id.Name]
		if !ok || !ts.Assign.IsValid() {
			return e
		}
		e = ts.Type
	}
	return e
}

// structType returns the struct declared as name, nil if it is no struct.
func (g *genPkg) structType(name string) *ast.StructType {
	ts, ok := g.types[name]
	if !ok {
		return nil
	}
	st, _ := ts.Type.(*ast.StructType)
	return st
}

// field finds the field of struct name whose tag has the given key:value
// name ("form", "page"), or whose Go name is goName when key is "".
func (g *genPkg) field(name, key, value string) *ast.Field {
	st := g.structType(name)
	if st == nil {
		return nil
	}
	for _, f := range st.Fields.List {
		if len(f.Names) != 1 {
			continue
		}
		if key == "" {
			if f.Names[0].Name == value {
				return f
			}
			continue
		}
		if f.Tag == nil {
			continue
		}
		tag, _ := strconv.Unquote(f.Tag.Value)
		v, _, _ := strings.Cut(reflect.StructTag(tag).Get(key), ",")
		if v == value {
			return f
		}
	}
	return nil
}

// Kinds of result and body.
const (
	resultNone    = "none"    // no body: error only
	resultPointer = "pointer" // a JSON object: (*T, error)
	resultValue   = "value"   // a JSON scalar or array: (T, error)
	resultText    = "text"    // a text/plain body: (string-kind T, error)

	bodyJSON = "json"
	bodyText = "text"
	bodyForm = "form"

	listPage   = "page"
	listCursor = "cursor"
)

type param struct {
	Name  string // in the document
	In    string // "path" or "query"
	Arg   string // Go argument name
	Field string // field of gen's params struct
	Type  string // Go type, qualified
	Desc  string
	// Ptr: gen's params struct holds the query parameter as a pointer.
	Ptr bool
	// Batch: the required batch size of a cursor list, which the client
	// takes in the params struct (0 asks for the maximum).
	Batch bool
}

// isID reports whether the parameter names a resource by id: id, userId.
func (p param) isID() bool {
	return p.Type == "string" && (p.Name == "id" || strings.HasSuffix(p.Name, "Id"))
}

type operation struct {
	ID, Method, Path, Summary, Tag string
	GoOp                           string // gen's method name, e.g. GetNetwork
	Service                        *service
	Name                           string // method name on the service

	// Args are the positional arguments after ctx (the parameter
	// convention, docs/resource-api.md): the owner's id (a required query
	// id naming the resource the path's resource belongs to: the userId of
	// a device), the path parameters in path order, then the other required
	// query parameters in document order.
	Args       []param
	PathParams []param // the path parameters, in path order (gen's order)
	OptQuery   []param // the fields of the params struct
	GenParams  string  // gen's params struct, "" when the operation has no query
	OptType    string  // the client's params struct for OptQuery, "" if none

	BodyKind string // "" when no request body
	BodyType string
	BodyCall string // gen's method sending that body

	ResultKind string
	ResultType string // without the leading * of pointer results
	Media      string // documented media type of the success body

	ListKind   string // "", listPage or listCursor
	ItemType   string
	ItemsField string // the cursor batch's slice field
	IterName   string
}

type service struct {
	Name  string // Go field and type prefix: Networks
	Doc   string // what it groups
	Nouns []string
	Ops   []*operation
}

// initialisms are written the Go way in method and service names.
var initialisms = map[string]string{
	"Dns": "DNS", "Ip": "IP", "Id": "ID", "Mfa": "MFA", "Ldap": "LDAP", "Saml": "SAML", "Snat": "SNAT",
	"Vpn": "VPN", "Url": "URL", "Api": "API", "Oauth": "OAuth", "Wpc": "WPC",
}

// words splits a camelCase or PascalCase identifier.
func words(s string) []string {
	var out []string
	start := 0
	rs := []rune(s)
	for i := 1; i < len(rs); i++ {
		if unicode.IsUpper(rs[i]) && (!unicode.IsUpper(rs[i-1]) || i+1 < len(rs) && unicode.IsLower(rs[i+1])) {
			out = append(out, string(rs[start:i]))
			start = i
		}
	}
	return append(out, string(rs[start:]))
}

// goName capitalizes s and writes its initialisms the Go way.
func goName(s string) string {
	var b strings.Builder
	for _, w := range words(upperFirst(s)) {
		if v, ok := initialisms[w]; ok {
			w = v
		}
		b.WriteString(w)
	}
	return b.String()
}

// argName is the Go argument for a parameter: userId → userID.
func argName(s string) string {
	n := goName(s)
	ws := words(n)
	ws[0] = strings.ToLower(ws[0])
	n = strings.Join(ws, "")
	if token.IsKeyword(n) {
		n = map[string]string{"type": "typ"}[n]
		if n == "" {
			panic("no argument name for keyword " + s)
		}
	}
	return n
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func kebabWords(s string) []string {
	var out []string
	for p := range strings.SplitSeq(s, "-") {
		out = append(out, upperFirst(p))
	}
	return out
}

// literalPrefix returns the literal segments of a path after /api/v1, up to
// the first parameter.
func literalPrefix(path string) []string {
	var out []string
	for _, s := range strings.Split(strings.TrimPrefix(path, "/api/v1/"), "/") {
		if strings.HasPrefix(s, "{") {
			break
		}
		out = append(out, s)
	}
	return out
}

// serviceOf applies the service rule: an operation belongs to the longest
// literal path prefix that is a collection (some path continues it with a
// parameter: /networks/connectors/{id}); without one, to its tag.
func serviceOf(path, tag string, paths []string) (name string, nouns []string, doc string) {
	lit := literalPrefix(path)
	for k := len(lit); k >= 1; k-- {
		prefix := "/api/v1/" + strings.Join(lit[:k], "/") + "/{"
		if !slices.ContainsFunc(paths, func(p string) bool { return strings.HasPrefix(p, prefix) }) {
			continue
		}
		var raw []string
		for i, seg := range lit[:k] {
			ws := kebabWords(seg)
			if i < k-1 {
				ws[len(ws)-1] = strings.TrimSuffix(ws[len(ws)-1], "s")
			}
			raw = append(raw, ws...)
		}
		plural := strings.Join(raw, "")
		return goName(plural), []string{plural, strings.TrimSuffix(plural, "s")},
			"/api/v1/" + strings.Join(lit[:k], "/")
	}
	var raw []string
	for w := range strings.FieldsSeq(tag) {
		raw = append(raw, upperFirst(w))
	}
	single := strings.Join(raw, "")
	// A tag whose plural is the path's collection names the service in the
	// plural, like every collection: /api/v1/regions of the Region tag.
	if len(lit) > 0 && strings.EqualFold(strings.ReplaceAll(lit[0], "-", ""), single+"s") {
		return goName(single + "s"), []string{single + "s", single}, "the " + tag + " tag"
	}
	return goName(single), []string{single + "s", single}, "the " + tag + " tag"
}

// methodName applies the method rule to gen's name of an operation (the
// operationId as oapi-codegen writes it in Go): without the service's noun
// right after its verb: GetNetwork → Get, SuspendNetworkConnector →
// Suspend, GetDNSProxyEnabled → GetDNSProxyEnabled.
func methodName(goOp string, nouns []string) string {
	verb := words(goOp)[0]
	rest := goOp[len(verb):]
	for _, n := range nouns {
		if len(rest) >= len(n) && strings.EqualFold(rest[:len(n)], n) && (len(rest) == len(n) || unicode.IsUpper(rune(rest[len(n)]))) {
			rest = rest[len(n):]
			break
		}
	}
	return verb + rest
}

// build reads every operation of doc against what gen declares.
func build(doc *openapi3.T, g *genPkg) ([]*service, error) {
	var paths []string
	for p := range doc.Paths.Map() {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	services := map[string]*service{}
	var errs []string
	for _, path := range paths {
		item := doc.Paths.Value(path)
		for method, o := range item.Operations() {
			op, err := buildOp(g, path, method, item, o, paths, services)
			if err != nil {
				errs = append(errs, o.OperationID+": "+err.Error())
				continue
			}
			op.Service.Ops = append(op.Service.Ops, op)
		}
	}
	if len(errs) > 0 {
		sort.Strings(errs)
		return nil, fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	var out []*service
	for _, s := range services {
		sort.Slice(s.Ops, func(i, j int) bool { return s.Ops[i].Name < s.Ops[j].Name })
		seen := map[string]string{}
		for _, op := range s.Ops {
			for _, n := range []string{op.Name, op.IterName} {
				if n == "" {
					continue
				}
				if other, dup := seen[n]; dup {
					return nil, fmt.Errorf("%s.%s: both %s and %s", s.Name, n, other, op.ID)
				}
				seen[n] = op.ID
			}
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func buildOp(g *genPkg, path, method string, item *openapi3.PathItem, o *openapi3.Operation, paths []string, services map[string]*service) (*operation, error) {
	if len(o.Tags) != 1 {
		return nil, fmt.Errorf("want one tag, have %d", len(o.Tags))
	}
	goOp, ok := g.opNames[strings.ToLower(o.OperationID)]
	if !ok {
		return nil, fmt.Errorf("gen has no method for operation %s", o.OperationID)
	}
	op := &operation{ID: o.OperationID, Method: method, Path: path, Summary: o.Summary, Tag: o.Tags[0], GoOp: goOp}
	name, nouns, doc := serviceOf(path, op.Tag, paths)
	s := services[name]
	if s == nil {
		s = &service{Name: name, Nouns: nouns, Doc: doc}
		services[name] = s
	}
	op.Service = s
	op.Name = methodName(op.GoOp, nouns)

	ft, ok := g.methods[op.GoOp]
	if !ok {
		ft, ok = g.methods[op.GoOp+"WithBody"] // only text or form bodies
	}
	if !ok {
		return nil, fmt.Errorf("gen has no method %s", op.GoOp)
	}
	genArgs := map[string]ast.Expr{}
	for _, f := range ft.Params.List {
		for _, n := range f.Names {
			genArgs[strings.ToLower(n.Name)] = f.Type
		}
	}

	params := append(openapi3.Parameters{}, item.Parameters...)
	params = append(params, o.Parameters...)
	byName := map[string]*openapi3.Parameter{}
	for _, pr := range params {
		byName[pr.Value.In+":"+pr.Value.Name] = pr.Value
	}
	// Path parameters in path order.
	for seg := range strings.SplitSeq(path, "/") {
		if !strings.HasPrefix(seg, "{") {
			continue
		}
		pn := strings.Trim(seg, "{}")
		t, ok := genArgs[strings.ToLower(pn)]
		if !ok {
			return nil, fmt.Errorf("gen's %s has no argument %s", op.GoOp, pn)
		}
		desc := ""
		if p := byName["path:"+pn]; p != nil {
			desc = p.Description
		}
		op.PathParams = append(op.PathParams, param{Name: pn, In: "path", Arg: argName(pn), Type: g.qualify(t), Desc: desc})
	}
	// Query parameters in document order.
	if pt, ok := genArgs["params"]; ok {
		op.GenParams = pt.(*ast.StarExpr).X.(*ast.Ident).Name
	}
	var reqQuery []param
	for _, pr := range params {
		p := pr.Value
		if p.In != "query" {
			continue
		}
		if op.GenParams == "" {
			return nil, fmt.Errorf("query parameter %s but no params struct in gen", p.Name)
		}
		f := g.field(op.GenParams, "form", p.Name)
		if f == nil {
			return nil, fmt.Errorf("%s has no field for %s", op.GenParams, p.Name)
		}
		ft := f.Type
		star, isPtr := ft.(*ast.StarExpr)
		if isPtr {
			ft = star.X
		}
		qp := param{Name: p.Name, In: "query", Arg: argName(p.Name), Field: f.Names[0].Name, Type: g.qualify(g.resolve(ft)), Desc: p.Description, Ptr: isPtr}
		switch {
		case p.Required && p.Name == "size":
			qp.Batch = true
			op.OptQuery = append(op.OptQuery, qp)
		case p.Required:
			reqQuery = append(reqQuery, qp)
		default:
			op.OptQuery = append(op.OptQuery, qp)
		}
	}
	if len(op.OptQuery) > 0 {
		op.OptType = s.Name + op.Name + "Params"
	}
	// The owner's id comes first: a required query id whose kind has its own
	// path (/api/v1/users/{...} for userId).
	var owner, rest []param
	for _, q := range reqQuery {
		kind, ok := strings.CutSuffix(q.Name, "Id")
		if ok && q.isID() && slices.ContainsFunc(paths, func(p string) bool { return strings.HasPrefix(p, "/api/v1/"+kind+"s/{") }) {
			owner = append(owner, q)
		} else {
			rest = append(rest, q)
		}
	}
	op.Args = slices.Concat(owner, op.PathParams, rest)
	// With more than one id, a path {id} is named after its kind:
	// Devices.Get(ctx, userID, deviceID).
	ids := 0
	for _, a := range op.Args {
		if a.isID() {
			ids++
		}
	}
	for i, a := range op.Args {
		if ids > 1 && a.In == "path" && a.Name == "id" {
			op.Args[i].Arg = argName(strings.ToLower(nouns[1][:1]) + nouns[1][1:] + "Id")
		}
	}
	taken := map[string]bool{"ctx": true, "params": true, "body": true}
	for _, p := range op.Args {
		if taken[p.Arg] {
			return nil, fmt.Errorf("argument name %s used twice", p.Arg)
		}
		taken[p.Arg] = true
	}

	// The request body: the plainest media type the document allows.
	if o.RequestBody != nil {
		switch {
		case g.methods[op.GoOp+"WithTextBody"] != nil:
			op.BodyKind, op.BodyCall = bodyText, op.GoOp+"WithTextBody"
		case g.methods[op.GoOp+"WithFormdataBody"] != nil:
			op.BodyKind, op.BodyCall = bodyForm, op.GoOp+"WithFormdataBody"
		case genArgs["body"] != nil:
			op.BodyKind, op.BodyCall = bodyJSON, op.GoOp
		default:
			return nil, fmt.Errorf("no typed body method in gen")
		}
		bft := g.methods[op.BodyCall]
		var bt ast.Expr
		for _, f := range bft.Params.List {
			for _, n := range f.Names {
				if n.Name == "body" {
					bt = f.Type
				}
			}
		}
		if bt == nil {
			return nil, fmt.Errorf("%s has no body argument", op.BodyCall)
		}
		op.BodyType = g.qualify(g.resolve(bt))
	}

	// The success result.
	op.ResultKind = resultNone
	var codes []string
	for code := range o.Responses.Map() {
		if strings.HasPrefix(code, "2") {
			codes = append(codes, code)
		}
	}
	sort.Strings(codes)
	for _, code := range codes {
		r := o.Responses.Value(code).Value
		for media, mt := range r.Content {
			kind, typ := resultNone, ""
			switch {
			case media == "application/json":
				f := g.field(op.GoOp+"Response", "", "JSON"+code)
				if f == nil {
					return nil, fmt.Errorf("%sResponse has no JSON%s", op.GoOp, code)
				}
				elem := f.Type.(*ast.StarExpr).X
				if id, ok := elem.(*ast.Ident); ok && g.structType(id.Name) != nil {
					kind, typ = resultPointer, g.qualify(elem)
				} else {
					kind, typ = resultValue, g.qualify(elem)
				}
			case media == "text/plain":
				kind, typ = resultText, "string"
				if mt.Schema != nil && mt.Schema.Ref != "" {
					name := mt.Schema.Ref[strings.LastIndex(mt.Schema.Ref, "/")+1:]
					if typ = g.typeNamed(name); typ == "" {
						return nil, fmt.Errorf("gen has no type for schema %s", name)
					}
					typ = "gen." + typ
				}
			default:
				return nil, fmt.Errorf("unsupported response media type %s", media)
			}
			if op.ResultKind != resultNone && (op.ResultKind != kind || op.ResultType != typ) {
				return nil, fmt.Errorf("success responses of different types")
			}
			op.ResultKind, op.ResultType, op.Media = kind, typ, media
		}
	}

	// Lists: a page of content with totalPages, or a batch with nextCursor.
	if op.ResultKind == resultPointer && method == "GET" {
		rt := strings.TrimPrefix(op.ResultType, "gen.")
		content, total := g.field(rt, "json", "content"), g.field(rt, "json", "totalPages")
		hasPage := slices.ContainsFunc(op.OptQuery, func(p param) bool { return p.Name == "page" })
		if content != nil && total != nil && hasPage {
			op.ListKind = listPage
			op.ItemType = g.qualify(content.Type.(*ast.ArrayType).Elt)
		}
		if next := g.field(rt, "json", "nextCursor"); next != nil && slices.ContainsFunc(op.OptQuery, func(p param) bool { return p.Name == "cursor" }) {
			for _, f := range g.structType(rt).Fields.List {
				if at, ok := f.Type.(*ast.ArrayType); ok {
					op.ListKind, op.ItemsField, op.ItemType = listCursor, f.Names[0].Name, g.qualify(at.Elt)
				}
			}
		}
		if op.ListKind != "" {
			if !strings.HasPrefix(op.Name, "List") {
				return nil, fmt.Errorf("list operation named %s", op.Name)
			}
			op.IterName = "All" + strings.TrimPrefix(op.Name, "List")
		}
	}
	return op, nil
}

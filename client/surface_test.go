package client_test

// Tests of the public surface the v0.1.0 release freezes: a small Client,
// Go initialisms in every exported name, and one parameter convention for
// every resource method.

import (
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudconnexa-go/cloudconnexa/api"
	"github.com/cloudconnexa-go/cloudconnexa/client"
	"github.com/cloudconnexa-go/cloudconnexa/gen"
)

// parseDir parses the non-test Go files of dir.
func parseDir(t *testing.T, dir string) (*token.FileSet, []*ast.File) {
	t.Helper()
	fset := token.NewFileSet()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var files []*ast.File
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.ParseComments)
		require.NoError(t, err)
		files = append(files, f)
	}
	return fset, files
}

// TestClientSurfaceIsSmall: `go doc ./client Client` lists at most 15
// fields, constructors and methods; the services are one embedded field and
// the generated layer another (Raw), not 454 promoted methods.
func TestClientSurfaceIsSmall(t *testing.T) {
	fset, files := parseDir(t, ".")
	p, err := doc.NewFromFiles(fset, files, "github.com/cloudconnexa-go/cloudconnexa/client")
	require.NoError(t, err)
	var entries []string
	for _, typ := range p.Types {
		if typ.Name != "Client" {
			continue
		}
		st := typ.Decl.Specs[0].(*ast.TypeSpec).Type.(*ast.StructType)
		for _, f := range st.Fields.List {
			if len(f.Names) == 0 {
				entries = append(entries, "field "+types(f.Type))
			}
			for _, n := range f.Names {
				if n.IsExported() {
					entries = append(entries, "field "+n.Name)
				}
			}
		}
		for _, f := range typ.Funcs {
			entries = append(entries, "func "+f.Name)
		}
		for _, m := range typ.Methods {
			entries = append(entries, "method "+m.Name)
		}
	}
	require.NotEmpty(t, entries, "no Client type")
	assert.LessOrEqual(t, len(entries), 15, "go doc ./client Client lists %d entries: %v", len(entries), entries)
	assert.Contains(t, entries, "field Services")
	assert.Contains(t, entries, "field Raw")
	// Nothing is promoted into the method set either (it had 454 methods
	// when Client embedded the generated layer).
	rt := reflect.TypeFor[*client.Client]()
	var set []string
	for m := range rt.Methods() {
		set = append(set, m.Name)
	}
	assert.LessOrEqual(t, len(set), 15, "method set of *client.Client: %v", set)
}

func types(e ast.Expr) string {
	switch t := e.(type) {
	case *ast.Ident:
		return t.Name
	case *ast.StarExpr:
		return "*" + types(t.X)
	case *ast.SelectorExpr:
		return types(t.X) + "." + t.Sel.Name
	}
	return "?"
}

// notGo matches an initialism written as a word (Id, Ip, Dns, ...) inside
// an identifier: followed by an upper-case letter, a digit, an "s" and the
// end or an upper-case letter, or the end.
var notGo = regexp.MustCompile(`(Id|Ip|Dns|Vpn|Saml|Ldap|Mfa|Snat|Url|Uri|Api|Http|Https|Json|Uuid|Tcp|Udp|Ssh|Cidr)([A-Z0-9_]|s?$|s[A-Z])|Ipv[46]`)

// TestExportedNamesUseGoInitialisms lists every exported identifier of gen
// and client (types, functions, methods, fields, constants, variables)
// through go/ast and checks them against the Go spelling of initialisms:
// ID, IDs, IP, IPv4, DNS, VPN, ... (api/oapi-codegen.yaml's name-normalizer
// and additional-initialisms).
func TestExportedNamesUseGoInitialisms(t *testing.T) {
	var names []string
	for _, dir := range []string{"../gen", "."} {
		_, files := parseDir(t, dir)
		for _, f := range files {
			ast.Inspect(f, func(n ast.Node) bool {
				switch x := n.(type) {
				case *ast.FuncDecl:
					names = append(names, x.Name.Name)
				case *ast.TypeSpec:
					names = append(names, x.Name.Name)
				case *ast.ValueSpec:
					for _, id := range x.Names {
						names = append(names, id.Name)
					}
				case *ast.Field:
					for _, id := range x.Names {
						names = append(names, id.Name)
					}
				}
				return true
			})
		}
	}
	require.Greater(t, len(names), 1000, "the walk found too few names")
	var bad []string
	for _, n := range names {
		if ast.IsExported(n) && notGo.MatchString(n) && !slices.Contains(bad, n) {
			bad = append(bad, n)
		}
	}
	sort.Strings(bad)
	assert.Empty(t, bad, "exported names with an initialism not written the Go way")
	// The check itself catches what it is for.
	for _, n := range []string{"GetGroupId", "NetworkIpServiceResponse", "VpnRegionId", "DnsRecord", "GatewaysIds", "Ipv4Subnets"} {
		assert.True(t, notGo.MatchString(n), n)
	}
	for _, n := range []string{"GetGroupID", "NetworkIPServiceResponse", "VPNRegionID", "DNSRecord", "GatewaysIDs", "IPv4Subnets", "Identity", "Idle", "APIs", "HTTPRequestDoer"} {
		assert.False(t, notGo.MatchString(n), n)
	}
}

// TestParameterConvention checks every resource method's signature against
// the document, independently of the generator: ctx first; then one
// positional argument per path parameter and per required query parameter
// (but the batch size of cursor lists, a field of the params struct); then
// at most one params pointer to the method's own XxxParams struct; then the
// body, if the operation has one. Ids come outermost first: an owner's id
// (userId, hostId, networkId) before the path ids, and the path ids in path
// order (the order in which the method passes them to gen).
func TestParameterConvention(t *testing.T) {
	spec, err := api.SharedSpec()
	require.NoError(t, err)
	_, files := parseDir(t, ".")
	methods := map[string]*ast.FuncDecl{} // Service.Method
	for _, f := range files {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Recv == nil {
				continue
			}
			recv := strings.TrimSuffix(types(fd.Recv.List[0].Type)[1:], "Service")
			methods[recv+"."+fd.Name.Name] = fd
		}
	}
	owners := regexp.MustCompile(`^(user|host|network)Id$`)
	checked := 0
	for _, rm := range resourceMethods {
		op, ok := gen.LookupOperation(gen.OperationID(rm.Operation))
		require.True(t, ok, rm.Operation)
		fd := methods[rm.Service+"."+rm.Method]
		require.NotNil(t, fd, "%s: no method %s.%s", rm.Operation, rm.Service, rm.Method)
		o := spec.Paths.Find(op.Path).GetOperation(op.Method)
		require.NotNil(t, o, rm.Operation)

		var pathParams, reqQuery, owner []string
		for seg := range strings.SplitSeq(op.Path, "/") {
			if strings.HasPrefix(seg, "{") {
				pathParams = append(pathParams, strings.Trim(seg, "{}"))
			}
		}
		for _, p := range append(spec.Paths.Find(op.Path).Parameters, o.Parameters...) {
			if p.Value.In == "query" && p.Value.Required && p.Value.Name != "size" {
				reqQuery = append(reqQuery, p.Value.Name)
				if owners.MatchString(p.Value.Name) {
					owner = append(owner, p.Value.Name)
				}
			}
		}

		var names []string
		var kinds []string
		for _, f := range fd.Type.Params.List {
			for _, n := range f.Names {
				names = append(names, n.Name)
				kinds = append(kinds, types(f.Type))
			}
		}
		where := rm.Service + "." + rm.Method + " (" + rm.Operation + ")"
		require.NotEmpty(t, names, where)
		assert.Equal(t, "ctx", names[0], where)
		rest := names[1:]
		restKinds := kinds[1:]
		if o.RequestBody != nil {
			require.NotEmpty(t, rest, where)
			assert.Equal(t, "body", rest[len(rest)-1], "%s: the body comes last", where)
			rest, restKinds = rest[:len(rest)-1], restKinds[:len(restKinds)-1]
		}
		if len(rest) > 0 && rest[len(rest)-1] == "params" {
			assert.Equal(t, "*"+rm.Service+strings.TrimPrefix(rm.Method, "All")+"Params", restKinds[len(rest)-1], "%s: params is the method's own struct", where)
			rest = rest[:len(rest)-1]
		}
		assert.Len(t, rest, len(pathParams)+len(reqQuery), "%s: positional arguments %v for path %v and required query %v", where, rest, pathParams, reqQuery)
		for _, n := range rest {
			assert.NotEqual(t, "params", n, where)
			assert.NotEqual(t, "body", n, where)
		}
		// Owners first.
		for i := range owner {
			if assert.Less(t, i, len(rest), where) {
				assert.True(t, strings.EqualFold(rest[i], strings.TrimSuffix(owner[i], "Id")+"ID"), "%s: the owner's %s comes first, have %v", where, owner[i], rest)
			}
		}
		// Path ids in path order: the order of the arguments passed to gen.
		if len(pathParams) > 1 || len(owner) > 0 && len(pathParams) > 0 {
			passed := genCallArgs(fd)
			var order []int
			for _, a := range passed {
				if i := slices.Index(rest, a); i >= 0 {
					order = append(order, i)
				}
			}
			assert.True(t, slices.IsSorted(order), "%s: path ids not in path order: signature %v, sent %v", where, rest, passed)
			if len(owner) > 0 && len(order) > 0 {
				assert.Greater(t, order[0], len(owner)-1, "%s: a path id before the owner", where)
			}
		}
		checked++
	}
	assert.Equal(t, len(gen.Operations), checked, "every operation has a method checked")
}

// genCallArgs returns the identifiers a resource method passes to gen.
func genCallArgs(fd *ast.FuncDecl) []string {
	var out []string
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if inner, ok := sel.X.(*ast.SelectorExpr); ok && inner.Sel.Name == "gen" {
			for _, a := range call.Args {
				if id, ok := a.(*ast.Ident); ok {
					out = append(out, id.Name)
				}
			}
		}
		return true
	})
	return out
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudconnexa-go/cloudconnexa/client"
	"github.com/cloudconnexa-go/cloudconnexa/cloudconnexatest"
	"github.com/cloudconnexa-go/cloudconnexa/gen"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// outcome is what one run of the command line did.
type outcome struct {
	stdout, stderr string
	code           int
}

// runner runs the command line in-process against a fake.
type runner struct {
	t     *testing.T
	srv   *cloudconnexatest.Server
	stdin string
	tty   bool // stdout and stderr count as terminals
}

func newRunner(t *testing.T, opts ...cloudconnexatest.Option) *runner {
	t.Helper()
	srv := cloudconnexatest.NewServer(t, opts...)
	setCredentials(t, srv)
	return &runner{t: t, srv: srv}
}

// setCredentials points the CLOUDCONNEXA_* variables at srv.
func setCredentials(t *testing.T, srv *cloudconnexatest.Server) {
	t.Setenv(client.EnvBaseURL, srv.URL)
	t.Setenv(client.EnvClientID, srv.ClientID)
	t.Setenv(client.EnvClientSecret, srv.ClientSecret)
}

func (r *runner) app(stdout, stderr *bytes.Buffer) *app {
	a := newApp(strings.NewReader(r.stdin), stdout, stderr)
	a.stdoutTTY, a.stderrTTY = r.tty, r.tty
	a.transport = r.srv.FastTransport(nil)
	a.extraOptions = []client.Option{client.WithAllowInsecureLoopback(), client.WithRetryPolicy(cloudconnexatest.FastRetryPolicy())}
	return a
}

func (r *runner) run(args ...string) outcome {
	r.t.Helper()
	var stdout, stderr bytes.Buffer
	code := r.app(&stdout, &stderr).run(context.Background(), args)
	return outcome{stdout.String(), stderr.String(), code}
}

// ok runs args and fails the test unless they succeed.
func (r *runner) ok(args ...string) string {
	r.t.Helper()
	res := r.run(args...)
	require.Equal(r.t, exitOK, res.code, "cloudconnexa %s: %s", strings.Join(args, " "), res.stderr)
	return res.stdout
}

var (
	uuidRE = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	portRE = regexp.MustCompile(`127\.0\.0\.1:\d+`)
)

// normalize replaces what changes from run to run (ids the fake makes up,
// its port) so that outputs can be compared with golden files.
func normalize(s string) string {
	ids := map[string]string{}
	s = uuidRE.ReplaceAllStringFunc(s, func(id string) string {
		if _, ok := ids[id]; !ok {
			ids[id] = "<id-" + string(rune('a'+len(ids)%26)) + strings.Repeat("'", len(ids)/26) + ">"
		}
		return ids[id]
	})
	return portRE.ReplaceAllString(s, "127.0.0.1:PORT")
}

// golden compares got with testdata/golden/name, or writes it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to write the golden files")
	assert.Equal(t, string(want), got, "golden file %s (go test -update rewrites it)", path)
}

// TestEveryOperationHasACommand: the generated commands are exactly the
// document's operations, and each is reachable as SERVICE NAME.
func TestEveryOperationHasACommand(t *testing.T) {
	var want, got []string
	for _, op := range gen.Operations {
		want = append(want, op.ID)
	}
	root := newApp(nil, &bytes.Buffer{}, &bytes.Buffer{}).rootCommand()
	seen := map[string]bool{}
	for _, spec := range opSpecs {
		got = append(got, string(spec.Operation))
		op, ok := gen.LookupOperation(spec.Operation)
		require.True(t, ok, spec.Operation)
		assert.Equal(t, op.Method, spec.Method, spec.Operation)
		assert.Equal(t, op.Path, spec.Path, spec.Operation)
		cmd, rest, err := root.Find([]string{spec.Service, spec.Name})
		require.NoError(t, err, spec.Operation)
		assert.Empty(t, rest)
		assert.Equal(t, spec.Name, cmd.Name(), spec.Operation)
		assert.NotEmpty(t, cmd.Example, "%s has no example", spec.Operation)
		key := spec.Service + " " + spec.Name
		assert.False(t, seen[key], "two commands %s", key)
		seen[key] = true
	}
	slices.Sort(want)
	slices.Sort(got)
	assert.Equal(t, want, got)
	assert.Len(t, got, 163)
}

// TestGolden runs each kind of command and compares its output, text and
// JSON, with the golden files.
func TestGolden(t *testing.T) {
	r := newRunner(t, cloudconnexatest.WithTenant(cloudconnexatest.RealisticTenant(7)))
	first := strings.TrimSpace(r.ok("networks", "list", "--limit", "1", "--jq", ".id"))
	body := filepath.Join(t.TempDir(), "network.json")
	require.NoError(t, os.WriteFile(body, []byte(`{"name":"from-file","internetAccess":"SPLIT_TUNNEL_ON","egress":false,"connectors":[{"name":"c1","vpnRegionId":"us-east-1"}]}`), 0o600))
	cases := []struct {
		name  string
		args  []string
		stdin string
		tty   bool
	}{
		{"networks-list.json", []string{"networks", "list", "--limit", "3"}, "", false},
		{"networks-list.table", []string{"networks", "list"}, "", true},
		{"networks-list.yaml", []string{"networks", "list", "--limit", "2", "-o", "yaml"}, "", false},
		{"networks-list.jq", []string{"networks", "list", "--jq", "{name, routes: (.routes | length)}"}, "", false},
		{"networks-get.json", []string{"networks", "get", first}, "", false},
		{"networks-get.table", []string{"networks", "get", first}, "", true},
		{"networks-get.yaml", []string{"networks", "get", first, "-o", "yaml"}, "", false},
		{"networks-create-set.json", []string{"networks", "create", "--set", "name=from-set", "--set", "internetAccess=SPLIT_TUNNEL_ON", "--set", "egress=false", "--set", `connectors=[{"name":"c1","vpnRegionId":"us-east-1"}]`}, "", false},
		{"networks-create-file.table", []string{"networks", "create", "--data", "@" + body, "--set", "description=set over the file"}, "", true},
		{"networks-create-stdin.jq", []string{"networks", "create", "--data", "-", "--jq", ".name"}, `{"name":"from-stdin","internetAccess":"SPLIT_TUNNEL_ON","egress":false,"connectors":[{"name":"c1","vpnRegionId":"us-east-1"}]}`, false},
		{"users-list-limit.table", []string{"users", "list", "--limit", "5"}, "", true},
		{"settings-get-topology.json", []string{"settings", "get-topology"}, "", false},
		{"settings-get-topology.table", []string{"settings", "get-topology"}, "", true},
		{"settings-set-dns-proxy.json", []string{"settings", "set-dns-proxy-enabled", "--data", "true"}, "", false},
		{"settings-get-subnet.table", []string{"settings", "get-subnet"}, "", true},
		{"regions-list.table", []string{"regions", "list"}, "", true},
		{"networks-delete.json", []string{"networks", "delete", first}, "", false},
		{"networks-get-missing.json", []string{"networks", "get", first, "-o", "json"}, "", false},
		{"networks-get-missing.table", []string{"networks", "get", first}, "", true},
		{"api-get.jq", []string{"api", "GET", "networks", "--query", "size=2", "--jq", ".content[].name"}, "", false},
		{"api-get-regions.table", []string{"api", "GET", "/api/v1/regions"}, "", true},
		{"api-put-text.txt", []string{"api", "PUT", "settings/wpc/topology", "--data", "CUSTOM"}, "", false},
		{"api-get-missing.txt", []string{"api", "GET", "networks/" + first}, "", false},
		{"usage-json.txt", []string{"networks", "get", "-o", "json"}, "", false},
		{"help-networks-create.txt", []string{"networks", "create", "--help"}, "", false},
		{"help-sessions-list.txt", []string{"sessions", "list", "--help"}, "", false},
		{"usage-bad-enum.txt", []string{"sessions", "list", "--status", "NOPE"}, "", false},
		{"usage-unknown-field.txt", []string{"networks", "create", "--set", "nmae=x"}, "", false},
		{"usage-args.txt", []string{"devices", "get", "only-one"}, "", false},
	}
	for _, c := range cases {
		r.stdin, r.tty = c.stdin, c.tty
		res := r.run(c.args...)
		out := "$ cloudconnexa " + strings.Join(c.args, " ") + "\n" +
			"exit " + strconv.Itoa(res.code) + "\n" +
			"--- stdout\n" + res.stdout + "--- stderr\n" + res.stderr
		golden(t, c.name, normalize(strings.ReplaceAll(out, body, "network.json")))
		if strings.HasSuffix(c.name, ".json") && res.code == exitOK && res.stdout != "" {
			for line := range strings.SplitSeq(strings.TrimSpace(res.stdout), "\n") {
				if !strings.HasPrefix(line, " ") && line != "{" && line != "}" {
					assert.True(t, json.Valid([]byte(line)) || strings.HasPrefix(c.name, "networks-get"), "%s: %q", c.name, line)
				}
			}
		}
	}
}

// TestEveryServiceAnswers runs a read command of every service against a
// realistic tenant: each list, then a get of the first item listed.
func TestEveryServiceAnswers(t *testing.T) {
	r := newRunner(t, cloudconnexatest.WithTenant(cloudconnexatest.RealisticTenant(3)))
	services := map[string]bool{}
	for _, spec := range opSpecs {
		if spec.Method != "GET" || len(spec.Args) > 0 {
			continue
		}
		res := r.run(spec.Service, spec.Name, "--limit", "2")
		if !spec.List {
			res = r.run(spec.Service, spec.Name)
		}
		require.Equal(t, exitOK, res.code, "%s %s: %s", spec.Service, spec.Name, res.stderr)
		services[spec.Service] = true
		if !spec.List {
			continue
		}
		lines := strings.Split(strings.TrimSpace(res.stdout), "\n")
		var first map[string]any
		require.NoError(t, json.Unmarshal([]byte(lines[0]), &first), "%s %s", spec.Service, spec.Name)
		id, _ := first["id"].(string)
		if get := findSpec(spec.Service, "get"); get != nil && len(get.Args) == 1 && id != "" {
			out := r.ok(spec.Service, "get", id)
			assert.Contains(t, out, id)
		}
	}
	for _, s := range serviceSpecs {
		if !services[s.Name] {
			t.Logf("no argument-free read command: %s", s.Name)
		}
	}
	assert.GreaterOrEqual(t, len(services), 20)
}

func findSpec(service, name string) *opSpec {
	for _, s := range opSpecs {
		if s.Service == service && s.Name == name {
			return s
		}
	}
	return nil
}

// TestEveryCommandReachesItsOperation runs each of the 163 commands once,
// with made-up ids and a minimal body, and finds that its request reached
// the command's operation on the fake (whatever the fake answered: a
// made-up id is not found, an empty body is refused): every command is
// wired to its operation, with its arguments in the right places.
func TestEveryCommandReachesItsOperation(t *testing.T) {
	r := newRunner(t)
	now := time.Now().UTC().Truncate(time.Hour).Format(time.RFC3339)
	for _, spec := range opSpecs {
		args := []string{spec.Service, spec.Name}
		for _, a := range spec.Args {
			switch {
			case len(a.Enum) > 0:
				args = append(args, a.Enum[0])
			case a.Kind == "time.Time":
				args = append(args, now)
			default:
				args = append(args, "made-up-"+a.Param)
			}
		}
		if spec.Body != "" && spec.Operation != gen.OpRequestToken {
			data := "{}"
			switch {
			case spec.Body == "text":
				data = "x"
			case spec.BodyType.Kind() == reflect.Bool:
				data = "true"
			case spec.BodyType.Kind() == reflect.Int32:
				data = "30"
			case spec.BodyType.Kind() == reflect.Slice:
				data = "[]"
			}
			args = append(args, "--data", data)
		}
		if spec.List {
			args = append(args, "--limit", "1")
		}
		r.srv.ResetRequests()
		res := r.run(args...)
		assert.NotEqual(t, exitUsage, res.code, "%v: %s", args, res.stderr)
		var reached []gen.OperationID
		for _, req := range r.srv.Requests() {
			if req.Operation != gen.OpRequestToken || spec.Operation == gen.OpRequestToken {
				reached = append(reached, req.Operation)
			}
		}
		if assert.NotEmpty(t, reached, "%v sent nothing: %s", args, res.stderr) {
			assert.Equal(t, spec.Operation, reached[0], "%v", args)
		}
	}
}

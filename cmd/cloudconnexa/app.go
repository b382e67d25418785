package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/itchyny/gojq"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/cloudconnexa-go/cloudconnexa/client"
	"github.com/cloudconnexa-go/cloudconnexa/gen"
)

// app is one run of the command line: its standard streams, flags and
// what it has done so far (for the summary of an interrupted run).
type app struct {
	stdin     io.Reader
	stdout    *redactWriter
	stderr    *redactWriter
	stdoutTTY bool
	stderrTTY bool
	stdinUsed bool

	// transport sends the requests (nil: client.NewTransport()); tests
	// give the fake's. extraOptions come after the CLI's own (tests).
	transport    http.RoundTripper
	extraOptions []client.Option

	// Global flags.
	output        string
	jq            string
	envFile       string
	debug         bool
	allowLoopback bool

	ran bool // a command's RunE started: later errors are not usage errors

	requests      atomic.Int64 // API requests answered (or failed) so far
	tokenRequests atomic.Int64 // token requests
	items         atomic.Int64 // list items written so far
	progress      *progress
}

// newApp returns an app writing to stdout and stderr, which it recognizes
// as terminals when they are.
func newApp(stdin io.Reader, stdout, stderr io.Writer) *app {
	a := &app{stdin: stdin, stdout: &redactWriter{w: stdout}, stderr: &redactWriter{w: stderr}}
	a.stdoutTTY, a.stderrTTY = isTerminal(stdout), isTerminal(stderr)
	return a
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// redactWriter removes the client's secrets (the client secret in its
// encodings, the access tokens; client.Client.Authenticator().Redact) from
// everything written. Every write is a whole unit (a line, a document), so
// no secret is split between two writes.
type redactWriter struct {
	mu     sync.Mutex
	w      io.Writer
	redact func(string) string
}

func (r *redactWriter) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.redact == nil {
		return r.w.Write(p)
	}
	if _, err := io.WriteString(r.w, r.redact(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (r *redactWriter) setRedact(f func(string) string) {
	r.mu.Lock()
	r.redact = f
	r.mu.Unlock()
}

// run executes the command line args and returns the exit code.
func (a *app) run(ctx context.Context, args []string) int {
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetIn(a.stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	a.progress = newProgress(a)
	defer a.progress.stop()
	err := root.ExecuteContext(ctx)
	a.progress.stop()
	if err == nil {
		return exitOK
	}
	if !a.ran {
		var ue *usageError
		if !errors.As(err, &ue) {
			err = &usageError{err.Error()}
		}
	}
	var ie *interruptedError
	if ctx.Err() != nil && errors.Is(err, context.Canceled) && !errors.As(err, &ie) {
		err = &interruptedError{err: err, summary: a.summary()}
	}
	return a.fail(err)
}

// summary says what an interrupted run did.
func (a *app) summary() string {
	s := fmt.Sprintf("%d requests sent", a.requests.Load())
	if n := a.items.Load(); n > 0 {
		s += fmt.Sprintf(", %d items written", n)
	}
	return s
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "cloudconnexa",
		Short: "A command line for the OpenVPN CloudConnexa API",
		Long: `cloudconnexa calls every operation of the CloudConnexa API, with the
library's authentication, pacing, retries and errors.

Credentials come from CLOUDCONNEXA_BASE_URL, CLOUDCONNEXA_CLIENT_ID and
CLOUDCONNEXA_CLIENT_SECRET, or a dotenv file (--env-file FILE, or - for
stdin); never from a flag. Output is JSON when stdout is not a terminal,
a table when it is (--output). Exit codes: 0 ok, 1 API error, 2 usage,
3 not found, 4 rate limited, 5 network, 6 credentials refused or missing,
130 interrupted (docs/cli.md).`,
		Example: `  cloudconnexa networks list
  cloudconnexa networks get NETWORK-ID --output yaml
  cloudconnexa users list --jq '.email'
  cloudconnexa export ./backup`,
		SilenceErrors:     true,
		SilenceUsage:      true,
		Version:           version(),
		PersistentPreRunE: func(*cobra.Command, []string) error { return a.checkGlobals() },
	}
	root.SetVersionTemplate("{{.Version}}\n")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err.Error()} })
	pf := root.PersistentFlags()
	pf.StringVarP(&a.output, "output", "o", "", "output format: json, table or yaml (default: table on a terminal, json otherwise)")
	pf.StringVar(&a.jq, "jq", "", "filter the JSON output with a jq expression (each list item separately)")
	pf.StringVar(&a.envFile, "env-file", "", "read CLOUDCONNEXA_* variables missing from the environment from this dotenv file (- reads stdin)")
	pf.BoolVar(&a.debug, "debug", false, "log every request to stderr (never headers, bodies or secrets)")
	pf.BoolVar(&a.allowLoopback, "allow-insecure-loopback", false, "allow a plain http:// base URL on localhost (for cloudconnexa-fake)")
	_ = root.RegisterFlagCompletionFunc("output", cobra.FixedCompletions([]cobra.Completion{"json", "table", "yaml"}, cobra.ShellCompDirectiveNoFileComp))

	groups := map[string]*cobra.Command{}
	for _, s := range serviceSpecs {
		g := &cobra.Command{
			Use:   s.Name,
			Short: "Operations of " + s.Doc,
			Args:  a.noArgs,
			RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
		}
		groups[s.Name] = g
		root.AddCommand(g)
	}
	for _, spec := range opSpecs {
		g := groups[spec.Service]
		if g.Example == "" || spec.Name == "list" {
			g.Example = "  " + spec.Example
		}
		g.AddCommand(a.opCommand(spec))
	}
	root.AddCommand(a.versionCommand(), a.apiCommand(), a.exportCommand())
	return root
}

func (a *app) noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef("unknown command %q for %q", args[0], strings.TrimPrefix(cmd.CommandPath(), "cloudconnexa "))
	}
	return nil
}

func (a *app) checkGlobals() error {
	switch a.output {
	case "", "json", "table", "yaml":
	default:
		return usagef("--output %q: want json, table or yaml", a.output)
	}
	if a.jq != "" && a.output != "" && a.output != "json" {
		return usagef("--jq writes JSON: it cannot be combined with --output %s", a.output)
	}
	if a.jq != "" {
		if _, err := compileJQ(a.jq); err != nil {
			return usagef("--jq: %v", err)
		}
	}
	return nil
}

// format is the output format: the one asked for, else table on a
// terminal and JSON otherwise.
func (a *app) format() string {
	switch {
	case a.jq != "":
		return "json"
	case a.output != "":
		return a.output
	case a.stdoutTTY:
		return "table"
	}
	return "json"
}

// newClient builds the client from the environment and --env-file.
func (a *app) newClient() (*client.Client, error) {
	base := a.transport
	if base == nil {
		base = client.NewTransport()
	}
	opts := []client.Option{
		client.WithLogger(slog.New(a.progress.handler())),
		client.WithHTTPClient(&http.Client{Transport: a.progress.observe(base), Timeout: client.DefaultTimeout}),
		client.WithUserAgent("cloudconnexa-cli/" + moduleVersion() + " " + client.UserAgent()),
	}
	if a.envFile != "" {
		path := a.envFile
		if path == "-" {
			if a.stdinUsed {
				return nil, usagef("stdin is already used by --data -")
			}
			a.stdinUsed = true
			path = "/dev/stdin"
		}
		opts = append(opts, client.WithEnvFile(path))
	}
	if a.allowLoopback {
		opts = append(opts, client.WithAllowInsecureLoopback())
	}
	opts = append(opts, a.extraOptions...)
	c, err := client.NewFromEnv(opts...)
	if err != nil {
		return nil, &credentialsError{err}
	}
	a.stdout.setRedact(c.Authenticator().Redact)
	a.stderr.setRedact(c.Authenticator().Redact)
	return c, nil
}

func (a *app) opCommand(spec *opSpec) *cobra.Command {
	var data string
	var sets []string
	var limit int
	use := spec.Name
	for _, arg := range spec.Args {
		use += " " + arg.Use
	}
	long := fmt.Sprintf("%s.\n\nCalls %s (%s %s).", spec.Short, spec.Operation, spec.Method, spec.Path)
	for _, arg := range spec.Args {
		if arg.Desc != "" || len(arg.Enum) > 0 {
			long += fmt.Sprintf("\n  %s: %s%s", arg.Use, arg.Desc, enumText(arg.Enum))
		}
	}
	if spec.List {
		long += "\n\nFollows every page (the largest the API allows) and writes the items as they\narrive: one JSON document per line (--output json), rows (table) or a YAML list."
	}
	if spec.BodyType != nil && spec.BodyType.Kind() == reflect.Struct {
		long += "\n\nBody fields (--set): " + strings.Join(jsonFields(spec.BodyType), ", ")
	}
	cmd := &cobra.Command{
		Use:     use,
		Short:   spec.Short,
		Long:    long,
		Example: "  " + spec.Example,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != len(spec.Args) {
				return usagef("%q takes %d argument(s) (%s), got %d", strings.TrimPrefix(cmd.CommandPath(), "cloudconnexa "), len(spec.Args), strings.TrimPrefix(use, spec.Name+" "), len(args))
			}
			return nil
		},
		ValidArgsFunction: func(_ *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
			if len(args) < len(spec.Args) && len(spec.Args[len(args)].Enum) > 0 {
				return spec.Args[len(args)].Enum, cobra.ShellCompDirectiveNoFileComp
			}
			return nil, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			a.ran = true
			if limit < 0 {
				return usagef("--limit must not be negative")
			}
			c, err := a.newClient()
			if err != nil {
				return err
			}
			defer c.Close()
			if spec.Operation == gen.OpRequestToken {
				return a.printToken(cmd.Context(), c)
			}
			x := &call{ctx: cmd.Context(), c: c, app: a, spec: spec, args: args, flags: cmd.Flags(), data: data, sets: sets}
			v, err := spec.Run(x)
			if err != nil {
				return err
			}
			return a.print(v, limit)
		},
	}
	f := cmd.Flags()
	if spec.Operation == gen.OpRequestToken {
		// The credentials come from the environment, never from flags.
		cmd.Long = spec.Short + `.

Prints an access token for the credentials of CLOUDCONNEXA_* (or --env-file),
fetched as every command fetches its token (requestToken, POST
/api/v1/oauth/token), for a tool that needs one: the only output of the CLI
that carries a credential, because it is what you ask for. The client id and
secret are never flags.`
		cmd.Example = "  curl -H \"Authorization: Bearer $(cloudconnexa oauth request-token --jq .access_token)\" …"
		return cmd
	}
	for _, fs := range spec.Flags {
		usage := fs.Desc
		if usage == "" {
			usage = fs.Name
		}
		usage += enumText(fs.Enum)
		switch {
		case fs.Size && fs.Max != "":
			usage += " (default: the maximum, " + fs.Max + ")"
		case fs.Default != "":
			usage += " (the API's default: " + fs.Default + ")"
		}
		v := &textFlag{kind: fs.Kind, enum: fs.Enum}
		fl := f.VarPF(v, fs.Name, "", usage)
		if fs.Kind == "*bool" {
			fl.NoOptDefVal = "true"
		}
		if len(fs.Enum) > 0 {
			_ = cmd.RegisterFlagCompletionFunc(fs.Name, cobra.FixedCompletions(fs.Enum, cobra.ShellCompDirectiveNoFileComp))
		}
	}
	if spec.Body != "" {
		f.StringVarP(&data, "data", "d", "", "the request body: @FILE, - (stdin) or the value itself")
		_ = cmd.MarkFlagFilename("data", "json")
	}
	if spec.BodyType != nil && spec.BodyType.Kind() == reflect.Struct {
		f.StringArrayVar(&sets, "set", nil, "set a top-level field of the body: field=value (strings as they are, other types as JSON); repeatable, applied over --data")
		_ = cmd.RegisterFlagCompletionFunc("set", completeSet(spec))
	}
	if spec.List {
		f.IntVar(&limit, "limit", 0, "stop after this many items (0: all)")
	}
	return cmd
}

func enumText(enum []string) string {
	if len(enum) == 0 {
		return ""
	}
	return " (one of " + strings.Join(enum, ", ") + ")"
}

// textFlag is a query parameter's flag: its text, checked against its type
// when set and parsed into the params struct by call.flag.
type textFlag struct {
	v, kind string
	enum    []string
}

func (f *textFlag) String() string { return f.v }

func (f *textFlag) Type() string {
	switch f.kind {
	case "*bool":
		return "bool"
	case "time.Time":
		return "time"
	case "enum":
		return "string"
	}
	return f.kind
}

func (f *textFlag) Set(s string) error {
	var err error
	switch f.kind {
	case "int32":
		err = parseInto(new(int32), s, nil)
	case "int64":
		err = parseInto(new(int64), s, nil)
	case "*bool", "bool":
		err = parseInto(new(bool), s, nil)
	case "time.Time":
		_, err = parseTime(s)
	default:
		err = parseInto(new(string), s, f.enum)
	}
	if err != nil {
		return err
	}
	f.v = s
	return nil
}

var _ pflag.Value = (*textFlag)(nil)

// printToken writes an access token for the configured credentials: the
// answer of requestToken, from the client's own Authenticator. It is
// written past the redactor, which would hide it: the token is what was
// asked for. The client secret still never appears.
func (a *app) printToken(ctx context.Context, c *client.Client) error {
	tok, err := c.Authenticator().Token(ctx)
	if err != nil {
		return err
	}
	var code *gojq.Code
	if a.jq != "" {
		if code, err = compileJQ(a.jq); err != nil {
			return usagef("--jq: %v", err)
		}
	}
	var buf bytes.Buffer
	if err := a.render(&buf, map[string]string{"access_token": tok, "token_type": "Bearer"}, code); err != nil {
		return err
	}
	a.stdout.mu.Lock()
	defer a.stdout.mu.Unlock()
	_, err = a.stdout.w.Write(buf.Bytes())
	return err
}

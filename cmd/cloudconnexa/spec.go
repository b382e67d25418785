package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/cloudconnexa-go/cloudconnexa/client"
	"github.com/cloudconnexa-go/cloudconnexa/gen"
)

// serviceSpec is a command group: one service of the resource API.
type serviceSpec struct{ Name, Field, Doc string }

// argSpec is a positional argument: an id (owner's first, then path ids in
// path order) or another required query value.
type argSpec struct {
	Use, Param, Kind, Desc string
	Enum                   []string
}

// flagSpec is an optional query parameter. Kind is string, int32, int64,
// *bool, time.Time or enum. Size marks a list's page (or batch) size,
// whose default in the CLI is the API's maximum, Max.
type flagSpec struct {
	Name, Kind, Desc string
	Enum             []string
	Default, Max     string
	Size             bool
}

// opSpec is the command of one operation (commands.gen.go).
type opSpec struct {
	Service, Name string
	Operation     gen.OperationID
	Method, Path  string
	Short         string
	Args          []argSpec
	Flags         []flagSpec
	Body          string       // "", "json" or "text"
	BodyType      reflect.Type // the body's Go type
	List          bool
	Example       string
	Run           func(*call) (any, error)
}

// call is what a generated Run function reads its inputs from.
type call struct {
	ctx   context.Context
	c     *client.Client
	app   *app
	spec  *opSpec
	args  []string
	flags *pflag.FlagSet
	data  string
	sets  []string
}

// maxInput bounds what --data reads from a file or stdin.
const maxInput = 16 << 20

// usageError is a mistake on the command line (exit code 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

func (x *call) arg(i int, ptr any) error {
	a := x.spec.Args[i]
	if err := parseInto(ptr, x.args[i], a.Enum); err != nil {
		return usagef("argument %s: %v", a.Use, err)
	}
	return nil
}

// flag reads the flag into ptr when it was given. A list's size left unset
// is the API's maximum: the fewest requests.
func (x *call) flag(name string, ptr any) error {
	f := x.flags.Lookup(name)
	spec := x.flagSpec(name)
	if f == nil || spec == nil {
		return fmt.Errorf("internal error: no flag %s", name)
	}
	v := f.Value.String()
	if !f.Changed {
		if !spec.Size || spec.Max == "" {
			return nil
		}
		v = spec.Max
	}
	if err := parseInto(ptr, v, spec.Enum); err != nil {
		return usagef("flag --%s: %v", name, err)
	}
	return nil
}

func (x *call) flagSpec(name string) *flagSpec {
	for i := range x.spec.Flags {
		if x.spec.Flags[i].Name == name {
			return &x.spec.Flags[i]
		}
	}
	return nil
}

var timeType = reflect.TypeFor[time.Time]()

// parseInto sets *ptr from s, by the type of *ptr: strings (and enums,
// checked against enum when it is not empty), integers, booleans (also
// *bool) and times (RFC 3339, or a date).
func parseInto(ptr any, s string, enum []string) error {
	v := reflect.ValueOf(ptr).Elem()
	if v.Kind() == reflect.Pointer { // *bool of a params struct
		nv := reflect.New(v.Type().Elem())
		if err := parseInto(nv.Interface(), s, enum); err != nil {
			return err
		}
		v.Set(nv)
		return nil
	}
	if v.Type() == timeType {
		t, err := parseTime(s)
		if err != nil {
			return err
		}
		v.Set(reflect.ValueOf(t))
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		if len(enum) > 0 && !slices.Contains(enum, s) {
			return fmt.Errorf("%q is not one of %s", s, strings.Join(enum, ", "))
		}
		v.SetString(s)
	case reflect.Int32, reflect.Int64, reflect.Int:
		n, err := strconv.ParseInt(s, 10, v.Type().Bits())
		if err != nil {
			return fmt.Errorf("%q is not an integer", s)
		}
		v.SetInt(n)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("%q is not true or false", s)
		}
		v.SetBool(b)
	default:
		return fmt.Errorf("unsupported type %s", v.Type())
	}
	return nil
}

func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time (RFC 3339, e.g. 2026-01-02T15:04:05Z, or a date)", s)
}

// input reads --data: @FILE, - (stdin), or the value itself.
func (a *app) input(data string) ([]byte, error) {
	var r io.Reader
	switch {
	case data == "-":
		if a.stdinUsed {
			return nil, usagef("stdin is already used by --env-file -")
		}
		a.stdinUsed = true
		r = a.stdin
	case strings.HasPrefix(data, "@"):
		f, err := os.Open(data[1:])
		if err != nil {
			return nil, usagef("--data: %v", err)
		}
		defer f.Close()
		r = f
	default:
		return []byte(data), nil
	}
	b, err := io.ReadAll(io.LimitReader(r, maxInput+1))
	if err != nil {
		return nil, usagef("--data: %v", err)
	}
	if len(b) > maxInput {
		return nil, usagef("--data: more than %d bytes", maxInput)
	}
	return b, nil
}

// body fills the request body from --data and --set.
func (x *call) body(ptr any) error {
	var raw []byte
	if x.data != "" {
		b, err := x.app.input(x.data)
		if err != nil {
			return err
		}
		raw = b
	}
	if x.spec.Body == "text" {
		if len(x.sets) > 0 {
			return usagef("--set: this operation's body is text: use --data")
		}
		if raw == nil {
			return usagef("this command needs a body: --data VALUE, --data @FILE or --data -")
		}
		reflect.ValueOf(ptr).Elem().SetString(strings.TrimRight(string(raw), "\r\n"))
		return nil
	}
	t := reflect.TypeOf(ptr).Elem()
	if len(x.sets) > 0 {
		if t.Kind() != reflect.Struct {
			return usagef("--set: this operation's body is a %s, not an object: use --data", jsonKind(t))
		}
		obj := map[string]json.RawMessage{}
		if raw != nil {
			if err := json.Unmarshal(raw, &obj); err != nil {
				return usagef("--data: not a JSON object: %v", err)
			}
		}
		for _, s := range x.sets {
			name, value, ok := strings.Cut(s, "=")
			if !ok {
				return usagef("--set %s: want field=value", s)
			}
			ft, ok := jsonField(t, name)
			if !ok {
				return usagef("--set %s: the body has no field %q (fields: %s)", s, name, strings.Join(jsonFields(t), ", "))
			}
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.String {
				obj[name], _ = json.Marshal(value)
			} else if json.Valid([]byte(value)) {
				obj[name] = json.RawMessage(value)
			} else {
				return usagef("--set %s: field %s is a %s: give its JSON value", s, name, jsonKind(ft))
			}
		}
		raw, _ = json.Marshal(obj)
	}
	if raw == nil {
		return usagef("this command needs a body: --data @FILE, --data -, --data JSON or --set field=value")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(ptr); err != nil {
		return usagef("body: %v", err)
	}
	if dec.More() {
		return usagef("body: more than one JSON value")
	}
	return nil
}

func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		if t == timeType {
			return "time"
		}
		return "object"
	case reflect.Slice:
		return "list"
	case reflect.Bool:
		return "boolean"
	case reflect.String:
		return "string"
	}
	return "number"
}

// jsonName is the JSON name of a struct field, "" when it has none.
func jsonName(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "-" {
		return ""
	}
	if name == "" {
		return f.Name
	}
	return name
}

func jsonField(t reflect.Type, name string) (reflect.Type, bool) {
	for f := range reflectFields(t) {
		if jsonName(f) == name {
			return f.Type, true
		}
	}
	return nil, false
}

func jsonFields(t reflect.Type) []string {
	var out []string
	for f := range reflectFields(t) {
		if n := jsonName(f); n != "" {
			out = append(out, n)
		}
	}
	return out
}

func reflectFields(t reflect.Type) iter.Seq[reflect.StructField] {
	return func(yield func(reflect.StructField) bool) {
		if t.Kind() != reflect.Struct {
			return
		}
		for i := range t.NumField() {
			if !yield(t.Field(i)) {
				return
			}
		}
	}
}

// result hands a method's answer to the output.
func result[T any](v T, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return v, nil
}

// itemStream is a list command's answer: every item of every page, fetched
// as the output consumes them.
type itemStream struct {
	itemType reflect.Type
	each     func(func(any) error) error
}

func stream[T any](_ *call, seq iter.Seq2[T, error]) itemStream {
	return itemStream{itemType: reflect.TypeFor[T](), each: func(f func(any) error) error {
		for v, err := range seq {
			if err != nil {
				return err
			}
			if err := f(v); err != nil {
				return err
			}
		}
		return nil
	}}
}

// completeSet completes --set with the body's field names.
func completeSet(spec *opSpec) func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
	return func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		var out []cobra.Completion
		for _, f := range jsonFields(spec.BodyType) {
			out = append(out, f+"=")
		}
		return out, cobra.ShellCompDirectiveNoSpace
	}
}

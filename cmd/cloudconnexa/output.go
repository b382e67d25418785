package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/itchyny/gojq"
	"go.yaml.in/yaml/v3"
)

// How the output is written (docs/cli.md, "Output"):
//
//   - A single answer is rendered whole in memory, then written at once: a
//     failure never leaves part of a document on stdout.
//   - A list is written item by item as the pages arrive, never held in
//     memory: in JSON as one compact document per line (NDJSON), so that
//     every line is a complete document even when the listing fails half
//     way; in YAML as the items of one sequence; in a table as rows,
//     aligned in blocks of tableBlock rows.
//   - --jq runs its expression on the single answer, or on each item of a
//     list (as jq does on a stream); a string result is written raw, any
//     other as compact JSON, one per line.

// tableBlock is how many rows of a list table are aligned together.
const tableBlock = 100

// errLimit stops a listing at --limit.
var errLimit = errors.New("limit reached")

func compileJQ(expr string) (*gojq.Code, error) {
	q, err := gojq.Parse(expr)
	if err != nil {
		return nil, err
	}
	return gojq.Compile(q)
}

// print writes a command's answer: nil (no body) writes nothing.
func (a *app) print(v any, limit int) error {
	var code *gojq.Code
	if a.jq != "" {
		var err error
		if code, err = compileJQ(a.jq); err != nil {
			return usagef("--jq: %v", err)
		}
	}
	switch v := v.(type) {
	case nil:
		return nil
	case itemStream:
		return a.printStream(v, limit, code)
	}
	var buf bytes.Buffer
	if err := a.render(&buf, v, code); err != nil {
		return err
	}
	_, err := a.stdout.Write(buf.Bytes())
	return err
}

// render writes one answer into buf in the output format.
func (a *app) render(buf *bytes.Buffer, v any, code *gojq.Code) error {
	if code != nil {
		return runJQ(buf, code, v)
	}
	switch a.format() {
	case "yaml":
		g, err := generic(v)
		if err != nil {
			return err
		}
		b, err := yaml.Marshal(g)
		if err != nil {
			return err
		}
		buf.Write(b)
	case "table":
		return renderTable(buf, v)
	default:
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return err
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	return nil
}

func (a *app) printStream(s itemStream, limit int, code *gojq.Code) error {
	format := a.format()
	var cols []column
	var table bytes.Buffer
	var tw *tabwriter.Writer
	rows := 0
	flush := func() error {
		if tw == nil || rows == 0 {
			return nil
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		rows = 0
		_, err := a.stdout.Write(table.Bytes())
		table.Reset()
		return err
	}
	if format == "table" && code == nil {
		cols = columns(s.itemType)
		tw = tabwriter.NewWriter(&table, 0, 4, 2, ' ', 0)
		var head []string
		for _, c := range cols {
			head = append(head, strings.ToUpper(c.name))
		}
		fmt.Fprintln(tw, strings.Join(head, "\t"))
		rows++
	}
	n := 0
	err := s.each(func(item any) error {
		if limit > 0 && n >= limit {
			return errLimit
		}
		n++
		var buf bytes.Buffer
		switch {
		case code != nil:
			if err := runJQ(&buf, code, item); err != nil {
				return err
			}
		case format == "table":
			g, err := generic(item)
			if err != nil {
				return err
			}
			var cells []string
			for _, c := range cols {
				cells = append(cells, cell(lookup(g, c.name)))
			}
			fmt.Fprintln(tw, strings.Join(cells, "\t"))
			rows++
			a.items.Add(1)
			if rows >= tableBlock {
				return flush()
			}
			return nil
		case format == "yaml":
			g, err := generic(item)
			if err != nil {
				return err
			}
			b, err := yaml.Marshal([]any{g})
			if err != nil {
				return err
			}
			buf.Write(b)
		default:
			b, err := json.Marshal(item)
			if err != nil {
				return err
			}
			buf.Write(b)
			buf.WriteByte('\n')
		}
		if _, err := a.stdout.Write(buf.Bytes()); err != nil {
			return err
		}
		a.items.Add(1)
		return nil
	})
	if errors.Is(err, errLimit) {
		err = nil
	}
	if ferr := flush(); err == nil {
		err = ferr
	}
	return err
}

// runJQ writes the results of code on v into buf.
func runJQ(buf *bytes.Buffer, code *gojq.Code, v any) error {
	g, err := generic(v)
	if err != nil {
		return err
	}
	iter := code.Run(g)
	for {
		r, ok := iter.Next()
		if !ok {
			return nil
		}
		if err, ok := r.(error); ok {
			var halt *gojq.HaltError
			if errors.As(err, &halt) && halt.Value() == nil {
				return nil
			}
			return fmt.Errorf("--jq: %w", err)
		}
		if s, ok := r.(string); ok {
			buf.WriteString(s)
		} else {
			b, err := gojq.Marshal(r)
			if err != nil {
				return err
			}
			buf.Write(b)
		}
		buf.WriteByte('\n')
	}
}

// generic is v as plain JSON values (maps, slices, float64, string, bool).
func generic(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var g any
	err = json.Unmarshal(b, &g)
	return g, err
}

type column struct{ name string }

// columns are the table's columns for items of type t: its scalar
// top-level fields, id and name first, at most maxColumns.
func columns(t reflect.Type) []column {
	const maxColumns = 6
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var names []string
	for f := range reflectFields(t) {
		name := jsonName(f)
		if name == "" || !scalar(f.Type) {
			continue
		}
		names = append(names, name)
	}
	slices.SortStableFunc(names, func(x, y string) int { return rank(x) - rank(y) })
	if len(names) > maxColumns {
		names = names[:maxColumns]
	}
	if len(names) == 0 {
		names = []string{"value"}
	}
	var out []column
	for _, n := range names {
		out = append(out, column{n})
	}
	return out
}

func rank(name string) int {
	switch name {
	case "id":
		return 0
	case "name", "email", "username", "domain":
		return 1
	}
	return 2
}

func scalar(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == timeType {
		return true
	}
	switch t.Kind() {
	case reflect.String, reflect.Bool, reflect.Int, reflect.Int32, reflect.Int64, reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

func lookup(g any, name string) any {
	if m, ok := g.(map[string]any); ok {
		return m[name]
	}
	if name == "value" {
		return g
	}
	return nil
}

// cell is a value as a table cell: nested values as compact JSON, cut short.
func cell(v any) string {
	const maxCell = 60
	var s string
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		s = v
	case float64, bool:
		s = fmt.Sprint(v)
	case []any:
		parts := make([]string, 0, len(v))
		for _, e := range v {
			switch e.(type) {
			case map[string]any, []any:
				return fmt.Sprintf("(%d items)", len(v))
			}
			parts = append(parts, cell(e))
		}
		s = strings.Join(parts, ", ")
	case map[string]any:
		return fmt.Sprintf("(%d fields)", len(v))
	default:
		b, _ := json.Marshal(v)
		s = string(b)
	}
	s = oneLine(s)
	if r := []rune(s); len(r) > maxCell {
		s = string(r[:maxCell-1]) + "…"
	}
	return s
}

// renderTable writes a single answer for people: an object as FIELD VALUE
// rows, a list as a table, a scalar as itself.
func renderTable(buf *bytes.Buffer, v any) error {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		rv = rv.Elem()
	}
	switch {
	case rv.Kind() == reflect.String:
		buf.WriteString(rv.String())
		buf.WriteByte('\n')
		return nil
	case rv.Type() == reflect.TypeFor[time.Time]() || scalar(rv.Type()):
		fmt.Fprintln(buf, rv.Interface())
		return nil
	}
	g, err := generic(v)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(buf, 0, 4, 2, ' ', 0)
	switch gv := g.(type) {
	case map[string]any: // an answer of cloudconnexa api
		for _, k := range slices.Sorted(maps.Keys(gv)) {
			fmt.Fprintf(tw, "%s\t%s\n", k, cell(gv[k]))
		}
		return tw.Flush()
	case []any:
		if rv.Type().Elem().Kind() == reflect.Interface {
			keys := map[string]bool{}
			for _, item := range gv {
				if m, ok := item.(map[string]any); ok {
					for k, val := range m {
						if _, nested := val.(map[string]any); !nested {
							keys[k] = true
						}
					}
				}
			}
			names := slices.Sorted(maps.Keys(keys))
			slices.SortStableFunc(names, func(x, y string) int { return rank(x) - rank(y) })
			if len(names) == 0 {
				names = []string{"value"}
			}
			fmt.Fprintln(tw, strings.ToUpper(strings.Join(names, "\t")))
			for _, item := range gv {
				var cells []string
				for _, n := range names {
					cells = append(cells, cell(lookup(item, n)))
				}
				fmt.Fprintln(tw, strings.Join(cells, "\t"))
			}
			return tw.Flush()
		}
	}
	switch rv.Kind() {
	case reflect.Slice:
		cols := columns(rv.Type().Elem())
		var head []string
		for _, c := range cols {
			head = append(head, strings.ToUpper(c.name))
		}
		fmt.Fprintln(tw, strings.Join(head, "\t"))
		list, _ := g.([]any)
		for _, item := range list {
			var cells []string
			for _, c := range cols {
				cells = append(cells, cell(lookup(item, c.name)))
			}
			fmt.Fprintln(tw, strings.Join(cells, "\t"))
		}
	case reflect.Struct:
		m, _ := g.(map[string]any)
		for f := range reflectFields(rv.Type()) {
			name := jsonName(f)
			if val, ok := m[name]; ok && name != "" {
				fmt.Fprintf(tw, "%s\t%s\n", name, cell(val))
			}
		}
	default:
		b, _ := json.MarshalIndent(g, "", "  ")
		buf.Write(b)
		buf.WriteByte('\n')
	}
	return tw.Flush()
}

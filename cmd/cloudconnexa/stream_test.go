package main

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudconnexa-go/cloudconnexa/gen"
)

// countingWriter counts the lines written.
type countingWriter struct{ lines int }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.lines += bytes.Count(p, []byte("\n"))
	return len(p), nil
}

// TestListsStream: a list of 100,000 items (10,000 in YAML and tables) is written as it is produced,
// never held: in JSON each item is on stdout before the next is produced,
// in YAML too, and a table holds at most one block of rows. (The library's
// iterators hold one page; together a listing's memory does not grow with
// its length.)
func TestListsStream(t *testing.T) {
	for _, format := range []string{"json", "yaml", "table"} {
		n := 100_000
		if format != "json" {
			n = 10_000 // the same property, cheaper to encode
		}
		out := &countingWriter{}
		a := newApp(nil, out, &bytes.Buffer{})
		a.output = format
		maxHeld := 0
		s := itemStream{itemType: reflect.TypeFor[gen.NetworkResponse](), each: func(f func(any) error) error {
			for i := range n {
				held := i - int(a.items.Load()) // produced but not yet written
				if format == "table" {
					held = i - (out.lines - 1) // rows not yet flushed (the header is a line)
				}
				maxHeld = max(maxHeld, held)
				name := fmt.Sprintf("net-%d", i)
				if err := f(gen.NetworkResponse{ID: name, Name: name}); err != nil {
					return err
				}
			}
			return nil
		}}
		require.NoError(t, a.print(s, 0))
		assert.EqualValues(t, n, a.items.Load(), format)
		switch format {
		case "json":
			assert.Equal(t, n, out.lines)
			assert.Zero(t, maxHeld, "json: an item is written before the next is produced")
		case "yaml":
			assert.Zero(t, maxHeld, "yaml: an item is written before the next is produced")
		case "table":
			assert.Equal(t, n+1, out.lines)
			assert.LessOrEqual(t, maxHeld, tableBlock, "table: at most one block held")
		}
	}
}

// TestCompletion: the shells' scripts, and the values the shell completes.
func TestCompletion(t *testing.T) {
	run := func(args ...string) string {
		var stdout, stderr bytes.Buffer
		code := newApp(strings.NewReader(""), &stdout, &stderr).run(t.Context(), args)
		require.Equal(t, exitOK, code, stderr.String())
		return stdout.String()
	}
	for _, shell := range []string{"bash", "zsh", "fish"} {
		assert.Contains(t, run("completion", shell), "cloudconnexa", shell)
	}
	assert.Contains(t, run("__complete", "sessions", "list", "--status", ""), "COMPLETED")
	assert.Contains(t, run("__complete", "networks", ""), "list")
	assert.Contains(t, run("__complete", "networks", "create", "--set", ""), "internetAccess=")
	assert.Contains(t, run("__complete", "--output", ""), "yaml")
	assert.Contains(t, run("version"), "cloudconnexa ")
	assert.Contains(t, run("networks", "get", "--help"), "cloudconnexa networks get ID")
	for _, s := range serviceSpecs {
		assert.Contains(t, run(s.Name, "--help"), "Examples:\n  cloudconnexa "+s.Name+" ", s.Name)
	}
}

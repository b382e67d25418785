package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/cloudconnexa-go/cloudconnexa/client"
)

// exportKind is one file of an export: a list or a setting, read by the
// command of one operation.
type exportKind struct {
	name string // the file's name without .json: networks, settings.topology
	spec *opSpec
}

// exportKinds are every read of the tenant's configuration the API has:
// every GET without a path parameter (lists and settings), in the order of
// the commands.
func exportKinds() []exportKind {
	var out []exportKind
	for _, s := range opSpecs {
		if s.Method != "GET" || strings.Contains(s.Path, "{") {
			continue
		}
		name := s.Name
		for _, p := range []string{"list-", "list", "get-", "get"} {
			if rest, ok := strings.CutPrefix(name, p); ok {
				name = rest
				break
			}
		}
		if name != "" {
			name = s.Service + "." + name
		} else {
			name = s.Service
		}
		out = append(out, exportKind{name, s})
	}
	return out
}

// exportRow is one line of the summary.
type exportRow struct {
	Kind     string `json:"kind"`
	File     string `json:"file"`
	Items    int    `json:"items"`
	Requests int64  `json:"requests"`
	Status   string `json:"status"` // exported, kept (already there: resumed), failed: …
}

func (a *app) exportCommand() *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "export DIR",
		Short: "Export the tenant's whole configuration: every list and setting, one JSON file per kind",
		Long: `Export reads every list and every setting the API has (every GET without a
path parameter) and writes each to DIR/KIND.json: a list as a JSON array of
its items (written as the pages arrive, never held in memory), a setting as
its JSON value. Lists are read with the largest page size the API allows, so
the export costs the fewest requests; the client paces them under the API
key's budget and says on stderr when it waits.

A file appears only once its kind is complete (it is written to KIND.json.partial
and renamed), so an interrupted export resumes where it stopped: kinds whose
file exists are kept, unless --force. Time-windowed lists take the API's
default window: sessions and the audit log of the last day, the DNS log of
the current hour.

A summary lists each kind, its file, items, requests and status. The exit
code is 0 when every kind was exported or kept, else that of the first failure.`,
		Example: `  cloudconnexa export ./backup
  cloudconnexa export ./backup --force -o json`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("export takes one argument, the directory, got %d", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			a.ran = true
			return a.export(cmd.Context(), args[0], force)
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "export every kind again, even those already in DIR")
	return cmd
}

func (a *app) export(ctx context.Context, dir string, force bool) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	c, err := a.newClient()
	if err != nil {
		return err
	}
	defer c.Close()
	kinds := exportKinds()
	var rows []exportRow
	var firstErr error
	for i, k := range kinds {
		file := filepath.Join(dir, k.name+".json")
		row := exportRow{Kind: k.name, File: file}
		if _, err := os.Stat(file); err == nil && !force {
			row.Status = "kept"
			rows = append(rows, row)
			continue
		}
		a.progress.setTask(fmt.Sprintf("exporting %s (%d of %d)", k.name, i+1, len(kinds)))
		before := a.requests.Load()
		n, err := a.exportKind(ctx, c, k, file)
		row.Items, row.Requests = n, a.requests.Load()-before
		if err != nil {
			if ctx.Err() != nil {
				a.progress.setTask("")
				_ = a.print(rows, 0)
				done := 0
				for _, r := range rows {
					if r.Status == "exported" || r.Status == "kept" {
						done++
					}
				}
				return &interruptedError{err: err, summary: fmt.Sprintf("%d of %d kinds in %s (run the same command to resume); %s", done, len(kinds), dir, a.summary())}
			}
			row.Status = "failed: " + oneLine(err.Error())
			if firstErr == nil {
				firstErr = fmt.Errorf("export of %s: %w", k.name, err)
			}
		} else {
			row.Status = "exported"
		}
		rows = append(rows, row)
	}
	a.progress.setTask("")
	if err := a.print(rows, 0); err != nil {
		return err
	}
	if firstErr != nil {
		failed := 0
		for _, r := range rows {
			if strings.HasPrefix(r.Status, "failed") {
				failed++
			}
		}
		return fmt.Errorf("%d of %d kinds failed; the first: %w", failed, len(kinds), firstErr)
	}
	return nil
}

// exportKind writes one kind to file (through file.partial) and returns
// how many items it had (1 for a setting).
func (a *app) exportKind(ctx context.Context, c *client.Client, k exportKind, file string) (int, error) {
	cmd := a.opCommand(k.spec) // its flags, unset: lists take the largest page
	args := make([]string, len(k.spec.Args))
	for i, arg := range k.spec.Args {
		if arg.Kind == "time.Time" {
			args[i] = time.Now().UTC().Truncate(time.Hour).Format(time.RFC3339)
		}
	}
	x := &call{ctx: ctx, c: c, app: a, spec: k.spec, args: args, flags: cmd.Flags()}
	v, err := k.spec.Run(x)
	if err != nil {
		return 0, err
	}
	partial := file + ".partial"
	f, err := os.Create(partial)
	if err != nil {
		return 0, err
	}
	defer os.Remove(partial) // after a rename, nothing to remove
	w := bufio.NewWriter(f)
	n, err := writeExport(w, v)
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return n, err
	}
	return n, os.Rename(partial, file)
}

// writeExport writes a list as a JSON array, item by item, and anything
// else as its indented JSON.
func writeExport(w *bufio.Writer, v any) (int, error) {
	s, ok := v.(itemStream)
	if !ok {
		n := 1
		if rv := reflect.ValueOf(v); rv.Kind() == reflect.Slice {
			n = rv.Len()
		}
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return 0, err
		}
		w.Write(b)
		w.WriteString("\n")
		return n, nil
	}
	n := 0
	w.WriteString("[")
	err := s.each(func(item any) error {
		b, err := json.Marshal(item)
		if err != nil {
			return err
		}
		if n > 0 {
			w.WriteString(",")
		}
		w.WriteString("\n  ")
		w.Write(b)
		n++
		return nil
	})
	if err != nil && !errors.Is(err, errLimit) {
		return n, err
	}
	if n > 0 {
		w.WriteString("\n")
	}
	w.WriteString("]\n")
	return n, nil
}

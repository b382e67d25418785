package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cloudconnexa-go/cloudconnexa/gen"
)

// apiCommand is the escape hatch: any request, through the client's own
// pipeline (the same token handling, pacing, retries, redaction and typed
// errors as every other command).
func (a *app) apiCommand() *cobra.Command {
	var data string
	var query []string
	cmd := &cobra.Command{
		Use:   "api METHOD PATH",
		Short: "Send any request to the API, with the same authentication, pacing and errors",
		Long: `api sends METHOD PATH (relative to /api/v1/ unless it starts with /) with
the client's token, pacing and retries, and writes the answer: JSON in the
output format (--output, --jq), any other body as it is. A non-2xx answer is
an error on stderr with the usual exit code.`,
		Example: `  cloudconnexa api GET networks --query size=5
  cloudconnexa api PUT /api/v1/settings/wpc/topology --data FULL_MESH
  cloudconnexa api POST networks --data @network.json --jq .id`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 2 {
				return usagef("api takes METHOD and PATH, got %d argument(s)", len(args))
			}
			m := strings.ToUpper(args[0])
			if !slices.Contains([]string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"}, m) {
				return usagef("api: unknown method %q", args[0])
			}
			return nil
		},
		ValidArgsFunction: func(_ *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
			if len(args) == 0 {
				return []cobra.Completion{"GET", "POST", "PUT", "PATCH", "DELETE"}, cobra.ShellCompDirectiveNoFileComp
			}
			if len(args) == 1 {
				var paths []cobra.Completion
				for _, op := range gen.Operations {
					if op.Method == strings.ToUpper(args[0]) {
						paths = append(paths, op.Path)
					}
				}
				return slices.Compact(paths), cobra.ShellCompDirectiveNoFileComp
			}
			return nil, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			a.ran = true
			method, path := strings.ToUpper(args[0]), args[1]
			if !strings.HasPrefix(path, "/") {
				path = "/api/v1/" + path
			}
			u, err := url.Parse(path)
			if err != nil || u.Host != "" || u.Scheme != "" {
				return usagef("api: PATH %q is not a path of the API", args[1])
			}
			q := u.Query()
			for _, kv := range query {
				k, v, ok := strings.Cut(kv, "=")
				if !ok {
					return usagef("--query %s: want key=value", kv)
				}
				q.Add(k, v)
			}
			u.RawQuery = q.Encode()
			var body io.Reader
			var contentType string
			if data != "" {
				b, err := a.input(data)
				if err != nil {
					return err
				}
				body, contentType = bytes.NewReader(b), "text/plain"
				if json.Valid(b) {
					contentType = "application/json"
				}
			}
			c, err := a.newClient()
			if err != nil {
				return err
			}
			defer c.Close()
			gc, ok := c.Raw.ClientInterface.(*gen.Client)
			if !ok {
				return fmt.Errorf("api: the client's raw layer is not gen.Client")
			}
			req, err := http.NewRequestWithContext(cmd.Context(), method, strings.TrimSuffix(c.BaseURL(), "/")+u.String(), body)
			if err != nil {
				return usagef("api: %v", err)
			}
			if contentType != "" {
				req.Header.Set("Content-Type", contentType)
			}
			req.Header.Set("Accept", "application/json, text/plain")
			resp, err := gc.Client.Do(req)
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			if err != nil {
				return err
			}
			if len(b) == 0 {
				return nil
			}
			media, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
			if media == "application/json" || strings.HasSuffix(media, "+json") {
				var v any
				if err := json.Unmarshal(b, &v); err == nil {
					return a.print(v, 0)
				}
			}
			if !bytes.HasSuffix(b, []byte("\n")) {
				b = append(b, '\n')
			}
			_, err = a.stdout.Write(b)
			return err
		},
	}
	cmd.Flags().StringVarP(&data, "data", "d", "", "the request body: @FILE, - (stdin) or the value itself (JSON is sent as application/json, anything else as text/plain)")
	cmd.Flags().StringArrayVarP(&query, "query", "q", nil, "add a query parameter: key=value (repeatable)")
	return cmd
}

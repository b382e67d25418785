package client

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"net/http"

	"github.com/cloudconnexa-go/cloudconnexa/gen"
)

// DefaultPageSize is the page size the All* iterators ask for unless the
// caller's params set one: the API's maximum, so a listing costs as few
// requests as possible.
const DefaultPageSize int32 = 1000

// defaultBatchSize is the batch size of the cursor iterators when the
// caller's params leave Size at 0: the API's maximum for sessions and
// audit logs.
const defaultBatchSize int32 = 100

// listFunc is a generated raw list method such as (*gen.Client).ListNetworks.
type listFunc[P any] func(ctx context.Context, params *P, reqEditors ...gen.RequestEditorFn) (*http.Response, error)

// pageBody has the shape of every gen.PageXxx type.
type pageBody[T any] struct {
	Content    []T   `json:"content"`
	TotalPages int32 `json:"totalPages"`
}

// pages iterates over the items of a page-based list. It fetches lazily,
// from the caller's page (default 0) with the caller's size (default
// DefaultPageSize), stops when the consumer stops, and never asks for a page
// past the last one: it ends after page totalPages-1 or an empty page. An
// error is yielded once, as the last element. slots returns the addresses of
// params' Page and Size fields; params itself is copied, never modified.
func pages[T, P any](c *Client, ctx context.Context, params *P, list listFunc[P], slots func(*P) (page, size **int32)) iter.Seq2[T, error] {
	var p P
	if params != nil {
		p = *params
	}
	pagePtr, sizePtr := slots(&p)
	first, size := int32(0), DefaultPageSize
	if *pagePtr != nil {
		first = **pagePtr
	}
	if *sizePtr != nil {
		size = **sizePtr
	}
	return func(yield func(T, error) bool) {
		q := p // each run of the iterator starts afresh
		pagePtr, sizePtr := slots(&q)
		for page := first; ; page++ {
			pg, sz := page, size
			*pagePtr, *sizePtr = &pg, &sz
			var body pageBody[T]
			resp, err := list(ctx, &q)
			if err = c.decode(resp, err, &body); err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, item := range body.Content {
				if !yield(item, nil) {
					return
				}
			}
			if len(body.Content) == 0 || page+1 >= body.TotalPages {
				return
			}
		}
	}
}

// cursors iterates over the items of a cursor-based list: each request passes
// the previous batch's nextCursor, with the same filters, until a batch has
// none (or an empty one). extract returns a decoded batch's items and cursor.
func cursors[T, P, R any](c *Client, ctx context.Context, params P, list listFunc[P], cursor func(*P) **string, extract func(*R) ([]T, *string)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		q := params // the cursor field is replaced, never written through
		for {
			var batch R
			resp, err := list(ctx, &q)
			if err = c.decode(resp, err, &batch); err != nil {
				var zero T
				yield(zero, err)
				return
			}
			items, next := extract(&batch)
			for _, item := range items {
				if !yield(item, nil) {
					return
				}
			}
			if next == nil || *next == "" {
				return
			}
			n := *next
			*cursor(&q) = &n
		}
	}
}

// decode reads a successful response into v. Errors of the request itself
// are already typed by the pipeline and pass through unchanged.
func (c *Client) decode(resp *http.Response, err error, v any) error {
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err == nil && len(data) > 0 {
		err = json.Unmarshal(data, v)
	}
	if err == nil {
		return nil
	}
	if _, ok := err.(*RequestError); ok {
		return err // the response cap
	}
	rerr := &RequestError{Err: fmt.Errorf("decode response: %w", err)}
	if req := resp.Request; req != nil {
		op := c.pipe.operation(req)
		rerr.Operation, rerr.ResourceID, rerr.Method, rerr.Path = op.ID, op.ResourceID, req.Method, req.URL.Path
	}
	return rerr
}

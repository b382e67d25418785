package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"reflect"

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

// maxListRequests bounds the requests of one run of an iterator: 10 million
// items at the default page size, far beyond any tenant, yet a bound on a
// server that never stops.
const maxListRequests = 10_000

// ErrPaginationLoop is yielded (wrapped) by an iterator (the services' All
// methods), as its last element, when the server's answers would make it
// loop: a cursor that comes back again, a page answered with another page
// index than asked for, a page whose items repeat the previous page's, or
// more than 10,000 requests in one run.
var ErrPaginationLoop = errors.New("cloudconnexa: pagination loop")

// pageOf has the shape of every gen.PageXxx type, with the items decoded
// straight into the caller's type: one decode per page.
type pageOf[T any] struct {
	Content    []T    `json:"content"`
	Page       *int32 `json:"page"`
	TotalPages int32  `json:"totalPages"`
}

// pageEnds is what an iterator keeps of a page to recognize the next one
// as a repeat: its first and last items, not the page.
type pageEnds[T any] struct {
	first, last T
	ok          bool
}

func endsOf[T any](items []T) pageEnds[T] {
	if len(items) == 0 {
		return pageEnds[T]{}
	}
	return pageEnds[T]{first: items[0], last: items[len(items)-1], ok: true}
}

// repeats reports whether items start and end with the items the previous
// page started and ended with: the server answered the same page again. (A
// list whose items move between two requests by exactly a page, or a list
// of pages of one item where an item moves by one, looks the same; so does
// a server that loops.)
func (e pageEnds[T]) repeats(items []T) bool {
	return e.ok && len(items) > 0 && reflect.DeepEqual(e.first, items[0]) && reflect.DeepEqual(e.last, items[len(items)-1])
}

// loopError is an ErrPaginationLoop error of the operation op.
func loopError(op, format string, args ...any) error {
	if op != "" {
		op += ": "
	}
	return fmt.Errorf("%w: %s%s", ErrPaginationLoop, op, fmt.Sprintf(format, args...))
}

// listOperation names the list operation of an iterator from its first
// answer; op is what it knows so far. The iterator keeps the name, not the
// response: the sent request's context leads to the body read.
func (c *Client) listOperation(op string, resp *http.Response) string {
	if op != "" || resp == nil || resp.Request == nil {
		return op
	}
	return c.pipe.operation(resp.Request).ID
}

// pages iterates over the items of a page-based list. It fetches lazily,
// from the caller's page (default 0) with the caller's size (default
// DefaultPageSize), stops when the consumer stops, and never asks for a page
// past the last one: it ends after page totalPages-1 or an empty page. An
// error is yielded once, as the last element; ErrPaginationLoop when the
// server's answers would make it loop. slots returns the addresses of
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
		var prev pageEnds[T]
		var op string
		for page, n := first, 1; ; page, n = page+1, n+1 {
			pg, sz := page, size
			*pagePtr, *sizePtr = &pg, &sz
			// The page is decoded once, here (selfDecoding): the
			// pipeline checks status, media type and emptiness only.
			// Nothing of the response but its request is kept past the
			// decode, so while the consumer works on a page, the page's
			// items are all the iterator holds.
			var body pageOf[T]
			resp, err := list(selfDecoding(ctx), &q)
			op = c.listOperation(op, resp)
			err = c.decode(resp, err, &body)
			resp = nil
			switch {
			case err != nil:
			case body.Page != nil && *body.Page != page:
				err = loopError(op, "asked for page %d, got page %d", page, *body.Page)
			case prev.repeats(body.Content):
				err = loopError(op, "page %d repeats page %d", page, page-1)
			}
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			items, totalPages := body.Content, body.TotalPages
			body = pageOf[T]{}
			prev = endsOf(items)
			for i := range items {
				if !yield(items[i], nil) {
					return
				}
			}
			if len(items) == 0 || page+1 >= totalPages {
				return
			}
			if n >= maxListRequests {
				var zero T
				yield(zero, loopError(op, "more than %d requests", maxListRequests))
				return
			}
			items = nil
		}
	}
}

// cursors iterates over the items of a cursor-based list: each request passes
// the previous batch's nextCursor, with the same filters, until a batch has
// none (or an empty one). extract returns a decoded batch's items and
// cursor. A cursor that comes back, or more than maxListRequests requests,
// end it with ErrPaginationLoop.
func cursors[T, P, R any](c *Client, ctx context.Context, params P, list listFunc[P], cursor func(*P) **string, extract func(*R) ([]T, *string)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		q := params // the cursor field is replaced, never written through
		seen := map[string]bool{}
		var op string
		for n := 1; ; n++ {
			var batch R
			resp, err := list(selfDecoding(ctx), &q) // decoded once, here
			op = c.listOperation(op, resp)
			err = c.decode(resp, err, &batch)
			resp = nil
			var items []T
			var next *string
			if err == nil {
				items, next = extract(&batch)
				switch {
				case next == nil || *next == "":
				case seen[*next]:
					err = loopError(op, "cursor repeated after %d requests", n)
				case n >= maxListRequests:
					err = loopError(op, "more than %d requests", maxListRequests)
				}
			}
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, item := range items {
				if !yield(item, nil) {
					return
				}
			}
			if next == nil || *next == "" {
				return
			}
			nc := *next
			seen[nc] = true
			*cursor(&q) = &nc
		}
	}
}

// decode reads a successful response into v. Errors of the request itself
// are already typed by the pipeline and pass through unchanged; the pipeline
// has checked the body against the documented type, so a failure here is a
// *ResponseError only in theory.
func (c *Client) decode(resp *http.Response, err error, v any) error {
	if err != nil {
		return err
	}
	return c.decodeBody(resp, v)
}

// decodeAs decodes data, a 2xx body of resp, into v.
func (c *Client) decodeAs(resp *http.Response, data []byte, v any) error {
	if err := json.Unmarshal(data, v); err != nil {
		return c.unexpected(resp, data, fmt.Errorf("decode: %w", err))
	}
	return nil
}

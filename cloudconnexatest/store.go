package cloudconnexatest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
)

// store keeps one kind of resource in creation order, each item optionally
// owned by a parent (a network, host or user), so that lists page stably.
type store[T any] struct {
	order []string
	items map[string]entry[T]
}

type entry[T any] struct {
	parent string
	v      T
}

func newStore[T any]() *store[T] {
	return &store[T]{items: make(map[string]entry[T])}
}

func (s *store[T]) get(id string) (T, bool) {
	e, ok := s.items[id]
	return e.v, ok
}

func (s *store[T]) parentOf(id string) string { return s.items[id].parent }

// put inserts a new item at the end, or replaces an existing one in place
// (keeping its parent when parent is empty).
func (s *store[T]) put(id, parent string, v T) {
	e, ok := s.items[id]
	if !ok {
		s.order = append(s.order, id)
	} else if parent == "" {
		parent = e.parent
	}
	s.items[id] = entry[T]{parent: parent, v: v}
}

func (s *store[T]) remove(id string) bool {
	if _, ok := s.items[id]; !ok {
		return false
	}
	delete(s.items, id)
	s.order = slices.DeleteFunc(s.order, func(x string) bool { return x == id })
	return true
}

// ids returns the ids of the items owned by parent ("" for all), in order.
func (s *store[T]) ids(parent string) []string {
	var out []string
	for _, id := range s.order {
		if parent == "" || s.items[id].parent == parent {
			out = append(out, id)
		}
	}
	return out
}

// list returns the items owned by parent ("" for all), in order.
func (s *store[T]) list(parent string) []T {
	out := []T{}
	for _, id := range s.ids(parent) {
		out = append(out, s.items[id].v)
	}
	return out
}

// removeChildren deletes every item owned by parent.
func (s *store[T]) removeChildren(parent string) {
	for _, id := range s.ids(parent) {
		s.remove(id)
	}
}

// page is the JSON shape of every Page… response of the API.
type page[T any] struct {
	Content          []T `json:"content"`
	TotalElements    int `json:"totalElements"`
	TotalPages       int `json:"totalPages"`
	NumberOfElements int `json:"numberOfElements"`
	Page             int `json:"page"`
	Size             int `json:"size"`
}

// paginate cuts one page out of items using the page (from 0) and size
// query parameters, with the defaults the document declares.
func paginate[T any](r *http.Request, items []T, defaultSize int) page[T] {
	q := r.URL.Query()
	p := queryInt(q.Get("page"), 0)
	size := queryInt(q.Get("size"), defaultSize)
	if p < 0 {
		p = 0
	}
	if size < 1 {
		size = defaultSize
	}
	out := page[T]{Content: []T{}, TotalElements: len(items), Page: p, Size: size}
	out.TotalPages = (len(items) + size - 1) / size
	if start := p * size; start < len(items) && start >= 0 {
		out.Content = items[start:min(start+size, len(items))]
	}
	out.NumberOfElements = len(out.Content)
	return out
}

func queryInt(s string, def int) int {
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	return def
}

// newID returns a random version 4 UUID, the form of the real API's ids.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// convert copies src into a T through JSON, then sets the given fields:
// request and response models of the API share most field names.
func convert[T any](src any, set map[string]any) T {
	m := map[string]any{}
	if src != nil {
		b, err := json.Marshal(src)
		if err != nil {
			panic(err)
		}
		if err := json.Unmarshal(b, &m); err != nil {
			panic(err)
		}
	}
	for k, v := range set {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	var out T
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return out
}

func ptr[T any](v T) *T { return &v }

// deref returns *p, or def when p is nil.
func deref[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

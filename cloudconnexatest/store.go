package cloudconnexatest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
)

// store keeps one kind of resource in creation order, each item optionally
// owned by a parent (a network, host or user), so that lists page stably.
// It is indexed by id and by parent: get, put and remove cost the same
// whatever the number of items, and the ids of a parent's children are at
// hand without a scan.
type store[T any] struct {
	items map[string]*entry[T]
	// order holds every id in creation order; a removed one is left as ""
	// until the next compaction, counted by dead.
	order    []string
	dead     int
	children map[string][]string // parent → child ids, in creation order
	// onChange, when set, learns of every change: old is nil for a new
	// item, cur nil for a removed one (see watch).
	onChange func(id, parent string, old, cur *T)
}

type entry[T any] struct {
	parent string
	v      T
}

func newStore[T any]() *store[T] {
	return &store[T]{items: make(map[string]*entry[T]), children: make(map[string][]string)}
}

func (s *store[T]) get(id string) (T, bool) {
	e, ok := s.items[id]
	if !ok {
		var zero T
		return zero, false
	}
	return e.v, true
}

func (s *store[T]) parentOf(id string) string {
	if e, ok := s.items[id]; ok {
		return e.parent
	}
	return ""
}

func (s *store[T]) len() int { return len(s.items) }

// put inserts a new item at the end, or replaces an existing one in place
// (keeping its parent: an item never changes owner).
func (s *store[T]) put(id, parent string, v T) {
	if e, ok := s.items[id]; ok {
		old := e.v
		e.v = v
		if s.onChange != nil {
			s.onChange(id, e.parent, &old, &v)
		}
		return
	}
	s.items[id] = &entry[T]{parent: parent, v: v}
	if s.onChange != nil {
		s.onChange(id, parent, nil, &v)
	}
	s.order = append(s.order, id)
	if parent != "" {
		s.children[parent] = append(s.children[parent], id)
	}
}

func (s *store[T]) remove(id string) bool {
	e, ok := s.items[id]
	if !ok {
		return false
	}
	delete(s.items, id)
	if s.onChange != nil {
		s.onChange(id, e.parent, &e.v, nil)
	}
	if e.parent != "" {
		kids := slices.DeleteFunc(s.children[e.parent], func(x string) bool { return x == id })
		if len(kids) == 0 {
			delete(s.children, e.parent)
		} else {
			s.children[e.parent] = kids
		}
	}
	// The id stays in order as a hole until enough have accumulated for a
	// compaction to pay for itself (amortised O(1) per removal).
	s.dead++
	if s.dead > 64 && s.dead > len(s.items) {
		s.compact()
	}
	return true
}

// compact drops the holes removed ids left in order.
func (s *store[T]) compact() {
	if s.dead == 0 {
		return
	}
	live := s.order[:0]
	for _, id := range s.order {
		if _, ok := s.items[id]; ok {
			live = append(live, id)
		}
	}
	clear(s.order[len(live):])
	s.order, s.dead = live, 0
}

// ids returns the ids of the items owned by parent ("" for all), in
// order. The slice belongs to the store: read it, with the state locked,
// before the next change.
func (s *store[T]) ids(parent string) []string {
	if parent != "" {
		return s.children[parent]
	}
	s.compact()
	return s.order
}

// list returns the items owned by parent ("" for all), in order.
func (s *store[T]) list(parent string) []T {
	ids := s.ids(parent)
	out := make([]T, 0, len(ids))
	for _, id := range ids {
		out = append(out, s.items[id].v)
	}
	return out
}

// removeChildren deletes every item owned by parent.
func (s *store[T]) removeChildren(parent string) {
	for _, id := range slices.Clone(s.children[parent]) {
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

// paginate cuts one page out of items using the page and size query
// parameters.
func paginate[T any](r *http.Request, items []T, defaultSize int) page[T] {
	p, size, start, end := pageBounds(r, len(items), defaultSize)
	return newPage(items[start:end], len(items), p, size)
}

func newPage[T any](content []T, total, p, size int) page[T] {
	if content == nil {
		content = []T{}
	}
	return page[T]{
		Content: content, TotalElements: total, TotalPages: (total + size - 1) / size,
		NumberOfElements: len(content), Page: p, Size: size,
	}
}

// pageBounds reads the page (from 0) and size query parameters, with the
// defaults the document declares, and returns the page's place in a list
// of total items.
func pageBounds(r *http.Request, total, defaultSize int) (p, size, start, end int) {
	q := r.URL.Query()
	p = max(queryInt(q.Get("page"), 0), 0)
	size = queryInt(q.Get("size"), defaultSize)
	if size < 1 {
		size = defaultSize
	}
	start = total
	if p <= total/size {
		start = min(p*size, total)
	}
	return p, size, start, min(start+size, total)
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
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	hex.Encode(out[9:13], b[4:6])
	hex.Encode(out[14:18], b[6:8])
	hex.Encode(out[19:23], b[8:10])
	hex.Encode(out[24:], b[10:])
	out[8], out[13], out[18], out[23] = '-', '-', '-', '-'
	return string(out[:])
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

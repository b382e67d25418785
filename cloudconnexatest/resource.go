package cloudconnexatest

import (
	"net/http"
)

// kind describes one resource kind of the API for the generic list, get,
// create, update and delete handlers.
type kind[T any] struct {
	ref   string // the kind's name in the table of references: "networkConnector"
	name  string // errorDetails key: "network"
	label string // the entity in messages: "Network"
	store *store[T]
	// as400 mirrors the service, which answers an unknown id with 400
	// instead of 404 for some kinds.
	as400 bool
	// parentParam is the query parameter that names the owner on create
	// (required) and list (optional filter), such as "networkId"; parent
	// reports whether that owner exists.
	parentParam string
	parent      func(id string) error
	// view decorates a stored item when it is read (derived fields).
	view func(id string, v T) T
	// canDelete refuses a delete the real service refuses besides those of
	// the table of references (the owner, the default group).
	canDelete func(id string) error
	// onDelete forgets what the state indexes of a deleted item besides
	// references (usernames).
	onDelete func(v T)
	// st checks and keeps the references (see refs.go).
	st *state
}

func (k *kind[T]) find(id string) (T, error) {
	v, ok := k.store.get(id)
	if !ok {
		return v, errNotFound(k.name, k.label, id, k.as400)
	}
	return v, nil
}

func (k *kind[T]) out(id string, v T) T {
	if k.view != nil {
		return k.view(id, v)
	}
	return v
}

// all returns every item owned by parent ("" for all), decorated.
func (k *kind[T]) all(parent string) []T {
	ids := k.store.ids(parent)
	out := make([]T, 0, len(ids))
	for _, id := range ids {
		v, _ := k.store.get(id)
		out = append(out, k.out(id, v))
	}
	return out
}

func (k *kind[T]) list(r *http.Request) (any, error) {
	parent := ""
	if k.parentParam != "" {
		if parent = r.URL.Query().Get(k.parentParam); parent != "" {
			if err := k.parent(parent); err != nil {
				return nil, err
			}
		}
	}
	// Only the page's items are decorated: a page costs its size, not the
	// size of the list.
	ids := k.store.ids(parent)
	p, size, start, end := pageBounds(r, len(ids), 10)
	content := make([]T, 0, end-start)
	for _, id := range ids[start:end] {
		v, _ := k.store.get(id)
		content = append(content, k.out(id, v))
	}
	return newPage(content, len(ids), p, size), nil
}

func (k *kind[T]) get(r *http.Request) (any, error) {
	id := r.PathValue("id")
	v, err := k.find(id)
	if err != nil {
		return nil, err
	}
	return k.out(id, v), nil
}

func (k *kind[T]) remove(r *http.Request) (any, error) {
	id := r.PathValue("id")
	if _, err := k.find(id); err != nil {
		return nil, err
	}
	if k.canDelete != nil {
		if err := k.canDelete(id); err != nil {
			return nil, err
		}
	}
	v, _ := k.store.get(id)
	if err := k.st.deleteObject(k.ref, k.name, id); err != nil {
		return nil, err
	}
	if k.onDelete != nil {
		k.onDelete(v)
	}
	return nil, nil
}

// create returns the create handler of k: it checks the owner named by the
// parent parameter, decodes the body and stores what build makes of it.
func create[Req, T any](h *Handler, k *kind[T], build func(id, parent string, req Req) (T, error)) opFunc {
	return func(r *http.Request) (any, error) {
		parent := ""
		if k.parentParam != "" {
			parent = r.URL.Query().Get(k.parentParam)
			if parent == "" {
				return nil, errBadRequest(k.parentParam, "Required parameter %s is missing", k.parentParam)
			}
			if err := k.parent(parent); err != nil {
				return nil, err
			}
		}
		req, err := decodeBody[Req](h, r)
		if err != nil {
			return nil, err
		}
		id := newID()
		v, err := build(id, parent, req)
		if err != nil {
			return nil, err
		}
		if err := k.st.checkRefs(k.ref, v); err != nil {
			return nil, err
		}
		k.store.put(id, parent, v)
		return k.out(id, v), nil
	}
}

// update returns the replace handler of k: build makes the new item from
// the stored one and the request.
func update[Req, T any](h *Handler, k *kind[T], build func(id string, old T, req Req) (T, error)) opFunc {
	return func(r *http.Request) (any, error) {
		id := r.PathValue("id")
		old, err := k.find(id)
		if err != nil {
			return nil, err
		}
		req, err := decodeBody[Req](h, r)
		if err != nil {
			return nil, err
		}
		v, err := build(id, old, req)
		if err != nil {
			return nil, err
		}
		if err := k.st.checkRefs(k.ref, v); err != nil {
			return nil, err
		}
		k.store.put(id, "", v)
		return k.out(id, v), nil
	}
}

// exists returns a parent check for k.
func (k *kind[T]) exists(id string) error {
	_, err := k.find(id)
	return err
}

// change applies fn to the stored item named by the id path parameter.
func (k *kind[T]) change(r *http.Request, fn func(v *T) error) (T, error) {
	id := r.PathValue("id")
	v, err := k.find(id)
	if err != nil {
		return v, err
	}
	if err := fn(&v); err != nil {
		return v, err
	}
	if err := k.st.checkRefs(k.ref, v); err != nil {
		return v, err
	}
	k.store.put(id, "", v)
	return k.out(id, v), nil
}

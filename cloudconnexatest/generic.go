package cloudconnexatest

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strings"
	"sync"
)

// A request body is parsed once: checkJSONBody decodes it into a generic
// value (maps, slices, float64, string, bool) for the checks of the
// document, and the operation gets its typed request from that value by
// assign, without parsing the JSON again.

// assign stores v, a value as encoding/json decodes into any, in dst, as
// json.Unmarshal of v's JSON would: fields by their json names, null as
// the zero value, numbers into any numeric kind that holds them. A type
// with its own UnmarshalJSON gets v's JSON.
func assign(dst reflect.Value, v any) error {
	if v == nil {
		dst.SetZero()
		return nil
	}
	if dst.CanAddr() && dst.Kind() != reflect.Pointer && dst.Kind() != reflect.Interface {
		if u, ok := dst.Addr().Interface().(json.Unmarshaler); ok {
			b, err := json.Marshal(v)
			if err != nil {
				return err
			}
			return u.UnmarshalJSON(b)
		}
	}
	t := dst.Type()
	mismatch := func() error { return fmt.Errorf("cannot put %T into %s", v, t) }
	switch dst.Kind() {
	case reflect.Pointer:
		if dst.IsNil() {
			dst.Set(reflect.New(t.Elem()))
		}
		return assign(dst.Elem(), v)
	case reflect.Interface:
		if t.NumMethod() != 0 {
			return mismatch()
		}
		dst.Set(reflect.ValueOf(v))
	case reflect.String:
		s, ok := v.(string)
		if !ok {
			return mismatch()
		}
		dst.SetString(s)
	case reflect.Bool:
		b, ok := v.(bool)
		if !ok {
			return mismatch()
		}
		dst.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		f, ok := v.(float64)
		if !ok || f != math.Trunc(f) || dst.OverflowInt(int64(f)) {
			return mismatch()
		}
		dst.SetInt(int64(f))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		f, ok := v.(float64)
		if !ok || f < 0 || f != math.Trunc(f) || dst.OverflowUint(uint64(f)) {
			return mismatch()
		}
		dst.SetUint(uint64(f))
	case reflect.Float32, reflect.Float64:
		f, ok := v.(float64)
		if !ok || dst.OverflowFloat(f) {
			return mismatch()
		}
		dst.SetFloat(f)
	case reflect.Slice:
		a, ok := v.([]any)
		if !ok {
			return mismatch()
		}
		s := reflect.MakeSlice(t, len(a), len(a))
		for i, x := range a {
			if err := assign(s.Index(i), x); err != nil {
				return err
			}
		}
		dst.Set(s)
	case reflect.Map:
		m, ok := v.(map[string]any)
		if !ok || t.Key().Kind() != reflect.String {
			return mismatch()
		}
		out := reflect.MakeMapWithSize(t, len(m))
		for k, x := range m {
			ev := reflect.New(t.Elem()).Elem()
			if err := assign(ev, x); err != nil {
				return err
			}
			out.SetMapIndex(reflect.ValueOf(k).Convert(t.Key()), ev)
		}
		dst.Set(out)
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			return mismatch()
		}
		fields := jsonFields(t)
		for k, x := range m {
			idx, ok := fields[k]
			if !ok {
				idx, ok = fields[strings.ToLower(k)] // json matches names case-insensitively
			}
			if !ok {
				continue
			}
			if err := assign(dst.Field(idx), x); err != nil {
				return fmt.Errorf("%s: %w", k, err)
			}
		}
	default:
		return mismatch()
	}
	return nil
}

var fieldCache sync.Map // reflect.Type → map[string]int

// jsonFields maps the JSON names of a struct's fields (and their lower
// case forms) to the fields' indexes.
func jsonFields(t reflect.Type) map[string]int {
	if f, ok := fieldCache.Load(t); ok {
		return f.(map[string]int)
	}
	fields := map[string]int{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fields[name] = i
		if _, taken := fields[strings.ToLower(name)]; !taken {
			fields[strings.ToLower(name)] = i
		}
	}
	fieldCache.Store(t, fields)
	return fields
}

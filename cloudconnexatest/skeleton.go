package cloudconnexatest

import (
	"hash/maphash"

	"github.com/getkin/kin-openapi/openapi3"
)

// Answers already found valid are remembered (see validateResponse). An
// answer that is new every time, such as that of a create (new ids, the
// name sent), would never be found there, so the memo's key leaves out
// what cannot change the validity of an answer: the text of a string
// whose schema is a plain string (no enum, format, pattern or length).
// Two answers that differ only there are valid or invalid together, so a
// new network is checked in full once, then recognised.

// plainStrings returns the JSON property names whose values are plain
// strings (or arrays of plain strings) wherever schema has them, or nil
// when the answer cannot be keyed that way: a free-form object or map
// (whose keys are data), or a oneOf/anyOf/not.
func plainStrings(schema *openapi3.Schema) map[string]bool {
	plain := map[string]bool{}
	seen := map[string]bool{} // names met with another schema
	ok := true
	visited := map[*openapi3.Schema]bool{}
	var walk func(*openapi3.Schema)
	walk = func(s *openapi3.Schema) {
		if s == nil || visited[s] || !ok {
			return
		}
		visited[s] = true
		if len(s.OneOf) > 0 || len(s.AnyOf) > 0 || s.Not != nil {
			ok = false
			return
		}
		if ap := s.AdditionalProperties; (ap.Has != nil && *ap.Has) || ap.Schema != nil {
			ok = false
			return
		}
		if s.Type.Is("object") && len(s.Properties) == 0 && len(s.AllOf) == 0 {
			ok = false // free-form
			return
		}
		for _, ref := range s.AllOf {
			if ref != nil {
				walk(ref.Value)
			}
		}
		for name, ref := range s.Properties {
			if ref == nil || ref.Value == nil {
				ok = false
				return
			}
			p := ref.Value
			str := p
			if p.Type.Is("array") && p.Items != nil {
				str = p.Items.Value
			}
			if isPlainString(str) {
				if !seen[name] {
					plain[name] = true
				}
			} else {
				seen[name] = true
				delete(plain, name)
			}
			walk(p)
		}
		if s.Items != nil {
			walk(s.Items.Value)
		}
	}
	walk(schema)
	if !ok {
		return nil
	}
	return plain
}

func isPlainString(s *openapi3.Schema) bool {
	return s != nil && s.Type.Is("string") && len(s.Enum) == 0 && s.Format == "" && s.Pattern == "" &&
		s.MinLength == 0 && s.MaxLength == nil && len(s.AllOf) == 0 && len(s.OneOf) == 0 && len(s.AnyOf) == 0
}

// writeSkeleton writes body to h with the text of every string value
// under a plain property replaced by a mark. It scans the JSON the fake
// itself produced (json.Marshal), so it need not handle malformed input:
// a body it cannot follow is hashed as it is.
func writeSkeleton(h *maphash.Hash, body []byte, plain map[string]bool) {
	type level struct {
		array  bool
		key    string // the last key of an object; an array's own key
		wantsK bool   // an object expecting a key
	}
	var stack [16]level
	depth := -1
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch c {
		case '{', '[':
			if depth+1 == len(stack) {
				h.Write(body[i:]) // deeper than any answer: hash the rest
				return
			}
			key := ""
			if depth >= 0 {
				key = stack[depth].key
			}
			depth++
			stack[depth] = level{array: c == '[', key: key, wantsK: c == '{'}
		case '}', ']':
			depth--
		case ',':
			if depth >= 0 && !stack[depth].array {
				stack[depth].wantsK = true
			}
		case '"':
			end := i + 1
			for end < len(body) && body[end] != '"' {
				if body[end] == '\\' {
					end++
				}
				end++
			}
			if end >= len(body) {
				h.Write(body[i:])
				return
			}
			text := body[i+1 : end]
			if depth >= 0 && stack[depth].wantsK {
				stack[depth].key = string(text)
				stack[depth].wantsK = false
				h.Write(body[i : end+1])
			} else if depth >= 0 && plain[stack[depth].key] {
				h.WriteByte(0) // a plain string: its text does not matter
			} else {
				h.Write(body[i : end+1])
			}
			i = end
			continue
		}
		h.WriteByte(c)
	}
}

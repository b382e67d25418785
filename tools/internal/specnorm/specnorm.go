// Package specnorm removes the artefacts of the vendor's machine-generated
// OpenAPI document that are not API facts, so that comparing it with ours
// (make spec-diff) shows only real differences. Every rule corrects a defect
// of the vendor file that docs/spec.md lists as a deliberate deviation; none
// looks at our document. The output is deterministic: the same input always
// gives the same bytes.
package specnorm

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// Rule names one normalisation, for the report.
type Rule string

// The rules Normalize applies.
const (
	// RuleWildcardMedia: a success response declared as */* becomes
	// text/plain when its schema is a string and application/json otherwise;
	// a */* response without a schema has no body. Springdoc writes */* for
	// every produced type; the API answers JSON or bare text.
	RuleWildcardMedia Rule = "wildcard media type"
	// RuleInt32Type: type int32/int64 (not an OpenAPI type) and string-typed
	// int32/int64 become integer with that format, with numeric defaults.
	RuleInt32Type Rule = "int32 type"
	// RuleObjectAny: a bare {type: object} without properties, the way
	// Springdoc renders a Java Object field or map value, becomes an
	// unconstrained schema: the values are not always objects.
	RuleObjectAny Rule = "object-typed any value"
	// RuleSecurityScheme: the oauth scheme gets a valid OAuth2 form (no
	// name field, an empty scopes map on its flow).
	RuleSecurityScheme Rule = "security scheme"
)

// Report counts how often each rule changed the document.
type Report map[Rule]int

// Normalize returns the vendor document in vendorJSON with the artefacts
// removed, as indented JSON with sorted keys, and what it changed.
func Normalize(vendorJSON []byte) ([]byte, Report, error) {
	dec := json.NewDecoder(bytes.NewReader(vendorJSON))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, nil, fmt.Errorf("specnorm: parse vendor document: %w", err)
	}
	rep := Report{}
	if paths, ok := doc["paths"].(map[string]any); ok {
		for _, item := range paths {
			for _, op := range asMap(item) {
				for _, resp := range asMap(asMap(op)["responses"]) {
					wildcardMedia(asMap(resp), rep)
				}
			}
		}
	}
	walkSchemas(doc, rep)
	securityScheme(doc, rep)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return nil, nil, fmt.Errorf("specnorm: encode: %w", err)
	}
	return buf.Bytes(), rep, nil
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func wildcardMedia(resp map[string]any, rep Report) {
	content := asMap(resp["content"])
	mt, ok := content["*/*"]
	if !ok {
		return
	}
	rep[RuleWildcardMedia]++
	delete(content, "*/*")
	schema := asMap(asMap(mt)["schema"])
	switch {
	case len(schema) == 0:
		if len(content) == 0 {
			delete(resp, "content")
		}
	case schema["type"] == "string":
		content["text/plain"] = mt
	default:
		content["application/json"] = mt
	}
}

// walkSchemas visits every schema-like object of the document: any map with
// a "type" key, or a map under "schema", "items", "additionalProperties" or
// "properties".
func walkSchemas(v any, rep Report) {
	switch x := v.(type) {
	case map[string]any:
		fixSchema(x, rep)
		for _, c := range x {
			walkSchemas(c, rep)
		}
	case []any:
		for _, c := range x {
			walkSchemas(c, rep)
		}
	}
}

func fixSchema(s map[string]any, rep Report) {
	t, _ := s["type"].(string)
	format, _ := s["format"].(string)
	switch {
	case t == "int32" || t == "int64":
		s["type"], s["format"] = "integer", t
		rep[RuleInt32Type]++
	case t == "string" && (format == "int32" || format == "int64"):
		s["type"] = "integer"
		rep[RuleInt32Type]++
	}
	if s["type"] == "integer" {
		if d, ok := s["default"].(string); ok {
			if n, err := strconv.ParseInt(d, 10, 64); err == nil {
				s["default"] = json.Number(strconv.FormatInt(n, 10))
			}
		}
	}
	for _, key := range []string{"additionalProperties", "items"} {
		if sub := asMap(s[key]); isBareObject(sub) {
			s[key] = map[string]any{}
			rep[RuleObjectAny]++
		}
	}
	if props := asMap(s["properties"]); props != nil {
		for name, p := range props {
			if isBareObject(asMap(p)) {
				props[name] = map[string]any{}
				rep[RuleObjectAny]++
			}
		}
	}
}

// isBareObject reports a schema that is exactly {type: object}.
func isBareObject(s map[string]any) bool {
	return len(s) == 1 && s["type"] == "object"
}

func securityScheme(doc map[string]any, rep Report) {
	for _, scheme := range asMap(asMap(doc["components"])["securitySchemes"]) {
		sc := asMap(scheme)
		if sc["type"] != "oauth2" {
			continue
		}
		changed := false
		if _, ok := sc["name"]; ok {
			delete(sc, "name")
			changed = true
		}
		for _, flow := range asMap(sc["flows"]) {
			f := asMap(flow)
			if _, ok := f["scopes"]; f != nil && !ok {
				f["scopes"] = map[string]any{}
				changed = true
			}
		}
		if changed {
			rep[RuleSecurityScheme]++
		}
	}
}

// Redaction: each credential masked once, at the source.

package httpsafe

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Mask replaces every credential a [Redactor] finds.
const Mask = "[redacted]"

// MinSecretLen is the length from which a secret is masked wherever it
// occurs. A shorter one ("t", the token of a user's test mock) would match
// inside ordinary words and turn an error into noise, so it is masked only
// where it stands alone: not next to a letter, a digit, "_" or a mask.
const MinSecretLen = 8

// Redactor masks a fixed set of secrets in text, in one pass: text is
// scanned once, every occurrence of a secret in any of the spellings a
// server may echo it in is replaced by [Mask], and a mask already in the
// text is copied as it is, never searched, so redacting twice changes
// nothing more than redacting once. The zero Redactor, and a nil one, mask
// nothing. It is immutable and safe for concurrent use.
type Redactor struct {
	patterns []pattern // longest first, so a spelling containing another wins
	first    [256]bool // first bytes of the patterns
}

type pattern struct {
	s     string
	alone bool // a short secret's spelling: masked only where it stands alone
}

// NewRedactor returns a Redactor for the given secrets (empty ones are
// ignored), each also in its query- and path-escaped, JSON-string and
// cleaned (see [Clean]) spellings.
func NewRedactor(secrets ...string) *Redactor {
	r := &Redactor{}
	seen := map[string]bool{}
	for _, v := range secrets {
		alone := len(v) < MinSecretLen
		for _, sp := range spellings(v) {
			if sp == "" || seen[sp] {
				continue
			}
			seen[sp] = true
			r.patterns = append(r.patterns, pattern{s: sp, alone: alone})
			r.first[sp[0]] = true
		}
	}
	slices.SortStableFunc(r.patterns, func(a, b pattern) int { return len(b.s) - len(a.s) })
	return r
}

// spellings lists the ways a server may echo v: raw, query- and
// path-escaped, as a JSON string (also with "\/" for "/"), each of these
// once more as a JSON string (an echo of an echo), and cleaned.
func spellings(v string) []string {
	if v == "" {
		return nil
	}
	var out []string
	for _, b := range []string{v, url.QueryEscape(v), url.PathEscape(v)} {
		js := jsonString(b)
		jsSlash := strings.ReplaceAll(js, "/", `\/`)
		js2 := jsonString(jsSlash)
		out = append(out, b, js, jsSlash, js2, strings.ReplaceAll(js2, "/", `\/`))
	}
	return append(out, Clean(v))
}

// jsonString is s as the contents of a JSON string literal.
func jsonString(s string) string {
	quoted, _ := json.Marshal(s)
	return strings.Trim(string(quoted), `"`)
}

// Redact returns s with every secret masked (see [Redactor]).
func (r *Redactor) Redact(s string) string {
	if r == nil || len(r.patterns) == 0 || s == "" {
		return s
	}
	var b strings.Builder
	done := 0 // s[:done] is written or masked
	for i := 0; i < len(s); {
		if strings.HasPrefix(s[i:], Mask) {
			i += len(Mask)
			continue
		}
		if !r.first[s[i]] {
			i++
			continue
		}
		n := r.match(s, i)
		if n == 0 {
			i++
			continue
		}
		if b.Len() == 0 {
			b.Grow(len(s))
		}
		b.WriteString(s[done:i])
		b.WriteString(Mask)
		i += n
		done = i
	}
	if done == 0 {
		return s
	}
	b.WriteString(s[done:])
	return b.String()
}

// match returns the length of the longest pattern that may be masked at
// s[i:], 0 for none.
func (r *Redactor) match(s string, i int) int {
	for _, p := range r.patterns {
		if !strings.HasPrefix(s[i:], p.s) {
			continue
		}
		if p.alone && (wordBefore(s, i) || wordAfter(s, i+len(p.s))) {
			continue
		}
		return len(p.s)
	}
	return 0
}

// Text is server text made safe to show in one step: cleaned, redacted,
// then cut to n bytes (redacted before it is cut, so a secret straddling
// the cut cannot survive in part).
func (r *Redactor) Text(s string, n int) string {
	return Cut(r.Redact(Clean(s)), n)
}

// wordBefore reports whether s[:i] ends in a word character or a mask.
func wordBefore(s string, i int) bool {
	if i == 0 {
		return false
	}
	if strings.HasSuffix(s[:i], Mask) {
		return true
	}
	c, _ := utf8.DecodeLastRuneInString(s[:i])
	return isWord(c)
}

// wordAfter reports whether s[i:] starts with a word character or a mask.
func wordAfter(s string, i int) bool {
	if i >= len(s) {
		return false
	}
	if strings.HasPrefix(s[i:], Mask) {
		return true
	}
	c, _ := utf8.DecodeRuneInString(s[i:])
	return isWord(c)
}

func isWord(c rune) bool {
	return c == '_' || unicode.IsLetter(c) || unicode.IsDigit(c)
}

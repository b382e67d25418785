// Server text made safe to show: one cleaning, one cut, one redaction.

package httpsafe

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Clean makes server-supplied text safe to print on one line: runs of
// whitespace become one space; other control characters, format characters
// (bidirectional overrides, zero-width joiners) and invalid UTF-8 are
// dropped (so a credential split by one is whole again for redaction);
// the ends are trimmed. It does not cut; see [Cut].
func Clean(s string) string {
	if isClean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		case r == utf8.RuneError || unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// isClean reports whether Clean would return s unchanged: printable ASCII,
// no double space, no space at either end.
func isClean(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == ' ' && (i == 0 || i == len(s)-1 || s[i-1] == ' ') {
			return false
		}
	}
	return true
}

// Cut truncates s to at most n bytes at a rune boundary, marking a cut
// with "…" (within the n bytes).
func Cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const ellipsis = "…"
	end := max(0, n-len(ellipsis))
	for end > 0 && !utf8.RuneStart(s[end]) {
		end--
	}
	return s[:end] + ellipsis
}

// Sanitize is Clean then Cut: text from a server, or a caller's id, made
// safe to print in an error or log line of bounded length. It does not
// redact: text that may hold a credential goes through [Redactor.Text].
func Sanitize(s string, n int) string {
	return Cut(Clean(s), n)
}

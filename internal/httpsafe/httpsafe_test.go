package httpsafe

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"pgregory.net/rapid"
)

func TestRedactShortSecretOnlyAlone(t *testing.T) {
	r := NewRedactor("t")
	assert.Equal(t, "Network with ID x not found", r.Redact("Network with ID x not found"))
	assert.Equal(t, "[redacted]", r.Redact("t"))
	assert.Equal(t, `{"access_token":"[redacted]"}`, r.Redact(`{"access_token":"t"}`))
	assert.Equal(t, "token [redacted], ok", r.Redact("token t, ok"))
}

func TestRedactLongSecretEverywhere(t *testing.T) {
	r := NewRedactor("s3cr3t/v@lue")
	assert.Equal(t, "x[redacted]y [redacted] [redacted] [redacted]", r.Redact(`xs3cr3t/v@luey s3cr3t%2Fv%40lue s3cr3t\/v@lue s3cr3t%2Fv@lue`))
}

func TestRedactOnce(t *testing.T) {
	// "red" is inside the mask and "redacted" is the mask's word: neither
	// is searched inside a mask already in the text.
	r := NewRedactor("red", "redacted", "secret-value")
	once := r.Redact("a secret-value, red, [redacted]")
	assert.Equal(t, "a [redacted], [redacted], [redacted]", once)
	assert.Equal(t, once, r.Redact(once))
}

func TestTextCleansBeforeRedacting(t *testing.T) {
	r := NewRedactor("secret-value")
	// A control character inside a secret must not let it through.
	assert.NotContains(t, r.Text("secret\x00-value and more", 100), "value")
	assert.Equal(t, "[redacted] a…", r.Text("secret-value  a\nbcdefgh", 15))
}

func TestCut(t *testing.T) {
	assert.Equal(t, "abc", Cut("abc", 3))
	assert.Equal(t, "a…", Cut("abcdef", 4))
	assert.Equal(t, "…", Cut("éééé", 4)) // no half rune
	assert.LessOrEqual(t, len(Cut(strings.Repeat("é", 100), 11)), 11)
}

// secretGen draws secrets from letters, digits and some punctuation (no
// "[" or "]", of which the mask is made), from 1 to 16 bytes.
func secretGen() *rapid.Generator[string] {
	return rapid.StringOfN(rapid.SampledFrom([]rune("abcdtxyz019-_./@%+ é")), 1, 16, -1).
		Filter(func(s string) bool { return !strings.Contains(Mask, s) })
}

// TestPropertyRedaction: for any secrets and any text made of pieces of
// them, words and masks, redaction is idempotent (each value masked once,
// never inside a mask), no secret of MinSecretLen bytes or more survives,
// and a short secret is never shown alone.
func TestPropertyRedaction(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		secrets := rapid.SliceOfN(secretGen(), 1, 4).Draw(t, "secrets")
		pieces := append([]string{Mask, " ", "\"", "word", "x", "-", "é", "\n"}, secrets...)
		text := strings.Join(rapid.SliceOfN(rapid.SampledFrom(pieces), 0, 20).Draw(t, "text"), "")
		r := NewRedactor(secrets...)
		out := r.Redact(text)
		if again := r.Redact(out); again != out {
			t.Fatalf("not idempotent: %q -> %q -> %q", text, out, again)
		}
		rest := strings.ReplaceAll(out, Mask, "\x00")
		for _, s := range secrets {
			if len(s) >= MinSecretLen {
				if strings.Contains(rest, s) {
					t.Fatalf("secret %q survives in %q (from %q)", s, out, text)
				}
				continue
			}
			for i := 0; ; {
				j := strings.Index(out[i:], s)
				if j < 0 {
					break
				}
				at := i + j
				if !wordBefore(out, at) && !wordAfter(out, at+len(s)) && !insideMask(out, at) {
					t.Fatalf("short secret %q alone at %d in %q (from %q)", s, at, out, text)
				}
				i = at + 1
			}
		}
	})
}

// insideMask reports whether out[at] is part of a mask.
func insideMask(out string, at int) bool {
	for i := max(0, at-len(Mask)+1); i <= at; i++ {
		if strings.HasPrefix(out[i:], Mask) {
			return true
		}
	}
	return false
}

func TestOriginBracketsIPv6(t *testing.T) {
	for in, want := range map[string]string{
		"https://[::1]/x":           "https://[::1]:443",
		"http://[::1]:8080":         "http://[::1]:8080",
		"HTTPS://Acme.Example":      "https://acme.example:443",
		"https://acme.example:8443": "https://acme.example:8443",
	} {
		u, err := url.Parse(in)
		assert.NoError(t, err)
		assert.Equal(t, want, Origin(u), in)
	}
}

package client

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strings"
)

// Environment variables read by [NewFromEnv].
const (
	EnvBaseURL      = "CLOUDCONNEXA_BASE_URL"
	EnvClientID     = "CLOUDCONNEXA_CLIENT_ID"
	EnvClientSecret = "CLOUDCONNEXA_CLIENT_SECRET"
)

// maxEnvFile bounds a dotenv file; credentials files are tiny.
const maxEnvFile = 1 << 20

// NewFromEnv is [New] with the base URL and credentials taken from
// CLOUDCONNEXA_BASE_URL, CLOUDCONNEXA_CLIENT_ID and
// CLOUDCONNEXA_CLIENT_SECRET. With [WithEnvFile], variables missing from the
// environment are read from that dotenv file; the real environment wins.
// A missing or malformed variable is reported by name; the secret's value is
// never part of an error.
func NewFromEnv(opts ...Option) (*Client, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	fileVars := map[string]string{}
	if cfg.envFile != "" {
		if fileVars, err = readEnvFile(cfg.envFile); err != nil {
			return nil, err
		}
	}
	get := func(name string) (string, error) {
		v, ok := os.LookupEnv(name)
		if !ok {
			v = fileVars[name]
		}
		if v = strings.TrimSpace(v); v == "" {
			return "", fmt.Errorf("cloudconnexa: environment variable %s is not set", name)
		}
		return v, nil
	}
	var vals [3]string
	for i, name := range []string{EnvBaseURL, EnvClientID, EnvClientSecret} {
		if vals[i], err = get(name); err != nil {
			return nil, err
		}
	}
	base, id, secret := vals[0], vals[1], vals[2]
	if strings.ContainsAny(id, "\r\n\x00") {
		return nil, fmt.Errorf("cloudconnexa: environment variable %s contains control characters", EnvClientID)
	}
	if strings.ContainsAny(secret, "\r\n\x00") {
		return nil, fmt.Errorf("cloudconnexa: environment variable %s contains control characters", EnvClientSecret)
	}
	if _, err := normalizeBaseURL(base, cfg.allowLoopback); err != nil {
		return nil, fmt.Errorf("cloudconnexa: environment variable %s: %s", EnvBaseURL, strings.TrimPrefix(err.Error(), "cloudconnexa: "))
	}
	return newClient(cfg, base, id, secret)
}

// readEnvFile parses a dotenv file: KEY=VALUE lines, blank lines and
// # comments, an optional "export " prefix, values optionally in single
// quotes (literal) or double quotes (with \n, \t, \", \\ escapes); an
// unquoted value ends at " #". Errors give line numbers, never contents.
func readEnvFile(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cloudconnexa: env file: %w", err)
	}
	defer f.Close()
	vars := map[string]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 4096), maxEnvFile)
	for n := 1; sc.Scan(); n++ {
		key, val, ok, err := parseEnvLine(sc.Text())
		if err != nil {
			return nil, fmt.Errorf("cloudconnexa: env file %s line %d: %w", path, n, err)
		}
		if ok {
			vars[key] = val
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("cloudconnexa: env file %s: %w", path, err)
	}
	return vars, nil
}

// parseEnvLine parses one dotenv line; ok is false for blank and comment lines.
func parseEnvLine(line string) (key, val string, ok bool, err error) {
	line = strings.TrimSpace(strings.TrimPrefix(line, "\uFEFF"))
	if line == "" || line[0] == '#' {
		return "", "", false, nil
	}
	if rest, found := strings.CutPrefix(line, "export "); found {
		line = strings.TrimSpace(rest)
	}
	key, val, found := strings.Cut(line, "=")
	if !found {
		return "", "", false, errors.New("expected KEY=VALUE")
	}
	key = strings.TrimSpace(key)
	if !validEnvKey(key) {
		return "", "", false, errors.New("invalid variable name")
	}
	val = strings.TrimSpace(val)
	switch {
	case val == "":
	case val[0] == '\'':
		end := strings.IndexByte(val[1:], '\'')
		if end < 0 {
			return "", "", false, errors.New("unterminated single quote")
		}
		if !trailingComment(val[end+2:]) {
			return "", "", false, errors.New("unexpected text after quoted value")
		}
		val = val[1 : end+1]
	case val[0] == '"':
		var b strings.Builder
		i := 1
		for ; i < len(val) && val[i] != '"'; i++ {
			c := val[i]
			if c == '\\' && i+1 < len(val) {
				i++
				switch val[i] {
				case 'n':
					c = '\n'
				case 't':
					c = '\t'
				case 'r':
					c = '\r'
				default:
					c = val[i]
				}
			}
			b.WriteByte(c)
		}
		if i >= len(val) {
			return "", "", false, errors.New("unterminated double quote")
		}
		if !trailingComment(val[i+1:]) {
			return "", "", false, errors.New("unexpected text after quoted value")
		}
		val = b.String()
	default:
		if i := strings.Index(val, " #"); i >= 0 {
			val = val[:i]
		} else if i := strings.Index(val, "\t#"); i >= 0 {
			val = val[:i]
		}
		val = strings.TrimSpace(val)
	}
	return key, val, true, nil
}

// trailingComment reports whether s, after a closing quote, is empty or a comment.
func trailingComment(s string) bool {
	s = strings.TrimSpace(s)
	return s == "" || s[0] == '#'
}

func validEnvKey(k string) bool {
	if k == "" || k[0] >= '0' && k[0] <= '9' {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.') {
			return false
		}
	}
	return true
}

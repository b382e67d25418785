package main

import (
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
)

// scheme matches a link that leaves the repository: https:, mailto:, //host.
var scheme = regexp.MustCompile(`^([a-zA-Z][a-zA-Z0-9+.-]*:|//)`)

// lineAnchor is GitHub's anchor for lines of a file shown as code.
var lineAnchor = regexp.MustCompile(`^L\d+(-L\d+)?$`)

// checkLinks reports the relative links of d that do not resolve. docs are
// the parsed documents by path; other Markdown targets are parsed on demand.
func checkLinks(root string, d *document, docs map[string]*document) []problem {
	problems := append([]problem(nil), d.marks...)
	for _, l := range d.links {
		if msg := resolve(root, d, l.dest, docs); msg != "" {
			problems = append(problems, problem{d.path, l.line, msg})
		}
	}
	return problems
}

// resolve says what is wrong with dest, a link in d; "" when nothing is.
func resolve(root string, d *document, dest string, docs map[string]*document) string {
	if dest == "" {
		return "empty link"
	}
	if scheme.MatchString(dest) {
		return ""
	}
	rawPath, frag, _ := strings.Cut(dest, "#")
	p, err := url.PathUnescape(rawPath)
	if err != nil {
		return fmt.Sprintf("link %q: %v", dest, err)
	}
	target := d.path
	if p != "" {
		if strings.HasPrefix(p, "/") {
			target = path.Clean(strings.TrimPrefix(p, "/"))
		} else {
			target = path.Join(path.Dir(d.path), p)
		}
		if target == ".." || strings.HasPrefix(target, "../") {
			return fmt.Sprintf("link %q leaves the repository", dest)
		}
		if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(target))); err != nil {
			return fmt.Sprintf("link %q: %s does not exist", dest, target)
		}
	}
	if frag == "" {
		return ""
	}
	if !strings.HasSuffix(target, ".md") {
		if lineAnchor.MatchString(frag) {
			return ""
		}
		return fmt.Sprintf("link %q: #%s is not a line anchor (#L10, #L10-L20) of %s", dest, frag, target)
	}
	td, ok := docs[target]
	if !ok {
		parsed, err := parseFile(root, target)
		if err != nil {
			return fmt.Sprintf("link %q: %v", dest, err)
		}
		td, docs[target] = parsed, parsed
	}
	if f, err := url.PathUnescape(frag); err == nil && td.anchors[f] {
		return ""
	}
	return fmt.Sprintf("link %q: %s has no heading or anchor #%s", dest, target, frag)
}

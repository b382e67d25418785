package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"unicode"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/text"
)

// document is what the checks need of one Markdown file.
type document struct {
	path    string          // clean, slash-separated, relative to the module root
	anchors map[string]bool // #fragments that land somewhere in it
	links   []link
	blocks  []codeBlock // the ```go blocks
	marks   []problem   // malformed doccheck comments
}

type link struct {
	dest string
	line int
}

// codeBlock is one ```go block: its text, and the line of its first line.
type codeBlock struct {
	line int
	code string
	skip bool // preceded by <!-- doccheck: skip, reason -->
}

var (
	// htmlAnchor finds the anchors raw HTML defines.
	htmlAnchor = regexp.MustCompile(`(?i)<a\s[^>]*\b(?:id|name)\s*=\s*["']([^"']+)["']`)
	// htmlLink finds the links in raw HTML.
	htmlLink = regexp.MustCompile(`(?i)\b(?:href|src)\s*=\s*["']([^"']+)["']`)
	// directive is a doccheck comment; skipDirective the one it knows.
	directive     = regexp.MustCompile(`^\s*<!--\s*doccheck:(.*?)-->\s*$`)
	skipDirective = regexp.MustCompile(`^\s*skip\b[\s,:;.-]*(\S.*?)?\s*$`)
)

func parseFile(root, name string) (*document, error) {
	rel := filepath.ToSlash(filepath.Clean(name))
	src, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
	if err != nil {
		return nil, err
	}
	return parseMarkdown(rel, src), nil
}

// parseMarkdown parses src as GitHub-flavoured Markdown.
func parseMarkdown(path string, src []byte) *document {
	d := &document{path: path, anchors: map[string]bool{}}
	lines := newLineIndex(src)
	md := goldmark.New(goldmark.WithExtensions(extension.GFM))
	doc := md.Parser().Parse(text.NewReader(src))

	slugs := map[string]int{}
	blockLine := 1 // line of the innermost block seen, for inline nodes
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		if n.Type() == ast.TypeBlock && n.Lines().Len() > 0 {
			blockLine = lines.line(n.Lines().At(0).Start)
		}
		switch n := n.(type) {
		case *ast.Heading:
			s := slug(plainText(n, src))
			if k := slugs[s]; k > 0 {
				d.anchors[fmt.Sprintf("%s-%d", s, k)] = true
			} else {
				d.anchors[s] = true
			}
			slugs[s]++
		case *ast.Link:
			d.links = append(d.links, link{string(n.Destination), inlineLine(n, lines, blockLine)})
		case *ast.Image:
			d.links = append(d.links, link{string(n.Destination), inlineLine(n, lines, blockLine)})
		case *ast.HTMLBlock:
			var b bytes.Buffer
			for i := 0; i < n.Lines().Len(); i++ {
				b.Write(value(n.Lines().At(i), src))
			}
			if n.HasClosure() {
				b.Write(value(n.ClosureLine, src))
			}
			d.html(b.String(), blockLine)
		case *ast.RawHTML:
			var b bytes.Buffer
			for i := 0; i < n.Segments.Len(); i++ {
				b.Write(value(n.Segments.At(i), src))
			}
			d.html(b.String(), blockLine)
		case *ast.FencedCodeBlock:
			if lang := string(n.Language(src)); lang == "go" || lang == "golang" {
				d.codeBlock(n, src, lines)
			}
		}
		return ast.WalkContinue, nil
	})
	return d
}

func (d *document) html(s string, line int) {
	for _, m := range htmlAnchor.FindAllStringSubmatch(s, -1) {
		d.anchors[m[1]] = true
	}
	for _, m := range htmlLink.FindAllStringSubmatch(s, -1) {
		d.links = append(d.links, link{m[1], line})
	}
}

func (d *document) codeBlock(n *ast.FencedCodeBlock, src []byte, lines lineIndex) {
	if n.Lines().Len() == 0 {
		return
	}
	var b strings.Builder
	for i := 0; i < n.Lines().Len(); i++ {
		b.Write(value(n.Lines().At(i), src))
	}
	first := lines.line(n.Lines().At(0).Start)
	blk := codeBlock{line: first, code: b.String()}
	// The fence is the line before the first; a directive the one before it.
	if m := directive.FindStringSubmatch(lines.text(first - 2)); m != nil {
		sm := skipDirective.FindStringSubmatch(m[1])
		switch {
		case sm == nil:
			d.marks = append(d.marks, problem{d.path, first - 2, fmt.Sprintf("unknown doccheck directive %q (only \"skip, <reason>\")", strings.TrimSpace(m[1]))})
		case sm[1] == "":
			d.marks = append(d.marks, problem{d.path, first - 2, "doccheck: skip needs a reason: <!-- doccheck: skip, why -->"})
		default:
			blk.skip = true
		}
	}
	d.blocks = append(d.blocks, blk)
}

// inlineLine is the line of an inline node: that of its first text, else
// that of the block it is in.
func inlineLine(n ast.Node, lines lineIndex, blockLine int) int {
	line := blockLine
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if t, ok := c.(*ast.Text); ok && entering {
			line = lines.line(t.Segment.Start)
			return ast.WalkStop, nil
		}
		return ast.WalkContinue, nil
	})
	return line
}

// plainText is a heading's text as GitHub slugs it: the characters, without
// the Markdown around them.
func plainText(n ast.Node, src []byte) string {
	var b strings.Builder
	var walk func(ast.Node)
	walk = func(n ast.Node) {
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			switch c := c.(type) {
			case *ast.Text:
				b.Write(c.Segment.Value(src))
				if c.SoftLineBreak() {
					b.WriteByte(' ')
				}
			case *ast.String:
				b.Write(c.Value)
			case *ast.RawHTML:
			default:
				walk(c)
			}
		}
	}
	walk(n)
	return b.String()
}

// slug is GitHub's anchor for a heading text: lower case; letters, digits,
// marks, '-' and '_' kept; spaces become '-'; everything else dropped.
func slug(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(s)) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// lineIndex maps byte offsets to 1-based line numbers.
type lineIndex struct {
	src    []byte
	starts []int
}

func newLineIndex(src []byte) lineIndex {
	starts := []int{0}
	for i, c := range src {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	return lineIndex{src, starts}
}

func (l lineIndex) line(offset int) int {
	return sort.Search(len(l.starts), func(i int) bool { return l.starts[i] > offset })
}

// text is line n without its newline, "" outside the file.
func (l lineIndex) text(n int) string {
	if n < 1 || n > len(l.starts) {
		return ""
	}
	start, end := l.starts[n-1], len(l.src)
	if n < len(l.starts) {
		end = l.starts[n]
	}
	return strings.TrimRight(string(l.src[start:end]), "\r\n")
}

// value is the text of a segment.
func value(s text.Segment, src []byte) []byte { return s.Value(src) }

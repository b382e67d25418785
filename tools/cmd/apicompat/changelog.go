package main

import (
	"fmt"
	"regexp"
	"strings"
)

// changelog is what the gate reads from CHANGELOG.md.
type changelog struct {
	// latestRelease is the newest released version ("1.4.0"), "" if none.
	latestRelease string
	// breaking holds the list items under "### Breaking" in
	// "## [Unreleased]", one string per item (continuation lines joined).
	breaking []string
}

var (
	releaseHeading = regexp.MustCompile(`^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}\s*$`)
	listItem       = regexp.MustCompile(`^[-*] `)
	// codeSpan matches `x` and ``x`` (which may contain a single backtick).
	codeSpan = regexp.MustCompile("``\\s*(.+?)\\s*``|`([^`]+)`")
	word     = regexp.MustCompile(`[A-Za-z]{2,}`)
)

// parseChangelog reads the sections the gate needs. It fails when there is
// no "## [Unreleased]" section: every change is recorded there.
func parseChangelog(text string) (changelog, error) {
	var (
		cl           changelog
		inUnreleased bool
		inBreaking   bool
		sawUnrel     bool
		item         *strings.Builder
	)
	flush := func() {
		if item != nil {
			cl.breaking = append(cl.breaking, strings.TrimSpace(item.String()))
			item = nil
		}
	}
	inFence := false
	for line := range strings.SplitSeq(text, "\n") {
		line = strings.TrimRight(line, " \t\r")
		if strings.HasPrefix(line, "```") {
			inFence = !inFence
			flush()
			continue
		}
		if inFence {
			continue
		}
		switch {
		case strings.HasPrefix(line, "## "):
			flush()
			inBreaking = false
			inUnreleased = line == "## [Unreleased]"
			if inUnreleased {
				if sawUnrel {
					return cl, fmt.Errorf("CHANGELOG.md has two \"## [Unreleased]\" sections")
				}
				sawUnrel = true
			}
			if m := releaseHeading.FindStringSubmatch(line); m != nil && cl.latestRelease == "" {
				cl.latestRelease = m[1]
			}
			continue
		case strings.HasPrefix(line, "### "):
			flush()
			inBreaking = inUnreleased && strings.TrimSpace(line[4:]) == "Breaking"
			continue
		}
		if !inBreaking {
			continue
		}
		switch {
		case listItem.MatchString(line):
			flush()
			item = &strings.Builder{}
			item.WriteString(line[2:])
		case line == "":
			flush()
		case item != nil && (strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t")):
			item.WriteString(" " + strings.TrimSpace(line))
		default:
			flush() // prose outside a list item declares nothing
		}
	}
	flush()
	if !sawUnrel {
		return cl, fmt.Errorf("CHANGELOG.md has no \"## [Unreleased]\" section")
	}
	return cl, nil
}

// declaration is one usable item under Breaking: the names it declares.
type declaration struct {
	item  string
	names []string
}

// declarations returns the items that declare something, and a problem for
// each item that cannot: no name in a code span, no words saying what
// changed, or a placeholder left in.
func (cl changelog) declarations() (decls []declaration, problems []string) {
	for _, it := range cl.breaking {
		var names []string
		for _, m := range codeSpan.FindAllStringSubmatch(it, -1) {
			names = append(names, canonicalName(m[1]+m[2]))
		}
		prose := codeSpan.ReplaceAllString(it, " ")
		switch {
		case len(names) == 0:
			problems = append(problems, fmt.Sprintf("item names nothing in backticks: %q", it))
		case strings.Contains(it, "TODO"):
			problems = append(problems, fmt.Sprintf("item still has a TODO: %q", it))
		case len(word.FindAllString(prose, -1)) < 3:
			problems = append(problems, fmt.Sprintf("item does not say in words what changed and what to do: %q", it))
		default:
			decls = append(decls, declaration{item: it, names: names})
		}
	}
	return decls, problems
}

// receiver matches a pointer receiver as apidiff prints it: (*Client).
var receiver = regexp.MustCompile(`\(\*([^()]+)\)`)

// canonicalName makes the two spellings of a name compare equal:
// "./client.(*Client).Do", "client.(*Client).Do" and "client.Client.Do".
func canonicalName(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, modulePath+"/")
	s = strings.TrimPrefix(s, "./")
	return receiver.ReplaceAllString(s, "$1")
}

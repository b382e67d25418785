// Command specnorm writes the vendor's OpenAPI document without its
// generator artefacts (see package tools/internal/specnorm), the first step of
// make spec-diff.
//
// The Makefile builds it into .tools/bin (go build -C tools -o
// ../.tools/bin/ ./cmd/specnorm) and runs it from the repository root:
//
//	.tools/bin/specnorm vendor.json normalised.json
package main

import (
	"fmt"
	"os"
	"slices"

	"github.com/cloudconnexa-go/cloudconnexa/tools/internal/specnorm"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: specnorm <vendor.json> <normalised.json>")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(in, out string) error {
	raw, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	norm, rep, err := specnorm.Normalize(raw)
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, norm, 0o644); err != nil {
		return err
	}
	rules := make([]string, 0, len(rep))
	for r, n := range rep {
		rules = append(rules, fmt.Sprintf("%s: %d", r, n))
	}
	slices.Sort(rules)
	fmt.Printf("specnorm: %s -> %s %v\n", in, out, rules)
	return nil
}

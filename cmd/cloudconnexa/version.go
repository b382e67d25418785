package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/cloudconnexa-go/cloudconnexa/client"
)

const libraryPath = "github.com/cloudconnexa-go/cloudconnexa"

// moduleVersion is the CLI module's version as go install recorded it,
// "devel" for a build from a checkout.
func moduleVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

// libraryVersion is the version of the library the CLI was built with.
func libraryVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == libraryPath {
				if d.Replace != nil {
					return d.Version + " => " + d.Replace.Path
				}
				return d.Version
			}
		}
	}
	return "unknown"
}

func version() string {
	return fmt.Sprintf("cloudconnexa %s (library %s, API %s, %s %s/%s)",
		moduleVersion(), libraryVersion(), client.APIVersion, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

func (a *app) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print the versions of the CLI, the library and the API document",
		Example: "  cloudconnexa version",
		Args:    a.noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a.ran = true
			_, err := fmt.Fprintln(a.stdout, version())
			return err
		},
	}
}

// Command cloudconnexa is a command line for the OpenVPN CloudConnexa API:
// a command for every operation (generated from the API document, like the
// library's resource API), JSON, YAML or table output with a built-in jq,
// the library's authentication, pacing, retries and typed errors, exit
// codes a script can use, and `cloudconnexa export DIR` for the whole
// tenant configuration. See docs/cli.md.
//
//	go install github.com/cloudconnexa-go/cloudconnexa/cmd/cloudconnexa@latest
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	// The first Ctrl-C cancels the context: the command stops at once and
	// says what it did; a second one kills the process.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop()
	}()
	code := newApp(os.Stdin, os.Stdout, os.Stderr).run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

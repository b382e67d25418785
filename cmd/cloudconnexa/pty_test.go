//go:build unix

package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudconnexa-go/cloudconnexa/client"
	"github.com/cloudconnexa-go/cloudconnexa/cloudconnexatest"
)

// runAsCLI makes the test binary the command line when the variable is set:
// the terminal test runs it as a child process on a pty.
const runAsCLI = "CLOUDCONNEXA_CLI_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runAsCLI) == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// ptyOutput collects what the child writes on its terminal.
type ptyOutput struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (o *ptyOutput) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.Write(p)
}

func (o *ptyOutput) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// TestTerminalProgressAndCtrlC runs the command line on a terminal (a pty)
// against a fake with a small budget: while the client waits for the
// budget, stderr shows the progress line with the reason; Ctrl-C stops the
// command at once, with exit code 130 and a line saying what was done.
func TestTerminalProgressAndCtrlC(t *testing.T) {
	srv := cloudconnexatest.NewServer(t,
		cloudconnexatest.WithTenant(cloudconnexatest.RealisticTenant(5)),
		cloudconnexatest.WithEnforcedRateLimit(2, 1, 30*time.Second))
	cmd := exec.Command(os.Args[0], "users", "list", "--size", "10", "--allow-insecure-loopback")
	cmd.Env = append(os.Environ(), runAsCLI+"=1",
		client.EnvBaseURL+"="+srv.URL, client.EnvClientID+"="+srv.ClientID, client.EnvClientSecret+"="+srv.ClientSecret)
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 200})
	require.NoError(t, err)
	defer tty.Close()
	var out ptyOutput
	go func() { _, _ = ioCopy(&out, tty) }()

	// The progress line appears once the budget of 2 is spent.
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(out.String(), "waiting for the rate limit budget") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	require.Contains(t, out.String(), "waiting for the rate limit budget", "the progress line")
	assert.Contains(t, out.String(), "left (2 requests so far, 20 items; Ctrl-C stops)")
	assert.Contains(t, out.String(), "\r\x1b[K", "drawn in place")

	// Ctrl-C on the terminal: the line discipline sends SIGINT.
	sent := time.Now()
	_, err = tty.Write([]byte{3})
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("still running 10 s after Ctrl-C; output:\n%s", out.String())
	}
	t.Logf("stopped %v after Ctrl-C", time.Since(sent))
	var exit *exec.ExitError
	require.True(t, errors.As(err, &exit), "exit: %v", err)
	assert.Equal(t, exitInterrupted, exit.ExitCode())
	time.Sleep(100 * time.Millisecond) // the last bytes on the pty
	assert.Contains(t, out.String(), "cloudconnexa: interrupted: 2 requests sent, 20 items written", out.String())
	assert.Contains(t, out.String(), "owner@example.com", "the rows listed before Ctrl-C are written")
	assert.Less(t, time.Since(sent), 5*time.Second, "stopped at once, not after the 30 s wait")
}

func ioCopy(dst *ptyOutput, src *os.File) (int64, error) {
	var n int64
	buf := make([]byte, 4096)
	for {
		k, err := src.Read(buf)
		if k > 0 {
			_, _ = dst.Write(buf[:k])
			n += int64(k)
		}
		if err != nil {
			return n, err
		}
	}
}

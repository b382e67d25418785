// Package redisserver starts real redis-server processes for tests and
// benchmarks: bound to 127.0.0.1 on a free port, in a temporary directory,
// without persistence, stopped when the test ends. It can kill and restart
// a server on the same port to exercise fault handling.
//
// When no redis-server binary can be found, Start skips the test with a
// message saying how to install one, except in CI (CI=true), where it fails
// the test: there the Redis tests must run.
package redisserver

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Install says how to get the binary; it is part of the skip message.
const Install = "install it with `apt-get install redis-server` (Debian/Ubuntu) or `brew install redis` (macOS), or set REDIS_SERVER to its path"

// startTimeout bounds how long a server may take to accept connections.
const startTimeout = 10 * time.Second

// Server is one redis-server process (or, after Kill, a stopped one that
// Restart brings back on the same address).
type Server struct {
	// Addr is host:port on 127.0.0.1.
	Addr string

	tb   testing.TB
	bin  string
	dir  string
	args []string

	mu     sync.Mutex
	cmd    *exec.Cmd  // nil while stopped
	exited chan error // receives cmd.Wait's result
}

// Binary returns the redis-server to use: $REDIS_SERVER, or redis-server on
// PATH, or the Debian location. ok is false when none exists.
func Binary() (path string, ok bool) {
	if p := os.Getenv("REDIS_SERVER"); p != "" {
		return p, true
	}
	if p, err := exec.LookPath("redis-server"); err == nil {
		return p, true
	}
	if _, err := os.Stat("/usr/bin/redis-server"); err == nil {
		return "/usr/bin/redis-server", true
	}
	return "", false
}

// Require returns the binary, or skips (fails in CI) tb when there is none.
func Require(tb testing.TB) string {
	tb.Helper()
	bin, ok := Binary()
	if !ok {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("redis-server not found, and CI=true requires the Redis tests to run: %s", Install)
		}
		tb.Skipf("redis-server not found: %s", Install)
	}
	return bin
}

// Start runs a standalone redis-server for the rest of the test.
func Start(tb testing.TB, extra ...string) *Server {
	tb.Helper()
	bin := Require(tb)
	s := &Server{tb: tb, bin: bin, dir: tb.TempDir(), Addr: freeAddr(tb)}
	_, port, _ := net.SplitHostPort(s.Addr)
	s.args = append([]string{
		"--bind", "127.0.0.1",
		"--port", port,
		"--dir", s.dir,
		"--save", "",
		"--appendonly", "no",
		"--protected-mode", "yes",
		"--daemonize", "no",
		"--logfile", filepath.Join(s.dir, "redis.log"),
	}, extra...)
	if err := s.start(); err != nil {
		tb.Fatalf("start redis-server: %v", err)
	}
	tb.Cleanup(s.Kill)
	return s
}

// StartCluster runs a one-node Redis Cluster owning all 16384 slots. A
// single node still refuses a multi-key command whose keys hash to
// different slots (CROSSSLOT), which is what tests need to check.
func StartCluster(tb testing.TB) *Server {
	tb.Helper()
	s := Start(tb, "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf")
	if out, err := s.CLI("CLUSTER", "ADDSLOTSRANGE", "0", "16383"); err != nil {
		tb.Fatalf("cluster addslots: %v: %s", err, out)
	}
	deadline := time.Now().Add(startTimeout)
	for time.Now().Before(deadline) {
		out, err := s.CLI("CLUSTER", "INFO")
		if err == nil && strings.Contains(out, "cluster_state:ok") {
			return s
		}
		time.Sleep(50 * time.Millisecond)
	}
	tb.Fatalf("cluster did not become ok within %v", startTimeout)
	return nil
}

// StartSentinel runs a Sentinel that monitors master under the name
// masterName, and returns its address.
func StartSentinel(tb testing.TB, master *Server, masterName string) *Server {
	tb.Helper()
	bin := Require(tb)
	s := &Server{tb: tb, bin: bin, dir: tb.TempDir(), Addr: freeAddr(tb)}
	host, port, _ := net.SplitHostPort(master.Addr)
	_, sport, _ := net.SplitHostPort(s.Addr)
	conf := filepath.Join(s.dir, "sentinel.conf")
	body := fmt.Sprintf("bind 127.0.0.1\nport %s\ndir %s\nsentinel monitor %s %s %s 1\n", sport, s.dir, masterName, host, port)
	if err := os.WriteFile(conf, []byte(body), 0o600); err != nil {
		tb.Fatal(err)
	}
	s.args = []string{conf, "--sentinel"}
	if err := s.start(); err != nil {
		tb.Fatalf("start redis sentinel: %v", err)
	}
	tb.Cleanup(s.Kill)
	return s
}

func (s *Server) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cmd := exec.Command(s.bin, s.args...)
	cmd.Dir = s.dir
	stderr := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = stderr, stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.Now().Add(startTimeout)
	for {
		if pingAddr(s.Addr) {
			s.cmd, s.exited = cmd, exited
			return nil
		}
		select {
		case err := <-exited:
			return fmt.Errorf("redis-server exited: %v: %s%s", err, stderr.String(), s.logTail())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			<-exited
			return fmt.Errorf("redis-server did not answer PING within %v%s", startTimeout, s.logTail())
		}
	}
}

func (s *Server) logTail() string {
	b, err := os.ReadFile(filepath.Join(s.dir, "redis.log"))
	if err != nil || len(b) == 0 {
		return ""
	}
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return "\nredis.log: " + string(b)
}

// Kill stops the server at once (SIGKILL), as a crash would. It is safe to
// call on a stopped server.
func (s *Server) Kill() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.exited
	s.cmd = nil
}

// Restart starts a killed server again on the same address, with empty
// state (nothing is persisted).
func (s *Server) Restart() {
	s.tb.Helper()
	s.Kill()
	if err := s.start(); err != nil {
		s.tb.Fatalf("restart redis-server: %v", err)
	}
}

// CLI runs one command over RESP and returns the reply as text, for test
// set-up that must not depend on the client library under test.
func (s *Server) CLI(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	_ = conn.SetDeadline(deadline)
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := conn.Write([]byte(b.String())); err != nil {
		return "", err
	}
	return readReply(bufio.NewReader(conn))
}

// readReply reads one RESP2 reply; arrays are joined with newlines.
func readReply(r *bufio.Reader) (string, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("empty reply")
	}
	switch line[0] {
	case '+', ':':
		return line[1:], nil
	case '-':
		return "", errors.New(line[1:])
	case '$':
		n, err := strconv.Atoi(line[1:])
		if err != nil || n < 0 {
			return "", err
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return "", err
		}
		return string(buf[:n]), nil
	case '*':
		n, err := strconv.Atoi(line[1:])
		if err != nil || n < 0 {
			return "", err
		}
		parts := make([]string, 0, n)
		for range n {
			p, err := readReply(r)
			if err != nil {
				return "", err
			}
			parts = append(parts, p)
		}
		return strings.Join(parts, "\n"), nil
	}
	return "", fmt.Errorf("unexpected reply %q", line)
}

func pingAddr(addr string) bool {
	conn, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
	if err != nil {
		return false
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(500 * time.Millisecond))
	if _, err := conn.Write([]byte("*1\r\n$4\r\nPING\r\n")); err != nil {
		return false
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	return err == nil && strings.HasPrefix(line, "+PONG")
}

// freeAddr returns a 127.0.0.1 address with a port that was free a moment
// ago.
func freeAddr(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

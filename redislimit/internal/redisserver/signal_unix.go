//go:build unix

package redisserver

import "syscall"

// Pause stops the server's process (SIGSTOP) without closing its sockets:
// it accepts connections and answers nothing, like an overloaded or
// partitioned Redis. Resume undoes it.
func (s *Server) Pause() { s.signal(syscall.SIGSTOP) }

// Resume continues a paused server.
func (s *Server) Resume() { s.signal(syscall.SIGCONT) }

func (s *Server) signal(sig syscall.Signal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		_ = s.cmd.Process.Signal(sig)
	}
}

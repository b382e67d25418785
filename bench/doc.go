// Package bench holds the performance benchmarks of the client (see
// docs/performance.md): per-call overhead, pagination, concurrency and
// rate-budget pacing in one process, each measured beside a hand-written
// net/http + encoding/json baseline (or the ideal schedule) against a small
// server on loopback. The fleet benchmarks, processes that share one API
// key through redislimit, are in redislimit/bench, in redislimit's module.
// Everything lives in _test.go files; run it with `make bench`.
package bench

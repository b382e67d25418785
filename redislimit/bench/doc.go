// Package bench holds the benchmarks of redislimit (see
// docs/performance.md in the repository): a fleet of OS processes that
// share one API key through one redislimit budget in a real redis-server,
// beside the same fleet pacing locally, and the cost of one Acquire and
// Release on loopback. Everything lives in _test.go files; run it with
// `make bench` from the repository root.
package bench

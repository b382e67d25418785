package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/cloudconnexa-go/cloudconnexa/client"
)

// progress makes long work visible on stderr (docs/cli.md, "Waits"):
//
//   - on a terminal, a progress line, redrawn in place, whenever no request
//     has been in flight for idleBefore: the reason (a retry after a
//     status, the rate budget the last answer said was spent, or plainly
//     the API) and the time left when it is known;
//   - otherwise a log line per retry and per wait for the rate budget over
//     a second (the client's own records, at Warn and Info).
//
// It learns what happens from the client's slog records and from the
// requests passing its transport; it never sees headers other than the
// X-RateLimit-* ones (client.NewRateObservation) or any body.
type progress struct {
	a    *app
	tick time.Duration

	mu       sync.Mutex
	inflight int
	last     time.Time // when the last request ended, or the run started
	obs      client.RateObservation
	retryOp  string
	retryWhy string
	retryAt  time.Time // when the pending retry goes, zero if none
	drawn    bool
	task     string // what the command is doing, for the line: exporting networks (3 of 44)

	done     chan struct{}
	stopOnce sync.Once
	wg       sync.WaitGroup
}

// idleBefore is how long nothing may be in flight before the progress line
// shows.
const idleBefore = time.Second

func newProgress(a *app) *progress {
	p := &progress{a: a, tick: 250 * time.Millisecond, last: time.Now(), done: make(chan struct{})}
	if a.stderrTTY {
		p.wg.Go(p.loop)
	}
	return p
}

func (p *progress) stop() {
	p.stopOnce.Do(func() {
		close(p.done)
		p.wg.Wait()
		p.mu.Lock()
		defer p.mu.Unlock()
		p.clearLocked()
	})
}

func (p *progress) loop() {
	t := time.NewTicker(p.tick)
	defer t.Stop()
	for {
		select {
		case <-p.done:
			return
		case now := <-t.C:
			p.draw(now)
		}
	}
}

// line is the progress line at now, "" when nothing is waiting.
func (p *progress) lineLocked(now time.Time) string {
	if p.inflight > 0 || now.Sub(p.last) < idleBefore {
		return ""
	}
	waited := now.Sub(p.last).Truncate(time.Second)
	done := fmt.Sprintf("%d requests so far", p.a.requests.Load())
	if p.task != "" {
		done = p.task + ", " + done
	}
	if n := p.a.items.Load(); n > 0 {
		done += fmt.Sprintf(", %d items", n)
	}
	switch {
	case !p.retryAt.IsZero() && p.retryAt.After(now):
		return fmt.Sprintf("retrying %s after %s: %s left (%s; Ctrl-C stops)", p.retryOp, p.retryWhy, left(p.retryAt.Sub(now)), done)
	case p.obs.HasRemaining && p.obs.Remaining < 1 && p.obs.PerRequest() > 0:
		at := p.obs.Received.Add(time.Duration((1 - p.obs.Remaining) * float64(p.obs.PerRequest())))
		if at.After(now) {
			return fmt.Sprintf("waiting for the rate limit budget: %s left (%s; Ctrl-C stops)", left(at.Sub(now)), done)
		}
		return fmt.Sprintf("waiting for the rate limit budget: %s so far (%s; Ctrl-C stops)", waited, done)
	}
	return fmt.Sprintf("waiting for the API: %s so far (%s; Ctrl-C stops)", waited, done)
}

func (p *progress) setTask(task string) {
	p.mu.Lock()
	p.task = task
	p.mu.Unlock()
}

func left(d time.Duration) string { return d.Round(time.Second).String() }

func (p *progress) draw(now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	line := p.lineLocked(now)
	if line == "" {
		p.clearLocked()
		return
	}
	_, _ = p.a.stderr.Write([]byte("\r\x1b[K" + line))
	p.drawn = true
}

func (p *progress) clearLocked() {
	if p.drawn {
		_, _ = p.a.stderr.Write([]byte("\r\x1b[K"))
		p.drawn = false
	}
}

// observe wraps the transport to follow the requests in flight.
func (p *progress) observe(base http.RoundTripper) http.RoundTripper {
	return roundTripper(func(req *http.Request) (*http.Response, error) {
		p.mu.Lock()
		p.inflight++
		p.clearLocked()
		p.mu.Unlock()
		resp, err := base.RoundTrip(req)
		now := time.Now()
		p.mu.Lock()
		p.inflight--
		p.last = now
		if resp != nil {
			p.obs = client.NewRateObservation(resp.Header, resp.StatusCode, now)
		}
		p.mu.Unlock()
		if strings.HasSuffix(req.URL.Path, tokenPath) {
			p.a.tokenRequests.Add(1)
		} else {
			p.a.requests.Add(1)
		}
		return resp, err
	})
}

// tokenPath is the token endpoint's path: its requests are not API calls
// (they are not paced, and not counted as requests).
const tokenPath = "/api/v1/oauth/token"

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// handler is the client's slog handler: --debug writes every record; the
// records of retries and waits become log lines (not on a terminal, where
// the progress line shows them) or feed the progress line.
func (p *progress) handler() slog.Handler {
	return &logHandler{p: p, text: slog.NewTextHandler(p.a.stderr, &slog.HandlerOptions{Level: slog.LevelDebug})}
}

type logHandler struct {
	p    *progress
	text slog.Handler
}

func (h *logHandler) Enabled(_ context.Context, l slog.Level) bool {
	return h.p.a.debug || l >= slog.LevelInfo
}

func (h *logHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &logHandler{p: h.p, text: h.text.WithAttrs(as)}
}

func (h *logHandler) WithGroup(name string) slog.Handler {
	return &logHandler{p: h.p, text: h.text.WithGroup(name)}
}

func (h *logHandler) Handle(ctx context.Context, r slog.Record) error {
	p := h.p
	attrs := map[string]slog.Value{}
	r.Attrs(func(a slog.Attr) bool {
		attrs[a.Key] = a.Value.Resolve()
		return true
	})
	if r.Message == "cloudconnexa: retrying" {
		why := "an error"
		if s, ok := attrs["status"]; ok {
			why = fmt.Sprintf("%d %s", s.Int64(), http.StatusText(int(s.Int64())))
		}
		p.mu.Lock()
		p.retryOp, p.retryWhy = attrs["operation"].String(), why
		p.retryAt = r.Time.Add(attrs["delay"].Duration())
		p.mu.Unlock()
	}
	switch {
	case h.p.a.debug:
		return h.text.Handle(ctx, r)
	case p.a.stderrTTY && (r.Message == "cloudconnexa: retrying" || r.Message == "cloudconnexa: waited for the rate limit budget"):
		return nil // the progress line shows it
	case r.Message == "cloudconnexa: retrying":
		_, err := fmt.Fprintf(p.a.stderr, "cloudconnexa: retrying %s in %s after %s (attempt %d)\n",
			attrs["operation"].String(), attrs["delay"].Duration(), p.retryWhy, attrs["attempt"].Int64()+1)
		return err
	case r.Message == "cloudconnexa: waited for the rate limit budget":
		_, err := fmt.Fprintf(p.a.stderr, "cloudconnexa: waited %s for the rate limit budget before %s (%s)\n",
			attrs["wait"].Duration().Round(time.Millisecond), attrs["operation"].String(), attrs["reason"].String())
		return err
	}
	return h.text.Handle(ctx, r)
}

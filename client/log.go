package client

import (
	"log/slog"
	"net/http"
	"time"
)

// logAttempt writes the Debug record of one attempt: never headers, bodies
// or the query, which the caller may consider private.
func (c *call) logAttempt(resp *http.Response, err error, took time.Duration, attempt int, permit Permit) {
	p, req, ctx := c.p, c.req, c.req.Context()
	if !p.logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	op := c.operation()
	attrs := []slog.Attr{
		slog.String("operation", op.ID),
		slog.String("method", req.Method),
		slog.String("path", req.URL.Path),
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", c.p.redact(err.Error())))
	} else {
		attrs = append(attrs, slog.Int("status", resp.StatusCode))
	}
	attrs = append(attrs, slog.Duration("duration", took), slog.Int("attempt", attempt), slog.Duration("wait", permit.Waited))
	if permit.Reason != "" {
		attrs = append(attrs, slog.String("wait_reason", string(permit.Reason)))
	}
	p.logger.LogAttrs(ctx, slog.LevelDebug, "cloudconnexa: request", attrs...)
}

func (c *call) logRetry(resp *http.Response, err error, attempt int, delay time.Duration) {
	p, ctx := c.p, c.req.Context()
	if !p.logger.Enabled(ctx, slog.LevelWarn) {
		return
	}
	attrs := []slog.Attr{slog.String("operation", c.operation().ID)}
	if err != nil {
		attrs = append(attrs, slog.String("error", c.p.redact(err.Error())))
	} else {
		attrs = append(attrs, slog.Int("status", resp.StatusCode))
	}
	attrs = append(attrs, slog.Int("attempt", attempt), slog.Duration("delay", delay))
	p.logger.LogAttrs(ctx, slog.LevelWarn, "cloudconnexa: retrying", attrs...)
}

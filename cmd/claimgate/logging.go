package main

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// Logging policy (see README.md, "Logging"): logs are structured (JSON by default) and never hold
// protected health information. Log ids (claim, batch, file, payer, request), control numbers,
// counts, durations and statuses; never names, member ids, birth dates, addresses, request or
// response bodies, encounter JSON or X12 content. The HTTP access log records method, route
// pattern, status, duration and request id only -- not the raw path, which can carry ids a
// caller typed, and not the query string.

// newLogger returns the process logger writing to w in format ("json" or "text") at level.
// Both have been validated by loadConfig.
func newLogger(w io.Writer, format, level string) *slog.Logger {
	lvl, err := parseLogLevel(level)
	if err != nil {
		lvl = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: lvl}
	var h slog.Handler
	if format == "text" {
		h = slog.NewTextHandler(w, opts)
	} else {
		h = slog.NewJSONHandler(w, opts)
	}
	return slog.New(h)
}

// parseLogLevel accepts debug, info, warn (or warning) and error, in any case.
func parseLogLevel(s string) (slog.Level, error) {
	switch strings.ToLower(s) {
	case "debug":
		return slog.LevelDebug, nil
	case "info", "":
		return slog.LevelInfo, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, fmt.Errorf("%q must be debug, info, warn or error", s)
}

package console

import (
	"io"
	"log/slog"
	"strings"
	"sync"
)

// newTestLogger logs as text into b, safe for the server's goroutines.
func newTestLogger(b *strings.Builder) *slog.Logger {
	return slog.New(slog.NewTextHandler(&lockedWriter{w: b}, nil))
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

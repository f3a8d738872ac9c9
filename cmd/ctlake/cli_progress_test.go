package main

import (
	"strings"
	"testing"
	"time"
)

func TestImportProgressRateAndETA(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p := newImportProgress(t0)
	p.add(t0, importSnapshot{status: "INITIALIZING"})
	if _, ok := p.eta(t0); ok {
		t.Errorf("an ETA before anything is done")
	}
	if got := p.line(t0, -1, terminal{}); got != "INITIALIZING 0:00 ETA — · prefixes 0/0 · files 0 · events 0 (0/s) · failed 0" {
		t.Errorf("line = %q", got)
	}
	// 10 s in: 1 of 4 prefixes, 10,000 events at a steady 1,000/s.
	for i := 1; i <= 10; i++ {
		p.add(t0.Add(time.Duration(i)*time.Second), importSnapshot{status: "IN_PROGRESS", prefixesFound: 4, prefixesCompleted: 1,
			files: int64(i * 10), events: int64(i * 1000)})
	}
	now := t0.Add(10 * time.Second)
	if r := p.rate(now); r < 999 || r > 1001 {
		t.Errorf("rate %.1f/s, want 1000", r)
	}
	left, ok := p.eta(now)
	if !ok || left != 30*time.Second {
		t.Errorf("ETA %v %v, want 30s (a quarter done in 10s)", left, ok)
	}
	want := "⠙ IN_PROGRESS 0:10 ETA 0:30 · prefixes 1/4 · files 100 · events 10,000 (1,000/s) · failed 0"
	if got := p.line(now, 1, terminal{}); got != want {
		t.Errorf("line = %q\nwant   %q", got, want)
	}
	// Done: no spinner, no ETA.
	p.add(now.Add(time.Second), importSnapshot{status: "FAILED", prefixesFound: 4, prefixesCompleted: 4, files: 400, events: 40000, failed: 2})
	if got := p.line(now.Add(time.Second), 2, terminal{}); !strings.HasPrefix(got, "FAILED 0:11 · prefixes 4/4") || !strings.HasSuffix(got, "failed 2") {
		t.Errorf("final line = %q", got)
	}
}

func TestRedrawFitsTheTerminal(t *testing.T) {
	line := "\x1b[36mIN_PROGRESS\x1b[0m 0:10 ETA 0:30 · prefixes 1/4 · files 100 · events 10,000 (1,000/s) · failed 0"
	got := redraw(line, terminal{tty: true, color: true, width: 40})
	if !strings.HasPrefix(got, "\r\x1b[K") {
		t.Errorf("no carriage return and line clear: %q", got)
	}
	if n := displayWidth(stripANSI(strings.TrimPrefix(got, "\r\x1b[K"))); n != 39 {
		t.Errorf("redrawn line is %d runes on a 40-column terminal, want 39 (no wrap): %q", n, got)
	}
	if got := redraw(line, terminal{tty: true, color: true, width: 200}); got != "\r\x1b[K"+line {
		t.Errorf("a line that fits was changed: %q", got)
	}
}

func TestDurationTexts(t *testing.T) {
	for d, want := range map[time.Duration]string{
		850 * time.Millisecond: "850ms", 2340 * time.Millisecond: "2.3s", 245 * time.Second: "4m05s", 3723 * time.Second: "1h02m03s",
	} {
		if got := durationText(d); got != want {
			t.Errorf("durationText(%v) = %q, want %q", d, got, want)
		}
	}
	for d, want := range map[time.Duration]string{0: "0:00", 75 * time.Second: "1:15", 3723 * time.Second: "1:02:03"} {
		if got := clockText(d); got != want {
			t.Errorf("clockText(%v) = %q, want %q", d, got, want)
		}
	}
}

package main

import (
	"fmt"
	"strings"
	"time"
)

// importSnapshot is what one GetImport says about an import's progress.
type importSnapshot struct {
	status            string
	prefixesFound     int64
	prefixesCompleted int64
	files             int64
	events            int64
	failed            int64
}

// running reports whether the import may still change.
func (s importSnapshot) running() bool {
	return s.status == "INITIALIZING" || s.status == "IN_PROGRESS"
}

// rateWindow is how far back the events/s figure looks: long enough to
// smooth the once-a-second commits, short enough to follow a slowdown.
const rateWindow = 5 * time.Second

// importProgress follows an import through successive snapshots and
// renders the live progress line: counts, events/s and an ETA.
type importProgress struct {
	start   time.Time // when the CLI began following the import
	last    importSnapshot
	samples []progressSample // those within rateWindow of the newest
}

type progressSample struct {
	at     time.Time
	events int64
}

func newImportProgress(start time.Time) *importProgress {
	return &importProgress{start: start}
}

// add records a snapshot taken at now.
func (p *importProgress) add(now time.Time, s importSnapshot) {
	p.last = s
	p.samples = append(p.samples, progressSample{now, s.events})
	for len(p.samples) > 2 && now.Sub(p.samples[0].at) > rateWindow {
		p.samples = p.samples[1:]
	}
}

// rate is events per second over the recent samples, or over the whole
// wait while they span less than a second; 0 when nothing is known yet.
func (p *importProgress) rate(now time.Time) float64 {
	if n := len(p.samples); n >= 2 {
		first, last := p.samples[0], p.samples[n-1]
		if span := last.at.Sub(first.at); span >= time.Second {
			return float64(last.events-first.events) / span.Seconds()
		}
	}
	if elapsed := now.Sub(p.start); elapsed > 0 {
		return float64(p.last.events) / elapsed.Seconds()
	}
	return 0
}

// eta estimates the time left from the share of region-day prefixes done:
// the only work whose total the API reports (PrefixesFound; there is no
// FilesFound). ok is false while nothing is done yet, or the import is over.
func (p *importProgress) eta(now time.Time) (left time.Duration, ok bool) {
	s := p.last
	if !s.running() || s.prefixesFound == 0 || s.prefixesCompleted == 0 {
		return 0, false
	}
	done := float64(s.prefixesCompleted) / float64(s.prefixesFound)
	if done >= 1 {
		return 0, true
	}
	elapsed := now.Sub(p.start)
	return time.Duration(float64(elapsed) * (1 - done) / done), true
}

// spinnerFrames turn on a terminal while the import runs.
var spinnerFrames = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

// line renders the progress line, most telling figures first so that a
// narrow terminal cuts the least useful ones: status, time elapsed, ETA
// (while running), then the counts. frame ≥ 0 adds a spinner frame (for a
// terminal); t colours the status and a non-zero failure count.
func (p *importProgress) line(now time.Time, frame int, t terminal) string {
	s := p.last
	var b strings.Builder
	if frame >= 0 && s.running() {
		b.WriteString(spinnerFrames[frame%len(spinnerFrames)] + " ")
	}
	b.WriteString(t.paint(statusStyle(s.status), s.status) + " " + clockText(now.Sub(p.start)))
	if s.running() {
		eta := "—"
		if left, ok := p.eta(now); ok {
			eta = clockText(left)
		}
		b.WriteString(" ETA " + eta)
	}
	failed := "failed " + groupDigits(s.failed)
	if s.failed > 0 {
		failed = t.paint(styleRed, failed)
	}
	fmt.Fprintf(&b, " · prefixes %s/%s · files %s · events %s (%s/s) · %s",
		groupDigits(s.prefixesCompleted), groupDigits(s.prefixesFound), groupDigits(s.files),
		groupDigits(s.events), groupDigits(int64(p.rate(now)+0.5)), failed)
	return b.String()
}

// redraw is the bytes that replace the current terminal line with text,
// cut to the terminal's width so it never wraps (a wrapped line could not
// be redrawn in place).
func redraw(text string, t terminal) string {
	if t.width > 0 && displayWidth(stripANSI(text)) > t.width-1 {
		text = truncate(stripANSI(text), t.width-1)
	}
	return "\r\x1b[K" + text
}

// stripANSI removes colour escapes (ESC [ … m).
func stripANSI(s string) string {
	if !strings.Contains(s, "\x1b[") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '[' {
			j := strings.IndexByte(s[i:], 'm')
			if j > 0 {
				i += j
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// clockText shows a duration as m:ss, or h:mm:ss from an hour on.
func clockText(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	sec := int64(d.Round(time.Second) / time.Second)
	if sec >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", sec/3600, sec/60%60, sec%60)
	}
	return fmt.Sprintf("%d:%02d", sec/60, sec%60)
}

// durationText shows how long something took, for a summary: "850ms",
// "2.3s", "4m05s", "1h02m03s".
func durationText(d time.Duration) string {
	switch {
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return d.Round(100 * time.Millisecond).String()
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh%02dm%02ds", int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60)
}

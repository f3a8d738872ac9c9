package main

import (
	"os"
	"strconv"

	"golang.org/x/term"
)

// terminal says how output to one stream renders: a terminal gets colours
// (unless NO_COLOR is set), redrawn progress lines and tables cut to its
// width; a pipe or a file gets plain text, whole.
type terminal struct {
	tty   bool
	color bool
	width int // columns; 0 when not a terminal (no limit)
}

// terminalOf inspects f.
func terminalOf(f *os.File) terminal {
	fd := int(f.Fd())
	if !term.IsTerminal(fd) {
		return terminal{}
	}
	t := terminal{tty: true, width: 80}
	if w, _, err := term.GetSize(fd); err == nil && w > 0 {
		t.width = w
	} else if w, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && w > 0 {
		t.width = w
	}
	_, noColor := os.LookupEnv("NO_COLOR")
	t.color = !noColor && os.Getenv("TERM") != "dumb"
	return t
}

// ANSI styles. paint applies them only on a colour terminal.
const (
	styleBold   = "1"
	styleDim    = "2"
	styleRed    = "31"
	styleGreen  = "32"
	styleYellow = "33"
	styleCyan   = "36"
)

func (t terminal) paint(style, s string) string {
	if !t.color || style == "" || s == "" {
		return s
	}
	return "\x1b[" + style + "m" + s + "\x1b[0m"
}

// statusStyle colours a status by how it ended: green for success, red
// for failure, yellow while under way.
func statusStyle(status string) string {
	switch status {
	case "COMPLETED", "FINISHED", "ENABLED", "SUCCEEDED":
		return styleGreen
	case "FAILED", "TIMED_OUT", "PENDING_DELETION":
		return styleRed
	case "STOPPED", "CANCELLED", "STOPPED_INGESTION":
		return styleYellow
	case "INITIALIZING", "IN_PROGRESS", "QUEUED", "RUNNING", "RETRY":
		return styleCyan
	}
	return ""
}

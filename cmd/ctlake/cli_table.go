package main

import (
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// table is rows of text under a header, written with columns aligned by
// display width (runes). Numeric columns are right-aligned.
type table struct {
	header []string
	rows   [][]string
	// style, when set, names the ANSI style of a cell (see terminal.paint);
	// it is applied after padding so escape codes never upset alignment.
	style func(row, col int, value string) string
}

// nullText is how a NULL query value shows in a table.
const nullText = "NULL"

// columnGap separates columns.
const columnGap = "  "

// write renders the table for t: on a terminal, cells are cut with an
// ellipsis so that each line fits t.width; elsewhere nothing is cut.
func (tb *table) write(w io.Writer, t terminal) error {
	cols := len(tb.header)
	widths := make([]int, cols)
	numeric := make([]bool, cols)
	for i, h := range tb.header {
		widths[i] = displayWidth(h)
		numeric[i] = len(tb.rows) > 0
	}
	for _, r := range tb.rows {
		for i := 0; i < cols && i < len(r); i++ {
			widths[i] = max(widths[i], displayWidth(cellText(r[i])))
			if numeric[i] && !isNumber(r[i]) {
				numeric[i] = false
			}
		}
	}
	if t.width > 0 {
		fitWidths(widths, tb.header, t.width)
	}
	var b strings.Builder
	line := func(row int, cells []string) {
		b.Reset()
		for i := 0; i < cols; i++ {
			v := ""
			if i < len(cells) {
				v = cells[i]
			}
			text := pad(truncate(cellText(v), widths[i]), widths[i], numeric[i])
			if i == cols-1 && !numeric[i] {
				text = strings.TrimRight(text, " ") // no trailing blanks
			}
			style := ""
			if row < 0 {
				style = styleBold
			} else if tb.style != nil {
				style = tb.style(row, i, v)
			}
			if i > 0 {
				b.WriteString(columnGap)
			}
			b.WriteString(t.paint(style, text))
		}
		b.WriteByte('\n')
	}
	line(-1, tb.header)
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	for i, r := range tb.rows {
		line(i, r)
		if _, err := io.WriteString(w, b.String()); err != nil {
			return err
		}
	}
	return nil
}

// fitWidths narrows the widest columns, one rune at a time, until a line
// fits total; no column gets narrower than its header (or 3 runes, room for
// one character and an ellipsis), so a very narrow terminal still wraps.
func fitWidths(widths []int, header []string, total int) {
	sum := func() int {
		n := len(columnGap) * (len(widths) - 1)
		for _, w := range widths {
			n += w
		}
		return n
	}
	for sum() > total {
		widest := -1
		for i, w := range widths {
			floor := max(3, min(displayWidth(header[i]), 12))
			if w > floor && (widest < 0 || w > widths[widest]) {
				widest = i
			}
		}
		if widest < 0 {
			return
		}
		widths[widest]--
	}
}

// cellText makes a value safe for one table line: control characters
// (newlines in a JSON value, tabs) are shown escaped.
func cellText(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return s
	}
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}

// displayWidth is the width of s in terminal columns, counted as runes.
func displayWidth(s string) int { return utf8.RuneCountInString(s) }

// truncate cuts s to width runes, ending with an ellipsis when it cuts.
func truncate(s string, width int) string {
	if displayWidth(s) <= width {
		return s
	}
	if width <= 1 {
		return string([]rune(s)[:max(width, 0)])
	}
	return string([]rune(s)[:width-1]) + "…"
}

func pad(s string, width int, right bool) string {
	n := width - displayWidth(s)
	if n <= 0 {
		return s
	}
	if right {
		return strings.Repeat(" ", n) + s
	}
	return s + strings.Repeat(" ", n)
}

func isNumber(s string) bool {
	if s == "" {
		return false
	}
	_, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", ""), 64)
	return err == nil
}

// groupDigits writes n with thousands separators, as people read counts:
// 2900 → "2,900".
func groupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// field is one "Label: value" line of a record shown to a person.
type field struct {
	label string
	value string
	style string // ANSI style of the value (see terminal.paint)
}

// writeFields writes fields as aligned "Label:  value" lines.
func writeFields(w io.Writer, t terminal, fields []field) error {
	width := 0
	for _, f := range fields {
		width = max(width, displayWidth(f.label)+1)
	}
	var b strings.Builder
	for _, f := range fields {
		b.WriteString("  ")
		b.WriteString(pad(f.label+":", width, false))
		b.WriteString("  ")
		b.WriteString(t.paint(f.style, f.value))
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

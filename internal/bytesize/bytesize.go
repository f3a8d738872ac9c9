// Package bytesize reads the sizes that ctlake's flags take
// (--memory-limit, --query-memory-limit): one grammar for all of them.
package bytesize

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// units are the units a size may carry, compared without regard to case,
// as DuckDB compares them (--query-memory-limit is passed on to it as
// written): KB, MB, GB, TB are powers of 1000, KiB, MiB, GiB, TiB of 1024.
// A number without a unit is bytes.
var units = map[string]float64{
	"": 1, "b": 1,
	"kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
	"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
}

// Parse reads a size: a decimal number, optionally with a fraction, then
// optionally spaces and a unit ("512MiB", "1.5GiB", "300 MB", "4096").
// Fractions of a byte are dropped.
func Parse(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := strings.IndexFunc(t, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	if i < 0 {
		i = len(t)
	}
	number := t[:i]
	unit, known := units[strings.ToLower(strings.TrimSpace(t[i:]))]
	n, err := strconv.ParseFloat(number, 64)
	// ParseFloat takes more than decimals ("1e3", "Inf"); the number must
	// be digits with at most one point, and a digit on each side of it.
	whole, frac, hasPoint := strings.Cut(number, ".")
	if err != nil || !known || whole == "" || hasPoint && (frac == "" || strings.Contains(frac, ".")) {
		return 0, fmt.Errorf("%q is not a size: give a number and a unit, such as 512MiB, 1.5GiB or 300MB (KB, MB, GB count in 1000s; KiB, MiB, GiB in 1024s)", s)
	}
	b := n * unit
	if b >= math.MaxInt64 {
		return 0, fmt.Errorf("%q is too large a size", s)
	}
	return int64(b), nil
}

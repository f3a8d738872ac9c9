package main

import (
	"fmt"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// defaultMemoryLimit is the soft limit of the Go heap: it keeps a large
// import's resident memory flat (the heap would otherwise grow to twice
// its live size between collections) at the price of more frequent
// collections when the heap nears it. DuckDB's memory is apart
// (--query-memory-limit).
const defaultMemoryLimit = "224MiB"

// applyMemoryLimit sets the Go heap's soft limit from --memory-limit
// ("off" or "0" for none). GOMEMLIMIT in the environment wins, as the Go
// runtime documents.
func applyMemoryLimit(flag string) (int64, error) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return debug.SetMemoryLimit(-1), nil
	}
	n, err := parseBytes(flag)
	if err != nil {
		return 0, fmt.Errorf("--memory-limit: %w", err)
	}
	if n == 0 {
		return 0, nil
	}
	debug.SetMemoryLimit(n)
	return n, nil
}

// parseBytes reads sizes such as 512MiB, 1GiB, 300MB or 1073741824.
func parseBytes(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "off" || s == "0" {
		return 0, nil
	}
	units := []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"B", 1}}
	mult := int64(1)
	for _, u := range units {
		if v, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mult = strings.TrimSpace(v), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%q is not a size such as 256MiB, 1GiB or off", s)
	}
	return n * mult, nil
}

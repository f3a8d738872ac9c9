package main

import (
	"fmt"
	"os"
	"runtime/debug"
	"strings"

	"github.com/ctlake/ctlake/internal/bytesize"
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
	if flag = strings.TrimSpace(flag); flag == "" || flag == "off" {
		return 0, nil
	}
	n, err := bytesize.Parse(flag)
	if err != nil {
		return 0, fmt.Errorf("--memory-limit: %w", err)
	}
	if n == 0 {
		return 0, nil
	}
	debug.SetMemoryLimit(n)
	return n, nil
}

package duckdb

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/ctlake/ctlake/internal/procfs"
)

// defaultMemoryLimit is a quarter of the memory of the machine (or of its
// cgroup, if that is less), at most 4 GiB; 1 GiB when neither can be read.
// It is the default of an Engine opened on its own (tests); the server's
// workers follow workerMemory.
func defaultMemoryLimit() string {
	const most = 4 << 30
	total := machineMemory()
	if total == 0 {
		return "1GiB"
	}
	return fmt.Sprintf("%dMiB", min(total/4, most)>>20)
}

// machineMemory is the memory of the machine, or of the process's cgroup
// if that is less, in bytes; 0 when neither can be read.
func machineMemory() int64 {
	total := memTotal()
	if limit := cgroupLimit(); limit > 0 && (total == 0 || limit < total) {
		total = limit
	}
	return total
}

// WorkersMemoryShare is the share of the machine's memory that all the
// worker processes of a QueryEngine together may take by default: a half,
// leaving the rest to the server, the page cache of the segments and the
// machine's other work.
const WorkersMemoryShare = 0.5

// minWorkerBudget is the least OS memory budget of a worker: below it
// DuckDB opens but hardly runs a query.
const minWorkerBudget = 512 << 20

// workerMemory returns the OS memory budget of each of n workers and, when
// cfg.MemoryLimit is empty, sets it. By default the n budgets together are
// WorkersMemoryShare of machineMemory (4 GiB taken for unknown), each at
// least minWorkerBudget, and DuckDB's memory_limit is the budget less what
// it allocates outside it (half the budget, at most 512 MiB). A limit given
// keeps its budget, DefaultMemoryBudget, whatever the total.
func workerMemory(cfg *Config, n int) (int64, error) {
	if cfg.MemoryLimit != "" {
		return DefaultMemoryBudget(cfg.MemoryLimit)
	}
	total := machineMemory()
	if total == 0 {
		total = 4 << 30
	}
	budget := max(int64(float64(total)*WorkersMemoryShare)/int64(max(n, 1)), minWorkerBudget)
	cfg.MemoryLimit = fmt.Sprintf("%dMiB", (budget-min(512<<20, budget/2))>>20)
	return budget, nil
}

// memTotal returns the memory of the machine in bytes, or 0.
func memTotal() int64 {
	n, _ := procfs.MemTotal()
	return n
}

// cgroupLimit returns the memory limit of the process's cgroup (v2) in
// bytes, or 0 if there is none.
func cgroupLimit() int64 {
	b, err := os.ReadFile("/sys/fs/cgroup/memory.max")
	if err != nil {
		return 0
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		return 0
	}
	return n
}

// formatBytes writes n bytes for a person: "1.5 GiB", "256 MiB".
func formatBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return strings.TrimSuffix(fmt.Sprintf("%.1f", float64(n)/(1<<30)), ".0") + " GiB"
	case n >= 1<<20:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

package duckdb

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
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

// memTotal returns MemTotal of /proc/meminfo in bytes, or 0.
func memTotal() int64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				return 0
			}
			return kb << 10
		}
	}
	return 0
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

// byteUnits are the units of DuckDB's memory settings: KB, MB... are powers
// of 1000, KiB, MiB... of 1024, as DuckDB reads them.
var byteUnits = map[string]int64{
	"": 1, "b": 1, "byte": 1, "bytes": 1,
	"k": 1e3, "kb": 1e3, "m": 1e6, "mb": 1e6, "g": 1e9, "gb": 1e9, "t": 1e12, "tb": 1e12,
	"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
}

// parseBytes reads a size as DuckDB's memory_limit takes it ("256MB",
// "1 GiB") into bytes.
func parseBytes(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := strings.IndexFunc(t, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	if i < 0 {
		i = len(t)
	}
	n, err := strconv.ParseFloat(t[:i], 64)
	unit, ok := byteUnits[strings.ToLower(strings.TrimSpace(t[i:]))]
	if err != nil || !ok || n < 0 {
		return 0, fmt.Errorf("%q is not a size such as 512MB or 2GiB", s)
	}
	return int64(n * float64(unit)), nil
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

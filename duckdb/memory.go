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
func defaultMemoryLimit() string {
	const most = 4 << 30
	total := memTotal()
	if limit := cgroupLimit(); limit > 0 && (total == 0 || limit < total) {
		total = limit
	}
	if total == 0 {
		return "1GiB"
	}
	return fmt.Sprintf("%dMiB", min(total/4, most)>>20)
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

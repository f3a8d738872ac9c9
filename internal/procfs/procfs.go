// Package procfs reads the memory figures Linux publishes under /proc: the
// server sizes and bounds its query workers with them, and the tests
// measure processes with them. Elsewhere the files do not exist, and the
// errors wrap fs.ErrNotExist.
package procfs

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// StatusBytes returns a memory figure of process pid, such as VmRSS, VmHWM
// (its peak resident set) or VmData, from /proc/<pid>/status, in bytes.
func StatusBytes(pid int, field string) (int64, error) {
	return kBField(fmt.Sprintf("/proc/%d/status", pid), field)
}

// MemTotal returns the memory of the machine (MemTotal of /proc/meminfo)
// in bytes.
func MemTotal() (int64, error) {
	return kBField("/proc/meminfo", "MemTotal")
}

// kBField reads a "Field:   1234 kB" line of a /proc file, in bytes.
func kBField(path, field string) (int64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("%s in %s: %q: %w", field, path, line, err)
			}
			return kb << 10, nil
		}
	}
	return 0, fmt.Errorf("no %s in %s", field, path)
}

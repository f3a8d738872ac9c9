//go:build !linux

package duckdb

import (
	"os/exec"
	"syscall"
	"time"
)

// limitMemory is a no-op where RLIMIT_DATA is not known to bound malloc:
// off Linux a worker is bounded by DuckDB's memory_limit and the pool's
// timeouts only.
func limitMemory(budget int64) error { return nil }

// setWorkerProcAttr makes a worker the leader of its own process group.
func setWorkerProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// killWorker kills a worker's process group with SIGKILL.
func killWorker(cmd *exec.Cmd) {
	if cmd.Process == nil {
		return
	}
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	cmd.Process.Kill()
}

// processRSS is unknown here: 0.
func processRSS(pid int) int64 { return 0 }

// processCPUTime is unknown here: checks are bounded by wall-clock time.
func processCPUTime(pid int) (time.Duration, bool) { return 0, false }

package duckdb

import (
	"bytes"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/ctlake/ctlake/internal/procfs"
)

// memoryResource is the limit a worker sets on itself. RLIMIT_DATA counts
// the private writable mappings (the heaps of malloc and of Go, DuckDB's
// buffers): what a query's memory is. RLIMIT_AS would also count address
// space reserved and never used (glibc's 64 MiB arena per thread, thread
// stacks, the race detector's shadow), so a limit that suits memory would
// refuse those reservations first.
const memoryResource = syscall.RLIMIT_DATA

// limitMemory lets the process's data mappings grow by at most budget bytes
// past what they are now. What they are now (VmData) is counted rather than
// assumed, so that the budget is the query's whatever the runtime reserved
// at start (the race detector alone reserves terabytes).
func limitMemory(budget int64) error {
	now, err := procfs.StatusBytes(os.Getpid(), "VmData")
	if err != nil {
		return err
	}
	limit := uint64(now + budget)
	return syscall.Setrlimit(memoryResource, &syscall.Rlimit{Cur: limit, Max: limit})
}

// setWorkerProcAttr makes a worker the leader of its own process group, so
// that a kill reaches every process it may have started, and has the kernel
// kill it when the server dies, however it dies. (Pdeathsig follows the
// thread that started the child; Go keeps that thread unless a goroutine
// locked to it exits, which the pool's goroutines never do.)
func setWorkerProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// killWorker kills a worker's process group with SIGKILL.
func killWorker(cmd *exec.Cmd) {
	if cmd.Process == nil {
		return
	}
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	cmd.Process.Kill()
}

// processRSS returns the resident memory of process pid in bytes, or 0.
func processRSS(pid int) int64 {
	n, _ := procfs.StatusBytes(pid, "VmRSS")
	return n
}

// clockTicks is the unit of the CPU times of /proc/<pid>/stat (USER_HZ),
// 100 a second on every Linux architecture Go supports.
const clockTicks = 100

// processCPUTime returns the CPU time process pid has used, all its
// threads, user and system, from /proc/<pid>/stat (utime + stime).
func processCPUTime(pid int) (time.Duration, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	// The command name, in parentheses, may hold spaces: fields count
	// from after its closing parenthesis (state is field 3, utime 14).
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, false
	}
	fields := strings.Fields(string(b[i+1:]))
	if len(fields) < 13 {
		return 0, false
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(utime+stime) * time.Second / clockTicks, true
}

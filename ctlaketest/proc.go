package ctlaketest

import (
	"net"

	"github.com/ctlake/ctlake/internal/procfs"
)

// ProcStatusBytes reads a memory figure of a process, such as VmHWM (its
// peak resident set) or VmRSS, from /proc/<pid>/status, in bytes: the
// product's reader, for the tests. An error wrapping fs.ErrNotExist means
// the system has no /proc.
var ProcStatusBytes = procfs.StatusBytes

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

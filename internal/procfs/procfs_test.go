package procfs

import (
	"errors"
	"io/fs"
	"os"
	"runtime"
	"testing"
)

func TestStatusBytes(t *testing.T) {
	if runtime.GOOS != "linux" {
		if _, err := StatusBytes(os.Getpid(), "VmRSS"); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("without /proc: %v, want an error wrapping fs.ErrNotExist", err)
		}
		return
	}
	rss, err := StatusBytes(os.Getpid(), "VmRSS")
	if err != nil {
		t.Fatal(err)
	}
	hwm, err := StatusBytes(os.Getpid(), "VmHWM")
	if err != nil {
		t.Fatal(err)
	}
	// The peak resident set is at least the current one, and a Go test
	// binary holds more than a megabyte.
	if rss < 1<<20 || hwm < rss {
		t.Errorf("VmRSS %d, VmHWM %d", rss, hwm)
	}
	total, err := MemTotal()
	if err != nil {
		t.Fatal(err)
	}
	if total < hwm {
		t.Errorf("MemTotal %d is less than this process's peak %d", total, hwm)
	}
	if _, err := StatusBytes(os.Getpid(), "NoSuchField"); err == nil {
		t.Error("a field that does not exist was read")
	}
}

package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// dataLock is an exclusive lock on a data folder, held for the life of the
// process. Two servers on one folder would each take the other's segment
// files for orphans and delete them, and interleave catalog writes that
// each believes it alone makes; the lock makes the second refuse to start.
//
// It is flock(2) on <data>/LOCK: the kernel drops it when the process
// ends, however it ends (a SIGKILL leaves no stale lock to clean up), and
// the file keeps the holder's pid for the message of the next comer.
type dataLock struct{ f *os.File }

// lockFileName is the lock's file inside the data folder.
const lockFileName = "LOCK"

// lockDataDir takes the lock of dir, or says which process holds it.
func lockDataDir(dir string) (*dataLock, error) {
	path := filepath.Join(dir, lockFileName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open the data folder's lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder := readHolder(f)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("the data folder %s is in use by another ctlake (%s holds %s): stop it, or give this server another --data folder",
				dir, holder, path)
		}
		return nil, fmt.Errorf("lock the data folder %s: %w", dir, err)
	}
	// The pid is a courtesy for the message above; the lock itself is the
	// flock, so a failure to write it is not fatal to correctness, but it
	// is reported all the same.
	if err := f.Truncate(0); err != nil {
		f.Close()
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0); err != nil {
		f.Close()
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	return &dataLock{f: f}, nil
}

// readHolder returns "pid N" from the lock file, or a vaguer phrase when
// the holder has not written it (yet).
func readHolder(f *os.File) string {
	b, err := io.ReadAll(io.NewSectionReader(f, 0, 32))
	if err != nil {
		return "another process"
	}
	if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && pid > 0 {
		return "pid " + strconv.Itoa(pid)
	}
	return "another process"
}

// Close releases the lock. The file stays: removing it would let a
// process that opened it just before lock a file no one else can see.
func (l *dataLock) Close() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close() // closing the last descriptor releases the flock
	l.f = nil
	return err
}

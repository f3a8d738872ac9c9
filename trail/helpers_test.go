package trail

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/klauspost/compress/gzip"

	"github.com/ctlake/ctlake"
)

// gz compresses s as one gzip member.
func gz(tb testing.TB, s string) []byte {
	tb.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write([]byte(s)); err != nil {
		tb.Fatal(err)
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// decodeAll decodes data and returns the events the sink received.
func decodeAll(data []byte) ([]*ctlake.Event, error) {
	var evs []*ctlake.Event
	err := Decode(bytes.NewReader(data), 0, func(ev *ctlake.Event) error {
		evs = append(evs, ev)
		return nil
	})
	return evs, err
}

// decodeOne decodes {"Records":[record]} and wants one event.
func decodeOne(tb testing.TB, record string) *ctlake.Event {
	tb.Helper()
	evs, err := decodeAll(gz(tb, `{"Records":[`+record+`]}`))
	if err != nil {
		tb.Fatalf("Decode: %v", err)
	}
	if len(evs) != 1 {
		tb.Fatalf("got %d events, want 1", len(evs))
	}
	return evs[0]
}

// fileError returns err as a *FileError, failing the test if it is not one.
func fileError(tb testing.TB, err error) *FileError {
	tb.Helper()
	var fe *FileError
	if !errors.As(err, &fe) {
		tb.Fatalf("error %v (%T) is not a *FileError", err, err)
	}
	return fe
}

// render shows an event as indented JSON (nil and empty stay apart: null
// against {} or []), for comparisons with readable diffs.
func render(tb testing.TB, ev *ctlake.Event) string {
	tb.Helper()
	b, err := json.MarshalIndent(ev, "", "  ")
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

func ptr[T any](v T) *T { return &v }

// invictusDir is the real trail tree of shared/testdata. It sits beside
// the repository; without it the test skips, unless CTLAKE_E2E=1 (CI),
// where nothing may skip.
func invictusDir(tb testing.TB) string {
	tb.Helper()
	dir := filepath.Join("..", "..", "shared", "testdata", "invictus-aws")
	if _, err := os.Stat(filepath.Join(dir, "AWSLogs")); err != nil {
		if os.Getenv("CTLAKE_E2E") == "1" {
			tb.Fatalf("real trail data missing (CTLAKE_E2E=1): %v", err)
		}
		tb.Skipf("real trail data not found at %s (shared/ beside the repository): %v", dir, err)
	}
	return dir
}

// trailFile is one log file of the Invictus tree.
type trailFile struct {
	key  string // slash-separated, relative to the tree
	data []byte // compressed
}

func invictusFiles(tb testing.TB) []trailFile {
	tb.Helper()
	dir := invictusDir(tb)
	var files []trailFile
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".gz" {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		files = append(files, trailFile{key: filepath.ToSlash(rel), data: data})
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	if len(files) != 55 {
		tb.Fatalf("found %d .json.gz files in %s, want 55", len(files), dir)
	}
	return files
}

// invictusFile reads one file of the day folder by name.
func invictusFile(tb testing.TB, name string) []byte {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join(invictusDir(tb), "AWSLogs", "218007301253", "CloudTrail", "us-east-1", "2023", "07", "10", name))
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

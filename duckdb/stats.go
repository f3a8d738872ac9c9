package duckdb

import (
	"fmt"
	"os"

	"github.com/parquet-go/parquet-go"
)

// scanned returns the rows and bytes of the segment files of stores: the
// row counts of the files' Parquet footers, read by the engine itself
// rather than through DuckDB, and the files' sizes.
func scanned(stores map[string][]string) (events, bytes int64, err error) {
	for _, paths := range stores {
		for _, p := range paths {
			rows, size, err := fileRows(p)
			if err != nil {
				return 0, 0, err
			}
			events += rows
			bytes += size
		}
	}
	return events, bytes, nil
}

// fileRows returns the number of rows and the size of the Parquet file p.
func fileRows(p string) (rows, size int64, err error) {
	f, err := os.Open(p)
	if err != nil {
		return 0, 0, fmt.Errorf("segment: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return 0, 0, fmt.Errorf("segment: %w", err)
	}
	pf, err := parquet.OpenFile(f, info.Size(), parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
	if err != nil {
		return 0, 0, fmt.Errorf("segment %s: %w", p, err)
	}
	return pf.NumRows(), info.Size(), nil
}

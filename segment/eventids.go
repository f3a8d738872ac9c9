package segment

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/parquet-go/parquet-go"
)

// EventIDs calls fn with every non-NULL eventid of the segment at path,
// reading that one column only. Imports that de-duplicate by eventID use it
// to learn what they committed before a stop, a retry or a crash.
func (s *Store) EventIDs(ctx context.Context, path string, fn func(id string)) error {
	f, err := os.Open(s.Abs(path))
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	pf, err := parquet.OpenFile(f, info.Size())
	if err != nil {
		return fmt.Errorf("open segment %s: %w", path, err)
	}
	leaf, ok := pf.Schema().Lookup("eventid")
	if !ok {
		return fmt.Errorf("segment %s has no eventid column", path)
	}
	values := make([]parquet.Value, 1024)
	for _, rg := range pf.RowGroups() {
		pages := rg.ColumnChunks()[leaf.ColumnIndex].Pages()
		for {
			if err := ctx.Err(); err != nil {
				pages.Close()
				return err
			}
			page, err := pages.ReadPage()
			if err == io.EOF {
				break
			}
			if err != nil {
				pages.Close()
				return fmt.Errorf("read segment %s: %w", path, err)
			}
			r := page.Values()
			for {
				n, err := r.ReadValues(values)
				for _, v := range values[:n] {
					if !v.IsNull() {
						fn(string(v.ByteArray()))
					}
				}
				if err == io.EOF {
					break
				}
				if err != nil {
					parquet.Release(page)
					pages.Close()
					return fmt.Errorf("read segment %s: %w", path, err)
				}
			}
			parquet.Release(page)
		}
		pages.Close()
	}
	return nil
}

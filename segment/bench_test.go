package segment

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/ctlake/ctlake"
	"github.com/ctlake/ctlake/internal/sqlquote"
)

// BenchmarkWriteSegment writes segments of 100,000 realistic events, of
// management events only (the usual event data store) and with S3 data
// events mixed in (whose x-amz-id-2 and object keys are long random
// strings), and reports the rate, the size on disk per event, and for
// comparison the size per event of the same rows written by DuckDB's own
// Parquet writer with zstd (its defaults otherwise).
func BenchmarkWriteSegment(b *testing.B) {
	b.Run("management", func(b *testing.B) { benchmarkWriteSegment(b, false) })
	b.Run("mixed", func(b *testing.B) { benchmarkWriteSegment(b, true) })
}

func benchmarkWriteSegment(b *testing.B, data bool) {
	const n = 100_000
	ctx := context.Background()
	events := genEvents(n, day, 1, data)
	var jsonBytes int64
	for _, e := range events {
		jsonBytes += int64(len(e.EventJSON))
	}
	store := NewStore(b.TempDir())
	b.SetBytes(jsonBytes) // MB/s of the records' JSON
	b.ReportAllocs()
	var seg ctlake.Segment
	for b.Loop() {
		var err error
		if seg, err = store.WriteSegment(ctx, "bench", day, events); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(seg.Bytes)/n, "bytes/event")
	b.ReportMetric(float64(jsonBytes)/n, "json-bytes/event")

	db := openDuckDB(b)
	out := filepath.Join(b.TempDir(), "duckdb.parquet")
	if _, err := db.Exec("COPY (SELECT * FROM read_parquet(" + sqlquote.String(store.Abs(seg.Path)) + ", hive_partitioning = false)) TO " +
		sqlquote.String(out) + " (FORMAT parquet, COMPRESSION zstd)"); err != nil {
		b.Fatal(err)
	}
	info, err := os.Stat(out)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(info.Size())/n, "duckdb-bytes/event")
}

package metrics_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/ctlake/ctlake"
	"github.com/ctlake/ctlake/metrics"
	"github.com/ctlake/ctlake/sqlite"
)

// BenchmarkGather measures the work of one scrape (the catalog read and
// every collector, Go runtime and process included) on an empty catalog and
// on one of 20,000 segments, the order of a year of daily imports into ten
// stores:
//
//	go test ./metrics -run '^$' -bench Gather -benchtime 20x
func BenchmarkGather(b *testing.B) {
	for _, segments := range []int{0, 20000} {
		b.Run(fmt.Sprintf("segments=%d", segments), func(b *testing.B) {
			ctx := context.Background()
			cat := sqlite.NewCatalog(filepath.Join(b.TempDir(), "catalog.db"))
			if err := cat.Open(ctx); err != nil {
				b.Fatal(err)
			}
			defer cat.Close()
			day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			if err := cat.Update(ctx, func(tx ctlake.Tx) error {
				for i := range segments {
					seg := ctlake.Segment{ID: fmt.Sprint(i), StoreID: fmt.Sprint("store-", i%10), Day: day.AddDate(0, 0, i%365),
						Path: fmt.Sprintf("s/%d.parquet", i), Events: 1000, Bytes: 1 << 20, MinTime: day, MaxTime: day, ImportID: "i"}
					if err := tx.PutSegment(seg); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				b.Fatal(err)
			}
			m := metrics.New(metrics.Config{Catalog: cat})
			b.ReportAllocs()
			for b.Loop() {
				if _, err := m.Registry().Gather(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

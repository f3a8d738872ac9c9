package metrics

import (
	"context"
	"fmt"
	"time"

	"github.com/ctlake/ctlake"
	"github.com/prometheus/client_golang/prometheus"
)

// scrapeTimeout bounds the catalog read of one scrape.
const scrapeTimeout = 10 * time.Second

var (
	importsRunningDesc = prometheus.NewDesc("ctlake_imports_running",
		"Imports INITIALIZING or IN_PROGRESS in the catalog.", nil, nil)
	importFilesDesc = prometheus.NewDesc("ctlake_import_files_completed_total",
		"Trail files imported by this process (rate() is files per second).", nil, nil)
	importEventsDesc = prometheus.NewDesc("ctlake_import_events_completed_total",
		"Events imported by this process (rate() is events per second).", nil, nil)
	importFailuresDesc = prometheus.NewDesc("ctlake_import_failures_total",
		"Import failure entries (files or whole imports that could not be imported) recorded by this process.", nil, nil)
	queriesRunningDesc = prometheus.NewDesc("ctlake_queries_running",
		"Queries RUNNING in the catalog.", nil, nil)
	queriesQueuedDesc = prometheus.NewDesc("ctlake_queries_queued",
		"Queries QUEUED in the catalog, waiting for a query worker.", nil, nil)
	segmentsDesc = prometheus.NewDesc("ctlake_storage_segments",
		"Parquet segment files of all event data stores, as committed in the catalog.", nil, nil)
	segmentBytesDesc = prometheus.NewDesc("ctlake_storage_segment_bytes",
		"Bytes of the Parquet segment files of all event data stores, as committed in the catalog.", nil, nil)
)

// catalogCollector reads, at scrape time and in one catalog transaction,
// the state the gauges show and the import statistics the progress counters
// follow. Stores are summed, not labelled: /metrics is unsigned, and store
// ids are the caller's business.
type catalogCollector struct {
	catalog ctlake.Catalog
	imports *importMetrics
}

// catalogState is what one scrape reads from the catalog.
type catalogState struct {
	running                map[string]ctlake.ImportStatistics
	queriesRunning, queued int
	segments, segmentBytes int64
}

func (c *catalogCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{importsRunningDesc, importFilesDesc, importEventsDesc, importFailuresDesc,
		queriesRunningDesc, queriesQueuedDesc, segmentsDesc, segmentBytesDesc} {
		ch <- d
	}
}

func (c *catalogCollector) Collect(ch chan<- prometheus.Metric) {
	st, err := c.read()
	if err != nil {
		// The counters still go out, with the progress last seen; the
		// gauges cannot, and the scrape logs why.
		ch <- prometheus.NewInvalidMetric(importsRunningDesc, err)
	}
	progress := c.imports.progressNow(st.running)
	ch <- prometheus.MustNewConstMetric(importFilesDesc, prometheus.CounterValue, float64(progress.FilesCompleted))
	ch <- prometheus.MustNewConstMetric(importEventsDesc, prometheus.CounterValue, float64(progress.EventsCompleted))
	ch <- prometheus.MustNewConstMetric(importFailuresDesc, prometheus.CounterValue, float64(progress.FailedEntries))
	if err != nil {
		return
	}
	ch <- prometheus.MustNewConstMetric(importsRunningDesc, prometheus.GaugeValue, float64(len(st.running)))
	ch <- prometheus.MustNewConstMetric(queriesRunningDesc, prometheus.GaugeValue, float64(st.queriesRunning))
	ch <- prometheus.MustNewConstMetric(queriesQueuedDesc, prometheus.GaugeValue, float64(st.queued))
	ch <- prometheus.MustNewConstMetric(segmentsDesc, prometheus.GaugeValue, float64(st.segments))
	ch <- prometheus.MustNewConstMetric(segmentBytesDesc, prometheus.GaugeValue, float64(st.segmentBytes))
}

// read takes the scrape's figures from the catalog. The segments are
// summed from the catalog rather than the files stat'ed: the catalog
// records each segment's size when it commits it, so a scrape touches no
// data file.
func (c *catalogCollector) read() (catalogState, error) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	var st catalogState
	err := c.catalog.View(ctx, func(tx ctlake.Tx) error {
		running, err := tx.Imports(ctlake.ImportFilter{Running: true})
		if err != nil {
			return fmt.Errorf("running imports: %w", err)
		}
		st.running = make(map[string]ctlake.ImportStatistics, len(running))
		for _, im := range running {
			st.running[im.ID] = im.Statistics
		}
		active, err := tx.Queries(ctlake.QueryFilter{Active: true})
		if err != nil {
			return fmt.Errorf("active queries: %w", err)
		}
		for _, q := range active {
			if q.Status == ctlake.QueryRunning {
				st.queriesRunning++
			} else {
				st.queued++
			}
		}
		if st.segments, st.segmentBytes, err = segmentTotals(tx); err != nil {
			return fmt.Errorf("segments: %w", err)
		}
		return nil
	})
	if err != nil {
		return catalogState{}, fmt.Errorf("read the catalog for metrics: %w", err)
	}
	return st, nil
}

// segmentTotaler is a catalog transaction that sums the segments itself.
// The SQLite catalog does it in SQL: with 20,000 segments a scrape then
// takes a few milliseconds, against 200 ms reading the rows out.
type segmentTotaler interface {
	SegmentTotals() (segments, bytes int64, err error)
}

// segmentTotals returns the number of segments of all stores and their
// bytes, summing the rows here for a catalog that cannot sum them.
func segmentTotals(tx ctlake.Tx) (segments, bytes int64, err error) {
	if t, ok := tx.(segmentTotaler); ok {
		return t.SegmentTotals()
	}
	all, err := tx.Segments("")
	for _, s := range all {
		segments, bytes = segments+1, bytes+s.Bytes
	}
	return segments, bytes, err
}

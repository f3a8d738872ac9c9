package metrics

import (
	"sync"
	"time"

	"github.com/ctlake/ctlake"
	"github.com/prometheus/client_golang/prometheus"
)

// importMetrics count the work of the imports this process runs.
//
// The importer commits its statistics to the catalog once per batch; the
// progress counters are those statistics, read at scrape time, minus the
// figures each run started from. So they count the files and events this
// process imported (a resumed import's earlier work is not counted twice),
// they never go down, and rate() over them is files or events per second.
type importMetrics struct {
	finished *prometheus.CounterVec

	mu sync.Mutex
	// runs are the runs going on, by import id.
	runs map[string]*importRun
	// ended is the progress of the runs that returned.
	ended ctlake.ImportStatistics
}

// importRun is one run of an import: the statistics it started from and
// the highest seen since.
type importRun struct {
	from, seen ctlake.ImportStatistics
}

func newImportMetrics() importMetrics {
	finished := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "ctlake_imports_finished_total",
		Help: "Import runs of this process that ended, by final status (COMPLETED, FAILED, STOPPED).",
	}, []string{"status"})
	// Every status is exported from the start, at 0, so that rate() and
	// alerts see the first one end.
	for _, st := range []ctlake.ImportStatus{ctlake.ImportCompleted, ctlake.ImportFailed, ctlake.ImportStopped} {
		finished.WithLabelValues(string(st))
	}
	return importMetrics{finished: finished, runs: map[string]*importRun{}}
}

// ImportRunStarted implements ctlake.Observer.
func (m *Metrics) ImportRunStarted(im *ctlake.Import) {
	t := &m.imports
	t.mu.Lock()
	defer t.mu.Unlock()
	if old := t.runs[im.ID]; old != nil {
		t.ended = add(t.ended, progress(old)) // never happens: one run per import
	}
	t.runs[im.ID] = &importRun{from: im.Statistics, seen: im.Statistics}
}

// ImportRunEnded implements ctlake.Observer.
func (m *Metrics) ImportRunEnded(im *ctlake.Import, _ time.Duration) {
	t := &m.imports
	t.mu.Lock()
	if r := t.runs[im.ID]; r != nil {
		r.see(im.Statistics)
		t.ended = add(t.ended, progress(r))
		delete(t.runs, im.ID)
	}
	t.mu.Unlock()
	if !im.Status.Running() { // still running: paused by a shutdown, not finished
		t.finished.WithLabelValues(string(im.Status)).Inc()
	}
}

// progressNow returns the work done by this process's runs, given the
// statistics the catalog has now for running imports.
func (t *importMetrics) progressNow(current map[string]ctlake.ImportStatistics) ctlake.ImportStatistics {
	t.mu.Lock()
	defer t.mu.Unlock()
	total := t.ended
	for id, r := range t.runs {
		if st, ok := current[id]; ok {
			r.see(st)
		}
		total = add(total, progress(r))
	}
	return total
}

// see raises the run's figures to st's. A figure never goes down, even if
// a slower scrape reads an older state.
func (r *importRun) see(st ctlake.ImportStatistics) {
	r.seen.FilesCompleted = max(r.seen.FilesCompleted, st.FilesCompleted)
	r.seen.EventsCompleted = max(r.seen.EventsCompleted, st.EventsCompleted)
	r.seen.FailedEntries = max(r.seen.FailedEntries, st.FailedEntries)
}

func progress(r *importRun) ctlake.ImportStatistics {
	return ctlake.ImportStatistics{
		FilesCompleted:  r.seen.FilesCompleted - r.from.FilesCompleted,
		EventsCompleted: r.seen.EventsCompleted - r.from.EventsCompleted,
		FailedEntries:   r.seen.FailedEntries - r.from.FailedEntries,
	}
}

func add(a, b ctlake.ImportStatistics) ctlake.ImportStatistics {
	return ctlake.ImportStatistics{
		FilesCompleted:  a.FilesCompleted + b.FilesCompleted,
		EventsCompleted: a.EventsCompleted + b.EventsCompleted,
		FailedEntries:   a.FailedEntries + b.FailedEntries,
	}
}

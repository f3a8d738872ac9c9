package metrics

import (
	"github.com/ctlake/ctlake"
	"github.com/prometheus/client_golang/prometheus"
)

type queryMetrics struct {
	finished *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newQueryMetrics() queryMetrics {
	finished := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "ctlake_queries_finished_total",
		Help: "Queries that reached a final status, by status (FINISHED, FAILED, CANCELLED, TIMED_OUT).",
	}, []string{"status"})
	// Every final status is exported from the start, at 0.
	for _, st := range []ctlake.QueryStatus{ctlake.QueryFinished, ctlake.QueryFailed, ctlake.QueryCancelled, ctlake.QueryTimedOut} {
		finished.WithLabelValues(string(st))
	}
	return queryMetrics{
		finished: finished,
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "ctlake_query_duration_seconds",
			Help: "Time from StartQuery to a query's final status (queued plus running), by final status.",
			// From a lookup of a few rows to the one-hour timeout.
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600},
		}, []string{"status"}),
	}
}

// QueryEnded implements ctlake.Observer.
func (m *Metrics) QueryEnded(q *ctlake.Query) {
	status := string(q.Status)
	m.queries.finished.WithLabelValues(status).Inc()
	m.queries.duration.WithLabelValues(status).Observe(max(0, q.UpdatedAt.Sub(q.CreatedAt).Seconds()))
}

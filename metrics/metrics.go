// Package metrics is ctlake's Prometheus instrumentation, served at
// GET /metrics in the text format. It keeps its own registry (two servers in
// one process never share counters) with the Go and process collectors and
// the ctlake_ metrics:
//
//   - API calls, counted by the server through ObserveRequest;
//   - imports and queries, told by the lake service through the
//     ctlake.Observer methods, plus what the catalog says at scrape time
//     (running imports and their progress, queued and running queries,
//     the size of the stored segments).
//
// Labels take values from short fixed sets only (operation names, AWS error
// codes, statuses): nothing a caller sends becomes a label, and nothing
// identifying a store, a key or a caller is exported, since /metrics is
// served without a signature.
package metrics

import (
	"log/slog"
	"net/http"

	"github.com/ctlake/ctlake"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Config is what the metrics need from the rest of the server.
type Config struct {
	// Catalog is read at scrape time for the gauges and import progress.
	Catalog ctlake.Catalog
	// Operations are the API's operation names; any other X-Amz-Target is
	// counted under operation="unknown".
	Operations []string
	// Logger receives the errors of scrapes (a catalog read that failed).
	Logger *slog.Logger
}

// Metrics holds ctlake's registry and the metrics updated as things happen.
// It implements ctlake.Observer and the server's request observer.
type Metrics struct {
	registry *prometheus.Registry
	logger   *slog.Logger

	api     apiMetrics
	imports importMetrics
	queries queryMetrics
}

var _ ctlake.Observer = (*Metrics)(nil)

// New returns the metrics of one server, registered on a new registry.
func New(cfg Config) *Metrics {
	m := &Metrics{registry: prometheus.NewRegistry(), logger: cfg.Logger}
	if m.logger == nil {
		m.logger = slog.Default()
	}
	m.api = newAPIMetrics(cfg.Operations)
	m.imports = newImportMetrics()
	m.queries = newQueryMetrics()
	m.registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.api.requests, m.api.duration,
		m.imports.finished,
		m.queries.finished, m.queries.duration,
		&catalogCollector{catalog: cfg.Catalog, imports: &m.imports},
	)
	return m
}

// Registry returns the registry, for tests and for adding collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.registry }

// Handler serves the registry in the Prometheus text format. A scrape whose
// catalog read fails still serves every other metric, and logs why.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{
		ErrorLog:      slog.NewLogLogger(m.logger.Handler(), slog.LevelWarn),
		ErrorHandling: promhttp.ContinueOnError,
		// Scrapes are cheap but not free (a catalog read): a handful at
		// once is plenty for any number of Prometheus servers.
		MaxRequestsInFlight: 4,
	})
}

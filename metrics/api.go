package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// unknownOperation labels calls whose X-Amz-Target names no operation of
// the API: the label set stays the API's, whatever clients send.
const unknownOperation = "unknown"

// okCode labels calls answered with success.
const okCode = "OK"

type apiMetrics struct {
	operations map[string]bool
	requests   *prometheus.CounterVec
	duration   *prometheus.HistogramVec
}

func newAPIMetrics(operations []string) apiMetrics {
	a := apiMetrics{
		operations: make(map[string]bool, len(operations)),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ctlake_api_requests_total",
			Help: `CloudTrail API calls answered, by operation ("unknown" if X-Amz-Target names none) and AWS error code ("OK" on success).`,
		}, []string{"operation", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "ctlake_api_request_duration_seconds",
			Help:    "Time to answer a CloudTrail API call, from its headers read to its response written, by operation.",
			Buckets: prometheus.DefBuckets,
		}, []string{"operation"}),
	}
	for _, op := range operations {
		a.operations[op] = true
	}
	return a
}

// ObserveRequest counts one API call. operation is the name X-Amz-Target
// gave ("" if none); code is the AWS error code of the answer, "" or "OK"
// on success.
func (m *Metrics) ObserveRequest(operation, code string, d time.Duration) {
	if !m.api.operations[operation] {
		operation = unknownOperation
	}
	if code == "" {
		code = okCode
	} else if !isErrorCode(code) {
		code = "InvalidErrorCode" // never happens with ctlake's own codes; keeps the label set closed
	}
	m.api.requests.WithLabelValues(operation, code).Inc()
	m.api.duration.WithLabelValues(operation).Observe(d.Seconds())
}

// isErrorCode reports whether code looks like an AWS error code (a short
// identifier, as ctlake's codes all are), or the OK marker.
func isErrorCode(code string) bool {
	if len(code) > 64 {
		return false
	}
	for _, c := range code {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

package ctlake

import (
	"context"
	"time"
)

// QueryEngine checks and runs CloudTrail Lake SQL over the segments of
// event data stores; package duckdb implements it, in worker processes.
type QueryEngine interface {
	// Prepare checks a statement (InvalidQueryStatementException) and
	// returns what to run and the ids of the stores it reads.
	Prepare(ctx context.Context, statement string) (PreparedQuery, error)
	// Run runs a prepared query over the segments of its stores, passing
	// each row to sink, and returns what it scanned.
	Run(ctx context.Context, q PreparedQuery, segments map[string][]Segment, sink func(columns []string, row []*string) error) (ScanStats, error)
	// Lookup answers LookupEvents over the segments of the given stores,
	// newest first.
	Lookup(ctx context.Context, segments map[string][]Segment, f LookupFilter) ([]LookupEvent, error)
}

// PreparedQuery is a statement the engine accepted.
type PreparedQuery struct {
	SQL    string
	Stores []string
}

// ScanStats are what a query read.
type ScanStats struct {
	EventsScanned, BytesScanned int64
}

// LookupFilter is what a LookupEvents call selects, for the engine.
type LookupFilter struct {
	Attribute  *LookupAttribute
	Start, End time.Time // zero: open
	Category   string    // "Management" or "Insight"
	// Before resumes a listing: events strictly before (time, id) in the
	// newest-first order.
	Before *LookupCursor
	Limit  int
}

// LookupCursor is a position in the newest-first order of LookupEvents.
type LookupCursor struct {
	TimeMillis int64  `json:"t"`
	EventID    string `json:"i"`
}

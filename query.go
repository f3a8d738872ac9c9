package ctlake

import (
	"context"
	"time"
)

// QueryStatus is the state of a query (spec §6.3).
type QueryStatus string

// Query statuses.
const (
	QueryQueued    QueryStatus = "QUEUED"
	QueryRunning   QueryStatus = "RUNNING"
	QueryFinished  QueryStatus = "FINISHED"
	QueryFailed    QueryStatus = "FAILED"
	QueryCancelled QueryStatus = "CANCELLED"
	QueryTimedOut  QueryStatus = "TIMED_OUT"
)

// Active reports whether a query in this status is queued or running.
func (s QueryStatus) Active() bool { return s == QueryQueued || s == QueryRunning }

// Query limits (spec §5.5, §6.1).
const (
	// MaxActiveQueries is how many queries one account may have queued or
	// running in a region.
	MaxActiveQueries = 10
	// QueryRetention is how long queries and their results are kept.
	QueryRetention = 7 * 24 * time.Hour
)

// Query is one CloudTrail Lake SQL query and its outcome.
type Query struct {
	ID        string
	Account   string
	Region    string
	Statement string
	// Stores are the ids of the event data stores the statement reads.
	Stores       []string
	Status       QueryStatus
	ErrorMessage string
	// DeliveryS3URI, when set, is where the results are written as CSV;
	// DeliveryStatus tracks it (PENDING, SUCCESS, FAILED…).
	DeliveryS3URI  string
	DeliveryStatus string
	Statistics     QueryStatistics
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// QueryStatistics are the figures of DescribeQuery and GetQueryResults.
type QueryStatistics struct {
	EventsMatched         int64 // rows the query produced
	EventsScanned         int64 // events in the segments it read
	BytesScanned          int64 // bytes of the segments it read
	ExecutionTimeInMillis int64
	TotalResultsCount     int64 // rows in the result
}

// QueryResultPage is one page of GetQueryResults.
type QueryResultPage struct {
	Query *Query
	// Columns and Rows are the page: one value per column, nil for NULL.
	Columns   []string
	Rows      [][]*string
	NextToken string
}

// StartQueryInput starts a query.
type StartQueryInput struct {
	Statement     string
	DeliveryS3URI string
}

// ListQueriesInput filters ListQueries.
type ListQueriesInput struct {
	EventDataStore string
	StartTime      *time.Time
	EndTime        *time.Time
	Status         string
	Page
}

// QueryService runs CloudTrail Lake SQL over the caller's stores.
type QueryService interface {
	// StartQuery returns InvalidQueryStatementException for a statement
	// outside the dialect or not a single SELECT,
	// EventDataStoreNotFoundException / InactiveEventDataStoreException for
	// the stores it names, and MaxConcurrentQueriesException past ten active
	// queries.
	StartQuery(ctx context.Context, in StartQueryInput) (*Query, error)
	// DescribeQuery returns QueryIdNotFoundException for an unknown id.
	DescribeQuery(ctx context.Context, id string) (*Query, error)
	// GetQueryResults returns a page of rows; InvalidMaxResultsException,
	// InvalidNextTokenException, QueryIdNotFoundException.
	GetQueryResults(ctx context.Context, id string, p Page) (*QueryResultPage, error)
	// ListQueries lists the queries of the last seven days that read a
	// store, newest first.
	ListQueries(ctx context.Context, in ListQueriesInput) ([]*Query, string, error)
	// CancelQuery returns InactiveQueryException for a query that ended.
	CancelQuery(ctx context.Context, id string) (*Query, error)
}

package ctlake

import (
	"context"
	"errors"
	"time"
)

// Catalog is the durable record of everything ctlake knows: event data
// stores and their tags now; imports, their files and the segments they
// committed, and queries as those parts arrive. Every change happens in a
// transaction, so a rule that reads and then writes (a name must be unique,
// ten stores at most) holds even with concurrent requests, and, later, with
// several ctlake nodes sharing one catalog.
//
// SQLite implements it (package sqlite); PostgreSQL is the next
// implementation, held to the same conformance suite.
type Catalog interface {
	// Update runs fn in a read-write transaction, committed if fn returns
	// nil and rolled back otherwise. fn's error is returned unchanged.
	Update(ctx context.Context, fn func(Tx) error) error
	// View runs fn in a read-only transaction.
	View(ctx context.Context, fn func(Tx) error) error
	Close() error
}

// ErrNotFound is returned by Tx lookups that find nothing. The service turns
// it into the AWS error of the operation.
var ErrNotFound = errors.New("not found")

// Tx is one catalog transaction.
type Tx interface {
	// EventDataStore returns the store with id, or ErrNotFound.
	EventDataStore(id string) (*EventDataStore, error)
	// EventDataStores returns the stores of f's account and region in
	// creation order.
	EventDataStores(f EventDataStoreFilter) ([]*EventDataStore, error)
	// PutEventDataStore inserts s, or replaces the store with its id.
	PutEventDataStore(s *EventDataStore) error
	// DeleteEventDataStore removes the store for good (a purge).
	DeleteEventDataStore(id string) error

	// Import returns the import with id, or ErrNotFound.
	Import(id string) (*Import, error)
	// Imports returns the imports f selects, newest first.
	Imports(f ImportFilter) ([]*Import, error)
	// PutImport inserts im, or replaces the import with its id.
	PutImport(im *Import) error

	// ImportPrefixes returns the day prefixes found by an import, each
	// with whether it is completed.
	ImportPrefixes(importID string) (map[string]bool, error)
	// PutImportPrefix records a day prefix of an import.
	PutImportPrefix(importID, prefix string, completed bool) error

	// ImportFiles returns the files an import has recorded, by key.
	ImportFiles(importID string) (map[string]ImportFile, error)
	// PutImportFile records the outcome of one file (or prefix) of an
	// import.
	PutImportFile(importID string, f ImportFile) error
	// ImportFailures returns the failure entries of an import in key
	// order, after the given key, at most limit (0: all).
	ImportFailures(importID, afterKey string, limit int) ([]ImportFile, error)

	// PutSegment records a segment: from this commit on it is part of its
	// store.
	PutSegment(seg Segment) error
	// Segments returns the segments of a store ("" for every store).
	Segments(storeID string) ([]Segment, error)
	// DeleteSegments forgets the segments of a store and returns them, so
	// that their files can be removed after the commit.
	DeleteSegments(storeID string) ([]Segment, error)

	// Query returns the query with id, or ErrNotFound.
	Query(id string) (*Query, error)
	// Queries returns the queries f selects, newest first.
	Queries(f QueryFilter) ([]*Query, error)
	// PutQuery inserts q, or replaces the query with its id.
	PutQuery(q *Query) error
	// AppendQueryResults stores rows of a query's result from row number
	// first on (0-based), with the result's column names, and adds their
	// ResultRowBytes to the bytes the query's result takes.
	AppendQueryResults(queryID string, columns []string, first int64, rows [][]*string) error
	// QueryResults returns the column names and up to limit rows of a
	// query's result from row number offset on, stopping after the row
	// whose ResultRowBytes take the page to maxBytes.
	QueryResults(queryID string, offset int64, limit int, maxBytes int64) (columns []string, rows [][]*string, err error)
	// DeleteQueryResults removes the rows of a query's result.
	DeleteQueryResults(queryID string) error
	// StoredResultBytes returns the bytes the results of all queries take,
	// as ResultRowBytes counts them.
	StoredResultBytes() (int64, error)
	// DeleteQueriesBefore removes queries created before t (Unix
	// milliseconds) and their results, and returns how many.
	DeleteQueriesBefore(t int64) (int, error)

	// Setting returns a server-wide value by name, or ErrNotFound.
	Setting(name string) ([]byte, error)
	// PutSetting stores a server-wide value.
	PutSetting(name string, value []byte) error
}

// EventDataStoreFilter selects stores.
type EventDataStoreFilter struct {
	Account, Region string
	// Name, if set, selects the store of that name.
	Name string
	// After, if set, selects stores after the one with this id in creation
	// order (keyset paging).
	After string
	// Limit, if above zero, caps the number of stores returned.
	Limit int
	// PendingDeletionBefore, if set, selects only stores pending deletion
	// since before this time (Unix milliseconds), across all accounts and
	// regions; used to purge them.
	PendingDeletionBefore int64
}

// ImportFilter selects imports.
type ImportFilter struct {
	Account, Region string
	Destination     string       // store id; "" for any
	Status          ImportStatus // "" for any
	// Running, if set, selects imports that are INITIALIZING or
	// IN_PROGRESS, across all accounts and regions when Account is "".
	Running bool
}

// ImportFileState is how far an import got with one file.
type ImportFileState string

// File states. DONE files never failed; the other three are failure entries
// (spec §4.9) in their FAILED / RETRY / SUCCEEDED states.
const (
	FileDone      ImportFileState = "DONE"
	FileFailed    ImportFileState = ImportFileState(FailureFailed)
	FileRetry     ImportFileState = ImportFileState(FailureRetry)
	FileSucceeded ImportFileState = ImportFileState(FailureSucceeded)
)

// ImportFile is the record of one file (or of a whole prefix that could
// not be listed) of an import.
type ImportFile struct {
	Key          string // the object key, or the prefix
	Prefix       string // the day prefix it belongs to
	Location     string // s3://bucket/key or file:///path, as reported
	State        ImportFileState
	Events       int64 // events imported from it
	ErrorType    string
	ErrorMessage string
	UpdatedAt    time.Time
}

// IsFailure reports whether the file is a failure entry.
func (f ImportFile) IsFailure() bool { return f.State != FileDone }

// QueryFilter selects queries.
type QueryFilter struct {
	Account, Region string // "" Account: every account and region
	Store           string // only queries that read this store
	// CreatedFrom and CreatedTo bound the creation time (Unix
	// milliseconds, inclusive; 0: open).
	CreatedFrom, CreatedTo int64
	Status                 QueryStatus
	// Active selects only queued and running queries.
	Active bool
}

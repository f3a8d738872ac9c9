package ctlake

import (
	"context"
	"errors"
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

// Package lake is the Lake service: it implements the domain services of
// package ctlake (event data stores, tags, imports, queries, LookupEvents)
// over a ctlake.Catalog, and owns the rules that need the catalog to
// decide: names unique per region, the store quota, termination
// protection, the deletion grace period, how many imports and queries run
// at once, the state transitions of imports and queries, result paging and
// limits, and the purge of deleted stores.
//
// It does the heavy work through the domain's seams only, which the
// command wires to adapters: an import runs through a ctlake.ImportRunner
// (package importer) over a ctlake.Source opened by a ctlake.SourceOpener;
// a query and LookupEvents run in a ctlake.QueryEngine (package duckdb,
// whose DuckDB runs in worker processes, not in the server's), over the
// segments of a ctlake.SegmentStore; results go to S3 through a
// ctlake.ResultDelivery; a ctlake.Observer (metrics) is told of import
// runs and queries. The service reads trail keys through package trail and
// imports no adapter.
package lake

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/ctlake/ctlake"
)

// Service implements ctlake.EventDataStoreService and ctlake.TagService.
type Service struct {
	Catalog ctlake.Catalog
	// Now is the clock; time.Now when nil. Tests move it to cross the
	// seven-day deletion window.
	Now func() time.Time
	// MaxEventDataStores is the quota of stores per account and region,
	// ctlake.DefaultMaxEventDataStores when zero.
	MaxEventDataStores int
	// OrganizationManagementAccount lets stores be created with
	// OrganizationEnabled, as an organization's management account may.
	// Off by default: a lone account is in no organization.
	OrganizationManagementAccount bool
	Logger                        *slog.Logger

	// Importer runs imports; Sources opens what they read; Segments holds
	// the stores' event files. A Service without them serves stores only.
	Importer ctlake.ImportRunner
	Sources  ctlake.SourceOpener
	Segments ctlake.SegmentStore
	// MaxConcurrentImports is how many imports one account may run at once
	// in a region; 1 (AWS's rule) when zero.
	MaxConcurrentImports int

	// Queries runs CloudTrail Lake SQL; Delivery writes results to S3.
	Queries  ctlake.QueryEngine
	Delivery ctlake.ResultDelivery
	// QueryWorkers is how many queries run at once (the rest wait
	// QUEUED); QueryTimeout ends a query TIMED_OUT (one hour when zero).
	QueryWorkers int
	QueryTimeout time.Duration
	// ResultLimits bound what query results take; zero fields take their
	// defaults.
	ResultLimits ctlake.ResultLimits

	// Observer is told when imports and queries start and end (metrics);
	// nil observes nothing.
	Observer ctlake.Observer

	tokens  pageTokens
	runs    tasks // imports
	queries tasks
	// slots bound the queries that run at once (QueryWorkers).
	slots      chan struct{}
	querySlots sync.Once
}

var (
	_ ctlake.EventDataStoreService = (*Service)(nil)
	_ ctlake.TagService            = (*Service)(nil)
)

const pageTokenKeySetting = "page-token-key"

// Open loads the key that signs paging tokens, making it on first use, so
// that tokens stay valid across restarts and nodes sharing the catalog.
func (s *Service) Open(ctx context.Context) error {
	return s.Catalog.Update(ctx, func(tx ctlake.Tx) error {
		key, err := tx.Setting(pageTokenKeySetting)
		if errors.Is(err, ctlake.ErrNotFound) {
			key = make([]byte, 32)
			rand.Read(key)
			err = tx.PutSetting(pageTokenKeySetting, key)
		}
		if err != nil {
			return fmt.Errorf("page token key: %w", err)
		}
		s.tokens = pageTokens{key: key}
		return nil
	})
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

func (s *Service) maxStores() int {
	if s.MaxEventDataStores > 0 {
		return s.MaxEventDataStores
	}
	return ctlake.DefaultMaxEventDataStores
}

// caller returns the request's caller. A request that reached the service
// without one is a wiring bug, reported as an internal failure.
func caller(ctx context.Context) (ctlake.Caller, error) {
	c, ok := ctlake.CallerFromContext(ctx)
	if !ok {
		return ctlake.Caller{}, errors.New("lake: request context carries no caller")
	}
	return c, nil
}

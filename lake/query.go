package lake

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/ctlake/ctlake"
)

// A query's rows are committed to the catalog in batches of resultBatch
// rows or resultBatchBytes (as ctlake.ResultRowBytes counts), whichever
// comes first: what the run holds is bounded, and so is each write
// transaction.
const (
	resultBatch      = 1000
	resultBatchBytes = 4 << 20
)

// StartQuery checks a statement synchronously and runs it in the
// background (spec §3.13).
func (s *Service) StartQuery(ctx context.Context, in ctlake.StartQueryInput) (*ctlake.Query, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if s.Queries == nil {
		return nil, ctlake.Errorf(ctlake.UnsupportedOperationException, "This server was started without a query engine.")
	}
	var v ctlake.Validation
	v.Length("queryStatement", in.Statement, 1, 10000)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if in.DeliveryS3URI != "" {
		if err := checkDeliveryURI(in.DeliveryS3URI); err != nil {
			return nil, err
		}
		if s.Delivery == nil {
			return nil, ctlake.Errorf(ctlake.UnsupportedOperationException, "This server cannot deliver results to S3.")
		}
		if err := s.Delivery.Check(ctx, in.DeliveryS3URI); err != nil {
			return nil, err
		}
	}
	prep, err := s.Queries.Prepare(ctx, in.Statement)
	if err != nil {
		return nil, err
	}
	now := ctlake.Millis(s.now())
	q := &ctlake.Query{ID: ctlake.NewID(), Account: c.Account, Region: c.Region, Statement: in.Statement, Stores: prep.Stores,
		Status: ctlake.QueryQueued, DeliveryS3URI: in.DeliveryS3URI, CreatedAt: now, UpdatedAt: now}
	if q.DeliveryS3URI != "" {
		q.DeliveryStatus = "PENDING"
	}
	segments := map[string][]ctlake.Segment{}
	err = s.Catalog.Update(ctx, func(tx ctlake.Tx) error {
		for _, id := range prep.Stores {
			eds, err := tx.EventDataStore(id)
			if errors.Is(err, ctlake.ErrNotFound) || err == nil && (eds.Account != c.Account || eds.Region != c.Region || s.purged(eds)) {
				return ctlake.Errorf(ctlake.EventDataStoreNotFoundException, "The event data store %s was not found in account %s, region %s.", id, c.Account, c.Region)
			}
			if err != nil {
				return err
			}
			if eds.Status == ctlake.StatusPendingDeletion {
				return inactive(eds)
			}
			if segments[id], err = tx.Segments(id); err != nil {
				return err
			}
		}
		active, err := tx.Queries(ctlake.QueryFilter{Account: c.Account, Region: c.Region, Active: true})
		if err != nil {
			return err
		}
		if len(active) >= ctlake.MaxActiveQueries {
			return ctlake.Errorf(ctlake.MaxConcurrentQueriesException,
				"Account %s already has %d queries queued or running in %s, the most allowed; wait for one to end or cancel one.", c.Account, len(active), c.Region)
		}
		return tx.PutQuery(q)
	})
	if err != nil {
		return nil, err
	}
	s.launchQuery(q, prep, segments)
	return q, nil
}

var deliveryURIPattern = regexp.MustCompile(`^s3://[a-z0-9][\.\-a-z0-9]{1,61}[a-z0-9](/.*)?$`)

func checkDeliveryURI(uri string) error {
	var v ctlake.Validation
	if v.Length("deliveryS3Uri", uri, 1, 1024) && !deliveryURIPattern.MatchString(uri) {
		return ctlake.Errorf(ctlake.InvalidS3BucketNameException, "DeliveryS3Uri '%s' does not name a valid bucket: give s3://bucket[/prefix].", uri)
	}
	return v.Err()
}

// launchQuery runs a query in the background, at most QueryWorkers at once
// (the rest stay QUEUED).
func (s *Service) launchQuery(q *ctlake.Query, prep ctlake.PreparedQuery, segments map[string][]ctlake.Segment) {
	s.querySlots.Do(func() { s.slots = make(chan struct{}, max(1, s.QueryWorkers)) })
	s.queries.start(q.ID, func(ctx context.Context) {
		select {
		case s.slots <- struct{}{}:
			defer func() { <-s.slots }()
		case <-ctx.Done():
			s.endQuery(q.ID, ctlake.QueryCancelled, "", ctlake.QueryStatistics{})
			return
		}
		s.runQuery(ctx, q, prep, segments)
	})
}

func (s *Service) runQuery(ctx context.Context, q *ctlake.Query, prep ctlake.PreparedQuery, segments map[string][]ctlake.Segment) {
	if ok, err := s.queryTransition(q.ID, ctlake.QueryRunning); err != nil || !ok {
		return
	}
	timeout := s.QueryTimeout
	if timeout <= 0 {
		timeout = time.Hour
	}
	runCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	limits := s.ResultLimits.WithDefaults()
	tally := ctlake.ResultTally{Limits: limits}
	var columns []string
	var pending [][]*string
	var total, pendingBytes int64
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		first := total - int64(len(pending))
		err := s.Catalog.Update(context.Background(), func(tx ctlake.Tx) error {
			stored, err := tx.StoredResultBytes()
			if err != nil {
				return err
			}
			if err := limits.CheckTotal(stored, pendingBytes); err != nil {
				return err
			}
			return tx.AppendQueryResults(q.ID, columns, first, pending)
		})
		clear(pending) // let the rows go before the next ones come
		pending, pendingBytes = pending[:0], 0
		return err
	}
	scan, err := s.Queries.Run(runCtx, prep, segments, func(cols []string, row []*string) error {
		columns = cols
		before := tally.Bytes
		if err := tally.Add(cols, row); err != nil {
			return err
		}
		pending = append(pending, row)
		pendingBytes += tally.Bytes - before
		total++
		if len(pending) >= resultBatch || pendingBytes >= resultBatchBytes {
			return flush()
		}
		return nil
	})
	if ferr := flush(); err == nil {
		err = ferr
	}
	if columns == nil && err == nil {
		// No rows: still record the column names, so GetQueryResults
		// answers an empty result rather than nothing.
		s.Catalog.Update(context.Background(), func(tx ctlake.Tx) error { return tx.AppendQueryResults(q.ID, []string{}, 0, nil) })
	}
	st := ctlake.QueryStatistics{EventsMatched: total, EventsScanned: scan.EventsScanned, BytesScanned: scan.BytesScanned,
		ExecutionTimeInMillis: time.Since(start).Milliseconds(), TotalResultsCount: total}
	switch {
	case err == nil:
		s.endQuery(q.ID, ctlake.QueryFinished, "", st)
	case ctx.Err() != nil && s.shuttingDown():
		s.endQuery(q.ID, ctlake.QueryFailed, "The server shut down while the query ran; start the query again.", st)
	case ctx.Err() != nil:
		s.endQuery(q.ID, ctlake.QueryCancelled, "", st)
	case runCtx.Err() != nil:
		s.endQuery(q.ID, ctlake.QueryTimedOut, fmt.Sprintf("The query ran longer than %s and was stopped; the rows it produced are kept.", timeout), st)
	default:
		msg := ctlake.ErrorMessage(err)
		var limit *ctlake.ResultLimitError
		switch {
		case errors.As(err, &limit):
			msg = limit.Message
		case ctlake.ErrorCode(err) == ctlake.InternalFailure:
			msg = s.engineFailure(q.ID, err, segments)
		}
		if len(msg) > 1000 {
			msg = msg[:997] + "..."
		}
		s.endQuery(q.ID, ctlake.QueryFailed, msg, st)
	}
	if q.DeliveryS3URI != "" {
		s.deliver(q.ID)
	}
}

func (s *Service) queryTransition(id string, to ctlake.QueryStatus) (bool, error) {
	moved := false
	err := s.Catalog.Update(context.Background(), func(tx ctlake.Tx) error {
		q, err := tx.Query(id)
		if err != nil || !q.Status.Active() {
			return err
		}
		q.Status, q.UpdatedAt, moved = to, ctlake.Millis(s.now()), true
		return tx.PutQuery(q)
	})
	return moved, err
}

// endQuery records how a query ended, unless it already had, and then logs
// its one end line and tells the observer.
func (s *Service) endQuery(id string, status ctlake.QueryStatus, msg string, st ctlake.QueryStatistics) {
	var ended *ctlake.Query
	err := s.Catalog.Update(context.Background(), func(tx ctlake.Tx) error {
		q, err := tx.Query(id)
		if err != nil || !q.Status.Active() {
			return err
		}
		q.Status, q.ErrorMessage, q.Statistics, q.UpdatedAt = status, msg, st, ctlake.Millis(s.now())
		ended = q
		if status == ctlake.QueryFailed {
			// Nobody can read a failed query's rows: free their room.
			if err := tx.DeleteQueryResults(id); err != nil {
				return err
			}
		}
		return tx.PutQuery(q)
	})
	if err != nil {
		s.logger().Error("record the end of a query", "query_id", id, "error", err)
		return
	}
	if ended == nil {
		return // it had already ended
	}
	attrs := []any{"query_id", id, "status", status, "duration_ms", ended.UpdatedAt.Sub(ended.CreatedAt).Milliseconds(),
		"rows", st.TotalResultsCount, "events_scanned", st.EventsScanned}
	if msg != "" {
		attrs = append(attrs, "error", msg)
	}
	s.logger().Info("query finished", attrs...)
	s.observer().QueryEnded(ended)
}

// deliver writes a finished query's results to its DeliveryS3Uri as CSV.
func (s *Service) deliver(id string) {
	ctx := context.Background()
	var q *ctlake.Query
	if err := s.Catalog.View(ctx, func(tx ctlake.Tx) (err error) { q, err = tx.Query(id); return err }); err != nil {
		return
	}
	status := "SUCCESS"
	if q.Status != ctlake.QueryFinished {
		status = "CANCELLED"
	} else if err := s.Delivery.Deliver(ctx, q, func(offset int64, limit int) ([]string, [][]*string, error) {
		var cols []string
		var rows [][]*string
		err := s.Catalog.View(ctx, func(tx ctlake.Tx) (err error) {
			cols, rows, err = tx.QueryResults(id, offset, limit, ctlake.ResultPageBytes)
			return err
		})
		return cols, rows, err
	}); err != nil {
		status = "FAILED"
		s.logger().Warn("query result delivery failed", "query_id", id, "uri", q.DeliveryS3URI, "error", err)
	}
	s.Catalog.Update(ctx, func(tx ctlake.Tx) error {
		q, err := tx.Query(id)
		if err != nil {
			return err
		}
		q.DeliveryStatus = status
		return tx.PutQuery(q)
	})
}

// DescribeQuery returns a query of the caller.
func (s *Service) DescribeQuery(ctx context.Context, id string) (*ctlake.Query, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if err := ctlake.ValidateID("queryId", id); err != nil {
		return nil, err
	}
	var q *ctlake.Query
	err = s.Catalog.View(ctx, func(tx ctlake.Tx) (err error) { q, err = s.queryOf(tx, c, id); return err })
	return q, err
}

// GetQueryResults returns a page of a query's rows once it has ended (the
// rows of a query that timed out or was cancelled are what it produced).
// A page holds up to ctlake.ResultPageBytes of rows, so it may have fewer
// rows than MaxQueryResults asked, and a NextToken.
func (s *Service) GetQueryResults(ctx context.Context, id string, p ctlake.Page) (*ctlake.QueryResultPage, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if err := ctlake.ValidateID("queryId", id); err != nil {
		return nil, err
	}
	limit, err := ctlake.PageLimit(p.MaxResults, 1000, ctlake.InvalidMaxResultsException)
	if err != nil {
		return nil, err
	}
	scope := "GetQueryResults/" + id
	offset := int64(0)
	if p.NextToken != nil {
		after, err := s.tokens.decode(*p.NextToken, scope, ctlake.InvalidNextTokenException)
		if err != nil {
			return nil, err
		}
		offset, _ = strconv.ParseInt(after, 10, 64)
	}
	page := &ctlake.QueryResultPage{}
	err = s.Catalog.View(ctx, func(tx ctlake.Tx) error {
		q, err := s.queryOf(tx, c, id)
		if err != nil {
			return err
		}
		page.Query = q
		if q.Status.Active() || q.Status == ctlake.QueryFailed {
			return nil
		}
		page.Columns, page.Rows, err = tx.QueryResults(id, offset, limit, ctlake.ResultPageBytes)
		return err
	})
	if err != nil {
		return nil, err
	}
	if next := offset + int64(len(page.Rows)); next < page.Query.Statistics.TotalResultsCount && len(page.Rows) > 0 {
		page.NextToken = s.tokens.encode(scope, strconv.FormatInt(next, 10))
	}
	return page, nil
}

// ListQueries lists the queries of the last seven days that read a store.
func (s *Service) ListQueries(ctx context.Context, in ctlake.ListQueriesInput) ([]*ctlake.Query, string, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, "", err
	}
	limit, err := ctlake.PageLimit(in.MaxResults, 1000, ctlake.InvalidMaxResultsException)
	if err != nil {
		return nil, "", err
	}
	eds, err := s.GetEventDataStore(ctx, in.EventDataStore)
	if err != nil {
		return nil, "", err
	}
	if eds.Status == ctlake.StatusPendingDeletion {
		return nil, "", inactive(eds)
	}
	f := ctlake.QueryFilter{Account: c.Account, Region: c.Region, Store: eds.ID, CreatedFrom: s.now().Add(-ctlake.QueryRetention).UnixMilli()}
	if in.StartTime != nil && in.EndTime != nil && in.StartTime.After(*in.EndTime) {
		return nil, "", ctlake.Errorf(ctlake.InvalidDateRangeException, "StartTime is after EndTime.")
	}
	if in.StartTime != nil && in.StartTime.UnixMilli() > f.CreatedFrom {
		f.CreatedFrom = in.StartTime.UnixMilli()
	}
	if in.EndTime != nil {
		f.CreatedTo = in.EndTime.UnixMilli()
	}
	if in.Status != "" {
		switch st := ctlake.QueryStatus(in.Status); st {
		case ctlake.QueryQueued, ctlake.QueryRunning, ctlake.QueryFinished, ctlake.QueryFailed, ctlake.QueryCancelled, ctlake.QueryTimedOut:
			f.Status = st
		default:
			return nil, "", ctlake.Errorf(ctlake.InvalidQueryStatusException, "QueryStatus '%s' is not one of QUEUED, RUNNING, FINISHED, FAILED, CANCELLED, TIMED_OUT.", in.Status)
		}
	}
	// The token binds everything but the 7-day floor, which moves with the
	// clock between pages.
	scope := fmt.Sprintf("ListQueries/%s/%s/%s/%d/%s", c.Account, c.Region, eds.ID, f.CreatedTo, f.Status)
	return pageByID(s.tokens, scope, in.NextToken, limit, func(q *ctlake.Query) string { return q.ID }, func() (all []*ctlake.Query, err error) {
		err = s.Catalog.View(ctx, func(tx ctlake.Tx) error { all, err = tx.Queries(f); return err })
		return all, err
	})
}

// CancelQuery cancels a queued or running query.
func (s *Service) CancelQuery(ctx context.Context, id string) (*ctlake.Query, error) {
	q, err := s.DescribeQuery(ctx, id)
	if err != nil {
		return nil, err
	}
	if !q.Status.Active() {
		return nil, ctlake.Errorf(ctlake.InactiveQueryException, "The query %s already ended (%s); only a queued or running query can be cancelled.", id, q.Status)
	}
	if !s.queries.stop(id) {
		s.endQuery(id, ctlake.QueryCancelled, "", q.Statistics)
	}
	return s.DescribeQuery(ctx, id)
}

func (s *Service) queryOf(tx ctlake.Tx, c ctlake.Caller, id string) (*ctlake.Query, error) {
	q, err := tx.Query(id)
	if errors.Is(err, ctlake.ErrNotFound) || err == nil && (q.Account != c.Account || q.Region != c.Region ||
		s.now().Sub(q.CreatedAt) > ctlake.QueryRetention) {
		return nil, ctlake.Errorf(ctlake.QueryIdNotFoundException, "No query with id %s exists in account %s, region %s (queries are kept seven days).", id, c.Account, c.Region)
	}
	return q, err
}

// FailInterruptedQueries ends the queries a previous process left queued or
// running: their work died with it.
func (s *Service) FailInterruptedQueries(ctx context.Context) error {
	var active []*ctlake.Query
	if err := s.Catalog.View(ctx, func(tx ctlake.Tx) (err error) { active, err = tx.Queries(ctlake.QueryFilter{Active: true}); return err }); err != nil {
		return err
	}
	for _, q := range active {
		s.endQuery(q.ID, ctlake.QueryFailed, "The server restarted while the query was queued or running; start the query again.", q.Statistics)
	}
	return nil
}

func (s *Service) shuttingDown() bool { return s.queries.closing() }

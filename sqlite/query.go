package sqlite

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ctlake/ctlake"
)

const queryColumns = `id, account, region, statement, status, error_message, delivery_uri, delivery_status,
	events_matched, events_scanned, bytes_scanned, execution_ms, total_results, created_ms, updated_ms`

// Query returns the query with id.
func (tx *Tx) Query(id string) (*ctlake.Query, error) {
	qs, err := tx.queries(`WHERE id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(qs) == 0 {
		return nil, ctlake.ErrNotFound
	}
	return qs[0], nil
}

// Queries returns the queries f selects, newest first.
func (tx *Tx) Queries(f ctlake.QueryFilter) ([]*ctlake.Query, error) {
	where := []string{"1=1"}
	var args []any
	if f.Account != "" {
		where = append(where, "account = ? AND region = ?")
		args = append(args, f.Account, f.Region)
	}
	if f.Store != "" {
		where = append(where, "id IN (SELECT query_id FROM query_stores WHERE store_id = ?)")
		args = append(args, f.Store)
	}
	if f.CreatedFrom != 0 {
		where = append(where, "created_ms >= ?")
		args = append(args, f.CreatedFrom)
	}
	if f.CreatedTo != 0 {
		where = append(where, "created_ms <= ?")
		args = append(args, f.CreatedTo)
	}
	if f.Status != "" {
		where = append(where, "status = ?")
		args = append(args, string(f.Status))
	}
	if f.Active {
		where = append(where, "status IN (?, ?)")
		args = append(args, string(ctlake.QueryQueued), string(ctlake.QueryRunning))
	}
	return tx.queries(`WHERE `+strings.Join(where, " AND ")+` ORDER BY created_ms DESC, id DESC`, args...)
}

func (tx *Tx) queries(tail string, args ...any) ([]*ctlake.Query, error) {
	rows, err := tx.tx.QueryContext(tx.ctx, `SELECT `+queryColumns+` FROM queries `+tail, args...)
	if err != nil {
		return nil, err
	}
	var out []*ctlake.Query
	for rows.Next() {
		var q ctlake.Query
		var status string
		var created, updated int64
		st := &q.Statistics
		if err := rows.Scan(&q.ID, &q.Account, &q.Region, &q.Statement, &status, &q.ErrorMessage, &q.DeliveryS3URI, &q.DeliveryStatus,
			&st.EventsMatched, &st.EventsScanned, &st.BytesScanned, &st.ExecutionTimeInMillis, &st.TotalResultsCount, &created, &updated); err != nil {
			rows.Close()
			return nil, err
		}
		q.Status, q.CreatedAt, q.UpdatedAt = ctlake.QueryStatus(status), fromMillis(created), fromMillis(updated)
		out = append(out, &q)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, q := range out {
		if q.Stores, err = tx.queryStores(q.ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (tx *Tx) queryStores(id string) ([]string, error) {
	rows, err := tx.tx.QueryContext(tx.ctx, `SELECT store_id FROM query_stores WHERE query_id = ? ORDER BY position`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// PutQuery inserts or updates q.
func (tx *Tx) PutQuery(q *ctlake.Query) error {
	st := q.Statistics
	_, err := tx.tx.ExecContext(tx.ctx, `INSERT INTO queries (`+queryColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET status = excluded.status, error_message = excluded.error_message,
			delivery_status = excluded.delivery_status, events_matched = excluded.events_matched,
			events_scanned = excluded.events_scanned, bytes_scanned = excluded.bytes_scanned,
			execution_ms = excluded.execution_ms, total_results = excluded.total_results, updated_ms = excluded.updated_ms`,
		q.ID, q.Account, q.Region, q.Statement, string(q.Status), q.ErrorMessage, q.DeliveryS3URI, q.DeliveryStatus,
		st.EventsMatched, st.EventsScanned, st.BytesScanned, st.ExecutionTimeInMillis, st.TotalResultsCount,
		millis(q.CreatedAt), millis(q.UpdatedAt))
	if err != nil {
		return err
	}
	for i, s := range q.Stores {
		if _, err := tx.tx.ExecContext(tx.ctx, `INSERT OR IGNORE INTO query_stores (query_id, position, store_id) VALUES (?, ?, ?)`, q.ID, i, s); err != nil {
			return err
		}
	}
	return nil
}

// AppendQueryResults stores rows of a result.
func (tx *Tx) AppendQueryResults(queryID string, columns []string, first int64, rows [][]*string) error {
	cols, err := json.Marshal(columns)
	if err != nil {
		return err
	}
	if _, err := tx.tx.ExecContext(tx.ctx, `UPDATE queries SET columns = ? WHERE id = ?`, string(cols), queryID); err != nil {
		return err
	}
	stmt, err := tx.tx.PrepareContext(tx.ctx, `INSERT INTO query_results (query_id, row_no, row) VALUES (?, ?, ?)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	var size int64
	for i, r := range rows {
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		if _, err := stmt.ExecContext(tx.ctx, queryID, first+int64(i), string(b)); err != nil {
			return err
		}
		size += ctlake.ResultRowBytes(r)
	}
	_, err = tx.tx.ExecContext(tx.ctx, `UPDATE queries SET result_bytes = result_bytes + ? WHERE id = ?`, size, queryID)
	return err
}

// DeleteQueryResults removes the rows of a result.
func (tx *Tx) DeleteQueryResults(queryID string) error {
	if _, err := tx.tx.ExecContext(tx.ctx, `DELETE FROM query_results WHERE query_id = ?`, queryID); err != nil {
		return err
	}
	_, err := tx.tx.ExecContext(tx.ctx, `UPDATE queries SET result_bytes = 0 WHERE id = ?`, queryID)
	return err
}

// StoredResultBytes returns the bytes of all results.
func (tx *Tx) StoredResultBytes() (int64, error) {
	var n int64
	err := tx.tx.QueryRowContext(tx.ctx, `SELECT COALESCE(SUM(result_bytes), 0) FROM queries`).Scan(&n)
	return n, err
}

// QueryResults returns a page of a result, at most limit rows and, past
// its first row, at most maxBytes.
func (tx *Tx) QueryResults(queryID string, offset int64, limit int, maxBytes int64) ([]string, [][]*string, error) {
	var cols string
	err := tx.tx.QueryRowContext(tx.ctx, `SELECT columns FROM queries WHERE id = ?`, queryID).Scan(&cols)
	if err == sql.ErrNoRows {
		return nil, nil, ctlake.ErrNotFound
	}
	if err != nil {
		return nil, nil, err
	}
	var columns []string
	if err := json.Unmarshal([]byte(cols), &columns); err != nil {
		return nil, nil, fmt.Errorf("query %s: columns: %w", queryID, err)
	}
	rows, err := tx.tx.QueryContext(tx.ctx, `SELECT row FROM query_results WHERE query_id = ? AND row_no >= ? ORDER BY row_no LIMIT ?`, queryID, offset, limit)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var out [][]*string
	var size int64
	for size < maxBytes && rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return nil, nil, err
		}
		var r []*string
		if err := json.Unmarshal(b, &r); err != nil {
			return nil, nil, err
		}
		out = append(out, r)
		size += ctlake.ResultRowBytes(r)
	}
	return columns, out, rows.Err()
}

// DeleteQueriesBefore removes old queries and their results.
func (tx *Tx) DeleteQueriesBefore(t int64) (int, error) {
	res, err := tx.tx.ExecContext(tx.ctx, `DELETE FROM queries WHERE created_ms < ?`, t)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

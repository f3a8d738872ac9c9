package sqlite

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ctlake/ctlake"
)

const importColumns = `id, account, region, destination, s3_location_uri, s3_bucket_region, s3_role_arn, start_ms, end_ms, status,
	prefixes_found, prefixes_done, files_done, events_done, failed_entries, created_ms, updated_ms,
	notes, retention_cutoff_ms`

// Import returns the import with id.
func (tx *Tx) Import(id string) (*ctlake.Import, error) {
	rows, err := tx.tx.QueryContext(tx.ctx, `SELECT `+importColumns+` FROM imports WHERE id = ?`, id)
	if err != nil {
		return nil, err
	}
	ims, err := scanImports(rows)
	if err != nil {
		return nil, err
	}
	if len(ims) == 0 {
		return nil, ctlake.ErrNotFound
	}
	return ims[0], nil
}

// Imports returns the imports f selects, newest first.
func (tx *Tx) Imports(f ctlake.ImportFilter) ([]*ctlake.Import, error) {
	where := []string{"1=1"}
	var args []any
	if f.Account != "" {
		where = append(where, "account = ? AND region = ?")
		args = append(args, f.Account, f.Region)
	}
	if f.Destination != "" {
		where = append(where, "destination = ?")
		args = append(args, f.Destination)
	}
	if f.Status != "" {
		where = append(where, "status = ?")
		args = append(args, string(f.Status))
	}
	if f.Running {
		where = append(where, "status IN (?, ?)")
		args = append(args, string(ctlake.ImportInitializing), string(ctlake.ImportInProgress))
	}
	rows, err := tx.tx.QueryContext(tx.ctx, `SELECT `+importColumns+` FROM imports WHERE `+strings.Join(where, " AND ")+
		` ORDER BY created_ms DESC, id DESC`, args...)
	if err != nil {
		return nil, err
	}
	return scanImports(rows)
}

// PutImport inserts or updates im.
func (tx *Tx) PutImport(im *ctlake.Import) error {
	st := im.Statistics
	notes, err := json.Marshal(append([]string{}, im.Notes...))
	if err != nil {
		return err
	}
	_, err = tx.tx.ExecContext(tx.ctx, `INSERT INTO imports (`+importColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET status = excluded.status, prefixes_found = excluded.prefixes_found,
			prefixes_done = excluded.prefixes_done, files_done = excluded.files_done, events_done = excluded.events_done,
			failed_entries = excluded.failed_entries, updated_ms = excluded.updated_ms, notes = excluded.notes,
			retention_cutoff_ms = excluded.retention_cutoff_ms`,
		im.ID, im.Account, im.Region, im.Destination, im.Source.S3LocationURI, im.Source.S3BucketRegion, im.Source.S3BucketAccessRoleARN,
		millis(im.StartEventTime), millis(im.EndEventTime), string(im.Status),
		st.PrefixesFound, st.PrefixesCompleted, st.FilesCompleted, st.EventsCompleted, st.FailedEntries,
		millis(im.CreatedAt), millis(im.UpdatedAt), notes, millis(im.RetentionCutoff))
	return err
}

func scanImports(rows *sql.Rows) ([]*ctlake.Import, error) {
	defer rows.Close()
	var out []*ctlake.Import
	for rows.Next() {
		var im ctlake.Import
		var status string
		var start, end, created, updated, cutoff int64
		var notes string
		st := &im.Statistics
		if err := rows.Scan(&im.ID, &im.Account, &im.Region, &im.Destination, &im.Source.S3LocationURI, &im.Source.S3BucketRegion,
			&im.Source.S3BucketAccessRoleARN, &start, &end, &status, &st.PrefixesFound, &st.PrefixesCompleted,
			&st.FilesCompleted, &st.EventsCompleted, &st.FailedEntries, &created, &updated, &notes, &cutoff); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(notes), &im.Notes); err != nil {
			return nil, fmt.Errorf("import %s: notes: %w", im.ID, err)
		}
		if len(im.Notes) == 0 {
			im.Notes = nil
		}
		im.RetentionCutoff = fromMillis(cutoff)
		im.Status = ctlake.ImportStatus(status)
		im.StartEventTime, im.EndEventTime = fromMillis(start), fromMillis(end)
		im.CreatedAt, im.UpdatedAt = fromMillis(created), fromMillis(updated)
		out = append(out, &im)
	}
	return out, rows.Err()
}

// ImportPrefixes returns the day prefixes of an import.
func (tx *Tx) ImportPrefixes(importID string) (map[string]bool, error) {
	rows, err := tx.tx.QueryContext(tx.ctx, `SELECT prefix, completed FROM import_prefixes WHERE import_id = ?`, importID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var p string
		var done bool
		if err := rows.Scan(&p, &done); err != nil {
			return nil, err
		}
		out[p] = done
	}
	return out, rows.Err()
}

// PutImportPrefix records a day prefix.
func (tx *Tx) PutImportPrefix(importID, prefix string, completed bool) error {
	_, err := tx.tx.ExecContext(tx.ctx, `INSERT INTO import_prefixes (import_id, prefix, completed) VALUES (?, ?, ?)
		ON CONFLICT (import_id, prefix) DO UPDATE SET completed = excluded.completed`, importID, prefix, completed)
	return err
}

const fileColumns = `key, prefix, location, state, events, error_type, error_message, updated_ms`

// ImportFiles returns the recorded files of an import.
func (tx *Tx) ImportFiles(importID string) (map[string]ctlake.ImportFile, error) {
	rows, err := tx.tx.QueryContext(tx.ctx, `SELECT `+fileColumns+` FROM import_files WHERE import_id = ?`, importID)
	if err != nil {
		return nil, err
	}
	files, err := scanFiles(rows)
	if err != nil {
		return nil, err
	}
	out := make(map[string]ctlake.ImportFile, len(files))
	for _, f := range files {
		out[f.Key] = f
	}
	return out, nil
}

// PutImportFile records one file's outcome.
func (tx *Tx) PutImportFile(importID string, f ctlake.ImportFile) error {
	_, err := tx.tx.ExecContext(tx.ctx, `INSERT INTO import_files (import_id, `+fileColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (import_id, key) DO UPDATE SET prefix = excluded.prefix, location = excluded.location, state = excluded.state,
			events = excluded.events, error_type = excluded.error_type, error_message = excluded.error_message, updated_ms = excluded.updated_ms`,
		importID, f.Key, f.Prefix, f.Location, string(f.State), f.Events, f.ErrorType, f.ErrorMessage, millis(f.UpdatedAt))
	return err
}

// ImportFailures returns failure entries in key order.
func (tx *Tx) ImportFailures(importID, afterKey string, limit int) ([]ctlake.ImportFile, error) {
	q := `SELECT ` + fileColumns + ` FROM import_files WHERE import_id = ? AND state != ? AND key > ? ORDER BY key`
	args := []any{importID, string(ctlake.FileDone), afterKey}
	if limit > 0 {
		q += ` LIMIT ?`
		args = append(args, limit)
	}
	rows, err := tx.tx.QueryContext(tx.ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return scanFiles(rows)
}

func scanFiles(rows *sql.Rows) ([]ctlake.ImportFile, error) {
	defer rows.Close()
	var out []ctlake.ImportFile
	for rows.Next() {
		var f ctlake.ImportFile
		var state string
		var updated int64
		if err := rows.Scan(&f.Key, &f.Prefix, &f.Location, &state, &f.Events, &f.ErrorType, &f.ErrorMessage, &updated); err != nil {
			return nil, err
		}
		f.State, f.UpdatedAt = ctlake.ImportFileState(state), fromMillis(updated)
		out = append(out, f)
	}
	return out, rows.Err()
}

// PutSegment records a segment.
func (tx *Tx) PutSegment(s ctlake.Segment) error {
	_, err := tx.tx.ExecContext(tx.ctx, `INSERT INTO segments (id, store_id, day, path, events, bytes, min_ms, max_ms, import_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, s.ID, s.StoreID, s.Day.UTC().Format(time.DateOnly), s.Path, s.Events, s.Bytes,
		s.MinTime.UnixMilli(), s.MaxTime.UnixMilli(), s.ImportID)
	return err
}

// Segments returns the segments of a store, or of every store.
func (tx *Tx) Segments(storeID string) ([]ctlake.Segment, error) {
	q := `SELECT id, store_id, day, path, events, bytes, min_ms, max_ms, import_id FROM segments`
	var args []any
	if storeID != "" {
		q += ` WHERE store_id = ?`
		args = append(args, storeID)
	}
	rows, err := tx.tx.QueryContext(tx.ctx, q+` ORDER BY store_id, day, path`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ctlake.Segment
	for rows.Next() {
		var s ctlake.Segment
		var day string
		var minMS, maxMS int64
		if err := rows.Scan(&s.ID, &s.StoreID, &day, &s.Path, &s.Events, &s.Bytes, &minMS, &maxMS, &s.ImportID); err != nil {
			return nil, err
		}
		d, err := time.Parse(time.DateOnly, day)
		if err != nil {
			return nil, errors.Join(errors.New("segment "+s.ID+": bad day"), err)
		}
		s.Day, s.MinTime, s.MaxTime = d, time.UnixMilli(minMS).UTC(), time.UnixMilli(maxMS).UTC()
		out = append(out, s)
	}
	return out, rows.Err()
}

// DeleteSegments forgets a store's segments and returns them.
func (tx *Tx) DeleteSegments(storeID string) ([]ctlake.Segment, error) {
	segs, err := tx.Segments(storeID)
	if err != nil || len(segs) == 0 {
		return segs, err
	}
	_, err = tx.tx.ExecContext(tx.ctx, `DELETE FROM segments WHERE store_id = ?`, storeID)
	return segs, err
}

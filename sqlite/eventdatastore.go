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

const storeColumns = `id, account, region, name, status, status_before_deletion, selectors, multi_region, organization,
	termination_protection, retention_days, kms_key_id, billing_mode, tags, created_ms, updated_ms, deleted_ms`

// EventDataStore returns the store with id.
func (tx *Tx) EventDataStore(id string) (*ctlake.EventDataStore, error) {
	rows, err := tx.tx.QueryContext(tx.ctx, `SELECT `+storeColumns+` FROM event_data_stores WHERE id = ?`, id)
	if err != nil {
		return nil, err
	}
	stores, err := scanStores(rows)
	if err != nil {
		return nil, err
	}
	if len(stores) == 0 {
		return nil, ctlake.ErrNotFound
	}
	return stores[0], nil
}

// EventDataStores returns the stores f selects, in creation order.
func (tx *Tx) EventDataStores(f ctlake.EventDataStoreFilter) ([]*ctlake.EventDataStore, error) {
	var where []string
	var args []any
	if f.PendingDeletionBefore != 0 {
		where = append(where, `status = ? AND deleted_ms < ?`)
		args = append(args, string(ctlake.StatusPendingDeletion), f.PendingDeletionBefore)
	} else {
		where = append(where, `account = ? AND region = ?`)
		args = append(args, f.Account, f.Region)
	}
	if f.Name != "" {
		where = append(where, `name = ?`)
		args = append(args, f.Name)
	}
	if f.After != "" {
		where = append(where, `(created_ms, id) > (SELECT created_ms, id FROM event_data_stores WHERE id = ?)`)
		args = append(args, f.After)
	}
	q := `SELECT ` + storeColumns + ` FROM event_data_stores WHERE ` + strings.Join(where, " AND ") + ` ORDER BY created_ms, id`
	if f.Limit > 0 {
		q += fmt.Sprintf(` LIMIT %d`, f.Limit)
	}
	rows, err := tx.tx.QueryContext(tx.ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return scanStores(rows)
}

// PutEventDataStore inserts s or updates the store with its id. A name
// taken by another store of the region is a constraint error: the service
// checks names first, the index is the last line of defence.
func (tx *Tx) PutEventDataStore(s *ctlake.EventDataStore) error {
	selectors, err := json.Marshal(s.AdvancedEventSelectors)
	if err != nil {
		return err
	}
	tags, err := json.Marshal(s.Tags)
	if err != nil {
		return err
	}
	// An upsert on the id alone: INSERT OR REPLACE would also silently
	// delete another store that holds the same name.
	_, err = tx.tx.ExecContext(tx.ctx, `INSERT INTO event_data_stores (`+storeColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET account = excluded.account, region = excluded.region, name = excluded.name,
			status = excluded.status, status_before_deletion = excluded.status_before_deletion, selectors = excluded.selectors,
			multi_region = excluded.multi_region, organization = excluded.organization,
			termination_protection = excluded.termination_protection, retention_days = excluded.retention_days,
			kms_key_id = excluded.kms_key_id, billing_mode = excluded.billing_mode, tags = excluded.tags,
			created_ms = excluded.created_ms, updated_ms = excluded.updated_ms, deleted_ms = excluded.deleted_ms`,
		s.ID, s.Account, s.Region, s.Name, string(s.Status), string(s.StatusBeforeDeletion), string(selectors),
		s.MultiRegionEnabled, s.OrganizationEnabled, s.TerminationProtectionEnabled, s.RetentionPeriod,
		s.KmsKeyID, string(s.BillingMode), string(tags), millis(s.CreatedAt), millis(s.UpdatedAt), millis(s.DeletedAt))
	return err
}

// DeleteEventDataStore removes the store with id.
func (tx *Tx) DeleteEventDataStore(id string) error {
	_, err := tx.tx.ExecContext(tx.ctx, `DELETE FROM event_data_stores WHERE id = ?`, id)
	return err
}

func scanStores(rows *sql.Rows) ([]*ctlake.EventDataStore, error) {
	defer rows.Close()
	var out []*ctlake.EventDataStore
	for rows.Next() {
		var s ctlake.EventDataStore
		var status, before, billing, selectors, tags string
		var created, updated, deleted int64
		if err := rows.Scan(&s.ID, &s.Account, &s.Region, &s.Name, &status, &before, &selectors,
			&s.MultiRegionEnabled, &s.OrganizationEnabled, &s.TerminationProtectionEnabled, &s.RetentionPeriod,
			&s.KmsKeyID, &billing, &tags, &created, &updated, &deleted); err != nil {
			return nil, err
		}
		s.Status, s.StatusBeforeDeletion, s.BillingMode = ctlake.EventDataStoreStatus(status), ctlake.EventDataStoreStatus(before), ctlake.BillingMode(billing)
		if err := json.Unmarshal([]byte(selectors), &s.AdvancedEventSelectors); err != nil {
			return nil, fmt.Errorf("event data store %s: selectors: %w", s.ID, err)
		}
		if err := json.Unmarshal([]byte(tags), &s.Tags); err != nil {
			return nil, fmt.Errorf("event data store %s: tags: %w", s.ID, err)
		}
		s.CreatedAt, s.UpdatedAt, s.DeletedAt = fromMillis(created), fromMillis(updated), fromMillis(deleted)
		out = append(out, &s)
	}
	return out, errors.Join(rows.Err())
}

func millis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMillis(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

package lake

import (
	"context"
	"time"

	"github.com/ctlake/ctlake"
)

// PurgeDeleted removes the stores whose seven-day grace period has ended and
// returns how many it removed. Operations already treat such stores as gone;
// the purge reclaims their records.
func (s *Service) PurgeDeleted(ctx context.Context) (int, error) {
	cutoff := s.now().Add(-ctlake.PendingDeletionPeriod).UnixMilli()
	n := 0
	err := s.Catalog.Update(ctx, func(tx ctlake.Tx) error {
		expired, err := tx.EventDataStores(ctlake.EventDataStoreFilter{PendingDeletionBefore: cutoff + 1})
		if err != nil {
			return err
		}
		for _, eds := range expired {
			if err := tx.DeleteEventDataStore(eds.ID); err != nil {
				return err
			}
			s.logger().Info("purged event data store", "event_data_store", eds.ID, "name", eds.Name, "deleted_at", eds.DeletedAt)
			n++
		}
		return nil
	})
	return n, err
}

// RunPurger purges expired stores every interval until ctx ends.
func (s *Service) RunPurger(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := s.PurgeDeleted(ctx); err != nil && ctx.Err() == nil {
			s.logger().Error("purge of deleted event data stores failed", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

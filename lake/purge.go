package lake

import (
	"context"
	"fmt"
	"time"

	"github.com/ctlake/ctlake"
)

// PurgeDeleted removes the stores whose seven-day grace period has ended and
// returns how many it removed. Operations already treat such stores as gone;
// the purge reclaims their records.
func (s *Service) PurgeDeleted(ctx context.Context) (int, error) {
	cutoff := s.now().Add(-ctlake.PendingDeletionPeriod).UnixMilli()
	n := 0
	var files []ctlake.Segment
	err := s.Catalog.Update(ctx, func(tx ctlake.Tx) error {
		expired, err := tx.EventDataStores(ctlake.EventDataStoreFilter{PendingDeletionBefore: cutoff + 1})
		if err != nil {
			return err
		}
		if _, err := tx.DeleteQueriesBefore(s.now().Add(-ctlake.QueryRetention).UnixMilli()); err != nil {
			return err
		}
		for _, eds := range expired {
			if err := tx.DeleteEventDataStore(eds.ID); err != nil {
				return err
			}
			segs, err := tx.DeleteSegments(eds.ID)
			if err != nil {
				return err
			}
			files = append(files, segs...)
			s.logger().Info("purged event data store", "event_data_store", eds.ID, "name", eds.Name, "deleted_at", eds.DeletedAt)
			n++
		}
		return nil
	})
	if err != nil {
		return n, err
	}
	// The catalog forgot the segments first, so a crash here leaves only
	// unknown files, which the start-up sweep removes.
	return n, s.removeSegmentFiles(ctx, files)
}

func (s *Service) removeSegmentFiles(ctx context.Context, segs []ctlake.Segment) error {
	if s.Segments == nil {
		return nil
	}
	for _, seg := range segs {
		if err := s.Segments.RemoveSegment(ctx, seg.Path); err != nil {
			return fmt.Errorf("remove segment %s: %w", seg.Path, err)
		}
	}
	return nil
}

// RemoveOrphanSegments deletes segment files the catalog does not know:
// what a crash left between writing a segment and committing it, and the
// partial files of writes it cut short. It must run before any import does.
func (s *Service) RemoveOrphanSegments(ctx context.Context) (int, error) {
	if s.Segments == nil {
		return 0, nil
	}
	if err := s.Segments.RemoveTempFiles(ctx, s.now()); err != nil {
		return 0, fmt.Errorf("remove partial segment files: %w", err)
	}
	paths, err := s.Segments.SegmentPaths(ctx)
	if err != nil {
		return 0, err
	}
	var known []ctlake.Segment
	if err := s.Catalog.View(ctx, func(tx ctlake.Tx) (err error) { known, err = tx.Segments(""); return err }); err != nil {
		return 0, err
	}
	keep := make(map[string]bool, len(known))
	for _, seg := range known {
		keep[seg.Path] = true
	}
	n := 0
	for _, p := range paths {
		if !keep[p] {
			if err := s.Segments.RemoveSegment(ctx, p); err != nil {
				return n, err
			}
			n++
		}
	}
	if n > 0 {
		s.logger().Info("removed segment files no commit had recorded", "count", n)
	}
	return n, nil
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

package importer

import (
	"context"
	"fmt"
	"hash/maphash"

	"github.com/ctlake/ctlake"
)

// De-duplication by eventID (Importer.DedupeEventIDs) is an extension: AWS
// does not de-duplicate, and neither does ctlake by default. When it is on,
// an import keeps at most one event per eventID among the events it
// imports itself (not across imports, nor against what the store already
// held): CloudTrail occasionally delivers an event twice, and trail trees
// copied around overlap.
//
// How: the committer keeps a set of 128-bit hashes (two independent 64-bit
// hashes) of the eventIDs it has committed and drops an event whose
// eventID is in it. A run that resumes (after StopImport, a retry or a
// crash) first reads the eventid column of the segments the import
// committed, so the set always matches what is committed. Events without an
// eventID are kept. Cost: about 40 bytes of memory per imported event
// (40 MB per million) and, on resume, one read of the eventid column of the
// import's segments; the chance that two different ids collide in 128 bits
// is negligible (below 10^-20 for a billion events).
type idSet struct {
	seeds [2]maphash.Seed
	set   map[[2]uint64]struct{}
}

func newIDSet() *idSet {
	return &idSet{seeds: [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}, set: map[[2]uint64]struct{}{}}
}

// add records id and reports whether it was new.
func (s *idSet) add(id string) bool {
	k := [2]uint64{maphash.String(s.seeds[0], id), maphash.String(s.seeds[1], id)}
	if _, dup := s.set[k]; dup {
		return false
	}
	s.set[k] = struct{}{}
	return true
}

// eventIDReader is implemented by segment stores that can read back the
// eventids of a segment (package segment's Store).
type eventIDReader interface {
	EventIDs(ctx context.Context, path string, fn func(id string)) error
}

// loadCommittedIDs fills the set with the eventIDs of the segments this
// import has committed.
func (r *run) loadCommittedIDs(ctx context.Context) error {
	reader, ok := r.imp.Segments.(eventIDReader)
	if !ok {
		return fmt.Errorf("the segment store cannot read back event ids, so imports cannot de-duplicate")
	}
	var segs []ctlake.Segment
	if err := r.imp.Catalog.View(ctx, func(tx ctlake.Tx) (err error) { segs, err = tx.Segments(r.eds.ID); return err }); err != nil {
		return err
	}
	r.ids = newIDSet()
	for _, seg := range segs {
		if seg.ImportID != r.im.ID {
			continue
		}
		if err := reader.EventIDs(ctx, seg.Path, func(id string) { r.ids.add(id) }); err != nil {
			return fmt.Errorf("read event ids of %s: %w", seg.Path, err)
		}
	}
	return nil
}

// dedupe drops the events whose eventID this import already has.
func (r *run) dedupe(events []*ctlake.Event) []*ctlake.Event {
	if r.ids == nil {
		return events
	}
	kept := events[:0]
	for _, e := range events {
		if e.EventID == nil || r.ids.add(*e.EventID) {
			kept = append(kept, e)
		}
	}
	return kept
}

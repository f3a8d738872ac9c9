package lake

import (
	"context"
	"strings"
	"time"

	"github.com/ctlake/ctlake"
)

// engineFailure words an engine error as the message of a FAILED query.
// The engine names the segment files it could not read by their path on
// the server; the caller sees the store and the segment instead, and the
// log keeps the whole error.
func (s *Service) engineFailure(queryID string, err error, segments map[string][]ctlake.Segment) string {
	s.logger().Error("query failed in the engine", "query_id", queryID, "error", err)
	if seg, ok := s.missingSegment(segments); ok {
		return "The query could not read the event data store " + seg.StoreID + ": its segment " + seg.ID + " (events of " +
			seg.Day.Format(time.DateOnly) + ") is missing from the server's storage; the server's log names the file."
	}
	msg := err.Error()
	for _, list := range segments {
		for _, seg := range list {
			if strings.Contains(msg, seg.Path) {
				return "The query could not read segment " + seg.ID + " of the event data store " + seg.StoreID +
					"; the server's log has the engine's error."
			}
		}
	}
	return "The query failed: " + msg
}

// missingSegment returns a segment of the query that is not on disk.
func (s *Service) missingSegment(segments map[string][]ctlake.Segment) (ctlake.Segment, bool) {
	if s.Segments == nil {
		return ctlake.Segment{}, false
	}
	paths, err := s.Segments.SegmentPaths(context.Background())
	if err != nil {
		return ctlake.Segment{}, false
	}
	onDisk := make(map[string]bool, len(paths))
	for _, p := range paths {
		onDisk[p] = true
	}
	for _, list := range segments {
		for _, seg := range list {
			if !onDisk[seg.Path] {
				return seg, true
			}
		}
	}
	return ctlake.Segment{}, false
}

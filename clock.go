package ctlake

import "time"

// Millis returns t in UTC, truncated to the millisecond: the precision at
// which the catalog and the segments keep times and CloudTrail answers
// with them, so that a time read back equals the time written.
func Millis(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

package ctlake

import "time"

// Observer is told when the background work of the lake service starts
// and ends, so that metrics can count it without the service knowing of
// them (package metrics implements it). The calls are synchronous, made
// outside catalog transactions, and must return quickly.
type Observer interface {
	// ImportRunStarted is called when this process begins (or resumes)
	// running an import; im.Statistics are the figures the run starts
	// from, so that work committed before a restart is not counted again.
	ImportRunStarted(im *Import)
	// ImportRunEnded is called when that run returns, with the import as
	// the catalog then has it: COMPLETED, FAILED or STOPPED, or still
	// IN_PROGRESS when the server is shutting down (it resumes at the
	// next start). d is how long the run took.
	ImportRunEnded(im *Import, d time.Duration)
	// QueryEnded is called once per query when it reaches a final status,
	// with the query as recorded (UpdatedAt is when it ended).
	QueryEnded(q *Query)
}

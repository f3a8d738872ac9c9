package ctlake

import (
	"context"
	"net/url"
)

// ImportRunner does the work of an import: discovery, reading, writing
// segments, committing progress. Package importer implements it.
type ImportRunner interface {
	// Run imports into eds from src until the import has nothing left to
	// do or ctx ends. It records every file, prefix, segment and statistic
	// in the catalog itself, so that a cancelled or crashed run resumes
	// where it stopped. It returns ctx's error when cancelled.
	Run(ctx context.Context, im *Import, eds *EventDataStore, src Source, scope ImportScope) error
}

// ImportScope is where in a source an import looks.
type ImportScope struct {
	// ListPrefix is the key prefix to list in the source.
	ListPrefix string
	// BelowAWSLogs is true when the URI points below the AWSLogs/<account>
	// level, so every object under it is taken; otherwise only the
	// CloudTrail/ subtrees of the trail layouts are (spec §4.4).
	BelowAWSLogs bool
}

// SourceOpener opens the source an import reads.
type SourceOpener interface {
	// OpenSource returns the source for a parsed S3LocationUri (s3:// or
	// file://) and the import's bucket region and role. Errors that mean
	// the source cannot be used (no such bucket, not a folder) are
	// *SourceError.
	OpenSource(ctx context.Context, uri *url.URL, src ImportSource) (Source, error)
}

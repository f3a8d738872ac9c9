package ctlake

import (
	"context"
	"fmt"
	"io"
)

// Source is where trail log files are read from: an S3 bucket (package s3)
// or a local folder (package file). Both give the import engine the same
// stream of objects.
type Source interface {
	// List calls fn with each page of what lies under prefix. With a
	// delimiter ("/"), keys that continue past the next delimiter are
	// rolled up into common prefixes (each ending in the delimiter), as S3's
	// ListObjectsV2 does; without one, every object under prefix is listed.
	// Keys are listed in lexicographic order.
	List(ctx context.Context, prefix, delimiter string, fn func(objects []Object, prefixes []string) error) error
	// Open returns the content of the object at key. Errors that concern the
	// object (missing, unreadable, archived) are *SourceError.
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	// Location names key for people and for ListImportFailures:
	// s3://bucket/key or file:///path.
	Location(key string) string
}

// Object is a listed object.
type Object struct {
	Key          string
	Size         int64
	StorageClass string // "" or "STANDARD" for directly readable objects
}

// SourceError is a failure to read one object. Type is the ErrorType that
// ListImportFailures reports (AccessDenied, NoSuchKey, InvalidObjectState,
// ...); Retryable marks transient faults (throttling, 5xx, timeouts) that a
// later attempt may get past.
type SourceError struct {
	Type      string
	Message   string
	Retryable bool
	Err       error
}

func (e *SourceError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Type, e.Message, e.Err)
	}
	return e.Type + ": " + e.Message
}

func (e *SourceError) Unwrap() error { return e.Err }

// Import failure types: the vocabulary of ImportFailureListItem.ErrorType
// (spec §4.9 suggests it; AWS documents only AccessDenied).
const (
	FailureAccessDenied       = "AccessDenied"       // the source refused to read the object
	FailureNoSuchKey          = "NoSuchKey"          // listed, then gone before it was read
	FailureInvalidObjectState = "InvalidObjectState" // archived storage class: restore it first
	FailureFileTooLarge       = "FileTooLarge"       // larger than the 50 MB limit of trail files
	FailureInvalidFileFormat  = "InvalidFileFormat"  // not gzip, truncated, not JSON, no Records array
	FailureInvalidEventRecord = "InvalidEventRecord" // a record that is not an object or lacks a parsable eventTime
	FailureNotTrailLog        = "NotTrailLog"        // a digest or Insights file, or another service's file
	FailureSourceUnavailable  = "SourceUnavailable"  // the source kept failing (5xx, timeouts) after retries
)

// MaxTrailFileBytes is the largest compressed trail log file CloudTrail
// writes (50 MB); larger objects are refused before they are read.
const MaxTrailFileBytes = 50 << 20

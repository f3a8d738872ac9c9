package ctlake

import (
	"context"
	"regexp"
	"time"
)

// ImportStatus is the state of an import (spec §4.1).
type ImportStatus string

// Import statuses.
const (
	ImportInitializing ImportStatus = "INITIALIZING"
	ImportInProgress   ImportStatus = "IN_PROGRESS"
	ImportFailed       ImportStatus = "FAILED"
	ImportStopped      ImportStatus = "STOPPED"
	ImportCompleted    ImportStatus = "COMPLETED"
)

// Running reports whether an import in this status is being worked on.
func (s ImportStatus) Running() bool { return s == ImportInitializing || s == ImportInProgress }

// ImportSource is where an import reads: ImportSource.S3 of the API.
type ImportSource struct {
	S3LocationURI         string
	S3BucketRegion        string
	S3BucketAccessRoleARN string
}

// ImportStatistics are the counters of an import (spec §4.8). They are
// exact and move while the import runs: each changes in the same catalog
// transaction as the work it counts.
type ImportStatistics struct {
	PrefixesFound     int64
	PrefixesCompleted int64
	FilesCompleted    int64
	EventsCompleted   int64
	FailedEntries     int64
}

// Import copies trail events from a source into one event data store.
type Import struct {
	ID          string
	Account     string
	Region      string
	Destination string // the event data store id
	Source      ImportSource
	// StartEventTime and EndEventTime bound the events imported; zero
	// means open on that side.
	StartEventTime time.Time
	EndEventTime   time.Time
	Status         ImportStatus
	Statistics     ImportStatistics
	CreatedAt      time.Time
	UpdatedAt      time.Time
	// Notes say what the last attempt passed over and why (day folders
	// older than the store's retention, folders that are not of the trail
	// layout), for people: a ctlake extension (GetImportNotes).
	Notes []string
	// RetentionCutoff is the store's retention cut-off when the last
	// attempt started: no event before it is imported. Zero until a run
	// starts.
	RetentionCutoff time.Time
}

// DestinationARN returns the ARN of the import's event data store.
func (im *Import) DestinationARN() string {
	return EventDataStoreARN(im.Region, im.Account, im.Destination)
}

// ImportFailureStatus is the state of one failure entry (spec §4.9): FAILED,
// RETRY while a retry works on it, SUCCEEDED once a retry imported it.
type ImportFailureStatus string

// Failure entry statuses.
const (
	FailureFailed    ImportFailureStatus = "FAILED"
	FailureRetry     ImportFailureStatus = "RETRY"
	FailureSucceeded ImportFailureStatus = "SUCCEEDED"
)

// ImportFailure is one ListImportFailures entry: a file (or a prefix) that
// could not be imported, and why.
type ImportFailure struct {
	Location     string
	Status       ImportFailureStatus
	ErrorType    string
	ErrorMessage string
	UpdatedAt    time.Time
}

// StartImportInput starts a new import, or retries one when ImportID is set.
type StartImportInput struct {
	ImportID       string
	Destinations   []string
	Source         *ImportSource
	StartEventTime *time.Time
	EndEventTime   *time.Time
}

var roleARNPattern = regexp.MustCompile(`^arn:aws[a-z\-]*:iam::\d{12}:role/[\w+=,.@\-/]{1,512}$`)

// Validate checks a StartImport request's members: a retry takes the
// import id alone; a new import one destination and a whole S3 source.
// Missing members are reported in the model's order, so that the message
// is the same on every run.
func (in *StartImportInput) Validate() error {
	if in.ImportID != "" {
		if len(in.Destinations) > 0 || in.Source != nil || in.StartEventTime != nil || in.EndEventTime != nil {
			return Errorf(InvalidParameterException,
				"A retry takes ImportId alone; to import with other settings, start a new import without ImportId.")
		}
		return nil
	}
	if len(in.Destinations) == 0 || in.Source == nil {
		return Errorf(InvalidParameterException,
			"Give either ImportId (to retry an import) or both Destinations and ImportSource (to start one).")
	}
	if len(in.Destinations) != 1 {
		return Errorf(InvalidParameterException, "Destinations has %d items; an import has exactly one destination.", len(in.Destinations))
	}
	src := in.Source
	var v Validation
	for _, m := range []struct{ member, value string }{
		{"importSource.s3.s3LocationUri", src.S3LocationURI},
		{"importSource.s3.s3BucketRegion", src.S3BucketRegion},
		{"importSource.s3.s3BucketAccessRoleArn", src.S3BucketAccessRoleARN},
	} {
		if m.value == "" {
			v.Required(m.member)
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	if in.StartEventTime != nil && in.EndEventTime != nil && in.StartEventTime.After(*in.EndEventTime) {
		return Errorf(InvalidParameterException, "StartEventTime %s is after EndEventTime %s.",
			in.StartEventTime.UTC().Format("2006-01-02T15:04:05Z"), in.EndEventTime.UTC().Format("2006-01-02T15:04:05Z"))
	}
	if !roleARNPattern.MatchString(src.S3BucketAccessRoleARN) {
		return Errorf(InvalidParameterException,
			"S3BucketAccessRoleArn '%s' is not an IAM role ARN (arn:aws:iam::<account>:role/<name>).", src.S3BucketAccessRoleARN)
	}
	return nil
}

// ListImportsInput filters and pages ListImports.
type ListImportsInput struct {
	Destination string
	Status      string
	Page
}

// ImportService runs imports for the caller carried by the context.
type ImportService interface {
	// StartImport returns AccountHasOngoingImportException while another
	// import of the account and region runs, InvalidImportSourceException
	// for a source that cannot be read, ImportNotFoundException for a
	// retry of an unknown import, and the store reference errors of
	// EventDataStoreService for the destination.
	StartImport(ctx context.Context, in StartImportInput) (*Import, error)
	// GetImport returns ImportNotFoundException for an unknown id.
	GetImport(ctx context.Context, id string) (*Import, error)
	ListImports(ctx context.Context, in ListImportsInput) ([]*Import, string, error)
	// StopImport returns ImportNotFoundException for an unknown id and
	// OperationNotPermittedException for an import that already ended.
	StopImport(ctx context.Context, id string) (*Import, error)
	ListImportFailures(ctx context.Context, id string, p Page) ([]ImportFailure, string, error)
}

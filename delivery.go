package ctlake

import "context"

// ResultDelivery writes query results somewhere (S3, package s3).
type ResultDelivery interface {
	// Check returns S3BucketDoesNotExistException or
	// InsufficientS3BucketPolicyException unless results can go to uri.
	Check(ctx context.Context, uri string) error
	// Deliver writes the result of q, read page by page with read.
	Deliver(ctx context.Context, q *Query, read func(offset int64, limit int) ([]string, [][]*string, error)) error
}

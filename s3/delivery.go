package s3

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/klauspost/compress/gzip"

	"github.com/ctlake/ctlake"
)

// Delivery writes query results to the DeliveryS3Uri of StartQuery, as
// CloudTrail Lake does: a gzip-compressed CSV file (a header row of the
// column names, then one line per row; NULL is an empty field) at
//
//	<bucket>/<prefix>/AWSLogs/<account>/CloudTrail-Lake/Query/<YYYY>/<MM>/<DD>/<query-id>/result_1.csv.gz
//
// dated by the query's creation day. AWS also writes a signed manifest
// beside it; ctlake does not sign, so it writes none. The bucket is reached
// with the server's AWS configuration, like import sources.
type Delivery struct {
	Options Options
}

// Check returns S3BucketDoesNotExistException (or
// InsufficientS3BucketPolicyException) unless the bucket of uri can be used.
func (d Delivery) Check(ctx context.Context, uri string) error {
	bucket, _, err := splitURI(uri)
	if err != nil {
		return err
	}
	src, err := NewSource(ctx, bucket, d.Options)
	if err != nil {
		return err
	}
	if err := src.CheckBucket(ctx); err != nil {
		var se *ctlake.SourceError
		if errors.As(err, &se) && se.Type == ctlake.FailureAccessDenied {
			return ctlake.Errorf(ctlake.InsufficientS3BucketPolicyException, "ctlake may not write to the bucket %s: %s", bucket, se.Message)
		}
		return ctlake.Errorf(ctlake.S3BucketDoesNotExistException, "The results bucket %s cannot be used: %v", bucket, err)
	}
	return nil
}

// Deliver writes the result of q, read page by page with read.
func (d Delivery) Deliver(ctx context.Context, q *ctlake.Query, read func(offset int64, limit int) ([]string, [][]*string, error)) error {
	bucket, prefix, err := splitURI(q.DeliveryS3URI)
	if err != nil {
		return err
	}
	src, err := NewSource(ctx, bucket, d.Options)
	if err != nil {
		return err
	}
	// The file streams out as it is written: a result is up to
	// --max-result-bytes (1 GiB by default), so it is never held whole.
	up := newUpload(ctx, src.client, bucket, ResultKey(prefix, q), "text/csv", "gzip")
	if err := writeCSV(up, read); err != nil {
		if aerr := up.Abort(); aerr != nil {
			return errors.Join(err, fmt.Errorf("abort the upload: %w", aerr))
		}
		return err
	}
	return up.Close()
}

// writeCSV writes the result read page by page with read to w as gzip CSV.
func writeCSV(w io.Writer, read func(offset int64, limit int) ([]string, [][]*string, error)) error {
	zw := gzip.NewWriter(w)
	cw := csv.NewWriter(zw)
	for offset, header := int64(0), true; ; {
		cols, rows, err := read(offset, 1000)
		if err != nil {
			return err
		}
		if header {
			if err := cw.Write(cols); err != nil {
				return err
			}
			header = false
		}
		for _, r := range rows {
			rec := make([]string, len(r))
			for i, v := range r {
				if v != nil {
					rec[i] = *v
				}
			}
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
		if len(rows) == 0 { // a page may hold fewer rows than asked (ctlake.ResultPageBytes)
			break
		}
		offset += int64(len(rows))
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return zw.Close()
}

// ResultKey is the object key of a query's results under prefix.
func ResultKey(prefix string, q *ctlake.Query) string {
	p := strings.Trim(prefix, "/")
	if p != "" {
		p += "/"
	}
	return fmt.Sprintf("%sAWSLogs/%s/CloudTrail-Lake/Query/%s/%s/result_1.csv.gz", p, q.Account, q.CreatedAt.UTC().Format("2006/01/02"), q.ID)
}

func splitURI(uri string) (bucket, prefix string, err error) {
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "s3" || u.Host == "" {
		return "", "", ctlake.Errorf(ctlake.InvalidS3BucketNameException, "DeliveryS3Uri '%s' is not s3://bucket[/prefix].", uri)
	}
	return u.Host, strings.TrimPrefix(u.Path, "/"), nil
}

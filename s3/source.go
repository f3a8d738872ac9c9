// Package s3 implements ctlake.Source over an S3 bucket with aws-sdk-go-v2,
// so that trail log files are imported from where CloudTrail delivers them.
//
// The client is configured by the SDK's standard chain (environment, shared
// config and credentials files, SSO, web identity, container and EC2 roles),
// so ctlake reads a bucket with the same settings as the AWS CLI. A custom
// endpoint (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the shared config's
// endpoint_url, or Options.Endpoint) selects an S3-compatible server such as
// versitygw or MinIO, and always uses path-style addressing, since such
// servers rarely have a DNS name per bucket.
//
// Errors about one object are *ctlake.SourceError, typed with the vocabulary
// of ListImportFailures (NoSuchKey, AccessDenied, InvalidObjectState, ...);
// transient faults that survive the SDK's retries are SourceUnavailable and
// Retryable, so that the import engine can record them for a later attempt.
package s3

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/ctlake/ctlake"
)

// Defaults of Options. With them one object costs at most
// DefaultObjectTimeout: four attempts, each cut off after
// DefaultAttemptTimeout without a byte, with jittered backoff between them.
const (
	DefaultMaxAttempts    = 4
	DefaultMaxBackoff     = 5 * time.Second
	DefaultAttemptTimeout = time.Minute
	DefaultObjectTimeout  = 5 * time.Minute
	DefaultConnsPerHost   = 64
	// defaultRegion signs requests when neither Options nor the
	// configuration chain names a region; S3 redirects from it.
	defaultRegion = "us-east-1"
)

// pageSize is the number of keys asked for per ListObjectsV2 page (S3's
// maximum).
const pageSize = 1000

var _ ctlake.Source = (*Source)(nil)

// Options are the settings of a Source beyond what the standard
// configuration chain provides. The zero value is usable.
type Options struct {
	// Region is the bucket's region (StartImport's S3BucketRegion). Empty
	// means the region of the configuration chain (AWS_REGION, the shared
	// config), or us-east-1.
	Region string
	// Endpoint is the URL of an S3-compatible server. It overrides
	// AWS_ENDPOINT_URL_S3 and AWS_ENDPOINT_URL.
	Endpoint string
	// Credentials replaces the chain's credentials: a static pair in tests,
	// an assumed role (stscreds) for S3BucketAccessRoleArn. It is cached.
	Credentials aws.CredentialsProvider
	// MaxAttempts bounds the attempts per request, retries included
	// (DefaultMaxAttempts when 0).
	MaxAttempts int
	// MaxBackoff bounds the jittered exponential delay between attempts
	// (DefaultMaxBackoff when 0).
	MaxBackoff time.Duration
	// AttemptTimeout bounds how long one attempt waits for the response
	// headers, and how long a body may deliver nothing, before the attempt
	// fails (DefaultAttemptTimeout when 0).
	AttemptTimeout time.Duration
	// ObjectTimeout bounds the whole of one Open: its attempts, the
	// backoff between them and the reading of the body
	// (DefaultObjectTimeout when 0).
	ObjectTimeout time.Duration
	// ConnsPerHost is the number of idle connections kept per host; set it
	// to the number of concurrent Opens (DefaultConnsPerHost when 0).
	ConnsPerHost int
}

// Source is a ctlake.Source over one bucket. The S3 client is safe for
// concurrent use, and Source has no other state, so many goroutines may call
// Open at once.
type Source struct {
	bucket string
	region string
	client *s3.Client
	// objectTimeout bounds one Open, body included.
	objectTimeout time.Duration
}

// NewSource returns a Source over bucket. It does not contact S3; call
// CheckBucket to find out whether the bucket can be read.
func NewSource(ctx context.Context, bucket string, opts Options) (*Source, error) {
	if bucket == "" {
		return nil, errors.New("s3 source: no bucket")
	}
	opts, err := withEnvironment(opts)
	if err != nil {
		return nil, err
	}
	attemptTimeout := orDefault(opts.AttemptTimeout, DefaultAttemptTimeout)
	conns := opts.ConnsPerHost
	if conns <= 0 {
		conns = DefaultConnsPerHost
	}
	httpClient := awshttp.NewBuildableClient().
		WithDialerOptions(func(d *net.Dialer) { d.Timeout = 10 * time.Second }).
		WithTransportOptions(func(tr *http.Transport) {
			tr.MaxIdleConnsPerHost = conns
			tr.MaxIdleConns = 2 * conns
			tr.ResponseHeaderTimeout = attemptTimeout
		}).
		// A connection that delivers nothing for this long is dead: the
		// read fails (and is retried) instead of hanging an import worker.
		WithReadTimeout(attemptTimeout)

	loadOpts := []func(*config.LoadOptions) error{config.WithHTTPClient(httpClient)}
	if opts.Region != "" {
		loadOpts = append(loadOpts, config.WithRegion(opts.Region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, loadOpts...)
	if err != nil {
		return nil, fmt.Errorf("s3 source: load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = defaultRegion
	}
	creds := cfg.Credentials
	if opts.Credentials != nil {
		creds = opts.Credentials
		if !aws.IsCredentialsProvider(creds, (*aws.CredentialsCache)(nil)) {
			creds = aws.NewCredentialsCache(creds)
		}
	}
	if creds != nil {
		creds = identityProvider{creds}
	}

	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.Credentials = creds
		if opts.Endpoint != "" {
			o.BaseEndpoint = aws.String(opts.Endpoint)
		}
		// BaseEndpoint holds any custom endpoint by now, whether it came
		// from Options or from the configuration chain.
		if o.BaseEndpoint != nil {
			o.UsePathStyle = true
		}
		o.Retryer = retry.NewStandard(func(r *retry.StandardOptions) {
			r.MaxAttempts = orDefault(opts.MaxAttempts, DefaultMaxAttempts)
			r.MaxBackoff = orDefault(opts.MaxBackoff, DefaultMaxBackoff)
			// The retry quota is shared by every request of the client. With
			// dozens of concurrent GETs, one burst of 503s would drain it and
			// fail requests that never got a retry; the import engine's
			// bounded worker pool already limits the load.
			r.RateLimiter = ratelimit.None
		})
	})
	return &Source{bucket: bucket, region: cfg.Region, client: client,
		objectTimeout: orDefault(opts.ObjectTimeout, DefaultObjectTimeout)}, nil
}

// Bucket returns the name of the bucket.
func (s *Source) Bucket() string { return s.bucket }

// Location returns s3://bucket/key.
func (s *Source) Location(key string) string { return "s3://" + s.bucket + "/" + key }

// List pages through ListObjectsV2, 1000 keys a page.
func (s *Source) List(ctx context.Context, prefix, delimiter string, fn func(objects []ctlake.Object, prefixes []string) error) error {
	in := &s3.ListObjectsV2Input{Bucket: aws.String(s.bucket), MaxKeys: aws.Int32(pageSize)}
	if prefix != "" {
		in.Prefix = aws.String(prefix)
	}
	if delimiter != "" {
		in.Delimiter = aws.String(delimiter)
	}
	pages := s3.NewListObjectsV2Paginator(s.client, in)
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx)
		if err != nil {
			return s.error(ctx, "list", prefix, err)
		}
		objects := make([]ctlake.Object, 0, len(out.Contents))
		for _, o := range out.Contents {
			objects = append(objects, ctlake.Object{
				Key:          aws.ToString(o.Key),
				Size:         aws.ToInt64(o.Size),
				StorageClass: string(o.StorageClass),
			})
		}
		prefixes := make([]string, 0, len(out.CommonPrefixes))
		for _, p := range out.CommonPrefixes {
			prefixes = append(prefixes, aws.ToString(p.Prefix))
		}
		if len(objects)+len(prefixes) == 0 {
			continue
		}
		if err := fn(objects, prefixes); err != nil {
			return err
		}
	}
	return nil
}

// Open starts a GetObject. Errors of the request, and of reading the body,
// are *ctlake.SourceError: NoSuchKey, AccessDenied, InvalidObjectState
// (archived objects), SourceUnavailable (Retryable) for faults that outlived
// the retries, or S3's own error code for anything else.
//
// The whole of it, the reading of the body included, is bounded by
// Options.ObjectTimeout, so that a source that trickles cannot hold an
// import worker for ever.
func (s *Source) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	octx, cancel := context.WithTimeoutCause(ctx, s.objectTimeout, errObjectTimeout)
	out, err := s.client.GetObject(octx, &s3.GetObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)})
	if err != nil {
		cancel()
		return nil, s.objectError(ctx, octx, "get", key, err)
	}
	return &body{ReadCloser: out.Body, ctx: ctx, octx: octx, cancel: cancel, src: s, key: key}, nil
}

// errObjectTimeout is the cause of an Open's context ending at
// ObjectTimeout.
var errObjectTimeout = errors.New("object timeout")

// objectError is error, except that the end of the object's own time
// budget (octx) is a SourceUnavailable fault that says so.
func (s *Source) objectError(ctx, octx context.Context, op, key string, err error) error {
	if ctx.Err() == nil && context.Cause(octx) == errObjectTimeout {
		return &ctlake.SourceError{
			Type:      ctlake.FailureSourceUnavailable,
			Message:   fmt.Sprintf("reading %s took longer than %v (the time allowed for one object, retries included)", s.Location(key), s.objectTimeout),
			Retryable: true,
			Err:       err,
		}
	}
	return s.error(ctx, op, key, err)
}

// CheckBucket finds out whether the bucket exists and can be read, with
// HeadBucket. It returns a *ctlake.SourceError of type NoSuchBucket if the
// bucket does not exist, PermanentRedirect if it is in another region,
// AccessDenied if the credentials may not read it (or there are none), and
// SourceUnavailable (Retryable) if S3 cannot be reached.
func (s *Source) CheckBucket(ctx context.Context) error {
	_, err := s.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(s.bucket)})
	if err != nil {
		return s.error(ctx, "head", "", err)
	}
	return nil
}

// body turns errors while reading the object into retryable SourceErrors:
// the object was found, so a failed read is the transport's fault (a reset
// connection, a short body, a stalled server, a checksum mismatch).
type body struct {
	io.ReadCloser
	ctx    context.Context // the caller's
	octx   context.Context // the object's, with its time budget
	cancel context.CancelFunc
	src    *Source
	key    string
	read   int64
}

func (b *body) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.read += int64(n)
	if err != nil && err != io.EOF && b.ctx.Err() == nil {
		if context.Cause(b.octx) == errObjectTimeout {
			return n, b.src.objectError(b.ctx, b.octx, "get", b.key, err)
		}
		err = &ctlake.SourceError{
			Type:      ctlake.FailureSourceUnavailable,
			Message:   fmt.Sprintf("reading %s failed after %d bytes (%s)", b.src.Location(b.key), b.read, cause(err)),
			Retryable: true,
			Err:       err,
		}
	}
	return n, err
}

func (b *body) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// identityProvider marks the errors of getting credentials, which the SDK
// reports as untyped strings, so that they map to AccessDenied rather than
// to an unknown failure.
type identityProvider struct{ aws.CredentialsProvider }

func (p identityProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	c, err := p.CredentialsProvider.Retrieve(ctx)
	if err != nil {
		return c, &credentialsError{err}
	}
	return c, nil
}

type credentialsError struct{ err error }

func (e *credentialsError) Error() string { return "get credentials: " + e.err.Error() }
func (e *credentialsError) Unwrap() error { return e.err }

var (
	isRetryable = retry.IsErrorRetryables(append([]retry.IsErrorRetryable{
		retry.RetryableErrorCode{Codes: retry.DefaultThrottleErrorCodes},
	}, retry.DefaultRetryables...))
)

// error maps an SDK error about what (a key, a prefix, or the bucket) to a
// *ctlake.SourceError. The caller's own cancellation is returned as it is:
// it says nothing about the object.
func (s *Source) error(ctx context.Context, op, what string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%s %s: %w", op, s.Location(what), err)
	}
	var (
		apiErr  smithy.APIError
		respErr interface{ HTTPStatusCode() int }
		credErr *credentialsError
		code    string
		status  int
	)
	if errors.As(err, &apiErr) {
		code = apiErr.ErrorCode()
	}
	if errors.As(err, &respErr) {
		status = respErr.HTTPStatusCode()
	}
	loc := s.Location(what)
	se := &ctlake.SourceError{Err: err}
	switch {
	case code == "NoSuchBucket" || (op == "head" && status == http.StatusNotFound):
		se.Type, se.Message = "NoSuchBucket", "bucket "+s.bucket+" does not exist"
	case code == "NoSuchKey" || (op == "get" && status == http.StatusNotFound):
		se.Type, se.Message = ctlake.FailureNoSuchKey, "no object at "+loc
	case code == "InvalidObjectState":
		se.Type, se.Message = ctlake.FailureInvalidObjectState, loc+" is archived; restore it before importing"
	case code == "AccessDenied" || status == http.StatusForbidden:
		se.Type, se.Message = ctlake.FailureAccessDenied, "access to "+loc+" denied"
	case code == "PermanentRedirect" || status == http.StatusMovedPermanently:
		// The bucket lives in another region than S3BucketRegion.
		se.Type, se.Message = "PermanentRedirect", "bucket "+s.bucket+" is not in region "+s.region
		var hr *smithyhttp.ResponseError
		if errors.As(err, &hr) && hr.Response != nil {
			if r := hr.Response.Header.Get("X-Amz-Bucket-Region"); r != "" {
				se.Message = "bucket " + s.bucket + " is in region " + r + ", not " + s.region
			}
		}
	case errors.As(err, &credErr) && status < 500 && status != http.StatusTooManyRequests:
		// No credentials anywhere in the chain (the probe of EC2's
		// metadata service then fails like a network fault), or a role
		// that STS refuses: only a fault of STS itself is worth a retry.
		se.Type, se.Message = ctlake.FailureAccessDenied, "no usable credentials for "+loc
	case isRetryable.IsErrorRetryable(err) == aws.TrueTernary:
		se.Type, se.Retryable = ctlake.FailureSourceUnavailable, true
		se.Message = fmt.Sprintf("%s %s failed %s (last: %s); the source kept failing", op, loc, attempts(err), cause(err))
	case code != "":
		// S3's own name for the fault, as AWS reports AccessDenied.
		se.Type, se.Message = code, fmt.Sprintf("%s %s failed (%s)", op, loc, cause(err))
	default:
		se.Type, se.Message = ctlake.FailureSourceUnavailable, fmt.Sprintf("%s %s failed %s (last: %s)", op, loc, attempts(err), cause(err))
	}
	return se
}

// attempts says how many attempts an SDK error took.
func attempts(err error) string {
	var max *retry.MaxAttemptsError
	if errors.As(err, &max) {
		return fmt.Sprintf("after %d attempts", max.Attempt)
	}
	return "at the first attempt"
}

// cause names what went wrong in an SDK error, shortly: the HTTP status and
// S3's error code, or the network error.
func cause(err error) string {
	var (
		apiErr  smithy.APIError
		respErr *smithyhttp.ResponseError
		netErr  net.Error
	)
	switch {
	case errors.As(err, &respErr) && respErr.HTTPStatusCode() != 0: // 0: no response at all
		text := fmt.Sprintf("HTTP %d", respErr.HTTPStatusCode())
		if errors.As(err, &apiErr) {
			text += " " + apiErr.ErrorCode()
		}
		return text
	case errors.As(err, &netErr) && netErr.Timeout():
		return "timed out: " + netErr.Error()
	case errors.As(err, &netErr):
		return "network error: " + netErr.Error()
	}
	return err.Error()
}

func orDefault[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

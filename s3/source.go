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

// Defaults of Options.
const (
	DefaultMaxAttempts  = 4
	DefaultMaxBackoff   = 5 * time.Second
	DefaultConnsPerHost = 64
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
}

// NewSource returns a Source over bucket. It does not contact S3; call
// CheckBucket to find out whether the bucket can be read.
func NewSource(ctx context.Context, bucket string, opts Options) (*Source, error) {
	if bucket == "" {
		return nil, errors.New("s3 source: no bucket")
	}
	conns := opts.ConnsPerHost
	if conns <= 0 {
		conns = DefaultConnsPerHost
	}
	httpClient := awshttp.NewBuildableClient().
		WithDialerOptions(func(d *net.Dialer) { d.Timeout = 10 * time.Second }).
		WithTransportOptions(func(tr *http.Transport) {
			tr.MaxIdleConnsPerHost = conns
			tr.MaxIdleConns = 2 * conns
			tr.ResponseHeaderTimeout = time.Minute
		}).
		// A connection that delivers nothing for this long is dead: the
		// read fails (and is retried) instead of hanging an import worker.
		WithReadTimeout(time.Minute)

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
	return &Source{bucket: bucket, region: cfg.Region, client: client}, nil
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
func (s *Source) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)})
	if err != nil {
		return nil, s.error(ctx, "get", key, err)
	}
	return &body{ReadCloser: out.Body, ctx: ctx, src: s, key: key}, nil
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
	ctx context.Context
	src *Source
	key string
}

func (b *body) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF && b.ctx.Err() == nil {
		err = &ctlake.SourceError{
			Type:      ctlake.FailureSourceUnavailable,
			Message:   "reading " + b.src.Location(b.key) + " failed",
			Retryable: true,
			Err:       err,
		}
	}
	return n, err
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
		se.Type, se.Message, se.Retryable = ctlake.FailureSourceUnavailable, op+" "+loc+" kept failing", true
	case code != "":
		// S3's own name for the fault, as AWS reports AccessDenied.
		se.Type, se.Message = code, op+" "+loc+" failed"
	default:
		se.Type, se.Message = ctlake.FailureSourceUnavailable, op+" "+loc+" failed"
	}
	return se
}

func orDefault[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

package main

import (
	"context"
	"fmt"
	"net/url"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/ctlake/ctlake"
	"github.com/ctlake/ctlake/file"
	"github.com/ctlake/ctlake/s3"
)

// sourceOpener opens import sources by URI scheme: s3:// through
// aws-sdk-go-v2 with the standard configuration chain (AWS_ENDPOINT_URL_S3
// for S3-compatible servers), file:// on the local disk (a ctlake
// extension).
//
// With assumeRole, S3BucketAccessRoleArn is assumed through STS (with the
// server's own credentials) and the bucket is read as that role, as
// CloudTrail does; without it the server's credentials read the bucket and
// the role ARN is only checked for its shape.
type sourceOpener struct {
	assumeRole bool
}

func (o sourceOpener) OpenSource(ctx context.Context, u *url.URL, src ctlake.ImportSource) (ctlake.Source, error) {
	switch u.Scheme {
	case "s3":
		opts := s3.Options{Region: src.S3BucketRegion}
		if o.assumeRole {
			cfg, err := config.LoadDefaultConfig(ctx)
			if err != nil {
				return nil, fmt.Errorf("load AWS configuration to assume %s: %w", src.S3BucketAccessRoleARN, err)
			}
			opts.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), src.S3BucketAccessRoleARN,
				func(p *stscreds.AssumeRoleOptions) { p.RoleSessionName = "ctlake-import" }))
		}
		s, err := s3.NewSource(ctx, u.Host, opts)
		if err != nil {
			return nil, err
		}
		if err := s.CheckBucket(ctx); err != nil {
			return nil, err
		}
		return s, nil
	case "file":
		// Keys are absolute paths without their leading "/", so that the
		// trail layout in the path (…/AWSLogs/<account>/…) reads the same
		// as in a bucket.
		info, err := os.Stat(u.Path)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			return nil, fmt.Errorf("%s is not a folder", u.Path)
		}
		return file.NewSource("/")
	}
	return nil, fmt.Errorf("unsupported scheme %q", u.Scheme)
}

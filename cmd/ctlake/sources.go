package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

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
//
// file:// sources are confined to importRoots: the folder must be inside
// one (and not inside the data folder), and nothing outside that root is
// read, whatever links the tree holds (see file.NewSourceWithin).
type sourceOpener struct {
	assumeRole  bool
	importRoots []string // absolute, cleaned; none: file:// imports are refused
	dataDir     string   // absolute: never imported from
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
		root, err := o.importRoot(u.Path)
		if err != nil {
			return nil, err
		}
		info, err := os.Stat(u.Path)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			return nil, fmt.Errorf("%s is not a folder", u.Path)
		}
		return file.NewSourceWithin("/", root)
	}
	return nil, fmt.Errorf("unsupported scheme %q", u.Scheme)
}

// importRoot returns the import root that holds folder, or an error that
// names the roots and the flag.
func (o sourceOpener) importRoot(folder string) (string, error) {
	folder = filepath.Clean(folder)
	if within(o.dataDir, folder) {
		return "", fmt.Errorf("%s is inside the server's data folder %s, which is never imported from", folder, o.dataDir)
	}
	best := ""
	for _, r := range o.importRoots {
		if within(r, folder) && len(r) > len(best) {
			best = r
		}
	}
	if best != "" {
		return best, nil
	}
	if len(o.importRoots) == 0 {
		return "", fmt.Errorf("this server reads no folder for file:// imports; start it with --import-root %s to allow that folder", folder)
	}
	return "", fmt.Errorf("%s is outside the folders this server may import from (%s); start the server with --import-root %s (the flag may be repeated) to allow it",
		folder, strings.Join(o.importRoots, ", "), folder)
}

// within reports whether path is root or lies under it (both cleaned and
// absolute), by name.
func within(root, path string) bool {
	return path == root || strings.HasPrefix(path, strings.TrimSuffix(root, "/")+"/")
}

// importRoots returns the cleaned absolute --import-root folders, or the
// default: the parent of the working directory, so that a server started
// from a checkout reads the folders beside it (the README's
// ../shared/testdata/invictus-aws), and nothing above. It is never / (a
// server started in / or one level below gets its working directory, and
// in / none) and never the data folder or a folder inside it.
func importRoots(given []string, dataDir string) ([]string, error) {
	var roots []string
	if len(given) == 0 {
		wd, err := os.Getwd()
		if err != nil {
			return nil, fmt.Errorf("--import-root: no default: %w", err)
		}
		def := filepath.Dir(wd)
		if def == "/" {
			def = wd
		}
		if def == "/" || within(dataDir, def) {
			return nil, nil
		}
		return []string{def}, nil
	}
	for _, g := range given {
		abs, err := filepath.Abs(g)
		if err != nil {
			return nil, fmt.Errorf("--import-root %s: %w", g, err)
		}
		fi, err := os.Stat(abs)
		if err != nil {
			return nil, fmt.Errorf("--import-root: %w", err)
		}
		if !fi.IsDir() {
			return nil, fmt.Errorf("--import-root %s is not a folder", g)
		}
		if within(dataDir, abs) {
			return nil, fmt.Errorf("--import-root %s is inside the data folder %s, which is never imported from", g, dataDir)
		}
		roots = append(roots, abs)
	}
	return roots, nil
}

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/smithy-go"
)

// defaultEndpoint is where the CLI looks for ctlake when nothing names an
// endpoint: the address `ctlake serve` listens on by default.
const defaultEndpoint = "http://127.0.0.1:4599"

// awsEndpoint is the --endpoint value that means "AWS itself": the SDK then
// resolves CloudTrail's regional endpoint as the AWS CLI does.
const awsEndpoint = "aws"

// localCredentialsFile is the key pair a local `ctlake serve` made in its
// default data folder (see credentials.go). The CLI reads it only when no
// AWS credentials are configured and the endpoint is on this machine.
var localCredentialsFile = filepath.Join("ctlake-data", credentialsFile)

// clientFlags are the flags every client subcommand takes: where the server
// is and whose key signs the calls. They follow the AWS CLI's names.
type clientFlags struct {
	endpoint string
	region   string
	profile  string
}

func (f *clientFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.endpoint, "endpoint", "",
		"server URL (default: $CTLAKE_ENDPOINT, else $AWS_ENDPOINT_URL_CLOUDTRAIL, $AWS_ENDPOINT_URL or the profile's endpoint_url, else "+defaultEndpoint+"); 'aws' means AWS itself")
	fs.StringVar(&f.region, "region", "", "AWS region (default: $AWS_REGION or the profile's, else us-east-1 for ctlake)")
	fs.StringVar(&f.profile, "profile", "", "profile of the AWS shared config and credentials files (default: $AWS_PROFILE)")
}

// cli is one run of a client subcommand: its streams, how stdout renders,
// and the CloudTrail client.
type cli struct {
	stdout io.Writer
	stderr io.Writer
	stdin  io.Reader
	out    terminal // how stdout renders
	errOut terminal // how stderr renders

	flags    clientFlags // as given on the command line
	ct       *cloudtrail.Client
	endpoint string // the URL called, or "" for AWS's own endpoint
	region   string
}

// newCLI returns a cli on the process's streams; connect makes its client.
func newCLI() *cli {
	return &cli{
		stdout: os.Stdout, stderr: os.Stderr, stdin: os.Stdin,
		out: terminalOf(os.Stdout), errOut: terminalOf(os.Stderr),
	}
}

// connect loads the AWS configuration as the AWS tools do (environment,
// shared files, --profile), decides the endpoint and makes the client.
func (c *cli) connect(ctx context.Context) error {
	f := c.flags
	var opts []func(*config.LoadOptions) error
	if f.profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(f.profile))
	}
	if f.region != "" {
		opts = append(opts, config.WithRegion(f.region))
	}
	// A first load tells the endpoint the AWS configuration names (it reads
	// files only: credentials are fetched lazily).
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return fmt.Errorf("load the AWS configuration: %w", err)
	}
	endpoint, err := chooseEndpoint(f, cfg.BaseEndpoint)
	if err != nil {
		return err
	}
	local := isLocalEndpoint(endpoint)
	if local {
		// A ctlake server accepts its own key, never an EC2 instance role:
		// asking the metadata service would only add seconds of timeouts
		// on machines that are not EC2 instances.
		opts = append(opts, config.WithEC2IMDSClientEnableState(imds.ClientDisabled))
		if cfg, err = config.LoadDefaultConfig(ctx, opts...); err != nil {
			return fmt.Errorf("load the AWS configuration: %w", err)
		}
	}
	if cfg.Region == "" {
		if endpoint == "" {
			return usageErrorf("no AWS region: give --region or set AWS_REGION")
		}
		cfg.Region = "us-east-1" // ctlake's regions are namespaces; this one is the AWS tools' usual default
	}
	if !hasCredentials(ctx, cfg) {
		if !local {
			return errors.New("no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or give --profile")
		}
		key, secret, ferr := readKeyFile(localCredentialsFile)
		if ferr != nil {
			return fmt.Errorf("no AWS credentials found, and the local server's key file is not usable (%v); "+
				"set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run from the folder that holds ctlake-data/", ferr)
		}
		fmt.Fprintf(c.stderr, "ctlake: no AWS credentials configured; signing with the key in %s\n", localCredentialsFile)
		cfg.Credentials = credentials.NewStaticCredentialsProvider(key, secret, "")
	}
	c.endpoint, c.region = endpoint, cfg.Region
	c.ct = cloudtrail.NewFromConfig(cfg, func(o *cloudtrail.Options) {
		o.BaseEndpoint = nil // AWS's regional endpoint, even if the configuration names another
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
	})
	return nil
}

// hasCredentials reports whether the configuration chain yields a key.
func hasCredentials(ctx context.Context, cfg aws.Config) bool {
	if cfg.Credentials == nil {
		return false
	}
	creds, err := cfg.Credentials.Retrieve(ctx)
	return err == nil && creds.HasKeys()
}

// chooseEndpoint applies the endpoint rule: --endpoint, then CTLAKE_ENDPOINT,
// then the AWS tools' own settings (AWS_ENDPOINT_URL_CLOUDTRAIL, then
// configured: what the SDK resolved from AWS_ENDPOINT_URL or the profile's
// endpoint_url), then the local default. AWS is called only when asked by
// name ("aws"): a CLI that can delete stores must not reach a real account
// just because a profile exists on the machine. It returns "" for AWS.
func chooseEndpoint(f clientFlags, configured *string) (string, error) {
	pick := func(v, from string) (string, error) {
		if v == awsEndpoint {
			return "", nil
		}
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return "", usageErrorf("%s %q is not an http(s) URL (nor %q for AWS itself)", from, v, awsEndpoint)
		}
		return strings.TrimSuffix(v, "/"), nil
	}
	if f.endpoint != "" {
		return pick(f.endpoint, "--endpoint")
	}
	for _, env := range []string{"CTLAKE_ENDPOINT", "AWS_ENDPOINT_URL_CLOUDTRAIL"} {
		if v := os.Getenv(env); v != "" {
			return pick(v, env)
		}
	}
	if configured != nil && *configured != "" {
		return pick(*configured, "the AWS configuration's endpoint URL")
	}
	return defaultEndpoint, nil
}

// isLocalEndpoint reports whether the endpoint is a server on this machine.
func isLocalEndpoint(endpoint string) bool {
	u, err := url.Parse(endpoint)
	if endpoint == "" || err != nil {
		return false
	}
	host := u.Hostname()
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// readKeyFile reads AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from a
// credentials.env file that `ctlake serve` wrote.
func readKeyFile(path string) (key, secret string, err error) {
	c, err := readCredentials(path)
	if err != nil {
		return "", "", err
	}
	return c.AccessKeyID, c.SecretAccessKey, nil
}

// usageError is a mistake in the command line: the exit status is 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usageErrorf(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

// exitError ends the process with a given status. Err, when set, is
// printed; a nil Err means the command already said what went wrong.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// exitInterrupted is the status after Ctrl-C (128 + SIGINT), as shells use.
const exitInterrupted = 130

// report prints err for a person and returns the process's exit status:
// 0 for success and -h, 1 for a failed operation or an API error (shown as
// "CODE: message", as AWS names it), 2 for a bad command line.
func report(w io.Writer, err error) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return 0
	}
	code := 1
	var ex *exitError
	if errors.As(err, &ex) {
		if ex.err == nil {
			return ex.code
		}
		code, err = ex.code, ex.err
	}
	var usage *usageError
	if errors.As(err, &usage) {
		code = 2
	}
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(w, "ctlake: interrupted")
		return exitInterrupted
	}
	fmt.Fprintln(w, describeError(err))
	return code
}

// describeError renders an error for a person. An API error is its code and
// message, without the SDK's wrapping (operation, status, request id).
func describeError(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode() + ": " + api.ErrorMessage()
	}
	var conn *net.OpError
	if errors.As(err, &conn) && conn.Op == "dial" {
		return "ctlake: cannot reach the server (" + conn.Error() + "); is `ctlake serve` running? Give its URL with --endpoint or CTLAKE_ENDPOINT"
	}
	return "ctlake: " + err.Error()
}

package s3

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

// Environment variables that set the retry policy of S3 sources when
// Options leaves it zero, so that an operator (or a test that needs short
// budgets) tunes it without a rebuild:
//
//	CTLAKE_S3_MAX_ATTEMPTS     attempts per request, retries included (4)
//	CTLAKE_S3_MAX_BACKOFF      bound of the jittered delay between attempts (5s)
//	CTLAKE_S3_ATTEMPT_TIMEOUT  wait for headers, or for the next body byte (1m)
//	CTLAKE_S3_OBJECT_TIMEOUT   whole time of one object, retries included (5m)
const (
	envMaxAttempts    = "CTLAKE_S3_MAX_ATTEMPTS"
	envMaxBackoff     = "CTLAKE_S3_MAX_BACKOFF"
	envAttemptTimeout = "CTLAKE_S3_ATTEMPT_TIMEOUT"
	envObjectTimeout  = "CTLAKE_S3_OBJECT_TIMEOUT"
)

// withEnvironment fills the zero retry settings of opts from the
// environment. A variable that does not parse is an error: a typo must not
// silently leave the defaults in place.
func withEnvironment(opts Options) (Options, error) {
	if v := os.Getenv(envMaxAttempts); v != "" && opts.MaxAttempts == 0 {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return opts, fmt.Errorf("s3 source: %s=%q: want a whole number of attempts, at least 1", envMaxAttempts, v)
		}
		opts.MaxAttempts = n
	}
	for _, d := range []struct {
		name string
		dst  *time.Duration
	}{{envMaxBackoff, &opts.MaxBackoff}, {envAttemptTimeout, &opts.AttemptTimeout}, {envObjectTimeout, &opts.ObjectTimeout}} {
		v := os.Getenv(d.name)
		if v == "" || *d.dst != 0 {
			continue
		}
		dur, err := time.ParseDuration(v)
		if err != nil || dur <= 0 {
			return opts, fmt.Errorf("s3 source: %s=%q: want a positive duration such as 500ms or 2m", d.name, v)
		}
		*d.dst = dur
	}
	return opts, nil
}

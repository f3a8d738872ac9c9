// Package e2e holds the end-to-end tests: they build the ctlake binary, start
// it on 127.0.0.1 with a port chosen free at run time and a data folder of
// the test's own, and drive it over HTTP with the real clients: the
// CloudTrail client of aws-sdk-go-v2, the AWS CLI and boto3.
//
// A test that needs a client the machine lacks skips with what to install;
// with CTLAKE_E2E=1 (as CI runs) it fails instead.
//
// A test must be able to fail: an API error is checked by its code and its
// message (wantErr; assertError in the boto3 scripts), and every wait polls
// with a deadline and stops at the first error (wait_test.go).
package e2e

package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"

	"github.com/ctlake/ctlake/ctlaketest"
)

// binary is the ctlake binary built once for the whole package.
var binary string

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		// The fast tier (-short) needs no binary and no server.
		fmt.Println("e2e: skipped under -short: end-to-end tests build ctlake and start servers (the full tier runs them)")
		os.Exit(0)
	}
	dir, err := os.MkdirTemp("", "ctlake-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "ctlake")
	args := []string{"build", "-o", binary}
	if raceEnabled {
		args = append(args, "-race")
	}
	cmd := exec.Command("go", append(args, "../cmd/ctlake")...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build ctlake:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// Test credentials: the server takes them from its environment.
const (
	testAccessKey = "AKIACTLAKETESTKEY001"
	testSecretKey = "ctlake-test-secret-key-0123456789abcdefgh"
	testAccount   = "123456789012"
)

// Server is a running ctlake process.
type Server struct {
	URL     string
	DataDir string
	Env     []string // extra environment of the process
	Args    []string // extra flags of ctlake serve

	t    testing.TB
	cmd  *exec.Cmd
	done chan error
	mu   sync.Mutex
	log  strings.Builder
}

// ServerOption changes how a test server starts.
type ServerOption func(*Server)

// WithArgs adds flags to ctlake serve.
func WithArgs(args ...string) ServerOption {
	return func(s *Server) { s.Args = append(s.Args, args...) }
}

// WithEnv adds variables to the server's environment (an S3 endpoint and
// its keys, say).
func WithEnv(kv ...string) ServerOption { return func(s *Server) { s.Env = append(s.Env, kv...) } }

// WithoutEnvCredentials starts the server without CTLAKE_ACCESS_KEY_ID, so
// that it makes (or reuses) a key pair in its data folder.
func WithoutEnvCredentials() ServerOption { return func(s *Server) { s.Env = nil } }

// StartServer starts ctlake on a fresh data folder and stops it when the
// test ends. Its log is printed if the test fails.
func StartServer(t testing.TB, opts ...ServerOption) *Server {
	t.Helper()
	s := &Server{
		DataDir: filepath.Join(t.TempDir(), "data"),
		Env:     []string{"CTLAKE_ACCESS_KEY_ID=" + testAccessKey, "CTLAKE_SECRET_ACCESS_KEY=" + testSecretKey},
		t:       t,
	}
	for _, o := range opts {
		o(s)
	}
	// A test may give the server its own data folder (the last --data
	// wins, as for the flag package): the checks below read that one.
	for i, a := range s.Args {
		if a == "--data" && i+1 < len(s.Args) {
			s.DataDir = s.Args[i+1]
		}
	}
	s.Start()
	t.Cleanup(func() {
		stopped := s.cmd != nil // not left killed mid-write by the test
		s.Stop()
		if stopped && !t.Failed() {
			ctlaketest.CheckDataDir(t, s.DataDir)
		}
		// Every error a client sees must be one its operation declares:
		// the Go SDK types only those (the server logs the others).
		for _, line := range strings.Split(s.Log(), "\n") {
			if strings.Contains(line, "does not declare") {
				t.Errorf("the server answered an undeclared error: %s", line)
			}
		}
		if t.Failed() {
			t.Logf("ctlake log:\n%s", s.Log())
		}
	})
	return s
}

// Start starts the process (again) on the same data folder and waits until
// it answers GET /health.
func (s *Server) Start() {
	s.t.Helper()
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data", s.DataDir, "--log-format", "json"}, s.Args...)
	if !slices.Contains(s.Args, "--import-root") {
		// file:// imports read the tests' temporary folders and the shared
		// dataset beside the repository (../../shared from here).
		beside, err := filepath.Abs(filepath.Join("..", ".."))
		if err != nil {
			s.t.Fatal(err)
		}
		args = append(args, "--import-root", os.TempDir(), "--import-root", beside)
	}
	s.cmd = exec.Command(binary, args...)
	s.cmd.Env = append(cleanEnv(), s.Env...)
	stderr, err := s.cmd.StderrPipe()
	if err != nil {
		s.t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			s.mu.Lock()
			s.log.WriteString(line + "\n")
			s.mu.Unlock()
			var rec struct{ Msg, URL string }
			if json.Unmarshal([]byte(line), &rec) == nil && rec.URL != "" && strings.HasPrefix(rec.Msg, "ctlake is serving") {
				urlc <- rec.URL
			}
		}
	}()
	s.done = make(chan error, 1)
	go func() { s.done <- s.cmd.Wait() }()
	select {
	case s.URL = <-urlc:
	case err := <-s.done:
		s.t.Fatalf("ctlake exited before serving: %v\n%s", err, s.Log())
	case <-time.After(60 * time.Second):
		s.t.Fatalf("ctlake did not start within 60s\n%s", s.Log())
	}
	waitHealthy(s.t, s.URL)
}

// Stop sends SIGTERM and waits for a clean exit.
func (s *Server) Stop() {
	s.t.Helper()
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.done:
		if err != nil {
			s.t.Errorf("ctlake did not exit cleanly on SIGTERM: %v", err)
		}
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
		s.t.Errorf("ctlake did not stop within 30s of SIGTERM")
	}
	s.cmd = nil
}

// Kill ends the process with SIGKILL, as a crash would: no shutdown code
// runs.
func (s *Server) Kill() {
	s.t.Helper()
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	s.cmd.Process.Kill()
	<-s.done
	s.cmd = nil
}

// Restart stops the server and starts it again on the same data folder.
func (s *Server) Restart() {
	s.t.Helper()
	s.Stop()
	s.Start()
}

// Log returns what the server has logged so far.
func (s *Server) Log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.log.String()
}

func waitHealthy(t testing.TB, url string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(url + "/health")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("ctlake at %s not healthy within 30s: %v", url, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// cleanEnv is the test process's environment without AWS or ctlake
// settings, so a developer's own configuration never leaks into a test.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "AWS_") || strings.HasPrefix(kv, "CTLAKE_") && !strings.HasPrefix(kv, "CTLAKE_E2E=") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// Client returns an aws-sdk-go-v2 CloudTrail client for the server, signing
// with the test key in region.
func (s *Server) Client(region string) *cloudtrail.Client {
	return NewClient(s.URL, region, testAccessKey, testSecretKey)
}

// NewClient returns a CloudTrail client for url with the given key. It does
// not retry, so that every answer a test sees is the server's first.
func NewClient(url, region, accessKey, secret string) *cloudtrail.Client {
	cfg := aws.Config{
		Region: region,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: accessKey, SecretAccessKey: secret}, nil
		}),
		RetryMaxAttempts: 1,
	}
	return cloudtrail.NewFromConfig(cfg, func(o *cloudtrail.Options) { o.BaseEndpoint = aws.String(url) })
}

// need skips the test when a command is missing, or fails it under CTLAKE_E2E=1.
func need(t testing.TB, command, install string) string {
	t.Helper()
	path, err := exec.LookPath(command)
	if err == nil {
		return path
	}
	if os.Getenv("CTLAKE_E2E") == "1" {
		t.Fatalf("%s is not installed (CTLAKE_E2E=1 forbids skipping): %s", command, install)
	}
	t.Skipf("%s is not installed; %s (CI sets CTLAKE_E2E=1 and fails instead of skipping)", command, install)
	return ""
}

// errorCode returns the AWS error code of err, or "" for nil.
func errorCode(err error) string {
	if err == nil {
		return ""
	}
	var api interface{ ErrorCode() string }
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return "not an API error: " + err.Error()
}

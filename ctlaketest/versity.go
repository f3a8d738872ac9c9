package ctlaketest

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// versityPackage is the gateway's main package; its version is the one
// go.mod pins (versityFallbackVersion when go.mod cannot be read).
const (
	versityModule          = "github.com/versity/versitygw"
	versityPackage         = versityModule + "/cmd/versitygw"
	versityFallbackVersion = "v1.8.0"
)

// Versity is a running Versity S3 Gateway (versitygw) over a posix folder: a
// real S3 server for tests. Bucket b is the folder Root/b and the object k
// of b is the file Root/b/k, so a test may lay out a bucket by writing files
// (see WriteFile) and read it back over S3.
type Versity struct {
	URL       string // http://127.0.0.1:PORT
	AccessKey string
	SecretKey string
	Region    string
	Root      string // the posix root

	cmd  *exec.Cmd
	done chan error
	out  *syncBuffer
}

// StartVersity starts versitygw on a free loopback port with a fresh root
// and fresh keys, waits until it answers, and stops it when the test ends.
// The gateway is built once (about two minutes on a new machine) and cached
// in os.TempDir()/ctlake-versitygw-VERSION; CTLAKE_VERSITYGW names a binary
// to use instead. If it cannot be built the test is skipped, or fails under
// CTLAKE_E2E=1.
func StartVersity(t testing.TB) *Versity {
	t.Helper()
	if testing.Short() {
		t.Skip("versitygw is an external server: tests that need it run in the full tier (go test without -short)")
	}
	bin, err := versityBinary()
	if err != nil {
		if os.Getenv("CTLAKE_E2E") == "1" {
			t.Fatalf("versitygw is required under CTLAKE_E2E=1: %v", err)
		}
		t.Skipf("versitygw unavailable, skipping (go install %s@%s, or set CTLAKE_VERSITYGW): %v", versityPackage, versityFallbackVersion, err)
	}
	v := &Versity{
		AccessKey: "AKIA" + randomAlnum(16),
		SecretKey: randomAlnum(40),
		Region:    "us-east-1",
		Root:      filepath.Join(t.TempDir(), "s3"),
	}
	if err := os.MkdirAll(v.Root, 0o755); err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	var extra []string
	for attempt := 1; ; attempt++ {
		err := v.start(bin, extra)
		if err == nil {
			break
		}
		switch {
		case strings.Contains(v.out.String(), "xattr check failed") && extra == nil:
			// The posix backend keeps metadata in extended attributes; on
			// a file system without them, keep it in a sidecar folder.
			extra = []string{"--sidecar", filepath.Join(t.TempDir(), "sidecar")}
		case attempt < 3 && strings.Contains(v.out.String(), "address already in use"):
			// Another process took the port between probe and bind.
		default:
			t.Fatalf("start versitygw: %v\n%s", err, v.out.String())
		}
	}
	t.Logf("versitygw %s serving %s (pid %d), ready in %v", v.URL, v.Root, v.cmd.Process.Pid, time.Since(began).Round(time.Millisecond))
	t.Cleanup(func() {
		v.stop(t)
		if t.Failed() {
			t.Logf("versitygw output:\n%s", v.out.String())
		}
	})
	return v
}

// start runs the gateway and waits until it answers HTTP.
func (v *Versity) start(bin string, extra []string) error {
	port, err := FreePort()
	if err != nil {
		return err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	v.URL = "http://" + addr
	args := []string{"--access", v.AccessKey, "--secret", v.SecretKey, "--region", v.Region, "--port", addr, "--quiet", "posix"}
	args = append(append(args, extra...), v.Root)
	v.out = &syncBuffer{}
	v.cmd = exec.Command(bin, args...)
	v.cmd.Env = versityEnv()
	v.cmd.Stdout, v.cmd.Stderr = v.out, v.out
	if err := v.cmd.Start(); err != nil {
		return err
	}
	v.done = make(chan error, 1)
	go func() { v.done <- v.cmd.Wait() }()

	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case err := <-v.done:
			v.cmd = nil
			return fmt.Errorf("versitygw exited: %v", err)
		default:
		}
		// Any HTTP answer (an unsigned request gets 403) means it serves.
		resp, err := client.Get(v.URL + "/")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			return nil
		}
		if time.Now().After(deadline) {
			v.kill()
			return fmt.Errorf("versitygw did not answer on %s within 30s: %v", addr, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// stop ends the gateway by its own process id: SIGTERM, then SIGKILL.
func (v *Versity) stop(t testing.TB) {
	if v.cmd == nil {
		return
	}
	if err := v.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		v.kill()
		return
	}
	select {
	case <-v.done:
	case <-time.After(10 * time.Second):
		t.Errorf("versitygw (pid %d) did not stop within 10s of SIGTERM", v.cmd.Process.Pid)
		v.kill()
	}
	v.cmd = nil
}

func (v *Versity) kill() {
	v.cmd.Process.Kill()
	<-v.done
}

// Env returns the environment that points a child process's AWS SDK or CLI
// at the gateway.
func (v *Versity) Env() []string {
	return []string{
		"AWS_ENDPOINT_URL_S3=" + v.URL,
		"AWS_ACCESS_KEY_ID=" + v.AccessKey,
		"AWS_SECRET_ACCESS_KEY=" + v.SecretKey,
		"AWS_REGION=" + v.Region,
	}
}

// Client returns an S3 client for the gateway that ignores the process's
// own AWS configuration.
func (v *Versity) Client() *s3.Client {
	return s3.New(s3.Options{
		Region:       v.Region,
		BaseEndpoint: aws.String(v.URL),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(v.AccessKey, v.SecretKey, ""),
	})
}

// CreateBucket creates the bucket name with the S3 API.
func (v *Versity) CreateBucket(t testing.TB, name string) {
	t.Helper()
	if _, err := v.Client().CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("create bucket %s: %v", name, err)
	}
}

// PutObject writes an object with the S3 API.
func (v *Versity) PutObject(t testing.TB, bucket, key string, data []byte) {
	t.Helper()
	_, err := v.Client().PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(data),
	})
	if err != nil {
		t.Fatalf("put s3://%s/%s: %v", bucket, key, err)
	}
}

// WriteFile writes the object key of bucket straight into the posix root,
// which is much faster than PutObject for thousands of files. The gateway
// lists and serves such files as objects (with an empty ETag).
func (v *Versity) WriteFile(t testing.TB, bucket, key string, data []byte) {
	t.Helper()
	p := filepath.Join(v.Root, bucket, filepath.FromSlash(key))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// BucketDir returns the folder that holds bucket's objects.
func (v *Versity) BucketDir(bucket string) string { return filepath.Join(v.Root, bucket) }

// versityEnv is the test process's environment without the variables that
// configure versitygw, so a developer's settings never change the gateway.
func versityEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "VGW_") || strings.HasPrefix(kv, "ROOT_ACCESS_KEY") || strings.HasPrefix(kv, "ROOT_SECRET") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

var versityBuild struct {
	once sync.Once
	path string
	err  error
}

// versityBinary returns the path of the gateway, building it once per test
// binary and caching the result across runs.
func versityBinary() (string, error) {
	versityBuild.once.Do(func() {
		versityBuild.path, versityBuild.err = buildVersity()
	})
	return versityBuild.path, versityBuild.err
}

func buildVersity() (string, error) {
	if p := os.Getenv("CTLAKE_VERSITYGW"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("CTLAKE_VERSITYGW: %w", err)
		}
		return p, nil
	}
	version := versityVersion()
	dir := filepath.Join(os.TempDir(), "ctlake-versitygw-"+version)
	bin := filepath.Join(dir, "versitygw")
	if fi, err := os.Stat(bin); err == nil && fi.Mode().IsRegular() {
		return bin, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}

	// Test binaries of several packages run at once; one builds while the
	// others wait for the binary to appear.
	lock := filepath.Join(dir, "build.lock")
	for {
		f, err := os.OpenFile(lock, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err == nil {
			f.Close()
			break
		}
		if fi, serr := os.Stat(lock); serr == nil && time.Since(fi.ModTime()) > 15*time.Minute {
			os.Remove(lock) // left by a build that died
			continue
		}
		if _, serr := os.Stat(bin); serr == nil {
			return bin, nil
		}
		time.Sleep(time.Second)
	}
	defer os.Remove(lock)
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}

	gobin, err := os.MkdirTemp(dir, "build-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(gobin)
	built := filepath.Join(gobin, "versitygw")
	// The version go.mod pins, built inside this module ...
	out1, err1 := goCommand("", nil, "build", "-o", built, versityPackage)
	if err1 != nil {
		// ... or, when this module's go.sum lacks some of the gateway's
		// dependencies, the same version built on its own.
		out2, err2 := goCommand(gobin, []string{"GOBIN=" + gobin, "GOFLAGS=", "GOWORK=off"}, "install", versityPackage+"@"+version)
		if err2 != nil {
			return "", fmt.Errorf("build %s@%s: %v\n%s\ngo install: %v\n%s", versityPackage, version, err1, out1, err2, out2)
		}
	}
	if err := os.Rename(built, bin); err != nil {
		return "", err
	}
	return bin, nil
}

// versityVersion is the gateway version that go.mod pins.
func versityVersion() string {
	out, err := goCommand("", nil, "list", "-m", "-f", "{{.Version}}", versityModule)
	if v := strings.TrimSpace(string(out)); err == nil && strings.HasPrefix(v, "v") {
		return v
	}
	return versityFallbackVersion
}

func goCommand(dir string, env []string, args ...string) ([]byte, error) {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	return cmd.CombinedOutput()
}

func randomAlnum(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// syncBuffer collects a process's output for the test log.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

package bench

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/ctlake/ctlake/ctlaketest"
)

const (
	accessKey = "AKIACTLAKEBENCHKEY01"
	secretKey = "ctlake-bench-secret-key-0123456789abcdef"
)

// buildCtlake builds the server without the race detector: the benchmark
// measures the binary users run.
func buildCtlake(t *testing.T) string {
	bin := filepath.Join(t.TempDir(), "ctlake")
	cmd := exec.Command("go", "build", "-o", bin, "../cmd/ctlake")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("build ctlake: %v", err)
	}
	return bin
}

// server is a ctlake process on a fresh data folder.
type server struct {
	url  string
	data string
	cmd  *exec.Cmd
	log  strings.Builder
}

func startServer(t *testing.T, bin string, env ...string) *server {
	port, err := ctlaketest.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	s := &server{url: "http://" + addr, data: filepath.Join(t.TempDir(), "data")}
	// The trails the benchmark generates are in the temp folder: it is
	// the import root (the data folder, inside it too, is never read).
	s.cmd = exec.Command(bin, "serve", "--addr", addr, "--data", s.data, "--log-format", "json", "--log-level", "warn",
		"--import-root", os.TempDir())
	s.cmd.Env = append(os.Environ(), append([]string{"CTLAKE_ACCESS_KEY_ID=" + accessKey, "CTLAKE_SECRET_ACCESS_KEY=" + secretKey}, env...)...)
	s.cmd.Stdout, s.cmd.Stderr = &s.log, &s.log
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.cmd.Process.Kill()
		s.cmd.Wait()
		if t.Failed() {
			t.Logf("ctlake log:\n%s", s.log.String())
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(s.url + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("ctlake did not answer on %s within 60 s: %v", s.url, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (s *server) client() *cloudtrail.Client {
	cfg := aws.Config{Region: "us-east-1", RetryMaxAttempts: 1,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: accessKey, SecretAccessKey: secretKey}, nil
		})}
	return cloudtrail.NewFromConfig(cfg, func(o *cloudtrail.Options) { o.BaseEndpoint = aws.String(s.url) })
}

// peakRSS returns the most resident memory the process has had (VmHWM).
func (s *server) peakRSS() (int64, error) {
	return ctlaketest.ProcStatusBytes(s.cmd.Process.Pid, "VmHWM")
}

// importRun is what one import through the API measured.
type importRun struct {
	Seconds  float64 // StartImport until GetImport says COMPLETED
	Stats    types.ImportStatistics
	PeakRSS  int64 // of the server process, start-up included
	Segments int
	Bytes    int64 // segment files on disk
}

// runImport creates a store and imports uri into it, polling GetImport.
func (s *server) runImport(t *testing.T, uri string) importRun {
	ctx := context.Background()
	c := s.client()
	store, err := c.CreateEventDataStore(ctx, &cloudtrail.CreateEventDataStoreInput{
		Name: aws.String("bench"), TerminationProtectionEnabled: aws.Bool(false)})
	if err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	start, err := c.StartImport(ctx, &cloudtrail.StartImportInput{
		Destinations: []string{aws.ToString(store.EventDataStoreArn)},
		ImportSource: &types.ImportSource{S3: &types.S3ImportSource{S3LocationUri: aws.String(uri),
			S3BucketRegion: aws.String("us-east-1"), S3BucketAccessRoleArn: aws.String("arn:aws:iam::123456789012:role/bench")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var run importRun
	// The largest scale imports in about a minute on 2 cores; a stuck
	// import fails the benchmark instead of hanging it.
	deadline := began.Add(30 * time.Minute)
	for {
		out, err := c.GetImport(ctx, &cloudtrail.GetImportInput{ImportId: start.ImportId})
		if err != nil {
			t.Fatal(err)
		}
		if out.ImportStatus == types.ImportStatusCompleted {
			run.Seconds = time.Since(began).Seconds()
			run.Stats = *out.ImportStatistics
			break
		}
		if out.ImportStatus != types.ImportStatusInitializing && out.ImportStatus != types.ImportStatusInProgress {
			t.Fatalf("import ended %s: %+v", out.ImportStatus, out.ImportStatistics)
		}
		if time.Now().After(deadline) {
			t.Fatalf("import still %s after %v: %+v", out.ImportStatus, time.Since(began).Round(time.Second), out.ImportStatistics)
		}
		time.Sleep(25 * time.Millisecond)
	}
	if run.PeakRSS, err = s.peakRSS(); err != nil {
		t.Fatal(err)
	}
	err = filepath.WalkDir(filepath.Join(s.data, "segments"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".parquet") {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		run.Segments++
		run.Bytes += info.Size()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return run
}

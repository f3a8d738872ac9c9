package bench

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/ctlake/ctlake/internal/sqlquote"
	_ "github.com/duckdb/duckdb-go/v2"
)

// gzipFloor times gzip -dc of every .json.gz file under dir, on all cores
// (xargs -P), output discarded: the least work any importer must do.
func gzipFloor(t *testing.T, dir string) float64 {
	script := fmt.Sprintf(`find %q -name '*.json.gz' -print0 | xargs -0 -P %d -n 16 gzip -dc > /dev/null`, dir, runtime.NumCPU())
	began := time.Now()
	if out, err := exec.Command("sh", "-c", script).CombinedOutput(); err != nil {
		t.Fatalf("gzip floor: %v\n%s", err, out)
	}
	return time.Since(began).Seconds()
}

// lakeStruct is the Lake schema of a CloudTrail record (spec §6.2) as a
// DuckDB STRUCT, with the record's own key names, for read_json.
const lakeStruct = `STRUCT(
  eventVersion VARCHAR,
  userIdentity STRUCT(type VARCHAR, principalId VARCHAR, arn VARCHAR, accountId VARCHAR, accessKeyId VARCHAR, userName VARCHAR,
    sessionContext STRUCT(attributes STRUCT(creationDate TIMESTAMP, mfaAuthenticated VARCHAR),
      sessionIssuer STRUCT(type VARCHAR, principalId VARCHAR, arn VARCHAR, accountId VARCHAR, userName VARCHAR),
      webIdFederationData STRUCT(federatedProvider VARCHAR, attributes MAP(VARCHAR, VARCHAR)),
      sourceIdentity VARCHAR, ec2RoleDelivery VARCHAR, ec2IssuedInVPC VARCHAR),
    invokedBy VARCHAR, identityProvider VARCHAR,
    onBehalfOf STRUCT(userId VARCHAR, identityStoreArn VARCHAR),
    inScopeOf STRUCT(sourceArn VARCHAR, sourceAccount VARCHAR, issuerType VARCHAR, credentialsIssuedTo VARCHAR)),
  eventTime TIMESTAMP, eventSource VARCHAR, eventName VARCHAR, awsRegion VARCHAR, sourceIPAddress VARCHAR, userAgent VARCHAR,
  errorCode VARCHAR, errorMessage VARCHAR,
  requestParameters MAP(VARCHAR, VARCHAR), responseElements MAP(VARCHAR, VARCHAR), additionalEventData MAP(VARCHAR, VARCHAR),
  requestID VARCHAR, eventID VARCHAR, readOnly BOOLEAN,
  resources STRUCT(accountId VARCHAR, type VARCHAR, ARN VARCHAR, ARNPrefix VARCHAR)[],
  eventType VARCHAR, apiVersion VARCHAR, managementEvent BOOLEAN, recipientAccountId VARCHAR, sharedEventID VARCHAR,
  annotation VARCHAR, vpcEndpointId VARCHAR, vpcEndpointAccountId VARCHAR,
  serviceEventDetails MAP(VARCHAR, VARCHAR), addendum MAP(VARCHAR, VARCHAR), edgeDeviceDetails MAP(VARCHAR, VARCHAR),
  insightDetails MAP(VARCHAR, VARCHAR), eventCategory VARCHAR,
  tlsDetails STRUCT(tlsVersion VARCHAR, cipherSuite VARCHAR, clientProvidedHostHeader VARCHAR),
  sessionCredentialFromConsole VARCHAR)`

// duckdbRun is what the DuckDB peer measured, in its own process.
type duckdbRun struct {
	Seconds        float64 // CREATE TABLE … AS SELECT unnest(Records) FROM read_json(…)
	Rows           int64
	PeakRSS        int64
	ParquetBytes   int64 // COPY of that table to Parquet with zstd
	ParquetSeconds float64
}

// duckdbPeerEnv names the folder the child process reads; see TestMain.
const duckdbPeerEnv = "CTLAKE_BENCH_DUCKDB_DIR"

// duckdbPeer runs DuckDB's import of dir in a child process (this test
// binary; see TestMain), so that its peak RSS is its own.
func duckdbPeer(t *testing.T, dir string) duckdbRun {
	out := filepath.Join(t.TempDir(), "duckdb.out")
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), duckdbPeerEnv+"="+dir, "CTLAKE_BENCH_DUCKDB_OUT="+out)
	cmd.Stderr = os.Stderr
	if b, err := cmd.Output(); err != nil {
		t.Fatalf("DuckDB peer: %v\n%s", err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var r duckdbRun
	if _, err := fmt.Sscan(string(b), &r.Seconds, &r.Rows, &r.ParquetBytes, &r.ParquetSeconds); err != nil {
		t.Fatalf("DuckDB peer's answer %q: %v", b, err)
	}
	r.PeakRSS = cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss << 10
	return r
}

// TestMain turns the test binary into the DuckDB peer's process when
// duckdbPeer starts it (duckdbPeerEnv set).
func TestMain(m *testing.M) {
	if dir := os.Getenv(duckdbPeerEnv); dir != "" {
		if err := duckdbChild(dir, os.Getenv("CTLAKE_BENCH_DUCKDB_OUT")); err != nil {
			fmt.Fprintln(os.Stderr, "DuckDB peer:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// duckdbChild imports dir with DuckDB, as a user would without ctlake, and
// writes its figures to out.
func duckdbChild(dir, out string) error {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return err
	}
	defer db.Close()
	glob := filepath.Join(dir, "AWSLogs", "**", "*.json.gz")
	began := time.Now()
	q := `CREATE TABLE events AS SELECT unnest(Records, recursive := false) AS r FROM read_json(` + sqlquote.String(glob) +
		`, columns = {Records: '` + strings.ReplaceAll(lakeStruct, "'", "''") + `[]'}, format = 'auto', maximum_object_size = 67108864)`
	if _, err := db.Exec(q); err != nil {
		return err
	}
	seconds := time.Since(began).Seconds()
	var rows int64
	if err := db.QueryRow(`SELECT count(*) FROM events`).Scan(&rows); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "ctlake-bench-duckdb-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	parquet := filepath.Join(tmp, "events.parquet")
	began = time.Now()
	if _, err := db.Exec(`COPY (SELECT r.* FROM events) TO ` + sqlquote.String(parquet) + ` (FORMAT parquet, COMPRESSION zstd)`); err != nil {
		return err
	}
	copySeconds := time.Since(began).Seconds()
	info, err := os.Stat(parquet)
	if err != nil {
		return err
	}
	return os.WriteFile(out, []byte(fmt.Sprintf("%f %d %d %f\n", seconds, rows, info.Size(), copySeconds)), 0o644)
}

// columnBytes returns the compressed bytes of the named top-level columns
// in the Parquet files matching glob, read from their metadata.
func columnBytes(t *testing.T, glob string, column string) int64 {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n sql.NullInt64
	err = db.QueryRow(`SELECT sum(total_compressed_size) FROM parquet_metadata(`+sqlquote.String(glob)+`) WHERE path_in_schema = ?`, column).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n.Int64
}

// s3Sync times aws s3 sync of s3://bucket/prefix to a new folder.
func s3Sync(t *testing.T, env []string, endpoint, uri string) float64 {
	dst := t.TempDir()
	cmd := exec.Command("aws", "--endpoint-url", endpoint, "s3", "sync", "--only-show-errors", uri, dst)
	cmd.Env = append(os.Environ(), env...)
	began := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("aws s3 sync: %v\n%s", err, out)
	}
	return time.Since(began).Seconds()
}

// getFloor lists bucket/prefix, then times a 64-way concurrent GET of every
// object, bodies read and discarded: the least an importer from S3 must do
// once it knows the keys. It returns the listing's and the GETs' seconds.
func getFloor(t *testing.T, client *s3.Client, bucket, prefix string) (list, get float64, objects int) {
	ctx := context.Background()
	began := time.Now()
	var keys []string
	p := s3.NewListObjectsV2Paginator(client, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	list = time.Since(began).Seconds()

	began = time.Now()
	work := make(chan string)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range work {
				out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(k)})
				if err == nil {
					_, err = io.Copy(io.Discard, out.Body)
					out.Body.Close()
				}
				if err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
				}
			}
		}()
	}
	for _, k := range keys {
		work <- k
	}
	close(work)
	wg.Wait()
	if firstErr != nil {
		t.Fatal(firstErr)
	}
	return list, time.Since(began).Seconds(), len(keys)
}

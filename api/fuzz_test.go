package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ctlake/ctlake"
	"github.com/ctlake/ctlake/api"
	"github.com/ctlake/ctlake/file"
	"github.com/ctlake/ctlake/importer"
	"github.com/ctlake/ctlake/lake"
	"github.com/ctlake/ctlake/lakesql"
	"github.com/ctlake/ctlake/segment"
	"github.com/ctlake/ctlake/sqlite"
)

// Placeholders a fuzz body may hold; fuzzFixture.expand replaces them with
// the ids of the objects the fixture made, so that checked-in seeds reach
// the code behind "store not found" (ids are random on every run).
const (
	phStoreID  = "{store-id}"
	phStoreARN = "{store-arn}"
	phImportID = "{import-id}"
	phQueryID  = "{query-id}"
	phFolder   = "{trail-folder}"
	// Objects in the other states an operation needs to succeed.
	phStoppedStoreID  = "{stopped-store-id}"  // ingestion stopped
	phDeletedStoreID  = "{deleted-store-id}"  // pending deletion
	phStoppedImportID = "{stopped-import-id}" // stopped by StopImport
	phRunningQueryID  = "{running-query-id}"  // runs until QueryTimeout
)

// fuzzFixture is the whole request path below HTTP: the real API
// dispatcher over a real lake.Service on a SQLite catalog in a temporary
// folder, with the real importer reading file:// sources and the real SQL
// front end.
type fuzzFixture struct {
	api      *api.API
	ctx      context.Context
	names    []string
	replacer *strings.Replacer
}

func newFuzzFixture(tb testing.TB) *fuzzFixture {
	tb.Helper()
	dir := tb.TempDir()
	trails := filepath.Join(dir, "trails")
	if err := os.MkdirAll(trails, 0o700); err != nil {
		tb.Fatal(err)
	}
	ctx := ctlake.NewContext(context.Background(), ctlake.Caller{Account: "123456789012", Region: "us-east-1", AccessKeyID: "AKIAFUZZ"})
	cat := sqlite.NewCatalog(filepath.Join(dir, "catalog.db"))
	if err := cat.Open(ctx); err != nil {
		tb.Fatal(err)
	}
	// Only errors matter: the info lines of thousands of calls would drown
	// the fuzzer's output.
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	segments := segment.NewStore(filepath.Join(dir, "segments"))
	engine := &emptyStoreEngine{}
	svc := &lake.Service{
		Catalog:  cat,
		Logger:   logger,
		Segments: segments,
		Sources:  folderSources{root: trails},
		Importer: &importer.Importer{Catalog: cat, Segments: segments, Logger: logger, Workers: 2},
		Queries:  engine,
		// Imports of the empty folder end at once; the fuzzer may start
		// many.
		MaxConcurrentImports: 1000,
		// Short, so that slow queries the fuzzer starts end before they
		// pile up.
		QueryTimeout: 5 * time.Second,
	}
	if err := svc.Open(ctx); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		svc.Close()
		cat.Close()
	})
	a := api.New(api.Services{Stores: svc, Tags: svc, Imports: svc, Queries: svc, Lookup: svc}, logger)
	fx := &fuzzFixture{api: a, ctx: ctx, names: a.Operations()}

	// The objects the seeds' placeholders name.
	mustDo := func(what string, err error) {
		if err != nil {
			tb.Fatalf("fixture: %s: %v", what, err)
		}
	}
	off := false
	eds, err := svc.CreateEventDataStore(ctx, ctlake.CreateEventDataStoreInput{Name: "fuzz-target", TerminationProtectionEnabled: &off})
	mustDo("create store", err)
	stopped, err := svc.CreateEventDataStore(ctx, ctlake.CreateEventDataStoreInput{Name: "fuzz-stopped", TerminationProtectionEnabled: &off, StartIngestion: &off})
	mustDo("create stopped store", err)
	deleted, err := svc.CreateEventDataStore(ctx, ctlake.CreateEventDataStoreInput{Name: "fuzz-deleted", TerminationProtectionEnabled: &off})
	mustDo("create store to delete", err)
	mustDo("delete store", svc.DeleteEventDataStore(ctx, deleted.ID))
	slow, err := svc.CreateEventDataStore(ctx, ctlake.CreateEventDataStoreInput{Name: "fuzz-slow", TerminationProtectionEnabled: &off})
	mustDo("create slow store", err)
	engine.slowStore = slow.ID
	source := &ctlake.ImportSource{S3LocationURI: "file://" + trails + "/", S3BucketRegion: "us-east-1",
		S3BucketAccessRoleARN: "arn:aws:iam::123456789012:role/fuzz"}
	im, err := svc.StartImport(ctx, ctlake.StartImportInput{Destinations: []string{eds.ARN()}, Source: source})
	mustDo("start import", err)
	stoppedImport, err := svc.StartImport(ctx, ctlake.StartImportInput{Destinations: []string{eds.ARN()}, Source: source})
	mustDo("start import to stop", err)
	if _, err := svc.StopImport(ctx, stoppedImport.ID); ctlake.ErrorCode(err) == ctlake.OperationNotPermittedException {
		// The import of the empty folder ended before the stop reached
		// it: record it stopped, so that a StopImport seed (stopping a
		// stopped import is accepted) does not depend on that race.
		mustDo("record the import stopped", cat.Update(ctx, func(tx ctlake.Tx) error {
			im, err := tx.Import(stoppedImport.ID)
			if err != nil {
				return err
			}
			im.Status = ctlake.ImportStopped
			return tx.PutImport(im)
		}))
	} else {
		mustDo("stop import", err)
	}
	// The import must have ended before the seeds run: a store with a
	// running import refuses UpdateEventDataStore and DeleteEventDataStore.
	for deadline := time.Now().Add(time.Minute); ; {
		got, err := svc.GetImport(ctx, im.ID)
		mustDo("get import", err)
		if !got.Status.Running() {
			break
		}
		if time.Now().After(deadline) {
			tb.Fatalf("fixture: the import of an empty folder is still %s after a minute", got.Status)
		}
		time.Sleep(5 * time.Millisecond)
	}
	q, err := svc.StartQuery(ctx, ctlake.StartQueryInput{Statement: "SELECT eventName FROM " + eds.ID})
	mustDo("start query", err)
	running, err := svc.StartQuery(ctx, ctlake.StartQueryInput{Statement: "SELECT eventName FROM " + slow.ID})
	mustDo("start slow query", err)
	fx.replacer = strings.NewReplacer(phStoreID, eds.ID, phStoreARN, eds.ARN(), phImportID, im.ID, phQueryID, q.ID, phFolder, trails,
		phStoppedStoreID, stopped.ID, phDeletedStoreID, deleted.ID, phStoppedImportID, stoppedImport.ID, phRunningQueryID, running.ID)
	return fx
}

// operation maps any string to an operation: a name it serves is itself,
// anything else picks one by hash, so every input the fuzzer makes calls
// something (and the same input always calls the same operation).
func (fx *fuzzFixture) operation(s string) string {
	for _, n := range fx.names {
		if n == s {
			return n
		}
	}
	h := fnv.New32a()
	h.Write([]byte(s))
	return fx.names[h.Sum32()%uint32(len(fx.names))]
}

// call sends body to the operation through API.ServeHTTP, as the server
// does once it has read and authenticated the request.
func (fx *fuzzFixture) call(op string, body []byte) *httptest.ResponseRecorder {
	body = []byte(fx.replacer.Replace(string(body)))
	r := httptest.NewRequestWithContext(fx.ctx, http.MethodPost, "/", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	r.Header.Set("X-Amz-Target", api.TargetPrefix+"."+op)
	w := httptest.NewRecorder()
	fx.api.ServeHTTP(w, r)
	return w
}

// frontEndCodes are the protocol errors any operation may answer: not in
// the CloudTrail model, but the SDKs surface them as generic API errors.
var frontEndCodes = map[string]bool{ctlake.SerializationException: true}

// checkAnswer holds for every answer to any body: 200 with a JSON object,
// or 400 with an AWS error (a JSON object with a __type the operation
// declares and a message). Never a 5xx: bad input is the client's fault.
func (fx *fuzzFixture) checkAnswer(op string, body []byte, w *httptest.ResponseRecorder) error {
	var out map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
		return fmt.Errorf("%s %q: HTTP %d body %q is not a JSON object: %v", op, body, w.Code, w.Body, err)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/x-amz-json-1.1" {
		return fmt.Errorf("%s %q: Content-Type %q", op, body, ct)
	}
	if w.Code == http.StatusOK {
		if _, isErr := out["__type"]; isErr {
			return fmt.Errorf("%s %q: HTTP 200 with an error body %s", op, body, w.Body)
		}
		return nil
	}
	code, _ := out["__type"].(string)
	msg, _ := out["message"].(string)
	switch {
	case w.Code != http.StatusBadRequest:
		return fmt.Errorf("%s %q: HTTP %d %s, want 200 or 400", op, body, w.Code, w.Body)
	case !fx.api.Declares(op, code) && !frontEndCodes[code]:
		return fmt.Errorf("%s %q: __type %q is not an error %s declares (body %s)", op, body, code, op, w.Body)
	case len(msg) < 10:
		return fmt.Errorf("%s %q: message %q tells the caller nothing", op, body, msg)
	}
	return nil
}

// FuzzAPIRequestBody feeds arbitrary bytes as the JSON body of every
// operation, through decoding, validation and the service, and checks
// that each answer is a success or an error the operation declares
// (never a panic, never a 5xx). The seeds in testdata/fuzz are a valid
// request of each operation and known edge cases; placeholders such as
// {store-id} become the fixture's objects.
func FuzzAPIRequestBody(f *testing.F) {
	fx := newFuzzFixture(f)
	// Seeds beside the checked-in corpus, so that every operation has at
	// least an empty and a broken body whatever the corpus holds.
	for _, op := range fx.names {
		f.Add(op, []byte(`{}`))
		f.Add(op, []byte(`{"`))
	}
	f.Fuzz(func(t *testing.T, opName string, body []byte) {
		op := fx.operation(opName)
		w := fx.call(op, body)
		if err := fx.checkAnswer(op, body, w); err != nil {
			t.Fatal(err)
		}
	})
}

// TestFuzzSeedsCoverEveryOperation keeps the checked-in corpus honest: it
// must hold a request of each operation that the operation accepts.
func TestFuzzSeedsCoverEveryOperation(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzAPIRequestBody", "*"))
	if err != nil {
		t.Fatal(err)
	}
	accepted := map[string]bool{}
	for _, path := range files {
		if strings.HasPrefix(filepath.Base(path), "edge-") {
			continue // edge cases are there to be refused
		}
		op, body := readSeed(t, path)
		if op == "" {
			continue
		}
		// A fresh fixture for each, so that no seed depends on another.
		fx := newFuzzFixture(t)
		if w := fx.call(fx.operation(op), body); w.Code == http.StatusOK {
			accepted[op] = true
		}
	}
	for _, op := range newFuzzFixture(t).names {
		if !accepted[op] {
			t.Errorf("no seed in testdata/fuzz/FuzzAPIRequestBody is a request %s accepts", op)
		}
	}
}

// readSeed reads a corpus file of two values, a string and a []byte, in
// the "go test fuzz v1" format (Go-syntax literals, one per line).
func readSeed(t *testing.T, path string) (string, []byte) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 3 || lines[0] != "go test fuzz v1" {
		t.Fatalf("%s is not a corpus file of two values", path)
	}
	op, err := unquoteCall(lines[1], "string(")
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	body, err := unquoteCall(lines[2], "[]byte(")
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return op, []byte(body)
}

func unquoteCall(line, prefix string) (string, error) {
	inner, ok := strings.CutPrefix(line, prefix)
	if !ok || !strings.HasSuffix(inner, ")") {
		return "", fmt.Errorf("%q is not %s...)", line, prefix)
	}
	return strconv.Unquote(strings.TrimSuffix(inner, ")"))
}

// folderSources opens file:// import sources inside one folder, and
// refuses the rest, so that fuzzed imports never walk the machine's disk.
type folderSources struct{ root string }

func (o folderSources) OpenSource(_ context.Context, u *url.URL, _ ctlake.ImportSource) (ctlake.Source, error) {
	if u.Scheme != "file" || !strings.HasPrefix(filepath.Clean(u.Path)+"/", o.root+"/") {
		return nil, fmt.Errorf("only file:// sources under %s are read in this test", o.root)
	}
	return file.NewSource("/")
}

// emptyStoreEngine is the query engine of stores that hold no events: the
// real SQL front end decides what is valid (InvalidQueryStatementException
// and the stores read), and every query and lookup finds no rows, which is
// the right answer since the fixture imports no event. A query of
// slowStore runs until it is cancelled or times out, so that CancelQuery
// has something to cancel. DuckDB itself is kept out of the loop to keep
// each execution fast; e2e/query_sandbox_test.go drives it over HTTP.
type emptyStoreEngine struct{ slowStore string }

func (*emptyStoreEngine) Prepare(_ context.Context, statement string) (ctlake.PreparedQuery, error) {
	st, err := lakesql.Translate(statement)
	if err != nil {
		return ctlake.PreparedQuery{}, err
	}
	return ctlake.PreparedQuery{SQL: st.SQL, Stores: st.Stores}, nil
}

func (e *emptyStoreEngine) Run(ctx context.Context, q ctlake.PreparedQuery, _ map[string][]ctlake.Segment, _ func([]string, []*string) error) (ctlake.ScanStats, error) {
	if slices.Contains(q.Stores, e.slowStore) {
		<-ctx.Done()
		return ctlake.ScanStats{}, ctx.Err()
	}
	return ctlake.ScanStats{}, nil
}

func (*emptyStoreEngine) Lookup(context.Context, map[string][]ctlake.Segment, ctlake.LookupFilter) ([]ctlake.LookupEvent, error) {
	return nil, nil
}

package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ctlake/ctlake/api"
	"github.com/ctlake/ctlake/lake"
	"github.com/ctlake/ctlake/server"
	"github.com/ctlake/ctlake/sqlite"
)

// observed records the calls a server reports to its RequestObserver.
type observed struct {
	mu    sync.Mutex
	calls []string // "operation code"
}

func (o *observed) ObserveRequest(operation, code string, _ time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.calls = append(o.calls, operation+" "+code)
}

// syncBuffer is a log destination safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startLoggedServer serves the real API (over a lake service on a real
// catalog, without an import engine), logging as JSON to the buffer it
// returns, until the test ends.
func startLoggedServer(t *testing.T) (*server.Server, *syncBuffer, *observed) {
	ctx := context.Background()
	cat := sqlite.NewCatalog(filepath.Join(t.TempDir(), "catalog.db"))
	if err := cat.Open(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cat.Close() })
	svc := &lake.Service{Catalog: cat}
	if err := svc.Open(ctx); err != nil {
		t.Fatal(err)
	}
	// No ImportService is wired: StartImport panics on the nil interface,
	// which is how a wiring bug shows up.
	logs := &syncBuffer{}
	obs := &observed{}
	srv := &server.Server{
		Addr:     "127.0.0.1:0",
		API:      api.New(api.Services{Stores: svc, Tags: svc}, slog.New(slog.NewJSONHandler(logs, nil))),
		Account:  "123456789012",
		Logger:   slog.New(slog.NewJSONHandler(logs, nil)),
		Requests: obs,
	}
	if err := srv.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close(ctx) })
	return srv, logs, obs
}

// TestAccessLogBoundsCallerText: a request's path is the caller's text, up
// to the 64 KiB of headers; its log line keeps a bounded part of it.
func TestAccessLogBoundsCallerText(t *testing.T) {
	srv, logs, _ := startLoggedServer(t)
	path := "/" + strings.Repeat("p", 60_000)
	req, err := http.NewRequest(http.MethodPost, srv.URL()+path, strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// The line is written once the handler returns, which may be after the
	// client has its answer.
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(logs.String(), `"msg":"request"`); {
		if time.Now().After(deadline) {
			t.Fatalf("no request line logged:\n%s", logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	var logged []string
	for _, raw := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var l struct{ Msg, Path string }
		if err := json.Unmarshal([]byte(raw), &l); err != nil {
			t.Fatalf("not a JSON log line: %.200s", raw)
		}
		if l.Msg == "request" {
			logged = append(logged, l.Path)
		}
	}
	if len(logged) != 1 || len(logged[0]) > 300 || !strings.HasPrefix(logged[0], "/ppp") {
		t.Errorf("the request's path was logged as %d lines of %d bytes, want one line with at most 300 bytes of it", len(logged), len(strings.Join(logged, "")))
	}
}

// TestAccessLog serves the real API (over a lake service on a real
// catalog, without an import engine) and checks that each request gives one
// log line and one observation with its AWS error code, including a request
// whose handler panics.
func TestAccessLog(t *testing.T) {
	srv, logs, obs := startLoggedServer(t)
	post := func(target, body string) int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, srv.URL()+"/", strings.NewReader(body))
		req.Header.Set("X-Amz-Target", target)
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	const prefix = api.TargetPrefix + "."
	if got := post(prefix+"CreateEventDataStore", `{"Name":"logged"}`); got != 200 {
		t.Fatalf("CreateEventDataStore: HTTP %d", got)
	}
	post(prefix+"GetEventDataStore", `{"EventDataStore":"00000000-0000-4000-8000-000000000000"}`)
	post(prefix+"StartImport", `{"ImportId":"00000000-0000-4000-8000-000000000000"}`)
	post("NoSuchService.Op", `{}`)
	post(prefix+"CreateEventDataStore", `not json`)
	http.Get(srv.URL() + "/health") // not logged: probes would drown the log

	want := []string{
		"CreateEventDataStore ",
		"GetEventDataStore EventDataStoreNotFoundException",
		"StartImport InternalFailure",
		" UnknownOperationException",
		"CreateEventDataStore SerializationException",
	}
	obs.mu.Lock()
	got := append([]string(nil), obs.calls...)
	obs.mu.Unlock()
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("observed %q\nwant     %q", got, want)
	}

	var lines []string
	for _, raw := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var l struct{ Msg, Operation, Code, Path string }
		if err := json.Unmarshal([]byte(raw), &l); err != nil {
			t.Fatalf("not a JSON log line: %s", raw)
		}
		if l.Msg == "request" {
			lines = append(lines, l.Operation+" "+l.Code)
		}
	}
	// The log names an operation it cannot parse as the client sent it.
	want[3] = "NoSuchService.Op UnknownOperationException"
	if strings.Join(lines, "|") != strings.Join(want, "|") {
		t.Errorf("request lines %q\nwant           %q\nlog:\n%s", lines, want, logs.String())
	}
	if !strings.Contains(logs.String(), `"msg":"panic serving request"`) {
		t.Errorf("the panic was not logged with its stack:\n%s", logs.String())
	}
}

package server

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/smithy-go"
)

// blockingAPI stands where the CloudTrail API goes: each call reports that
// it holds its slot, then waits until release is closed. The bounds under
// test are the server's, which hold whatever the handler does.
type blockingAPI struct {
	entered chan struct{}
	release chan struct{}
}

func (b blockingAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b.entered <- struct{}{}
	<-b.release
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	io.WriteString(w, "{}")
}

// okAPI answers every call at once.
var okAPI = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	io.WriteString(w, "{}")
})

func startServer(t *testing.T, s *Server) *Server {
	t.Helper()
	s.Addr = "127.0.0.1:0"
	s.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := s.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.Close(ctx)
	})
	return s
}

func sdkClient(url string) *cloudtrail.Client {
	return cloudtrail.NewFromConfig(aws.Config{Region: "us-east-1", RetryMaxAttempts: 1,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret"}, nil
		})}, func(o *cloudtrail.Options) { o.BaseEndpoint = aws.String(url) })
}

// TestSlotBounds: past --max-concurrent-requests a call waits, then gets a
// typed ThrottlingException naming the flag; past
// --max-concurrent-requests-per-client a call from the same address gets
// one at once, naming that flag; freed slots serve again.
func TestSlotBounds(t *testing.T) {
	for _, c := range []struct {
		total, perClient, held int
		flag                   string
	}{
		{total: 2, perClient: 4, held: 2, flag: "--max-concurrent-requests)"},
		{total: 8, perClient: 1, held: 1, flag: "--max-concurrent-requests-per-client)"},
	} {
		api := blockingAPI{entered: make(chan struct{}, 16), release: make(chan struct{})}
		s := startServer(t, &Server{API: api, MaxConcurrentRequests: c.total, MaxRequestsPerClient: c.perClient, MaxRequestWait: 50 * time.Millisecond})
		client := sdkClient(s.URL())
		done := make(chan error, c.held)
		for range c.held {
			go func() {
				_, err := client.ListEventDataStores(context.Background(), &cloudtrail.ListEventDataStoresInput{})
				done <- err
			}()
			select {
			case <-api.entered:
			case <-time.After(30 * time.Second):
				t.Fatal("a call did not reach the API")
			}
		}
		_, err := client.CreateEventDataStore(context.Background(), &cloudtrail.CreateEventDataStoreInput{Name: aws.String("x")})
		var throttled *types.ThrottlingException
		if !errors.As(err, &throttled) || !strings.Contains(throttled.ErrorMessage(), c.flag) {
			t.Errorf("%d of %d slots held (%d per client): %v, want a ThrottlingException naming %s", c.held, c.total, c.perClient, err, c.flag)
		}
		close(api.release)
		for range c.held {
			if err := <-done; err != nil {
				t.Errorf("a held call: %v", err)
			}
		}
		if _, err := client.ListEventDataStores(context.Background(), &cloudtrail.ListEventDataStoresInput{}); err != nil {
			t.Errorf("after the slots were freed: %v", err)
		}
	}
}

// TestSlowBody: a body that does not arrive within ReadBodyTimeout ends
// with 408 RequestTimeoutException and a closed connection, and held no
// slot meanwhile; a declared length over MaxBodyBytes is refused before a
// byte of it is read.
func TestSlowBody(t *testing.T) {
	s := startServer(t, &Server{API: okAPI, MaxConcurrentRequests: 1, ReadBodyTimeout: 300 * time.Millisecond})
	addr := s.ln.Addr().String()
	send := func(head string) (*http.Response, string) {
		t.Helper()
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(30 * time.Second))
		fmt.Fprintf(c, "POST / HTTP/1.1\r\nHost: %s\r\nX-Amz-Target: CloudTrail_20131101.ListEventDataStores\r\n%s", addr, head)
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, string(b)
	}
	slow := make(chan string)
	go func() {
		resp, body := send("Content-Length: 100\r\n\r\n{")
		slow <- fmt.Sprint(resp.StatusCode, " ", resp.Close, " ", body)
	}()
	// While the slow body hangs, the only slot is free.
	if _, err := sdkClient(s.URL()).ListEventDataStores(context.Background(), &cloudtrail.ListEventDataStoresInput{}); err != nil {
		t.Errorf("a call beside a slow body, with 1 slot: %v", err)
	}
	got := <-slow
	if !strings.HasPrefix(got, "408 true ") || !strings.Contains(got, `"RequestTimeoutException"`) || !strings.Contains(got, "--read-body-timeout") {
		t.Errorf("a slow body: %s, want 408 RequestTimeoutException and Connection: close", got)
	}
	resp, body := send("Content-Length: 999999999\r\n\r\n")
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, `"RequestEntityTooLargeException"`) {
		t.Errorf("a 1 GB declared body: %d %s", resp.StatusCode, body)
	}
}

// TestBodyMemoryBound: bodies being received from one address are bounded
// in bytes; past it a call is refused with ThrottlingException, and the
// bytes come back when the bodies end.
func TestBodyMemoryBound(t *testing.T) {
	s := startServer(t, &Server{API: okAPI, MaxBodyBytes: 1 << 20, ReadBodyTimeout: 30 * time.Second})
	addr := s.ln.Addr().String()
	perClient := s.bodyMemory.perClient
	var held []net.Conn
	for range perClient / (1 << 20) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
		fmt.Fprintf(c, "POST / HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n\r\n{", addr, 1<<20)
	}
	client := sdkClient(s.URL())
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := client.ListEventDataStores(context.Background(), &cloudtrail.ListEventDataStoresInput{})
		// ListEventDataStores does not declare ThrottlingException: the
		// SDK gives the generic API error, with the code.
		var throttled smithy.APIError
		if errors.As(err, &throttled) && throttled.ErrorCode() == "ThrottlingException" {
			if !strings.Contains(throttled.ErrorMessage(), "one client address") {
				t.Errorf("message %q does not say which bound", throttled.ErrorMessage())
			}
			break
		}
		if err != nil {
			t.Fatalf("a call beside %d MiB of pending bodies: %v", perClient>>20, err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("no call refused while one address holds %d MiB of pending bodies", perClient>>20)
		}
		time.Sleep(10 * time.Millisecond)
	}
	for _, c := range held {
		c.Close()
	}
	deadline = time.Now().Add(30 * time.Second)
	for {
		_, err := client.ListEventDataStores(context.Background(), &cloudtrail.ListEventDataStoresInput{})
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the pending bodies' memory did not come back: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestHostPolicy: the names a server answers, by listen address.
func TestHostPolicy(t *testing.T) {
	loop := newHostPolicy("127.0.0.1", net.ParseIP("127.0.0.1"), []string{"Lake.Example."})
	any := newHostPolicy("", net.IPv6unspecified, nil)
	named := newHostPolicy("lake.corp", net.ParseIP("10.1.2.3"), nil)
	for _, c := range []struct {
		p    hostPolicy
		host string
		want bool
	}{
		{loop, "127.0.0.1:4599", true}, {loop, "localhost:4599", true}, {loop, "LOCALHOST", true}, {loop, "127.9.9.9", true},
		{loop, "[::1]:4599", true}, {loop, "lake.example:80", true}, {loop, "lake.example.", true},
		{loop, "attacker.example:4599", false}, {loop, "", false}, {loop, "10.0.0.1", false}, {loop, "localhost.attacker.example", false},
		{any, "192.168.1.9:4599", true}, {any, "[fe80::1]:1", true}, {any, "attacker.example", false},
		{named, "lake.corp:4599", true}, {named, "10.1.2.3", true}, {named, "127.0.0.1", false}, {named, "other.corp", false},
	} {
		if got := c.p.allows(c.host); got != c.want {
			t.Errorf("%+v allows %q = %v, want %v", c.p, c.host, got, c.want)
		}
	}
}

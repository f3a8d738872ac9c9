package e2e

import (
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
)

// TestHTTPSizeLimits: a header over the cap is 431, a body over the cap is
// 413 RequestEntityTooLargeException, and neither hurts the next caller.
func TestHTTPSizeLimits(t *testing.T) {
	srv := StartServer(t)

	req, err := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Amz-Target", longTarget+"ListEventDataStores")
	req.Header.Set("X-Padding", strings.Repeat("p", 100<<10))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("100 KB header: HTTP %d, want 431", resp.StatusCode)
	}

	// Unsigned on purpose: the cap applies before anything else reads the body.
	a := srv.call(t, rawCall{target: longTarget + "CreateEventDataStore", body: `{"Name":"` + strings.Repeat("n", 5<<20) + `"}`, unsigned: true})
	wantCode(t, "5 MB body", a, http.StatusRequestEntityTooLarge, "RequestEntityTooLargeException")

	if _, err := srv.Client("us-east-1").ListEventDataStores(ctx, &cloudtrail.ListEventDataStoresInput{}); err != nil {
		t.Errorf("after the oversized requests: %v", err)
	}
}

// TestSlowClients: 200 connections that send nothing and one that sends
// its headers a byte at a time cannot keep a normal client from being
// served, and the server drops them once --read-header-timeout passes.
func TestSlowClients(t *testing.T) {
	const headerTimeout = time.Second
	srv := StartServer(t, WithArgs("--read-header-timeout", headerTimeout.String()))
	addr := strings.TrimPrefix(srv.URL, "http://")

	var idle []net.Conn
	t.Cleanup(func() {
		for _, c := range idle {
			c.Close()
		}
	})
	for range 200 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("connection %d: %v", len(idle), err)
		}
		idle = append(idle, c)
	}
	trickle, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer trickle.Close()
	stopTrickle := make(chan struct{})
	var trickled sync.WaitGroup
	trickled.Add(1)
	go func() {
		defer trickled.Done()
		head := "POST / HTTP/1.1\r\nHost: " + addr + "\r\nX-Amz-Target: " + longTarget + "ListEventDataStores\r\n" + strings.Repeat("X-Slow: y\r\n", 100)
		for i := 0; i < len(head); i++ {
			select {
			case <-stopTrickle:
				return
			case <-time.After(20 * time.Millisecond):
			}
			if _, err := trickle.Write([]byte{head[i]}); err != nil {
				return // the server hung up, as it should
			}
		}
	}()

	// A normal client is served at once, while all of them hang on.
	start := time.Now()
	client := srv.Client("us-east-1")
	if _, err := client.CreateEventDataStore(ctx, &cloudtrail.CreateEventDataStoreInput{Name: aws.String("served")}); err != nil {
		t.Fatalf("a normal client beside 201 slow ones: %v", err)
	}
	if d := time.Since(start); d > 2*headerTimeout {
		t.Errorf("a normal client took %v beside slow ones", d)
	}

	// The server hangs up on each slow client once the header timeout
	// passes: a read returns (EOF, or an error answer then EOF) well
	// before the test's own deadline.
	for i, c := range append(idle, trickle) {
		c.SetReadDeadline(time.Now().Add(10 * headerTimeout))
		_, err := io.Copy(io.Discard, c)
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatalf("slow connection %d still open %v after the header timeout", i, 10*headerTimeout)
		}
	}
	close(stopTrickle)
	trickled.Wait()
	if _, err := client.ListEventDataStores(ctx, &cloudtrail.ListEventDataStoresInput{}); err != nil {
		t.Errorf("after the slow clients: %v", err)
	}
}

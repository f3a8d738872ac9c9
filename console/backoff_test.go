package console

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestSignInBackoff: after 3 failed sign-ins from an address, the next try
// is refused (429 ThrottlingException, Retry-After) until the delay has
// passed, even with the right key; the delay doubles; a success clears it.
func TestSignInBackoff(t *testing.T) {
	srv, clk, _ := startConsole(t, true)
	json := map[string]string{"Content-Type": "application/json"}
	wrong := `{"accessKeyId":"` + testKeyID + `","secretAccessKey":"wrong"}`
	for i := range freeFailures {
		wantRefused(t, fmt.Sprintf("failure %d", i+1), do(t, "POST", srv.URL+SessionPath, json, wrong), 401, "UnrecognizedClientException")
	}
	wantRefused(t, "4th try", do(t, "POST", srv.URL+SessionPath, json, wrong), 401, "UnrecognizedClientException")
	right := `{"accessKeyId":"` + testKeyID + `","secretAccessKey":"` + testSecret + `"}`
	a := do(t, "POST", srv.URL+SessionPath, json, right)
	wantRefused(t, "right key right after the 4th failure", a, http.StatusTooManyRequests, "ThrottlingException")
	if a.header.Get("Retry-After") != "1" || !strings.Contains(a.body, "try again in 1 s") {
		t.Errorf("the refusal does not say when to retry: Retry-After %q, %s", a.header.Get("Retry-After"), a.body)
	}
	clk.Add(firstBackoff)
	wantRefused(t, "5th try after the wait", do(t, "POST", srv.URL+SessionPath, json, wrong), 401, "UnrecognizedClientException")
	clk.Add(firstBackoff)
	a = do(t, "POST", srv.URL+SessionPath, json, right)
	wantRefused(t, "1 s after the 5th failure", a, http.StatusTooManyRequests, "ThrottlingException")
	if a.header.Get("Retry-After") != "1" {
		t.Errorf("1 s into the 2 s wait after the 5th failure: Retry-After %q, want 1", a.header.Get("Retry-After"))
	}
	clk.Add(firstBackoff)
	signIn(t, srv)
	// The success cleared the address: a failure is again just a failure.
	wantRefused(t, "a failure after the success", do(t, "POST", srv.URL+SessionPath, json, wrong), 401, "UnrecognizedClientException")
	signIn(t, srv)
}

// TestSignInBackoffBounded: the table of addresses never grows past its
// cap, and forgets addresses whose failures are old.
func TestSignInBackoffBounded(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	b := newSignInBackoff(func() time.Time { return now }, 100)
	for i := range 1000 {
		for range freeFailures + 1 {
			b.failed(fmt.Sprintf("10.0.%d.%d", i/256, i%256))
		}
		now = now.Add(time.Millisecond)
	}
	if n := b.len(); n > 100 {
		t.Fatalf("the table holds %d addresses, more than its cap of 100", n)
	}
	if b.wait("10.0.3.231") <= 0 {
		t.Errorf("the latest address lost its back-off")
	}
	if got := delayAfter(50); got != maxBackoff {
		t.Errorf("delay after 50 failures is %v, want the cap %v", got, maxBackoff)
	}
	now = now.Add(forgetAfter)
	b.failed("192.0.2.1")
	if n := b.len(); n != 1 {
		t.Errorf("after %v the table still holds %d addresses, want 1", forgetAfter, n)
	}
}

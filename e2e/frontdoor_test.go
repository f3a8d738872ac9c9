package e2e

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
)

// TestSlowBodyFlood: 300 connections with no valid credentials (the real
// access key id, which is no secret, and a made-up signature) send their
// headers with Content-Length: 100000 and then one byte, renewing
// themselves as the server drops them. Signed calls meanwhile all succeed:
// a slow body holds no request slot. The slow clients get 408
// RequestTimeoutException once --read-body-timeout passes.
func TestSlowBodyFlood(t *testing.T) {
	const (
		flooders    = 300
		bodyTimeout = 2 * time.Second
		floodFor    = 3 * bodyTimeout
	)
	srv := StartServer(t, WithArgs("--read-body-timeout", bodyTimeout.String()))
	addr := strings.TrimPrefix(srv.URL, "http://")

	flood := startSlowBodyFlood(addr, flooders)
	defer flood.stop()

	// Signed calls, one after another, for the whole flood.
	client := srv.Client("us-east-1")
	var took []time.Duration
	var failures []string
	end := time.Now().Add(floodFor)
	for time.Now().Before(end) {
		start := time.Now()
		_, err := client.ListEventDataStores(ctx, &cloudtrail.ListEventDataStoresInput{})
		took = append(took, time.Since(start))
		if err != nil {
			failures = append(failures, err.Error())
		}
	}
	if len(failures) > 0 {
		t.Errorf("%d of %d signed calls failed under the flood; first: %s", len(failures), len(took), failures[0])
	}
	slices.Sort(took)
	p99 := took[len(took)*99/100]
	t.Logf("under %d slow-body connections (%d opened in all): %d signed ListEventDataStores, p50 %v, p99 %v, max %v",
		flooders, flood.opened.Load(), len(took), took[len(took)/2], p99, took[len(took)-1])
	if p99 > 2*time.Second {
		t.Errorf("p99 of signed calls under the flood is %v", p99)
	}
	if flood.timeouts.Load() == 0 {
		t.Errorf("no slow client got 408 within %v (--read-body-timeout %v)", floodFor, bodyTimeout)
	} else if a := flood.firstAnswer.Load().(string); !strings.Contains(a, `"RequestTimeoutException"`) || !strings.Contains(a, "--read-body-timeout") {
		t.Errorf("a slow client's answer: %s", a)
	}
}

// slowBodyFlood is a flood of connections with no valid credentials (the
// real access key id, which is no secret, and a made-up signature) that send
// their headers with Content-Length: 100000 and then one byte, renewing
// themselves as the server drops them.
type slowBodyFlood struct {
	wg               sync.WaitGroup
	done             chan struct{}
	opened, timeouts atomic.Int64 // connections opened; answers 408
	firstAnswer      atomic.Value // the body of the first 408
}

// startSlowBodyFlood keeps n slow-body connections to addr open until the
// flood's stop method is called.
func startSlowBodyFlood(addr string, n int) *slowBodyFlood {
	stop := make(chan struct{})
	f := &slowBodyFlood{done: stop}
	for range n {
		f.wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				c, err := net.Dial("tcp", addr)
				if err != nil {
					time.Sleep(10 * time.Millisecond) // the listen queue is full: try again
					continue
				}
				f.opened.Add(1)
				now := time.Now().UTC()
				fmt.Fprintf(c, "POST / HTTP/1.1\r\nHost: %s\r\nX-Amz-Target: %sListEventDataStores\r\nContent-Type: application/x-amz-json-1.1\r\n"+
					"X-Amz-Date: %s\r\nAuthorization: AWS4-HMAC-SHA256 Credential=%s/%s/us-east-1/cloudtrail/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=%s\r\n"+
					"Content-Length: 100000\r\n\r\n{",
					addr, longTarget, now.Format("20060102T150405Z"), testAccessKey, now.Format("20060102"), strings.Repeat("0", 64))
				closed := make(chan struct{})
				go func() {
					select {
					case <-stop:
					case <-closed:
					}
					c.Close()
				}()
				resp, err := http.ReadResponse(bufio.NewReader(c), nil)
				if err == nil {
					b, rerr := io.ReadAll(resp.Body)
					resp.Body.Close()
					if rerr == nil && resp.StatusCode == http.StatusRequestTimeout {
						f.timeouts.Add(1)
						f.firstAnswer.CompareAndSwap(nil, string(b))
					}
				}
				close(closed)
			}
		})
	}
	return f
}

// stop ends the flood and waits for its connections to close.
func (f *slowBodyFlood) stop() {
	close(f.done)
	f.wg.Wait()
}

// TestHostRebinding: a request whose Host is a name the server is not
// served as (a page of attacker.example whose name resolves to 127.0.0.1)
// is refused on the API and the console, even with --no-auth; a name given
// with --allowed-host, localhost and the loopback IPs are served.
func TestHostRebinding(t *testing.T) {
	srv := StartServer(t, WithArgs("--no-auth", "--allowed-host", "lake.internal"))
	port := srv.URL[strings.LastIndex(srv.URL, ":")+1:]
	send := func(method, path, host string, header map[string]string, body string) (int, string) {
		t.Helper()
		req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Host = host
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, string(b)
	}
	api := map[string]string{"X-Amz-Target": longTarget + "CreateEventDataStore", "Content-Type": "application/x-amz-json-1.1"}
	const wantMsg = `The Host header \"attacker.example:` // then the port
	for _, c := range []struct {
		what, method, path string
		header             map[string]string
		body               string
	}{
		{"API CreateEventDataStore", "POST", "/", api, `{"Name":"rebound"}`},
		{"console session", "GET", "/console/session", map[string]string{"Sec-Fetch-Site": "same-origin"}, ""},
		{"console API", "POST", "/console/api", map[string]string{"X-Amz-Target": "CloudTrail_20131101.CreateEventDataStore",
			"Origin": "http://attacker.example:" + port, "Content-Type": "application/x-amz-json-1.1"}, `{"Name":"rebound"}`},
		{"console page", "GET", "/console/", nil, ""},
	} {
		status, body := send(c.method, c.path, "attacker.example:"+port, c.header, c.body)
		if status != http.StatusForbidden || !strings.Contains(body, `"AccessDeniedException"`) || !strings.Contains(body, wantMsg) ||
			!strings.Contains(body, "--allowed-host") {
			t.Errorf("%s with Host attacker.example: %d %s, want 403 AccessDeniedException naming the host and --allowed-host", c.what, status, body)
		}
	}
	if !strings.Contains(srv.Log(), "Host is not a name this server is served as") {
		t.Errorf("the refusals are not logged")
	}
	out, err := srv.Client("us-east-1").ListEventDataStores(ctx, &cloudtrail.ListEventDataStoresInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.EventDataStores) != 0 {
		t.Errorf("a refused request created a store: %v", out.EventDataStores)
	}
	for _, host := range []string{"lake.internal:" + port, "LAKE.internal.", "localhost:" + port, "127.0.0.1:" + port, "127.0.0.2", "[::1]:" + port} {
		if status, body := send("POST", "/", host, map[string]string{"X-Amz-Target": longTarget + "ListEventDataStores",
			"Content-Type": "application/x-amz-json-1.1"}, "{}"); status != http.StatusOK {
			t.Errorf("Host %s: %d %s, want 200", host, status, body)
		}
	}
	if status, _ := send("GET", "/health", "attacker.example", nil, ""); status != http.StatusOK {
		t.Errorf("GET /health by any name: %d, want 200", status)
	}
}

// TestBadRegion: a credential scope whose region is not an AWS region name
// is refused as AWS's front end refuses it (InvalidSignatureException,
// "Credential should be scoped to a valid region, not '…'."), through the
// Go SDK and the AWS CLI, with and without authentication; no store is
// created in it.
func TestBadRegion(t *testing.T) {
	for _, noAuth := range []bool{false, true} {
		var opts []ServerOption
		if noAuth {
			opts = append(opts, WithArgs("--no-auth"))
		}
		srv := StartServer(t, opts...)
		want := func(shown string) string {
			return "Credential should be scoped to a valid region, not " + shown + ". Use an AWS region name such as us-east-1"
		}
		for region, shown := range map[string]string{
			"moon-1":                        "'moon-1'",
			"us-east-1-extra-long-region-9": "'us-east-1-extra-long-region-9'",
			"us-east-100":                   "'us-east-100'",
		} {
			_, err := srv.Client(region).CreateEventDataStore(ctx, &cloudtrail.CreateEventDataStoreInput{Name: aws.String("bad-region-store")})
			var apiErr interface{ ErrorMessage() string }
			if code := errorCode(err); code != "InvalidSignatureException" || !errors.As(err, &apiErr) || !strings.HasPrefix(apiErr.ErrorMessage(), want(shown)) {
				t.Errorf("no-auth=%v, region %s: %v, want InvalidSignatureException %q", noAuth, region, err, want(shown))
			}
		}
		// The SDK itself refuses these as host labels: signed by hand.
		for region, shown := range map[string]string{
			strings.Repeat("a", 1000):      `"` + strings.Repeat("a", 64) + `"...`,
			"<img src=x onerror=alert(1)>": `"<img src=x onerror=alert(1)>"`,
		} {
			a := srv.call(t, rawCall{target: longTarget + "CreateEventDataStore", body: `{"Name":"bad-region-store"}`, region: region})
			wantCode(t, fmt.Sprintf("no-auth=%v, region %.40q", noAuth, region), a, http.StatusBadRequest, "InvalidSignatureException")
			if msg, _ := a.body["message"].(string); !strings.HasPrefix(msg, want(shown)) {
				t.Errorf("no-auth=%v, region %.40q: message %q, want %q", noAuth, region, msg, want(shown))
			}
		}
		for _, region := range []string{"us-gov-west-1", "cn-north-1", "eu-central-2", "us-isob-east-1"} {
			if _, err := srv.Client(region).ListEventDataStores(ctx, &cloudtrail.ListEventDataStoresInput{}); err != nil {
				t.Errorf("no-auth=%v, region %s: %v", noAuth, region, err)
			}
		}
		if !noAuth {
			r := newAWSCLI(t, srv).run("--region", "moon-1", "list-event-data-stores")
			if r.Code != "InvalidSignatureException" || !strings.HasPrefix(r.Message, "Credential should be scoped to a valid region, not 'moon-1'.") {
				t.Errorf("AWS CLI with --region moon-1: %s %q", r.Code, r.Message)
			}
		}
	}
}

// TestCatalogFileModes: the catalog and its -wal and -shm files are
// readable by the server's user alone, like the key file.
func TestCatalogFileModes(t *testing.T) {
	srv := StartServer(t)
	if _, err := srv.Client("us-east-1").CreateEventDataStore(ctx, &cloudtrail.CreateEventDataStoreInput{Name: aws.String("modes")}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"catalog.db", "catalog.db-wal", "catalog.db-shm"} {
		st, err := os.Stat(filepath.Join(srv.DataDir, name))
		if err != nil {
			t.Fatal(err)
		}
		if mode := st.Mode().Perm(); mode != 0o600 {
			t.Errorf("%s has mode %04o, want 0600", name, mode)
		}
	}
}

// TestConsoleSignInBackoff: after 3 failed console sign-ins from an
// address, the next try (even with the right key) is refused with 429
// ThrottlingException and Retry-After until the back-off has passed.
func TestConsoleSignInBackoff(t *testing.T) {
	srv := StartServer(t)
	c := &consoleClient{t: t, base: srv.URL}
	for i := range 4 {
		if status, body := c.signIn("wrong-secret"); status != http.StatusUnauthorized || !strings.Contains(body, `"UnrecognizedClientException"`) {
			t.Fatalf("failed sign-in %d: %d %s", i+1, status, body)
		}
	}
	start := time.Now()
	status, body := c.signIn(testSecretKey)
	if status != http.StatusTooManyRequests || !strings.Contains(body, `"ThrottlingException"`) || !strings.Contains(body, "Too many failed sign-ins from this address: try again in 1 s") {
		t.Fatalf("the right key right after 4 failures: %d %s, want 429 ThrottlingException", status, body)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		status, body = c.signIn(testSecretKey)
		if status == http.StatusOK {
			break
		}
		if status != http.StatusTooManyRequests || time.Now().After(deadline) {
			t.Fatalf("signing in after the back-off: %d %s", status, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if d := time.Since(start); d < 500*time.Millisecond {
		t.Errorf("signed in %v after the refusal, before the 1 s back-off", d)
	}
}

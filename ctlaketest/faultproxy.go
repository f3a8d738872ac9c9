package ctlaketest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// FaultProxy is a reverse proxy in front of a real S3 server (versitygw)
// that injects the faults of a real network on demand: the server going
// away, answering slowly, or answering 500/503 for a while. Tests switch
// its mode while an import runs. It forwards requests unchanged, Host
// header included, so SigV4 signatures made for the proxy's address verify
// at the server behind it.
type FaultProxy struct {
	URL string // http://127.0.0.1:PORT

	srv *http.Server

	mu          sync.Mutex
	down        bool
	delay       time.Duration
	status      int                      // injected status, 0 for none
	statusLeft  int                      // requests still answered with status (-1: until statusUntil)
	statusUntil time.Time                // end of a timed status fault
	statusWhere func(*http.Request) bool // requests the status fault applies to (nil: all)
	conns       map[net.Conn]struct{}

	requests atomic.Int64 // requests seen, faulted or not
	faulted  atomic.Int64 // requests answered by a fault instead of the server
}

// StartFaultProxy starts a proxy to target (the URL of an S3 server) on a
// free loopback port, passing every request through, and stops it when the
// test ends.
func StartFaultProxy(t testing.TB, target string) *FaultProxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatalf("fault proxy: target %q: %v", target, err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("fault proxy: listen: %v", err)
	}
	p := &FaultProxy{URL: "http://" + ln.Addr().String(), conns: map[net.Conn]struct{}{}}
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(u)
			// The client signed the proxy's host: keep it.
			r.Out.Host = r.In.Host
		},
		// A response cut short by Down is what the test wants the client
		// to see: no log line, only a 502 if headers were not sent yet.
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			w.WriteHeader(http.StatusBadGateway)
		},
	}
	p.srv = &http.Server{
		Handler:   http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { p.serve(w, r, rp) }),
		ConnState: p.track,
	}
	go p.srv.Serve(ln)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		p.srv.Shutdown(ctx)
		p.closeConns()
	})
	return p
}

// Env returns the environment that points a child process's AWS SDK at the
// proxy instead of the server, with the server's keys (from v).
func (p *FaultProxy) Env(v *Versity) []string {
	env := v.Env()
	for i, kv := range env {
		if strings.HasPrefix(kv, "AWS_ENDPOINT_URL_S3=") {
			env[i] = "AWS_ENDPOINT_URL_S3=" + p.URL
		}
	}
	return env
}

// PassThrough ends every fault: requests reach the server as they are.
func (p *FaultProxy) PassThrough() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down, p.delay, p.status, p.statusLeft, p.statusUntil, p.statusWhere = false, 0, 0, 0, time.Time{}, nil
}

// Down makes the server unreachable: the connections open now are closed
// (responses in flight are cut), and every new request has its connection
// closed without an answer, until PassThrough.
func (p *FaultProxy) Down() {
	p.mu.Lock()
	p.down = true
	p.mu.Unlock()
	p.closeConns()
}

// Slow delays every response by d (before the server is asked), until
// PassThrough.
func (p *FaultProxy) Slow(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.delay = d
}

// FailNext answers the next n requests with status (500, 503...) and an S3
// error body, then passes requests through again.
func (p *FaultProxy) FailNext(status, n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.status, p.statusLeft, p.statusUntil, p.statusWhere = status, n, time.Time{}, nil
}

// FailNextWhere answers the next n requests for which where is true with
// status; other requests pass through.
func (p *FaultProxy) FailNextWhere(status, n int, where func(*http.Request) bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.status, p.statusLeft, p.statusUntil, p.statusWhere = status, n, time.Time{}, where
}

// FailFor answers every request with status for d from now.
func (p *FaultProxy) FailFor(status int, d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.status, p.statusLeft, p.statusUntil, p.statusWhere = status, -1, time.Now().Add(d), nil
}

// Requests returns the number of requests the proxy has seen.
func (p *FaultProxy) Requests() int64 { return p.requests.Load() }

// Faulted returns the number of requests answered by a fault (a closed
// connection or an injected status) instead of the server.
func (p *FaultProxy) Faulted() int64 { return p.faulted.Load() }

// fault is what to do with one request.
type fault struct {
	down   bool
	delay  time.Duration
	status int
}

// next decides the fault of r and consumes a counted status fault.
func (p *FaultProxy) next(r *http.Request) fault {
	p.mu.Lock()
	defer p.mu.Unlock()
	f := fault{down: p.down, delay: p.delay}
	switch {
	case p.status == 0:
	case p.statusWhere != nil && !p.statusWhere(r):
	case p.statusLeft > 0:
		f.status = p.status
		if p.statusLeft--; p.statusLeft == 0 {
			p.status = 0
		}
	case p.statusLeft < 0 && time.Now().Before(p.statusUntil):
		f.status = p.status
	default:
		p.status = 0
	}
	return f
}

func (p *FaultProxy) serve(w http.ResponseWriter, r *http.Request, rp *httputil.ReverseProxy) {
	p.requests.Add(1)
	f := p.next(r)
	if f.down {
		p.faulted.Add(1)
		p.hangUp(w)
		return
	}
	if f.delay > 0 {
		select {
		case <-time.After(f.delay):
		case <-r.Context().Done():
			return
		}
	}
	if f.status != 0 {
		p.faulted.Add(1)
		code := map[int]string{http.StatusInternalServerError: "InternalError", http.StatusServiceUnavailable: "SlowDown"}[f.status]
		if code == "" {
			code = http.StatusText(f.status)
		}
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(f.status)
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>injected by the test's fault proxy</Message><Resource>%s</Resource><RequestId>faultproxy</RequestId></Error>`,
			code, r.URL.Path)
		return
	}
	rp.ServeHTTP(w, r)
}

// hangUp closes the request's connection without answering.
func (p *FaultProxy) hangUp(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0) // a reset, as from a host that went away
	}
	conn.Close()
}

func (p *FaultProxy) track(c net.Conn, state http.ConnState) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch state {
	case http.StateNew:
		p.conns[c] = struct{}{}
	case http.StateHijacked, http.StateClosed:
		delete(p.conns, c)
	}
}

func (p *FaultProxy) closeConns() {
	p.mu.Lock()
	conns := make([]net.Conn, 0, len(p.conns))
	for c := range p.conns {
		conns = append(conns, c)
	}
	p.mu.Unlock()
	for _, c := range conns {
		if tc, ok := c.(*net.TCPConn); ok {
			tc.SetLinger(0)
		}
		c.Close()
	}
}

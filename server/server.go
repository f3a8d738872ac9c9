// Package server is ctlake's HTTP server: it listens, gives every request an
// id, caps sizes and times, authenticates API calls with SigV4, logs one
// line per request, and mounts the CloudTrail API at POST /, the readiness
// probe at GET /health and, when set, Prometheus metrics at GET /metrics.
package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/ctlake/ctlake"
	"github.com/ctlake/ctlake/api"
	"github.com/ctlake/ctlake/awsjson"
	"github.com/ctlake/ctlake/sigv4"
)

// DefaultMaxBodyBytes caps request bodies. The largest legitimate CloudTrail
// request is a CreateEventDataStore with 500 selector values of 2,048
// characters, about 1 MB.
const DefaultMaxBodyBytes = 4 << 20

// DefaultMaxConcurrentRequests bounds the API calls served at once. Each
// holds up to MaxBodyBytes of body and a catalog transaction; past the
// bound, calls wait up to MaxRequestWait and are then refused with
// ThrottlingException, which every AWS SDK retries with backoff.
const DefaultMaxConcurrentRequests = 256

// DefaultMaxRequestWait is how long a call waits for a free slot.
const DefaultMaxRequestWait = time.Second

// DefaultReadBodyTimeout is how long a client may take to send a request
// body, from the end of its headers. A body is read before the request
// takes a slot, so a slow body holds no slot; past the timeout the client
// gets 408 RequestTimeoutException and the connection is closed.
const DefaultReadBodyTimeout = 10 * time.Second

// Bodies in memory: a body is reserved at its declared length before it is
// read, within bodyMemoryFactor bodies of MaxBodyBytes in all (256 MiB by
// default) and a quarter of that per client address (64 MiB).
const (
	bodyMemoryFactor    = 64
	bodyMemoryPerClient = 4 // a client may hold 1/bodyMemoryPerClient of it
)

// DefaultReadHeaderTimeout is how long a client may take to send its
// request headers.
const DefaultReadHeaderTimeout = 10 * time.Second

// DefaultIdleTimeout closes a keep-alive connection that sends no new
// request for this long, and DefaultMaxHeaderBytes caps request headers
// (431 past it).
const (
	DefaultIdleTimeout    = time.Minute
	DefaultMaxHeaderBytes = 64 << 10
)

// A call refused because the server is busy gets ThrottlingException.
// CloudTrail names it so (spec §1.7: HTTP 400, as for every modeled
// error); only CreateEventDataStore and UpdateEventDataStore declare it
// (Appendix B), but aws-sdk-go-v2, botocore and the AWS CLI retry it by its
// code on any operation, and the SDKs surface it as an API error with that
// code. A 503 would be retried too, but would claim a server fault.

// Server serves the API over HTTP.
type Server struct {
	// Addr is the address to listen on, host:port; port 0 picks a free one.
	Addr string
	// API serves POST /.
	API http.Handler
	// Console, when set, serves the web console under /console/.
	Console http.Handler
	// Verifier checks signatures; nil turns authentication off.
	Verifier *sigv4.Verifier
	// Account is the account id every caller acts as.
	Account string
	// DefaultRegion is the region of unsigned requests when authentication
	// is off and no credential scope names one.
	DefaultRegion string
	// MaxBodyBytes caps request bodies; DefaultMaxBodyBytes when zero.
	MaxBodyBytes int64
	// MaxConcurrentRequests bounds the API calls served at once;
	// DefaultMaxConcurrentRequests when zero. MaxRequestWait is how long a
	// call past the bound waits for a slot before ThrottlingException;
	// DefaultMaxRequestWait when zero.
	MaxConcurrentRequests int
	MaxRequestWait        time.Duration
	// MaxRequestsPerClient bounds the slots one client address holds, so
	// that one client cannot take them all; half of MaxConcurrentRequests
	// when zero. Past it a call gets ThrottlingException at once.
	MaxRequestsPerClient int
	// ReadBodyTimeout bounds the time to send a request body;
	// DefaultReadBodyTimeout when zero.
	ReadBodyTimeout time.Duration
	// AllowedHosts are names, beside the listen address's host, localhost
	// and loopback IPs, that clients may use in the Host header.
	AllowedHosts []string
	// ReadHeaderTimeout bounds the time to send request headers, so that
	// slow clients cannot hold connections; DefaultReadHeaderTimeout when
	// zero.
	ReadHeaderTimeout time.Duration
	Logger            *slog.Logger
	// Metrics, if set, serves GET /metrics, without a signature:
	// Prometheus scrapers do not sign.
	Metrics http.Handler
	// Requests, if set, is told of every API call (for metrics).
	Requests RequestObserver

	slots      chan struct{} // one token per API call in flight
	perClient  *tally        // slots held per client address
	bodyMemory *tally        // bytes of request bodies in memory
	hosts      hostPolicy

	ln  net.Listener
	srv *http.Server
}

// Open starts listening (synchronously, so a taken port is an error here)
// and serves in the background.
func (s *Server) Open() error {
	if s.Logger == nil {
		s.Logger = slog.Default()
	}
	if s.MaxBodyBytes == 0 {
		s.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if s.DefaultRegion == "" {
		s.DefaultRegion = "us-east-1"
	}
	if s.MaxConcurrentRequests <= 0 {
		s.MaxConcurrentRequests = DefaultMaxConcurrentRequests
	}
	if s.MaxRequestWait <= 0 {
		s.MaxRequestWait = DefaultMaxRequestWait
	}
	if s.ReadHeaderTimeout <= 0 {
		s.ReadHeaderTimeout = DefaultReadHeaderTimeout
	}
	if s.MaxRequestsPerClient <= 0 {
		s.MaxRequestsPerClient = max(1, s.MaxConcurrentRequests/2)
	}
	if s.ReadBodyTimeout <= 0 {
		s.ReadBodyTimeout = DefaultReadBodyTimeout
	}
	s.slots = make(chan struct{}, s.MaxConcurrentRequests)
	// The slots channel bounds the total; the tally only each client.
	s.perClient = newTally(math.MaxInt64, int64(s.MaxRequestsPerClient))
	s.bodyMemory = newTally(bodyMemoryFactor*s.MaxBodyBytes, bodyMemoryFactor*s.MaxBodyBytes/bodyMemoryPerClient)
	addrHost, _, err := net.SplitHostPort(s.Addr)
	if err != nil {
		return fmt.Errorf("listen address %s: %w", s.Addr, err)
	}
	ln, err := net.Listen("tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", s.Addr, err)
	}
	s.ln = ln
	var bound net.IP
	if tcp, ok := ln.Addr().(*net.TCPAddr); ok {
		bound = tcp.IP
	}
	s.hosts = newHostPolicy(addrHost, bound, s.AllowedHosts)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	})
	if s.Metrics != nil {
		mux.Handle("GET /metrics", s.Metrics)
	}
	mux.HandleFunc("POST /{$}", s.serveAPI)
	if s.Console != nil {
		// Console bodies are read (within the same bounds as the API's)
		// before the console sees them, and its API calls count against
		// the same slots as POST /.
		mux.Handle("/console/", s.withBody(s.Console))
		mux.Handle("POST /console/api", s.withBody(s.withSlot(s.Console)))
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		awsjson.WriteError(w, http.StatusNotFound, ctlake.NotFoundException,
			fmt.Sprintf("Nothing is served at %s %s. The CloudTrail API is POST / (AWS JSON 1.1); readiness is GET /health.", r.Method, r.URL.Path))
	})
	s.srv = &http.Server{
		Handler: s.withRequestID(s.withAccessLog(s.withRecover(s.withHostCheck(mux)))),
		// Slow clients cannot hold connections or goroutines for long:
		// headers within ReadHeaderTimeout, bodies within ReadBodyTimeout
		// (set per request by readBody; ReadTimeout is the outer bound).
		ReadHeaderTimeout: s.ReadHeaderTimeout,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       DefaultIdleTimeout,
		MaxHeaderBytes:    DefaultMaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(s.Logger.Handler(), slog.LevelWarn),
	}
	go func() {
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.Logger.Error("http server stopped", "error", err)
		}
	}()
	return nil
}

// URL returns the base URL the server listens on.
func (s *Server) URL() string { return "http://" + s.ln.Addr().String() }

// Close stops accepting requests and waits for those in flight until ctx ends.
func (s *Server) Close(ctx context.Context) error {
	if s.srv == nil {
		return nil
	}
	return s.srv.Shutdown(ctx)
}

// serveAPI authenticates the call and hands it to the API with the caller
// in its context. The order keeps the unauthenticated path cheap: the
// declared size, the headers' signature checks (no body needed) come first, then the body is
// read within its deadline and memory bound, then the signature over the
// body is checked, and only a call that passed takes a slot.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	if r.ContentLength > s.MaxBodyBytes { // cheaper still: nothing to check
		s.tooLarge(w)
		return
	}
	if s.Verifier != nil {
		if err := s.Verifier.Precheck(r); err != nil {
			writeSignatureError(w, err)
			return
		}
	}
	body, release, ok := s.readBody(w, r)
	if !ok {
		return
	}
	defer release()
	caller := ctlake.Caller{Account: s.Account, Region: s.DefaultRegion}
	if s.Verifier != nil {
		id, err := s.Verifier.Verify(r, body)
		if err != nil {
			writeSignatureError(w, err)
			return
		}
		caller.Region, caller.AccessKeyID = id.Region, id.AccessKeyID
	} else if r.Header.Get("Authorization") != "" {
		// Without authentication the signature is not checked, but its
		// scope still names the region, which must be a region.
		auth, err := sigv4.ParseAuthorization(r.Header.Get("Authorization"))
		if err != nil {
			writeSignatureError(w, err)
			return
		}
		caller.Region, caller.AccessKeyID = auth.Region, auth.AccessKeyID
	}
	s.withSlot(s.API).ServeHTTP(w, r.WithContext(ctlake.NewContext(r.Context(), caller)))
}

// writeSignatureError answers a refused signature. The access log line has
// the code and the access key id (never the secret or the signature).
func writeSignatureError(w http.ResponseWriter, err error) {
	var se *sigv4.Error
	if !errors.As(err, &se) {
		se = &sigv4.Error{Code: ctlake.InvalidSignatureException, Message: "The request signature could not be checked.", Status: http.StatusBadRequest}
	}
	awsjson.WriteError(w, se.Status, se.Code, se.Message)
}

// withSlot serves next within the bound of API calls served at once, and of
// those one client address holds.
func (s *Server) withSlot(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		client := clientOf(r)
		if ok, _ := s.perClient.take(client, 1); !ok {
			s.throttle(w, fmt.Sprintf("this client address already has %d requests in progress, the most one address may have (--max-concurrent-requests-per-client)", s.MaxRequestsPerClient))
			return
		}
		defer s.perClient.give(client, 1)
		if !s.acquireSlot(r.Context()) {
			s.throttle(w, fmt.Sprintf("the server is serving %d requests, the most it serves at once (--max-concurrent-requests)", cap(s.slots)))
			return
		}
		defer func() { <-s.slots }()
		next.ServeHTTP(w, r)
	})
}

// throttle refuses a call past a bound, saying which.
func (s *Server) throttle(w http.ResponseWriter, why string) {
	w.Header().Set("Retry-After", "1")
	awsjson.WriteError(w, http.StatusBadRequest, ctlake.ThrottlingException, "Rate exceeded: "+why+". Retry with backoff.")
}

// acquireSlot takes a slot for an API call, waiting up to MaxRequestWait;
// false means the server stayed busy (or the client left).
func (s *Server) acquireSlot(ctx context.Context) bool {
	select {
	case s.slots <- struct{}{}:
		return true
	default:
	}
	wait := time.NewTimer(s.MaxRequestWait)
	defer wait.Stop()
	select {
	case s.slots <- struct{}{}:
		return true
	case <-wait.C:
		return false
	case <-ctx.Done():
		return false
	}
}

// withHostCheck refuses a request whose Host header is not a name the
// server is served as (see hostPolicy), except the readiness probe, which
// reveals nothing and which orchestrators call by any name.
func (s *Server) withHostCheck(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.hosts.allows(r.Host) || (r.Method == http.MethodGet && r.URL.Path == "/health") {
			next.ServeHTTP(w, r)
			return
		}
		s.Logger.Warn("request refused: Host is not a name this server is served as (DNS rebinding?)",
			"host", truncate(r.Host, 100), "remote", r.RemoteAddr, "path", truncate(r.URL.Path, 100))
		w.Header().Set("Connection", "close")
		awsjson.WriteError(w, http.StatusForbidden, ctlake.AccessDeniedException, fmt.Sprintf(
			"The Host header %q is not a name this server is served as. Use the address it listens on, localhost, or a name given to the server with --allowed-host.",
			truncate(r.Host, 100)))
	})
}

func accessKeyOf(r *http.Request) string {
	auth, err := sigv4.ParseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		return ""
	}
	return auth.AccessKeyID
}

func (s *Server) withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(api.RequestIDHeader, ctlake.NewID())
		next.ServeHTTP(w, r)
	})
}

// withRecover turns a panic in a handler into an InternalFailure for that
// request alone, logged with its stack, instead of a dropped connection.
func (s *Server) withRecover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.Logger.Error("panic serving request", "request_id", w.Header().Get(api.RequestIDHeader), "panic", v, "stack", string(debug.Stack()))
				awsjson.WriteError(w, http.StatusInternalServerError, ctlake.InternalFailure, ctlake.ErrorMessage(nil))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// Package server is ctlake's HTTP server: it listens, gives every request an
// id, caps sizes and times, authenticates API calls with SigV4, logs one
// line per request, and mounts the CloudTrail API at POST /, the readiness
// probe at GET /health and, when set, Prometheus metrics at GET /metrics.
package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
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

// DefaultReadHeaderTimeout is how long a client may take to send its
// request headers.
const DefaultReadHeaderTimeout = 10 * time.Second

// throttlingException is the code of a call refused because the server is
// busy. CloudTrail names it so (spec §1.7: HTTP 400, as for every modeled
// error); only CreateEventDataStore and UpdateEventDataStore declare it
// (Appendix B), but aws-sdk-go-v2, botocore and the AWS CLI retry it by its
// code on any operation, and the SDKs surface it as an API error with that
// code. A 503 would be retried too, but would claim a server fault.
const throttlingException = "ThrottlingException"

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

	slots chan struct{} // one token per API call in flight

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
	s.slots = make(chan struct{}, s.MaxConcurrentRequests)
	ln, err := net.Listen("tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", s.Addr, err)
	}
	s.ln = ln
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
		mux.Handle("/console/", s.Console)
		// The console's API calls count against the same bound as POST /.
		mux.Handle("POST /console/api", s.withSlot(s.Console))
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		awsjson.WriteError(w, http.StatusNotFound, "NotFoundException",
			fmt.Sprintf("Nothing is served at %s %s. The CloudTrail API is POST / (AWS JSON 1.1); readiness is GET /health.", r.Method, r.URL.Path))
	})
	s.srv = &http.Server{
		Handler: s.withRequestID(s.withAccessLog(s.withRecover(mux))),
		// Slow clients cannot hold connections or goroutines for long.
		ReadHeaderTimeout: s.ReadHeaderTimeout,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
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

// serveAPI reads the body within the cap, authenticates the call and hands
// it to the API with the caller in its context.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	// The slot is taken before the body is read, so that the bound also
	// caps the memory bodies hold.
	if !s.acquireSlot(r.Context()) {
		s.throttle(w)
		return
	}
	defer func() { <-s.slots }()
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.MaxBodyBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			awsjson.WriteError(w, http.StatusRequestEntityTooLarge, ctlake.RequestEntityTooLarge,
				fmt.Sprintf("The request body is larger than %d bytes, the most ctlake accepts.", s.MaxBodyBytes))
			return
		}
		awsjson.WriteError(w, http.StatusBadRequest, ctlake.SerializationException, "The request body could not be read: "+err.Error())
		return
	}
	caller := ctlake.Caller{Account: s.Account, Region: s.DefaultRegion}
	if s.Verifier != nil {
		id, err := s.Verifier.Verify(r, body)
		if err != nil {
			var se *sigv4.Error
			if !errors.As(err, &se) {
				se = &sigv4.Error{Code: "InvalidSignatureException", Message: "The request signature could not be checked.", Status: http.StatusBadRequest}
			}
			// The access log line has the code and the access key id
			// (never the secret or the signature).
			awsjson.WriteError(w, se.Status, se.Code, se.Message)
			return
		}
		caller.Region, caller.AccessKeyID = id.Region, id.AccessKeyID
	} else if auth, err := sigv4.ParseAuthorization(r.Header.Get("Authorization")); err == nil && auth.Region != "" {
		caller.Region, caller.AccessKeyID = auth.Region, auth.AccessKeyID
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	s.API.ServeHTTP(w, r.WithContext(ctlake.NewContext(r.Context(), caller)))
}

// withSlot serves next within the bound of API calls served at once.
func (s *Server) withSlot(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.acquireSlot(r.Context()) {
			s.throttle(w)
			return
		}
		defer func() { <-s.slots }()
		next.ServeHTTP(w, r)
	})
}

// throttle refuses a call past the bound.
func (s *Server) throttle(w http.ResponseWriter) {
	w.Header().Set("Retry-After", "1")
	awsjson.WriteError(w, http.StatusBadRequest, throttlingException, fmt.Sprintf(
		"Rate exceeded: the server is serving %d requests, the most it serves at once (--max-concurrent-requests). Retry with backoff.", cap(s.slots)))
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

// Package server is ctlake's HTTP server: it listens, gives every request an
// id, caps sizes and times, authenticates API calls with SigV4, logs one
// line per request, and mounts the CloudTrail API at POST / and the
// readiness probe at GET /health.
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
	"strings"
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

// Server serves the API over HTTP.
type Server struct {
	// Addr is the address to listen on, host:port; port 0 picks a free one.
	Addr string
	// API serves POST /.
	API http.Handler
	// Verifier checks signatures; nil turns authentication off.
	Verifier *sigv4.Verifier
	// Account is the account id every caller acts as.
	Account string
	// DefaultRegion is the region of unsigned requests when authentication
	// is off and no credential scope names one.
	DefaultRegion string
	// MaxBodyBytes caps request bodies; DefaultMaxBodyBytes when zero.
	MaxBodyBytes int64
	Logger       *slog.Logger

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
	mux.HandleFunc("POST /{$}", s.serveAPI)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		awsjson.WriteError(w, http.StatusNotFound, "NotFoundException",
			fmt.Sprintf("Nothing is served at %s %s. The CloudTrail API is POST / (AWS JSON 1.1); readiness is GET /health.", r.Method, r.URL.Path))
	})
	s.srv = &http.Server{
		Handler: s.withRequestID(s.withRecover(s.withAccessLog(mux))),
		// Slow clients cannot hold connections or goroutines for long.
		ReadHeaderTimeout: 10 * time.Second,
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
			// The access key id is logged, never the secret or the signature.
			s.Logger.Info("request refused", "request_id", w.Header().Get(api.RequestIDHeader), "code", se.Code,
				"access_key_id", accessKeyOf(r), "remote", r.RemoteAddr)
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

// withAccessLog logs one line per request: operation, status, duration.
func (s *Server) withAccessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		op := r.Header.Get("X-Amz-Target")
		if i := strings.LastIndex(op, "."); i >= 0 {
			op = op[i+1:]
		}
		if r.URL.Path == "/health" {
			return // probes would drown the log
		}
		s.Logger.Info("request", "request_id", w.Header().Get(api.RequestIDHeader), "method", r.Method, "path", r.URL.Path,
			"operation", op, "status", rec.status, "duration_ms", time.Since(start).Milliseconds())
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

package server

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/ctlake/ctlake/api"
	"github.com/ctlake/ctlake/awsjson"
)

// RequestObserver is told of every API call (POST /, or any request with
// an X-Amz-Target, such as the console's) once it is answered, for
// metrics. Package metrics implements it.
type RequestObserver interface {
	// ObserveRequest counts one call: the operation X-Amz-Target names (""
	// if it names none), the AWS error code of the answer ("" on success),
	// and the time it took.
	ObserveRequest(operation, code string, d time.Duration)
}

// withAccessLog logs one line per request (operation, HTTP status, AWS
// error code, duration, access key id: never a secret or a signature) and
// tells s.Requests of each API call. It sits outside withRecover, so that a
// request whose handler panicked is logged and counted as the
// InternalFailure it was answered with.
func (s *Server) withAccessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &responseRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		d := time.Since(start)
		if r.URL.Path == "/health" || r.URL.Path == "/metrics" {
			return // probes and scrapes would drown the log
		}
		code := rec.errorCode()
		target := r.Header.Get("X-Amz-Target")
		op, parsed := awsjson.Operation(target, api.TargetPrefix)
		// API calls are POST / and whatever else names an operation: the
		// console's calls reach the same API under its own path.
		if (r.URL.Path == "/" || target != "") && s.Requests != nil {
			s.Requests.ObserveRequest(op, code, d)
		}
		if !parsed {
			op = truncate(target, 128) // what the client sent, so the refusal can be understood
		}
		// The path is the caller's text, up to the header limit: a bounded
		// part of it is logged (slog escapes control characters).
		attrs := []any{"request_id", w.Header().Get(api.RequestIDHeader), "method", r.Method, "path", truncate(r.URL.Path, 256),
			"operation", op, "status", rec.status}
		if code != "" {
			attrs = append(attrs, "code", code)
		}
		attrs = append(attrs, "duration_ms", d.Milliseconds(), "remote", r.RemoteAddr)
		if key := accessKeyOf(r); key != "" {
			attrs = append(attrs, "access_key_id", truncate(key, 128))
		}
		s.Logger.Info("request", attrs...)
	})
}

// maxErrorBody is how much of an error response is kept to read its code:
// awsjson.WriteError's bodies are a code and a message of a few hundred
// bytes.
const maxErrorBody = 8 << 10

// responseRecorder keeps the status of a response and the start of its
// body when it is an error, whose "__type" is the AWS error code
// (awsjson.WriteError writes it nowhere else).
type responseRecorder struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
	errorBody   []byte
}

func (r *responseRecorder) WriteHeader(code int) {
	if !r.wroteHeader {
		r.status, r.wroteHeader = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *responseRecorder) Write(b []byte) (int, error) {
	if !r.wroteHeader {
		r.WriteHeader(http.StatusOK)
	}
	if r.status >= 400 && len(r.errorBody) < maxErrorBody {
		r.errorBody = append(r.errorBody, b[:min(len(b), maxErrorBody-len(r.errorBody))]...)
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (r *responseRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// errorCode returns the AWS error code of an error response, "" for a
// success. An error without one (which ctlake does not write) is named by
// its HTTP status.
func (r *responseRecorder) errorCode() string {
	if r.status < 400 {
		return ""
	}
	var body struct {
		Type string `json:"__type"`
	}
	if json.Unmarshal(r.errorBody, &body) == nil && body.Type != "" {
		return body.Type
	}
	return "HTTP" + strconv.Itoa(r.status)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

package server

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/ctlake/ctlake"
	"github.com/ctlake/ctlake/awsjson"
)

// readBody reads the request body into memory before the request takes a
// slot, so that a client that sends its body slowly (or never) holds no
// slot: only its connection and the bytes it declared, for at most
// ReadBodyTimeout. The memory bodies hold is bounded in all and per client
// address (bodyMemory), reserved at the declared Content-Length before a
// byte is read. On success r.Body is the body in memory and release gives
// its reservation back once the request is served; otherwise the answer is
// written and ok is false.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) (body []byte, release func(), ok bool) {
	if r.ContentLength > s.MaxBodyBytes {
		s.tooLarge(w)
		return nil, nil, false
	}
	n := r.ContentLength
	if n < 0 { // chunked: the most it may be
		n = s.MaxBodyBytes
	}
	client := clientOf(r)
	if taken, clientFull := s.bodyMemory.take(client, n); !taken {
		limit, who := s.bodyMemory.total, "all clients"
		if clientFull {
			limit, who = s.bodyMemory.perClient, "one client address"
		}
		w.Header().Set("Retry-After", "1")
		awsjson.WriteError(w, http.StatusBadRequest, ctlake.ThrottlingException, fmt.Sprintf(
			"Rate exceeded: the request bodies being received from %s already take %d MiB, the most the server holds at once. Retry with backoff.",
			who, limit>>20))
		return nil, nil, false
	}
	release = func() { s.bodyMemory.give(client, n) }

	rc := http.NewResponseController(w)
	// An error here means the connection cannot take a deadline (HTTP/2
	// without support); the server's ReadTimeout still bounds it.
	_ = rc.SetReadDeadline(time.Now().Add(s.ReadBodyTimeout))
	var err error
	if r.ContentLength >= 0 {
		body = make([]byte, r.ContentLength)
		_, err = io.ReadFull(r.Body, body)
	} else {
		body, err = io.ReadAll(http.MaxBytesReader(w, r.Body, s.MaxBodyBytes))
	}
	// The handler may run longer than the body took; the background read
	// that notices a client hanging up must not time out meanwhile.
	_ = rc.SetReadDeadline(time.Time{})
	if err != nil {
		release()
		var tooLarge *http.MaxBytesError
		var ne net.Error
		switch {
		case errors.As(err, &tooLarge):
			s.tooLarge(w)
		case errors.As(err, &ne) && ne.Timeout():
			w.Header().Set("Connection", "close")
			awsjson.WriteError(w, http.StatusRequestTimeout, ctlake.RequestTimeoutException, fmt.Sprintf(
				"The request body did not arrive within %s (--read-body-timeout): send the whole body at once, and retry.", s.ReadBodyTimeout))
		default:
			awsjson.WriteError(w, http.StatusBadRequest, ctlake.SerializationException, "The request body could not be read: "+err.Error())
		}
		return nil, nil, false
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return body, release, true
}

// tooLarge refuses a body over MaxBodyBytes.
func (s *Server) tooLarge(w http.ResponseWriter) {
	w.Header().Set("Connection", "close")
	awsjson.WriteError(w, http.StatusRequestEntityTooLarge, ctlake.RequestEntityTooLarge,
		fmt.Sprintf("The request body is larger than %d bytes, the most ctlake accepts.", s.MaxBodyBytes))
}

// withBody reads the body of next's requests as readBody does.
func (s *Server) withBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength == 0 {
			next.ServeHTTP(w, r)
			return
		}
		_, release, ok := s.readBody(w, r)
		if !ok {
			return
		}
		defer release()
		next.ServeHTTP(w, r)
	})
}

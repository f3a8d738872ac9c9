package server

import (
	"net"
	"net/http"
	"sync"
)

// clientOf is the address a request came from, without its port: the
// unit of the per-client bounds. ctlake trusts no forwarding header, so
// behind a proxy every caller is the proxy.
func clientOf(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// tally counts something per client (slots held, body bytes in memory)
// against a total and a per-client bound. A client is in the map only
// while its count is above zero, so the map holds no more entries than
// there are requests in flight.
type tally struct {
	total, perClient int64

	mu       sync.Mutex
	used     int64
	byClient map[string]int64
}

func newTally(total, perClient int64) *tally {
	return &tally{total: total, perClient: perClient, byClient: map[string]int64{}}
}

// take adds n for client if both bounds allow it. clientFull tells which
// bound refused.
func (t *tally) take(client string, n int64) (ok, clientFull bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.byClient[client]+n > t.perClient {
		return false, true
	}
	if t.used+n > t.total {
		return false, false
	}
	t.used += n
	t.byClient[client] += n
	return true, false
}

// give returns what take added.
func (t *tally) give(client string, n int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.used -= n
	if left := t.byClient[client] - n; left > 0 {
		t.byClient[client] = left
	} else {
		delete(t.byClient, client)
	}
}

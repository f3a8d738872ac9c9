package console

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// Sign-in back-off: after freeFailures failed sign-ins from one client
// address, each further try is refused until a delay has passed since the
// last failure, firstBackoff doubling with each failure up to maxBackoff. A
// success clears the address. The table forgets an address forgetAfter its
// last failure, and holds at most maxBackoffClients addresses (past it the
// address whose last failure is oldest goes), so guessing from many
// addresses costs bounded memory.
const (
	freeFailures      = 3
	firstBackoff      = time.Second
	maxBackoff        = time.Minute
	forgetAfter       = 15 * time.Minute
	maxBackoffClients = 10000
)

type failures struct {
	n    int
	last time.Time
}

type signInBackoff struct {
	now func() time.Time
	max int

	mu       sync.Mutex
	byClient map[string]*failures
}

func newSignInBackoff(now func() time.Time, max int) *signInBackoff {
	return &signInBackoff{now: now, max: max, byClient: map[string]*failures{}}
}

// delay of n failures: zero while n is within freeFailures.
func delayAfter(n int) time.Duration {
	if n <= freeFailures {
		return 0
	}
	d := firstBackoff
	for i := freeFailures + 1; i < n && d < maxBackoff; i++ {
		d *= 2
	}
	return min(d, maxBackoff)
}

// wait returns how long client must still wait before its next try; zero
// means it may try now.
func (b *signInBackoff) wait(client string) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	f, ok := b.byClient[client]
	if !ok {
		return 0
	}
	return max(0, f.last.Add(delayAfter(f.n)).Sub(b.now()))
}

// failed records a failed sign-in of client.
func (b *signInBackoff) failed(client string) {
	now := b.now()
	b.mu.Lock()
	defer b.mu.Unlock()
	f, ok := b.byClient[client]
	if !ok {
		if len(b.byClient) >= b.max {
			b.makeRoomLocked(now)
		}
		f = &failures{}
		b.byClient[client] = f
	}
	f.n++
	f.last = now
}

// succeeded forgets client's failures.
func (b *signInBackoff) succeeded(client string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.byClient, client)
}

// len is the number of addresses kept.
func (b *signInBackoff) len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.byClient)
}

// makeRoomLocked drops the forgotten addresses, or else the one whose last
// failure is oldest.
func (b *signInBackoff) makeRoomLocked(now time.Time) {
	var oldest string
	var oldestAt time.Time
	for c, f := range b.byClient {
		if now.Sub(f.last) >= forgetAfter {
			delete(b.byClient, c)
			continue
		}
		if oldest == "" || f.last.Before(oldestAt) {
			oldest, oldestAt = c, f.last
		}
	}
	if len(b.byClient) >= b.max {
		delete(b.byClient, oldest)
	}
}

// clientAddress is the address a request came from, without its port.
func clientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

package console

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"sync"
	"time"
)

// session is one signed-in browser.
type session struct {
	accessKeyID string
	csrfToken   string
	lastUsed    time.Time
}

// sessions are kept in memory: a restart signs every browser out, which is
// the safe direction. The map is keyed by the SHA-256 of the session id, so
// neither a lookup's timing nor a memory dump gives a usable cookie.
type sessions struct {
	idle time.Duration
	max  int
	now  func() time.Time

	mu   sync.Mutex
	byID map[[sha256.Size]byte]*session
}

func newSessions(idle time.Duration, max int, now func() time.Time) *sessions {
	return &sessions{idle: idle, max: max, now: now, byID: map[[sha256.Size]byte]*session{}}
}

// newToken returns 256 random bits, base64url.
func newToken() string {
	b := make([]byte, 32)
	rand.Read(b) // never fails: crypto/rand crashes the program rather than return short
	return base64.RawURLEncoding.EncodeToString(b)
}

// create starts a session for accessKeyID and returns its id and a copy.
func (s *sessions) create(accessKeyID string) (id string, sess session) {
	id = newToken()
	sess = session{accessKeyID: accessKeyID, csrfToken: newToken(), lastUsed: s.now()}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepLocked()
	if len(s.byID) >= s.max {
		s.evictLeastRecentLocked()
	}
	stored := sess
	s.byID[sha256.Sum256([]byte(id))] = &stored
	return id, sess
}

// get returns the live session with id and marks it used; ok is false for
// an unknown or expired id (an expired session is removed).
func (s *sessions) get(id string) (sess session, ok bool) {
	if id == "" {
		return session{}, false
	}
	key := sha256.Sum256([]byte(id))
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.byID[key]
	if !ok {
		return session{}, false
	}
	if now.Sub(p.lastUsed) >= s.idle {
		delete(s.byID, key)
		return session{}, false
	}
	p.lastUsed = now
	return *p, true
}

// end removes the session with id, if any.
func (s *sessions) end(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.byID, sha256.Sum256([]byte(id)))
}

// len returns the number of sessions kept, expired ones included until the
// next sweep.
func (s *sessions) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.byID)
}

func (s *sessions) sweepLocked() {
	now := s.now()
	for k, p := range s.byID {
		if now.Sub(p.lastUsed) >= s.idle {
			delete(s.byID, k)
		}
	}
}

func (s *sessions) evictLeastRecentLocked() {
	var oldest [sha256.Size]byte
	var oldestAt time.Time
	first := true
	for k, p := range s.byID {
		if first || p.lastUsed.Before(oldestAt) {
			oldest, oldestAt, first = k, p.lastUsed, false
		}
	}
	delete(s.byID, oldest)
}

// equalSecret compares two secrets in time that depends only on their
// lengths.
func equalSecret(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

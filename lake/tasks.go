package lake

import (
	"context"
	"sync"
)

// tasks are the background runs of this process (imports, queries), each
// under an id, so that one can be cancelled and waited for, and all of them
// at shutdown.
type tasks struct {
	mu     sync.Mutex
	cancel map[string]context.CancelFunc
	done   map[string]chan struct{}
	closed bool
}

// start runs fn in the background under id, unless the set is closed or
// already runs id: two runs of one import would both commit its files,
// doubling its events and statistics.
func (t *tasks) start(id string, fn func(ctx context.Context)) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return // shutting down: what did not start resumes or fails at the next start
	}
	if _, running := t.cancel[id]; running {
		return
	}
	if t.cancel == nil {
		t.cancel, t.done = map[string]context.CancelFunc{}, map[string]chan struct{}{}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	t.cancel[id], t.done[id] = cancel, done
	go func() {
		defer func() {
			cancel()
			t.mu.Lock()
			delete(t.cancel, id)
			delete(t.done, id)
			t.mu.Unlock()
			close(done)
		}()
		fn(ctx)
	}()
}

// stop cancels the run under id and waits for it; false if there is none.
func (t *tasks) stop(id string) bool {
	t.mu.Lock()
	cancel, done := t.cancel[id], t.done[id]
	t.mu.Unlock()
	if cancel == nil {
		return false
	}
	cancel()
	<-done
	return true
}

// close cancels every run, waits for them, and starts no more.
func (t *tasks) close() {
	t.mu.Lock()
	t.closed = true
	var waits []chan struct{}
	for id, cancel := range t.cancel {
		cancel()
		waits = append(waits, t.done[id])
	}
	t.mu.Unlock()
	for _, d := range waits {
		<-d
	}
}

// closing reports whether close has been called.
func (t *tasks) closing() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.closed
}

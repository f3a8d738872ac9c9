package lake

import (
	"time"

	"github.com/ctlake/ctlake"
)

// noObserver observes nothing: a Service without an Observer.
type noObserver struct{}

func (noObserver) ImportRunStarted(*ctlake.Import)              {}
func (noObserver) ImportRunEnded(*ctlake.Import, time.Duration) {}
func (noObserver) QueryEnded(*ctlake.Query)                     {}

func (s *Service) observer() ctlake.Observer {
	if s.Observer != nil {
		return s.Observer
	}
	return noObserver{}
}

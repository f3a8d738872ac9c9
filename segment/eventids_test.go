package segment

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/ctlake/ctlake"
)

func TestEventIDs(t *testing.T) {
	s := NewStore(t.TempDir())
	day := time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)
	var events []*ctlake.Event
	var want []string
	for i := range 3000 {
		e := &ctlake.Event{EventTime: day.Add(time.Duration(i) * time.Second), EventJSON: "{}"}
		if i%7 != 0 { // some events have no eventID
			id := fmt.Sprintf("id-%05d", i)
			e.EventID = &id
			want = append(want, id)
		}
		events = append(events, e)
	}
	seg, err := s.WriteSegment(context.Background(), "store", day, events)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	if err := s.EventIDs(context.Background(), seg.Path, func(id string) { got = append(got, id) }); err != nil {
		t.Fatal(err)
	}
	sort.Strings(got)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("read %d ids, want %d", len(got), len(want))
	}
}

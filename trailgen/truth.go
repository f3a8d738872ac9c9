package trailgen

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"time"
)

// Truth is what Generate wrote: the figures a test asserts. "Log files" are
// the well-formed trail log files; broken, digest and Insights files are
// listed on their own and count in none of the log-file figures.
type Truth struct {
	Spec Spec `json:"spec"` // with the defaults filled in

	Files  int `json:"files"`  // log files
	Events int `json:"events"` // records in log files
	// EventIDs is the number of distinct eventIDs over all log files; it
	// equals Events, since the generator makes every eventID unique.
	EventIDs int `json:"eventIds"`

	EventsPerFile   map[string]int `json:"eventsPerFile"`   // log file key → records
	EventsPerDay    map[string]int `json:"eventsPerDay"`    // UTC date of eventTime (2006-01-02) → records
	EventsPerPrefix map[string]int `json:"eventsPerPrefix"` // region-day folder → records of its log files
	FilesPerPrefix  map[string]int `json:"filesPerPrefix"`  // region-day folder → log files
	// DayPrefixes are the region-day folders that hold log files, sorted:
	// "[prefix/]AWSLogs/[org/]account/CloudTrail/region/YYYY/MM/DD/".
	DayPrefixes []string `json:"dayPrefixes"`
	// LateEvents counts records whose eventTime falls on another day than
	// the folder of their file (only with Spec.LateEvents).
	LateEvents int `json:"lateEvents"`

	MinEventTime time.Time `json:"minEventTime"`
	MaxEventTime time.Time `json:"maxEventTime"`

	Broken        []BrokenFile `json:"broken"`
	DigestFiles   []string     `json:"digestFiles"`
	InsightsFiles []string     `json:"insightsFiles"`

	// eventTimes holds every record's eventTime in Unix seconds, sorted,
	// for EventsBetween. In JSON it is packed (see MarshalJSON).
	eventTimes []int64
}

// BrokenFile is a file planted among the log files that an importer must
// refuse.
type BrokenFile struct {
	Key         string `json:"key"`
	Kind        string `json:"kind"`        // one of BrokenKinds
	FailureType string `json:"failureType"` // the ctlake.Failure* an importer must record
	// ValidEvents is the number of good records in the file: those an
	// importer keeps if it drops only the bad record of a bad-eventtime or
	// missing-eventtime file. It is 0 for files that cannot be read whole.
	ValidEvents int `json:"validEvents"`
}

// EventsBetween returns the number of log-file records with
// start ≤ eventTime ≤ end.
func (t *Truth) EventsBetween(start, end time.Time) int {
	lo := sort.Search(len(t.eventTimes), func(i int) bool { return !time.Unix(t.eventTimes[i], 0).Before(start) })
	hi := sort.Search(len(t.eventTimes), func(i int) bool { return time.Unix(t.eventTimes[i], 0).After(end) })
	if hi < lo {
		return 0
	}
	return hi - lo
}

// EventTimes returns every record's eventTime, sorted.
func (t *Truth) EventTimes() []time.Time {
	out := make([]time.Time, len(t.eventTimes))
	for i, s := range t.eventTimes {
		out[i] = time.Unix(s, 0).UTC()
	}
	return out
}

type truthJSON Truth

// MarshalJSON writes the event times as base64 of their varint deltas,
// about one byte a record instead of eleven.
func (t Truth) MarshalJSON() ([]byte, error) {
	var packed []byte
	prev := int64(0)
	for _, s := range t.eventTimes {
		packed = binary.AppendVarint(packed, s-prev)
		prev = s
	}
	return json.Marshal(struct {
		truthJSON
		EventTimes string `json:"eventTimes"`
	}{truthJSON(t), base64.StdEncoding.EncodeToString(packed)})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (t *Truth) UnmarshalJSON(b []byte) error {
	var v struct {
		truthJSON
		EventTimes string `json:"eventTimes"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	packed, err := base64.StdEncoding.DecodeString(v.EventTimes)
	if err != nil {
		return fmt.Errorf("truth: eventTimes: %w", err)
	}
	*t = Truth(v.truthJSON)
	prev := int64(0)
	for len(packed) > 0 {
		d, n := binary.Varint(packed)
		if n <= 0 {
			return errors.New("truth: eventTimes: bad varint")
		}
		prev += d
		t.eventTimes = append(t.eventTimes, prev)
		packed = packed[n:]
	}
	if len(t.eventTimes) != t.Events {
		return fmt.Errorf("truth: %d event times for %d events", len(t.eventTimes), t.Events)
	}
	return nil
}

// WriteFile writes the truth as JSON.
func (t *Truth) WriteFile(path string) error {
	b, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// ReadTruth reads a truth written by WriteFile.
func ReadTruth(path string) (*Truth, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	t := new(Truth)
	if err := json.Unmarshal(b, t); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

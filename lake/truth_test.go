package lake_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ctlake/ctlake"
)

// trailEvent is a record of a generated log file, read with encoding/json
// straight from the file: the ground truth a query or a lookup must find.
type trailEvent struct {
	EventID       string    `json:"eventID"`
	EventName     string    `json:"eventName"`
	EventSource   string    `json:"eventSource"`
	EventTime     time.Time `json:"eventTime"`
	EventCategory string    `json:"eventCategory"`
	ReadOnly      *bool     `json:"readOnly"`
	UserIdentity  struct {
		AccessKeyID string `json:"accessKeyId"`
	} `json:"userIdentity"`
	Resources []struct {
		Type string `json:"type"`
		ARN  string `json:"ARN"`
	} `json:"resources"`
}

// truthEvents reads every record of the log files the fixture generated
// in its folder name.
func truthEvents(t *testing.T, fx *lakeFixture, name string) []trailEvent {
	t.Helper()
	var events []trailEvent
	err := filepath.WalkDir(filepath.Join(fx.dir, name), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".json.gz") || !strings.Contains(p, "/CloudTrail/") {
			return err
		}
		raw, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return err
		}
		text, err := io.ReadAll(zr)
		if err != nil {
			return err
		}
		var log struct{ Records []trailEvent }
		if err := json.Unmarshal(text, &log); err != nil {
			return err
		}
		events = append(events, log.Records...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return events
}

// segmentBytes is the size on disk of a store's segment files.
func segmentBytes(t *testing.T, fx *lakeFixture, storeID string) int64 {
	t.Helper()
	var segs []ctlake.Segment
	if err := fx.cat.View(fx.ctx, func(tx ctlake.Tx) (err error) { segs, err = tx.Segments(storeID); return err }); err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, s := range segs {
		info, err := os.Stat(fx.segs.Abs(s.Path))
		if err != nil {
			t.Fatal(err)
		}
		n += info.Size()
	}
	return n
}

func itoa(n int) string { return strconv.Itoa(n) }

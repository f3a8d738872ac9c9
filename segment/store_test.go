package segment

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ctlake/ctlake"
)

var day = time.Date(2023, 7, 10, 0, 0, 0, 0, time.UTC)

// at returns an event of time t with the given event id.
func at(t time.Time, id string) *ctlake.Event {
	return &ctlake.Event{EventTime: t, EventID: ptr(id), EventJSON: `{"eventID":"` + id + `"}`}
}

func TestWriteSegment(t *testing.T) {
	s := NewStore(t.TempDir())
	events := []*ctlake.Event{
		at(day.Add(11*time.Hour+123*time.Millisecond), "b"),
		at(day.Add(5*time.Hour), "a"),
		at(day.Add(24*time.Hour-time.Millisecond), "c"),
	}
	input := slices.Clone(events)

	seg, err := s.WriteSegment(context.Background(), "store-1", day, events)
	if err != nil {
		t.Fatal(err)
	}
	if !ctlake.IsID(seg.ID) {
		t.Errorf("ID = %q, want a lower-case UUID", seg.ID)
	}
	want := ctlake.Segment{
		ID:      seg.ID,
		StoreID: "store-1",
		Day:     day,
		Path:    "store-1/eventday=2023-07-10/" + seg.ID + ".parquet",
		Events:  3,
		Bytes:   seg.Bytes,
		MinTime: day.Add(5 * time.Hour),
		MaxTime: day.Add(24*time.Hour - time.Millisecond),
	}
	if seg != want {
		t.Errorf("segment = %+v\nwant      %+v", seg, want)
	}
	info, err := os.Stat(s.Abs(seg.Path))
	if err != nil {
		t.Fatal(err)
	}
	if info.Size() != seg.Bytes {
		t.Errorf("Bytes = %d, file has %d", seg.Bytes, info.Size())
	}
	if !slices.Equal(events, input) {
		t.Error("WriteSegment reordered the caller's slice")
	}
	assertFiles(t, s.Root, seg.Path)
}

// A day is a UTC day given as its midnight, and no event may fall outside
// it, not even by a millisecond; a refused segment leaves nothing on disk.
func TestWriteSegmentRefuses(t *testing.T) {
	s := NewStore(t.TempDir())
	ctx := context.Background()
	ok := at(day.Add(time.Hour), "ok")
	for _, tc := range []struct {
		name    string
		storeID string
		day     time.Time
		events  []*ctlake.Event
	}{
		{"two days", "s", day, []*ctlake.Event{ok, at(day.Add(24*time.Hour), "next day")}},
		{"day before", "s", day, []*ctlake.Event{at(day.Add(-time.Millisecond), "day before"), ok}},
		{"other zone", "s", day, []*ctlake.Event{ok, at(time.Date(2023, 7, 10, 23, 0, 0, 0, time.FixedZone("UTC-2", -2*3600)), "11 July UTC")}},
		{"day not midnight", "s", day.Add(time.Hour), []*ctlake.Event{ok}},
		{"no events", "s", day, nil},
		{"nil event", "s", day, []*ctlake.Event{ok, nil}},
		{"empty store id", "", day, []*ctlake.Event{ok}},
		{"dot", ".", day, []*ctlake.Event{ok}},
		{"dot dot", "..", day, []*ctlake.Event{ok}},
		{"hidden", ".store", day, []*ctlake.Event{ok}},
		{"slash", "a/b", day, []*ctlake.Event{ok}},
		{"backslash", `a\b`, day, []*ctlake.Event{ok}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if seg, err := s.WriteSegment(ctx, tc.storeID, tc.day, tc.events); err == nil {
				t.Fatalf("WriteSegment = %+v, want an error", seg)
			}
		})
	}
	assertFiles(t, s.Root)
}

// A day given in another zone is the same instant: it is accepted.
func TestWriteSegmentDayInOtherZone(t *testing.T) {
	s := NewStore(t.TempDir())
	paris := day.In(time.FixedZone("CEST", 2*3600))
	seg, err := s.WriteSegment(context.Background(), "s", paris, []*ctlake.Event{at(day.Add(time.Hour), "a")})
	if err != nil {
		t.Fatal(err)
	}
	if seg.Day != day {
		t.Errorf("Day = %v, want %v", seg.Day, day)
	}
}

func TestWriteSegmentCanceled(t *testing.T) {
	s := NewStore(t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.WriteSegment(ctx, "s", day, []*ctlake.Event{at(day, "a")}); err == nil {
		t.Fatal("WriteSegment with a canceled context succeeded")
	}
	assertFiles(t, s.Root)
}

func TestSegmentPaths(t *testing.T) {
	ctx := context.Background()
	s := NewStore(filepath.Join(t.TempDir(), "segments"))
	if paths, err := s.SegmentPaths(ctx); err != nil || len(paths) != 0 {
		t.Fatalf("SegmentPaths of a missing root = %q, %v; want none, nil", paths, err)
	}

	var want []string
	for _, w := range []struct {
		store string
		day   time.Time
	}{{"s1", day}, {"s1", day}, {"s1", day.AddDate(0, 0, 1)}, {"s2", day}, {"s1-x", day}} {
		seg, err := s.WriteSegment(ctx, w.store, w.day, []*ctlake.Event{at(w.day, "a")})
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, seg.Path)
	}
	slices.Sort(want)

	// Files that are not published segments: a write in progress or cut
	// short, and files of other shapes or places.
	partition := filepath.Join(s.Root, "s1", "eventday=2023-07-10")
	for _, name := range []string{
		filepath.Join(partition, "."+ctlake.NewID()+".parquet.tmp"),
		filepath.Join(partition, "notes.parquet"),
		filepath.Join(partition, strings.ToUpper(ctlake.NewID())+".parquet"),
		filepath.Join(partition, ctlake.NewID()+".json"),
		filepath.Join(s.Root, "s1", ctlake.NewID()+".parquet"),
		filepath.Join(s.Root, "s1", "day=2023-07-10", ctlake.NewID()+".parquet"),
		filepath.Join(s.Root, "s1", "eventday=2023-7-10", ctlake.NewID()+".parquet"),
		filepath.Join(s.Root, ".trash", "eventday=2023-07-10", ctlake.NewID()+".parquet"),
		filepath.Join(s.Root, "README"),
	} {
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(partition, ctlake.NewID()+".parquet"), 0o755); err != nil {
		t.Fatal(err)
	}

	got, err := s.SegmentPaths(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("SegmentPaths = %q\nwant %q", got, want)
	}
}

func TestRemoveSegment(t *testing.T) {
	ctx := context.Background()
	s := NewStore(t.TempDir())
	seg, err := s.WriteSegment(ctx, "s", day, []*ctlake.Event{at(day, "a")})
	if err != nil {
		t.Fatal(err)
	}
	keep, err := s.WriteSegment(ctx, "s", day, []*ctlake.Event{at(day, "b")})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveSegment(ctx, seg.Path); err != nil {
		t.Fatal(err)
	}
	assertFiles(t, s.Root, keep.Path)
	if err := s.RemoveSegment(ctx, seg.Path); err != nil {
		t.Errorf("RemoveSegment of a removed segment = %v, want nil", err)
	}
	if err := s.RemoveSegment(ctx, "other/eventday=2020-01-01/"+ctlake.NewID()+".parquet"); err != nil {
		t.Errorf("RemoveSegment of a missing segment = %v, want nil", err)
	}

	// Paths that are not segment paths are refused, so that a damaged
	// catalog row cannot remove other files.
	outside := filepath.Join(t.TempDir(), "precious.parquet")
	if err := os.WriteFile(outside, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(s.Root, outside)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{
		"", filepath.ToSlash(rel), outside, "s/eventday=2023-07-10", "s/eventday=2023-07-10/x.parquet",
		"s/eventday=2023-07-10/." + keep.ID + ".parquet.tmp", "../s/eventday=2023-07-10/" + keep.ID + ".parquet",
		"s/eventday=2023-07-10/../eventday=2023-07-10/" + keep.ID + ".parquet",
	} {
		if err := s.RemoveSegment(ctx, p); err == nil {
			t.Errorf("RemoveSegment(%q) = nil, want an error", p)
		}
	}
	if _, err := os.Stat(outside); err != nil {
		t.Error(err)
	}
	assertFiles(t, s.Root, keep.Path)
}

func TestRemoveTempFiles(t *testing.T) {
	ctx := context.Background()
	s := NewStore(t.TempDir())
	seg, err := s.WriteSegment(ctx, "s", day, []*ctlake.Event{at(day, "a")})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(s.Abs(seg.Path))
	crashed := filepath.Join(dir, "."+ctlake.NewID()+".parquet.tmp")
	writing := filepath.Join(dir, "."+ctlake.NewID()+".parquet.tmp")
	start := time.Now()
	for _, name := range []string{crashed, writing} {
		if err := os.WriteFile(name, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chtimes(crashed, start.Add(-time.Hour), start.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(writing, start.Add(time.Second), start.Add(time.Second)); err != nil {
		t.Fatal(err)
	}

	if err := s.RemoveTempFiles(ctx, start); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(crashed); !os.IsNotExist(err) {
		t.Errorf("temporary file of a crashed write: Stat = %v, want not exist", err)
	}
	if _, err := os.Stat(writing); err != nil {
		t.Errorf("temporary file of a write in progress: %v", err)
	}
	assertFiles(t, s.Root, seg.Path, filepath.ToSlash(must(filepath.Rel(s.Root, writing))))
}

func TestAbs(t *testing.T) {
	t.Chdir(t.TempDir())
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	s := NewStore("data/segments")
	got := s.Abs("s/eventday=2023-07-10/x.parquet")
	want := filepath.Join(wd, "data", "segments", "s", "eventday=2023-07-10", "x.parquet")
	if got != want {
		t.Errorf("Abs = %q, want %q", got, want)
	}
}

// assertFiles checks that the regular files under root are exactly want,
// given as "/"-separated paths relative to root: no temporary file left
// behind, nothing more.
func assertFiles(t *testing.T, root string, want ...string) {
	t.Helper()
	var got []string
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		got = append(got, filepath.ToSlash(must(filepath.Rel(root, p))))
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	slices.Sort(got)
	want = slices.Sorted(slices.Values(want))
	if !slices.Equal(got, want) {
		t.Errorf("files under the root = %q\nwant %q", got, want)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

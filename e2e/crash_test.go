package e2e

import (
	"database/sql"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/ctlake/ctlake/trailgen"
	_ "modernc.org/sqlite"
)

// longRun reports whether the long variants of the hardening tests run
// (CTLAKE_LONG=1).
func longRun() bool { return os.Getenv("CTLAKE_LONG") == "1" }

// envInt reads a whole number from the environment, else def.
func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		t.Fatalf("%s=%q: want a whole number", name, v)
	}
	return n
}

// TestKillLoop SIGKILLs the server at random points of an import (seeded
// delays: very early, while it lists; later, mid-batch, while it writes
// segments or commits) and restarts it on the same data folder each time.
// The import then finishes on its own with exactly the ground truth's
// events, no eventID twice, the truth's statistics, and no segment file
// the catalog does not know.
//
// CTLAKE_KILLS sets the number of kills (3; 10 with CTLAKE_LONG=1);
// CTLAKE_KILL_SEED replays the delays of a failed run (its log names
// the seed).
func TestKillLoop(t *testing.T) {
	// 900 files (64,000 events), 3 or 4 commits of 20,000 events; the
	// long run has 4,500 files.
	kills, spec := envInt(t, "CTLAKE_KILLS", 3), bigSpec(31)
	if longRun() {
		kills = envInt(t, "CTLAKE_KILLS", 10)
		spec.Days = 30
	}
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv("CTLAKE_KILL_SEED"); v != "" {
		s, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("CTLAKE_KILL_SEED=%q: %v", v, err)
		}
		seed = s
	}
	t.Logf("%d kills, seed %d (CTLAKE_KILLS=%d CTLAKE_KILL_SEED=%d replays them)", kills, seed, kills, seed)
	rng := rand.New(rand.NewPCG(seed, 0))

	src, truth := generate(t, "file", spec)
	srv := StartServer(t)
	c := srv.Client("us-east-1")
	store := aws.ToString(create(t, c, "kill-loop", longestRetention).EventDataStoreArn)
	id := startImport(t, c, store, src.uri)
	getImport := func() *cloudtrail.GetImportOutput {
		out, err := c.GetImport(ctx, &cloudtrail.GetImportInput{ImportId: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	for k := range kills {
		// A quarter of the kills (and the first) come within 150ms of the
		// (re)start, while the import lists its prefixes. The others wait
		// for a commit of this life, then a random 0-2s: into the next
		// batch's reads, its segment writes or its commit. Waiting for
		// progress rather than for a fixed time keeps the kills inside
		// the import however fast the machine (or the race detector).
		var delay time.Duration
		stage := "early"
		if k == 0 || rng.IntN(4) == 0 {
			delay = time.Duration(rng.Int64N(int64(150 * time.Millisecond)))
			if k == 0 {
				delay = 0 // StartImport has just answered
			}
		} else {
			stage = "after a commit"
			delay = time.Duration(rng.Int64N(int64(2 * time.Second)))
			before := aws.ToInt64(getImport().ImportStatistics.FilesCompleted)
			waitFor(t, "a commit", func() bool {
				out := getImport()
				return out.ImportStatus == types.ImportStatusCompleted || aws.ToInt64(out.ImportStatistics.FilesCompleted) > before
			})
		}
		time.Sleep(delay) // the random point of the crash is what the test is about
		out := getImport()
		srv.Kill()
		st := out.ImportStatistics
		t.Logf("kill %d, %s +%v: %s, prefixes %d/%d, files %d/%d, events %d", k+1, stage, delay.Round(time.Millisecond), out.ImportStatus,
			aws.ToInt64(st.PrefixesCompleted), aws.ToInt64(st.PrefixesFound), aws.ToInt64(st.FilesCompleted), truth.Files, aws.ToInt64(st.EventsCompleted))
		if out.ImportStatus == types.ImportStatusCompleted {
			// A fast machine: the kills so far are the test.
			t.Logf("the import completed before kill %d", k+1)
			if k < 2 {
				t.Errorf("only %d kills landed in the import: the test needs more data", k)
			}
			srv.Start()
			c = srv.Client("us-east-1")
			break
		}
		srv.Start()
		c = srv.Client("us-east-1")
	}
	done := wantExactImport(t, "after the kills", srv, c, id, store, truth, 5*time.Minute)
	t.Logf("after the kills: %s, %d prefixes, %d files, %d events (the truth: %d, %d, %d)", done.ImportStatus, aws.ToInt64(done.ImportStatistics.PrefixesCompleted),
		aws.ToInt64(done.ImportStatistics.FilesCompleted), aws.ToInt64(done.ImportStatistics.EventsCompleted), len(truth.DayPrefixes), truth.Files, truth.Events)
	wantNoOrphans(t, srv)
}

// TestKillDuringQueries kills the server while one query runs and another
// waits: after the restart both are FAILED with a reason, and a new query
// answers from the store as before.
func TestKillDuringQueries(t *testing.T) {
	src, truth := generate(t, "file", trailgen.Spec{Days: 3, FilesPerRegionDay: 10, Seed: 32, Start: time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)})
	srv := StartServer(t, WithArgs("--query-workers", "1"))
	c := srv.Client("us-east-1")
	store := aws.ToString(create(t, c, "kill-query", longestRetention).EventDataStoreArn)
	if done := waitImport(t, c, startImport(t, c, store, src.uri)); done.ImportStatus != types.ImportStatusCompleted {
		t.Fatalf("import: %s", done.ImportStatus)
	}
	sid := idOf(store)
	endless := `SELECT count(*) FROM ` + sid + ` a CROSS JOIN ` + sid + ` b CROSS JOIN ` + sid + ` c`
	var ids []*string
	for range 2 {
		q, err := c.StartQuery(ctx, &cloudtrail.StartQueryInput{QueryStatement: aws.String(endless)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, q.QueryId)
	}
	waitFor(t, "one query running, one queued", func() bool {
		var st []types.QueryStatus
		for _, id := range ids {
			d, err := c.DescribeQuery(ctx, &cloudtrail.DescribeQueryInput{QueryId: id})
			if err != nil {
				t.Fatal(err)
			}
			st = append(st, d.QueryStatus)
		}
		return slices.Contains(st, types.QueryStatusRunning) && slices.Contains(st, types.QueryStatusQueued)
	})
	srv.Kill()
	srv.Start()
	c = srv.Client("us-east-1")
	for _, id := range ids {
		d, err := c.DescribeQuery(ctx, &cloudtrail.DescribeQueryInput{QueryId: id})
		if err != nil || d.QueryStatus != types.QueryStatusFailed || len(aws.ToString(d.ErrorMessage)) < 20 {
			t.Errorf("query %s interrupted by a SIGKILL: %v %v, want FAILED with a reason", aws.ToString(id), d, err)
		}
	}
	_, rows := runQuery(t, c, `SELECT count(*) AS n, count(DISTINCT eventID) AS ids FROM `+sid)
	if got, want := strings.Join(cells(rows), ";"), "n="+strconv.Itoa(truth.Events)+" ids="+strconv.Itoa(truth.Events); got != want {
		t.Errorf("a query after the restart: %s, want %s", got, want)
	}
}

// TestKillDuringStoreDeletion kills the server right after a store is
// deleted (the deletion must hold), then at random points of the start-up
// that purges it once its 7 days are over. After the purge the store is
// gone and none of its segment files is left.
func TestKillDuringStoreDeletion(t *testing.T) {
	// One segment per event day at least: 20 days give the purge files to
	// remove.
	src, _ := generate(t, "file", trailgen.Spec{Days: 20, FilesPerRegionDay: 2, MinEventsPerFile: 5, MaxEventsPerFile: 20, Seed: 33,
		Start: time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)})
	srv := StartServer(t)
	c := srv.Client("us-east-1")
	store := aws.ToString(create(t, c, "kill-delete", longestRetention).EventDataStoreArn)
	kept := aws.ToString(create(t, c, "kept", longestRetention).EventDataStoreArn)
	for _, s := range []string{store, kept} {
		if done := waitImport(t, c, startImport(t, c, s, src.uri)); done.ImportStatus != types.ImportStatusCompleted {
			t.Fatalf("import: %s", done.ImportStatus)
		}
	}
	keptRows, _ := storedEvents(t, srv, idOf(kept))
	if _, err := c.DeleteEventDataStore(ctx, &cloudtrail.DeleteEventDataStoreInput{EventDataStore: aws.String(store)}); err != nil {
		t.Fatal(err)
	}
	srv.Kill()
	srv.Start()
	c = srv.Client("us-east-1")
	got, err := c.GetEventDataStore(ctx, &cloudtrail.GetEventDataStoreInput{EventDataStore: aws.String(store)})
	if err != nil || got.Status != types.EventDataStoreStatusPendingDeletion {
		t.Fatalf("after a SIGKILL, the deleted store: %v %v; want PENDING_DELETION", got, err)
	}
	srv.Stop()

	// Seven days pass: the purge runs at the next start.
	backdateDeletion(t, srv, idOf(store), 8*24*time.Hour)
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 0))
	// The purge runs within tens of milliseconds of the start (hundreds
	// under the race detector): the kills come ever later.
	step := 30 * time.Millisecond
	if raceEnabled {
		step *= 5
	}
	for i := range 4 {
		d := time.Duration(rng.Int64N(int64(step) << i))
		srv.startKilledAfter(t, d)
		// Where the kill fell: before the purge's transaction (the record
		// is there), between it and the file removal (files without a
		// record), or after.
		var records int
		db := openCatalog(t, srv, "ro")
		if err := db.QueryRow(`SELECT count(*) FROM event_data_stores WHERE id = ?`, idOf(store)).Scan(&records); err != nil {
			t.Fatal(err)
		}
		db.Close()
		files, _ := filepath.Glob(filepath.Join(srv.DataDir, "segments", idOf(store), "*", "*"))
		t.Logf("start %d killed after %v (seed %d): store record %d, its files left %d", i+1, d.Round(time.Millisecond), seed, records, len(files))
	}
	srv.Start()
	c = srv.Client("us-east-1")
	_, err = c.GetEventDataStore(ctx, &cloudtrail.GetEventDataStoreInput{EventDataStore: aws.String(store)})
	wantErr[*types.EventDataStoreNotFoundException](t, "the purged store", err, "The event data store "+store+" was not found in account "+testAccount+", region us-east-1.")
	// The purge runs in the background from the start: it forgets the
	// store in one transaction, then removes its files. Both must happen.
	var records, files int
	deadline := time.Now().Add(time.Minute)
	for {
		db := openCatalog(t, srv, "ro")
		if err := db.QueryRow(`SELECT count(*) FROM event_data_stores WHERE id = ?`, idOf(store)).Scan(&records); err != nil {
			t.Fatal(err)
		}
		db.Close()
		left, err := filepath.Glob(filepath.Join(srv.DataDir, "segments", idOf(store), "*", "*"))
		if err != nil {
			t.Fatal(err)
		}
		if files = len(left); records == 0 && files == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a minute after the start, the purged store has %d catalog records and %d files", records, files)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if rows, _ := storedEvents(t, srv, idOf(kept)); rows != keptRows {
		t.Errorf("the other store holds %d events after the purge, %d before", rows, keptRows)
	}
	wantNoOrphans(t, srv)
}

// startKilledAfter starts the server process on its data folder and kills
// it d later, whatever it is doing then (opening the catalog, sweeping,
// purging, resuming imports, serving).
func (s *Server) startKilledAfter(t *testing.T, d time.Duration) {
	t.Helper()
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data", s.DataDir, "--log-format", "json"}, s.Args...)
	cmd := exec.Command(binary, args...)
	cmd.Env = append(cleanEnv(), s.Env...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(d)
	cmd.Process.Kill()
	cmd.Wait()
}

// backdateDeletion moves the deletion time of a store back by age, in the
// catalog of a stopped server: the 7-day grace period has no switch, and a
// test cannot wait a week.
func backdateDeletion(t *testing.T, srv *Server, storeID string, age time.Duration) {
	t.Helper()
	db := openCatalog(t, srv, "rw")
	defer db.Close()
	res, err := db.Exec(`UPDATE event_data_stores SET deleted_ms = ? WHERE id = ? AND deleted_ms > 0`, time.Now().Add(-age).UnixMilli(), storeID)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		t.Fatalf("backdate the deletion of %s: %d rows changed (%v)", storeID, n, err)
	}
}

func openCatalog(t *testing.T, srv *Server, mode string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(srv.DataDir, "catalog.db")+"?mode="+mode+"&_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// wantNoOrphans checks the segment folder against the catalog: every file
// is a published segment the catalog records, and every segment the
// catalog records is there. The server may be running: its imports are
// over.
func wantNoOrphans(t *testing.T, srv *Server) {
	t.Helper()
	db := openCatalog(t, srv, "ro")
	defer db.Close()
	rows, err := db.Query(`SELECT path FROM segments`)
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			t.Fatal(err)
		}
		known[p] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(srv.DataDir, "segments")
	onDisk := 0
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		onDisk++
		if !known[rel] {
			t.Errorf("orphan file in the segment folder: %s", rel)
		}
		delete(known, rel)
		return nil
	})
	if err != nil {
		t.Fatalf("walking the segment folder: %v", err)
	}
	for p := range known {
		t.Errorf("the catalog records segment %s, which is not on disk", p)
	}
	t.Logf("%d segment files, each recorded in the catalog", onDisk)
}

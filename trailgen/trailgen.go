// Package trailgen generates realistic CloudTrail trail trees, and writes
// down the ground truth of what it generated, so that import and query tests
// can run at any volume and assert figures that come from the generator,
// never from the code under test.
//
// A tree is laid out as a trail bucket: accounts × regions × days of
// gzip-compressed log files under
// [prefix/]AWSLogs/[org-id/]account/CloudTrail/region/YYYY/MM/DD/, named as
// CloudTrail names them, holding records as CloudTrail writes them (real
// event sources and names, several kinds of userIdentity, nested request
// parameters, errors, resources, TLS details). On demand it also writes
// digest and Insights files beside the logs, plants broken files among them,
// and delivers events late, across midnight.
//
// Generation is deterministic: the same Spec (seed included) gives the same
// bytes. It is fast enough for volume tests (records are appended, not
// marshalled; files are written by one worker per CPU).
package trailgen

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/ctlake/ctlake"
)

// Layouts of Spec.Layout.
const (
	LayoutAccount      = "account"      // AWSLogs/<account>/CloudTrail/...
	LayoutOrganization = "organization" // AWSLogs/<org-id>/<account>/CloudTrail/...
)

// Kinds of broken files (Spec.Broken).
const (
	BrokenNotGzip          = "not-gzip"          // named .json.gz, not gzip
	BrokenTruncatedGzip    = "truncated-gzip"    // a log file cut in half
	BrokenNotJSON          = "not-json"          // gzip of text that is not JSON
	BrokenNoRecords        = "no-records"        // gzip of a JSON object without Records (one bare event)
	BrokenRecordsNotArray  = "records-not-array" // "Records" is an object
	BrokenBadEventTime     = "bad-eventtime"     // one record's eventTime is not a time
	BrokenMissingEventTime = "missing-eventtime" // one record has no eventTime
	BrokenUncompressedJSON = "uncompressed-json" // a good log, not compressed, named .json
	BrokenZeroBytes        = "zero-bytes"        // an empty .json.gz
	BrokenNonUTF8          = "non-utf8"          // a log with a byte that is not UTF-8 inside a string
	BrokenDigestAsLog      = "digest-as-log"     // a digest file's content under a log file's name
)

// BrokenKinds maps each kind of broken file to the failure an importer must
// record for it.
var BrokenKinds = map[string]string{
	BrokenNotGzip:          ctlake.FailureInvalidFileFormat,
	BrokenTruncatedGzip:    ctlake.FailureInvalidFileFormat,
	BrokenNotJSON:          ctlake.FailureInvalidFileFormat,
	BrokenNoRecords:        ctlake.FailureInvalidFileFormat,
	BrokenRecordsNotArray:  ctlake.FailureInvalidFileFormat,
	BrokenBadEventTime:     ctlake.FailureInvalidEventRecord,
	BrokenMissingEventTime: ctlake.FailureInvalidEventRecord,
	BrokenUncompressedJSON: ctlake.FailureInvalidFileFormat,
	BrokenZeroBytes:        ctlake.FailureInvalidFileFormat,
	BrokenNonUTF8:          ctlake.FailureInvalidFileFormat,
	BrokenDigestAsLog:      ctlake.FailureNotTrailLog,
}

// Spec says what to generate. Zero fields take the defaults in brackets.
type Spec struct {
	Accounts          int       `json:"accounts"`          // number of accounts [1]
	Regions           []string  `json:"regions"`           // [us-east-1]; the first is the trail's home region
	Start             time.Time `json:"start"`             // the first day, as a UTC date [2024-01-01]
	Days              int       `json:"days"`              // [1]
	FilesPerRegionDay int       `json:"filesPerRegionDay"` // log files per region-day folder [4]
	MinEventsPerFile  int       `json:"minEventsPerFile"`  // [1]
	MaxEventsPerFile  int       `json:"maxEventsPerFile"`  // [50]
	Seed              int64     `json:"seed"`
	Layout            string    `json:"layout"`    // LayoutAccount or LayoutOrganization [account]
	OrgID             string    `json:"orgId"`     // the organization's id [o- and 10 characters from the seed]
	KeyPrefix         string    `json:"keyPrefix"` // the trail's S3 key prefix, before AWSLogs/ [none]
	TrailName         string    `json:"trailName"` // named in digest files [management-events]
	Bucket            string    `json:"bucket"`    // named in digest files [ctlake-trail-logs]
	Digest            bool      `json:"digest"`    // write hourly digest files in CloudTrail-Digest/
	Insights          bool      `json:"insights"`  // write an Insights file per region-day in CloudTrail-Insight/
	Broken            []string  `json:"broken"`    // one broken file per entry (see BrokenKinds)
	// LateEvents makes the first file of each region-day hold events of the
	// previous day, as delivery lag does around midnight.
	LateEvents bool `json:"lateEvents"`
}

func (s Spec) withDefaults() (Spec, error) {
	if s.Accounts == 0 {
		s.Accounts = 1
	}
	if len(s.Regions) == 0 {
		s.Regions = []string{"us-east-1"}
	}
	if s.Start.IsZero() {
		s.Start = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	y, m, d := s.Start.UTC().Date()
	s.Start = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	if s.Days == 0 {
		s.Days = 1
	}
	if s.FilesPerRegionDay == 0 {
		s.FilesPerRegionDay = 4
	}
	if s.MinEventsPerFile == 0 {
		s.MinEventsPerFile = 1
	}
	if s.MaxEventsPerFile == 0 {
		s.MaxEventsPerFile = max(50, s.MinEventsPerFile)
	}
	if s.Layout == "" {
		s.Layout = LayoutAccount
	}
	if s.TrailName == "" {
		s.TrailName = "management-events"
	}
	if s.Bucket == "" {
		s.Bucket = "ctlake-trail-logs"
	}
	switch {
	case s.Accounts < 0 || s.Days < 0 || s.FilesPerRegionDay < 0:
		return s, errors.New("trailgen: negative count")
	case s.MinEventsPerFile < 0 || s.MaxEventsPerFile < s.MinEventsPerFile:
		return s, fmt.Errorf("trailgen: events per file %d..%d", s.MinEventsPerFile, s.MaxEventsPerFile)
	case s.MaxEventsPerFile >= 1<<20:
		return s, errors.New("trailgen: more than a million events in one file")
	case s.Layout != LayoutAccount && s.Layout != LayoutOrganization:
		return s, fmt.Errorf("trailgen: layout %q (want %q or %q)", s.Layout, LayoutAccount, LayoutOrganization)
	case len(s.Broken) > 0 && s.FilesPerRegionDay == 0:
		return s, errors.New("trailgen: broken files need region-day folders to hide in")
	}
	for _, k := range s.Broken {
		if _, ok := BrokenKinds[k]; !ok {
			return s, fmt.Errorf("trailgen: unknown kind of broken file %q", k)
		}
	}
	for _, r := range s.Regions {
		if r == "" || filepath.Base(r) != r {
			return s, fmt.Errorf("trailgen: bad region %q", r)
		}
	}
	return s, nil
}

// filePlan is one file to write, decided up front in a fixed order, with its
// own random stream, so that workers may write files in any order and the
// bytes stay the same.
type filePlan struct {
	index    int // global file number: makes eventIDs unique
	key      string
	prefix   string // the region-day folder
	acct     *account
	region   string
	day      int64 // Unix second of the folder's midnight
	delivery int64 // Unix second of delivery: the name's timestamp
	events   int
	late     bool   // reaches back into the previous day
	broken   string // kind of broken file, or ""
	seed     [2]uint64
}

// fileResult is what writing a file found out.
type fileResult struct {
	times  []int64     // eventTimes of a log file's records
	ids    [][2]uint64 // their eventIDs
	hash   [32]byte    // SHA-256 of the uncompressed content, for digests
	events int         // records written (good ones, for broken files)
	err    error
}

// Generate writes a trail tree into dir (created if needed) and returns its
// ground truth.
func Generate(dir string, spec Spec) (Truth, error) {
	spec, err := spec.withDefaults()
	if err != nil {
		return Truth{}, err
	}
	g := &generator{dir: dir, spec: spec, rng: rand.New(rand.NewPCG(uint64(spec.Seed), 0x7472_6169_6c67_656e))}
	g.makeAccounts()
	g.plan()
	if err := g.makeFolders(); err != nil {
		return Truth{}, err
	}
	results := g.writeFiles()
	truth, err := g.truth(results)
	if err != nil {
		return Truth{}, err
	}
	if spec.Digest {
		if truth.DigestFiles, err = g.writeDigests(results); err != nil {
			return Truth{}, err
		}
	}
	if spec.Insights {
		if truth.InsightsFiles, err = g.writeInsights(); err != nil {
			return Truth{}, err
		}
	}
	return truth, nil
}

type generator struct {
	dir      string
	spec     Spec
	rng      *rand.Rand // the planning stream; workers have their own
	orgID    string
	accounts []*account
	plans    []*filePlan // log files first, then broken files
	nLogs    int
}

func (g *generator) makeAccounts() {
	seen := map[string]bool{}
	for len(g.accounts) < g.spec.Accounts {
		id := strconv.Itoa(1+g.rng.IntN(9)) + fmt.Sprintf("%011d", g.rng.Int64N(1e11))
		if seen[id] {
			continue
		}
		seen[id] = true
		g.accounts = append(g.accounts, newAccount(g.rng, id))
	}
	g.orgID = g.spec.OrgID
	if g.orgID == "" {
		g.orgID = "o-" + lowerAlnum(g.rng, 10)
	}
}

// folder returns the key prefix of tree ("CloudTrail", "CloudTrail-Digest",
// "CloudTrail-Insight") for an account, region and day.
func (g *generator) folder(tree string, acct *account, region string, day time.Time) string {
	p := ""
	if g.spec.KeyPrefix != "" {
		p = trimSlashes(g.spec.KeyPrefix) + "/"
	}
	p += "AWSLogs/"
	if g.spec.Layout == LayoutOrganization {
		p += g.orgID + "/"
	}
	return p + acct.id + "/" + tree + "/" + region + "/" + day.Format("2006/01/02") + "/"
}

func (g *generator) newPlan(acct *account, region string, day time.Time, delivery int64, events int) *filePlan {
	p := &filePlan{
		index:    len(g.plans),
		prefix:   g.folder("CloudTrail", acct, region, day),
		acct:     acct,
		region:   region,
		day:      day.Unix(),
		delivery: delivery,
		events:   events,
		seed:     [2]uint64{g.rng.Uint64(), g.rng.Uint64()},
	}
	p.key = p.prefix + acct.id + "_CloudTrail_" + region + "_" + time.Unix(delivery, 0).UTC().Format("20060102T1504Z") + "_" + alnum(g.rng, 16) + ".json.gz"
	g.plans = append(g.plans, p)
	return p
}

func (g *generator) eventsPerFile() int {
	return g.spec.MinEventsPerFile + g.rng.IntN(g.spec.MaxEventsPerFile-g.spec.MinEventsPerFile+1)
}

// plan decides every file: for each day, account and region, the delivery
// minutes of its files (sorted, several may share one), then the broken
// files, each in a random region-day folder.
func (g *generator) plan() {
	s := g.spec
	for d := range s.Days {
		day := s.Start.AddDate(0, 0, d)
		for _, acct := range g.accounts {
			for _, region := range s.Regions {
				minutes := make([]int, s.FilesPerRegionDay)
				for i := range minutes {
					minutes[i] = 1 + g.rng.IntN(24*60-1)
				}
				slices.Sort(minutes)
				for i, m := range minutes {
					late := s.LateEvents && i == 0
					if late {
						m = 1 + g.rng.IntN(9) // delivered just after midnight
					}
					p := g.newPlan(acct, region, day, day.Unix()+int64(m)*60, g.eventsPerFile())
					p.late = late
				}
			}
		}
	}
	g.nLogs = len(g.plans)
	for _, kind := range s.Broken {
		day := s.Start.AddDate(0, 0, g.rng.IntN(s.Days))
		acct, region := pick(g.rng, g.accounts), pick(g.rng, s.Regions)
		p := g.newPlan(acct, region, day, day.Unix()+int64(1+g.rng.IntN(24*60-1))*60, max(2, g.eventsPerFile()))
		p.broken = kind
		if kind == BrokenUncompressedJSON {
			p.key = p.key[:len(p.key)-len(".gz")]
		}
	}
}

func (g *generator) makeFolders() error {
	made := map[string]bool{}
	for _, p := range g.plans {
		if !made[p.prefix] {
			if err := os.MkdirAll(filepath.Join(g.dir, filepath.FromSlash(p.prefix)), 0o755); err != nil {
				return err
			}
			made[p.prefix] = true
		}
	}
	return nil
}

// writeFiles writes every planned file, one worker per CPU.
func (g *generator) writeFiles() []fileResult {
	results := make([]fileResult, len(g.plans))
	next := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			w := &worker{g: g}
			for i := range next {
				results[i] = w.write(g.plans[i])
			}
		})
	}
	for i := range g.plans {
		next <- i
	}
	close(next)
	wg.Wait()
	return results
}

type worker struct {
	g    *generator
	json []byte
	gz   bytes.Buffer
	zw   *gzip.Writer
}

func (w *worker) write(p *filePlan) fileResult {
	r := rand.New(rand.NewPCG(p.seed[0], p.seed[1]))
	var res fileResult
	w.json = w.json[:0]
	if p.broken == "" {
		w.json = w.records(w.json, p, r, &res, "")
	} else {
		w.json = w.brokenContent(w.json, p, r, &res)
	}
	if w.g.spec.Digest && p.broken == "" {
		res.hash = sha256.Sum256(w.json)
	}
	data := w.json
	if p.broken != BrokenUncompressedJSON && p.broken != BrokenZeroBytes && p.broken != BrokenNotGzip {
		data = w.compress(w.json)
		if p.broken == BrokenTruncatedGzip {
			data = data[:len(data)/2]
		}
	}
	res.err = os.WriteFile(filepath.Join(w.g.dir, filepath.FromSlash(p.key)), data, 0o644)
	return res
}

// compress gzips b at the fastest level: it halves the time of a
// million-event tree for files a fifth larger than gzip's default makes.
func (w *worker) compress(b []byte) []byte {
	w.gz.Reset()
	if w.zw == nil {
		w.zw, _ = gzip.NewWriterLevel(&w.gz, gzip.BestSpeed)
	} else {
		w.zw.Reset(&w.gz)
	}
	w.zw.Write(b)
	w.zw.Close()
	return w.gz.Bytes()
}

// records appends {"Records":[...]} with p.events records. With a bad kind
// (bad-eventtime, missing-eventtime) one record is spoiled.
func (w *worker) records(b []byte, p *filePlan, r *rand.Rand, res *fileResult, bad string) []byte {
	times := make([]int64, p.events)
	for i := range times {
		times[i] = eventTime(p, r, i)
	}
	slices.Sort(times)
	spoiled := -1
	if bad != "" {
		spoiled = r.IntN(p.events)
	}
	e := &eventCtx{r: r, acct: p.acct, region: p.region}
	var node [8]byte
	b = append(b, `{"Records":[`...)
	for i, t := range times {
		if i > 0 {
			b = append(b, ',')
		}
		// The last six bytes of the eventID are a bijection of the
		// (file, record) number: unique by construction.
		seq := uint64(p.index)<<20 | uint64(i)
		n := (seq*0x9e3779b97f4a7c15 + uint64(w.g.spec.Seed)) & (1<<48 - 1)
		for j := range 6 {
			node[j] = byte(n >> (8 * (5 - j)))
		}
		id := uuid(r, node[:6])
		e.time = t
		start := len(b)
		b = appendEvent(b, e, []byte(id))
		if i == spoiled {
			b = spoil(b, start, bad)
			continue
		}
		res.times = append(res.times, t)
		res.ids = append(res.ids, idKey(id))
	}
	res.events = len(res.times)
	return append(b, "]}"...)
}

// MaxDeliveryLag bounds how long before its file's delivery (the name's
// timestamp) a record happened. It equals the margin that spec §4.6
// recommends for choosing files by name, so that choice loses no record.
const MaxDeliveryLag = 15 * time.Minute

// eventTime is the time of record i of a file: in the five minutes before
// delivery, or for one record in twenty up to MaxDeliveryLag before it. A
// late file's first record is from the previous day; otherwise records stay
// inside the folder's day.
func eventTime(p *filePlan, r *rand.Rand, i int) int64 {
	maxLag := int64(MaxDeliveryLag / time.Second)
	if p.late && i == 0 {
		// Delivered a few minutes after midnight: room is left before it.
		return p.day - 1 - r.Int64N(maxLag-(p.delivery-p.day))
	}
	span := int64(300)
	if r.IntN(20) == 0 {
		span = maxLag
	}
	if !p.late {
		span = min(span, p.delivery-p.day)
	}
	return p.delivery - 1 - r.Int64N(span)
}

// spoil rewrites the record that starts at b[start:] to lack a usable
// eventTime.
func spoil(b []byte, start int, bad string) []byte {
	rec := b[start:]
	i := bytes.Index(rec, []byte(`,"eventTime":"`))
	j := i + len(`,"eventTime":"`) + len("2006-01-02T15:04:05Z") + 1
	var repl []byte
	if bad == BrokenBadEventTime {
		// A plausible mistake: a local time in another format.
		t, _ := time.Parse("2006-01-02T15:04:05Z", string(rec[i+len(`,"eventTime":"`):j-1]))
		repl = append([]byte(`,"eventTime":"`), t.Format("01/02/2006 03:04:05 PM")...)
		repl = append(repl, '"')
	}
	out := append([]byte(nil), rec[:i]...)
	out = append(out, repl...)
	out = append(out, rec[j:]...)
	return append(b[:start], out...)
}

// brokenContent appends the uncompressed content of a broken file.
func (w *worker) brokenContent(b []byte, p *filePlan, r *rand.Rand, res *fileResult) []byte {
	switch p.broken {
	case BrokenNotGzip:
		return append(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>\n"...)
	case BrokenNotJSON:
		return append(b, "2024-01-01T00:00:00Z INFO this is an application log line, not CloudTrail JSON\n{\"Records\": [\n"...)
	case BrokenZeroBytes:
		return b
	case BrokenNoRecords:
		// One bare event, as an export of single events would write.
		e := &eventCtx{r: r, acct: p.acct, region: p.region, time: p.delivery - 60}
		return appendEvent(b, e, []byte(uuid(r, nil)))
	case BrokenRecordsNotArray:
		e := &eventCtx{r: r, acct: p.acct, region: p.region, time: p.delivery - 60}
		b = append(b, `{"Records":`...)
		b = appendEvent(b, e, []byte(uuid(r, nil)))
		return append(b, '}')
	case BrokenBadEventTime, BrokenMissingEventTime:
		b = w.records(b, p, r, res, p.broken)
		res.times, res.ids = nil, nil // good records, but not in the log-file figures
		return b
	case BrokenNonUTF8:
		// A Latin-1 "é" (0xe9) in a user agent, as a tool that rewrote the
		// file in another encoding would leave: valid JSON, invalid text.
		start := len(b)
		b = w.records(b, p, r, res, "")
		res.times, res.ids, res.events = nil, nil, 0
		i := start + bytes.Index(b[start:], []byte(`"eventName":"`)) + len(`"eventName":"`)
		return append(b[:i], append([]byte{0xe9}, b[i:]...)...)
	case BrokenDigestAsLog:
		// What CloudTrail writes to CloudTrail-Digest/, with no log files
		// listed: someone copied it among the logs.
		start := time.Unix(p.delivery-3600, 0).UTC().Format(time.RFC3339)
		end := time.Unix(p.delivery, 0).UTC().Format(time.RFC3339)
		return fmt.Appendf(b, `{"awsAccountId":%q,"digestStartTime":%q,"digestEndTime":%q,"digestS3Bucket":%q,"digestS3Object":%q,`+
			`"digestPublicKeyFingerprint":"00","digestSignatureAlgorithm":"SHA256withRSA","newestEventTime":null,"oldestEventTime":null,`+
			`"previousDigestS3Bucket":null,"previousDigestS3Object":null,"previousDigestHashValue":null,"previousDigestHashAlgorithm":null,`+
			`"previousDigestSignature":null,"logFiles":[]}`, p.acct.id, start, end, w.g.spec.Bucket, p.key)
	}
	// truncated-gzip and uncompressed-json: a good log file, spoiled later.
	b = w.records(b, p, r, res, "")
	res.times, res.ids, res.events = nil, nil, 0
	return b
}

func idKey(id string) [2]uint64 {
	var k [2]uint64
	raw, _ := hex.DecodeString(id[0:8] + id[9:13] + id[14:18] + id[19:23] + id[24:36])
	for i := range 8 {
		k[0] = k[0]<<8 | uint64(raw[i])
		k[1] = k[1]<<8 | uint64(raw[8+i])
	}
	return k
}

// truth adds up the results.
func (g *generator) truth(results []fileResult) (Truth, error) {
	t := Truth{
		Spec:            g.spec,
		EventsPerFile:   map[string]int{},
		EventsPerDay:    map[string]int{},
		EventsPerPrefix: map[string]int{},
		FilesPerPrefix:  map[string]int{},
		Broken:          []BrokenFile{},
		DigestFiles:     []string{},
		InsightsFiles:   []string{},
	}
	var ids [][2]uint64
	for i, p := range g.plans {
		res := &results[i]
		if res.err != nil {
			return Truth{}, res.err
		}
		if p.broken != "" {
			t.Broken = append(t.Broken, BrokenFile{Key: p.key, Kind: p.broken, FailureType: BrokenKinds[p.broken], ValidEvents: res.events})
			continue
		}
		t.Files++
		t.Events += len(res.times)
		t.EventsPerFile[p.key] = len(res.times)
		t.EventsPerPrefix[p.prefix] += len(res.times)
		t.FilesPerPrefix[p.prefix]++
		folderDay := time.Unix(p.day, 0).UTC().Format("2006-01-02")
		for _, s := range res.times {
			day := time.Unix(s, 0).UTC().Format("2006-01-02")
			t.EventsPerDay[day]++
			if day != folderDay {
				t.LateEvents++
			}
		}
		t.eventTimes = append(t.eventTimes, res.times...)
		ids = append(ids, res.ids...)
	}
	for prefix := range t.FilesPerPrefix {
		t.DayPrefixes = append(t.DayPrefixes, prefix)
	}
	slices.Sort(t.DayPrefixes)
	slices.Sort(t.eventTimes)
	if n := len(t.eventTimes); n > 0 {
		t.MinEventTime = time.Unix(t.eventTimes[0], 0).UTC()
		t.MaxEventTime = time.Unix(t.eventTimes[n-1], 0).UTC()
	}
	slices.SortFunc(ids, func(a, b [2]uint64) int {
		if a[0] != b[0] {
			return cmpUint(a[0], b[0])
		}
		return cmpUint(a[1], b[1])
	})
	for i := range ids {
		if i == 0 || ids[i] != ids[i-1] {
			t.EventIDs++
		}
	}
	return t, nil
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// writeDigests writes an hourly digest per account and region, chained by
// previousDigest*, listing the log files delivered in that hour with the
// SHA-256 of their uncompressed content, as CloudTrail's digests do.
func (g *generator) writeDigests(results []fileResult) ([]string, error) {
	type hourKey struct {
		acct, region string
		hour         int64
	}
	byHour := map[hourKey][]int{}
	for i, p := range g.plans[:g.nLogs] {
		k := hourKey{p.acct.id, p.region, p.delivery / 3600 * 3600}
		byHour[k] = append(byHour[k], i)
	}
	sum := sha256.Sum256([]byte(g.spec.Bucket + "/" + g.spec.TrailName))
	fingerprint := hex.EncodeToString(sum[:16])
	w := &worker{g: g}
	var keys []string
	for _, acct := range g.accounts {
		for _, region := range g.spec.Regions {
			var prevKey string
			var prevHash [32]byte
			var prevSig []byte
			for h := range 24 * g.spec.Days {
				hour := g.spec.Start.Unix() + int64(h)*3600
				delivered := time.Unix(hour+3600+int64(g.rng.IntN(900)), 0).UTC()
				key := g.folder("CloudTrail-Digest", acct, region, delivered) + acct.id + "_CloudTrail-Digest_" + region + "_" + g.spec.TrailName + "_" + g.spec.Regions[0] + "_" + delivered.Format("20060102T150405Z") + ".json.gz"
				files := byHour[hourKey{acct.id, region, hour}]
				var b []byte
				b = appendKV(append(b, '{'), true, "awsAccountId", acct.id)
				b = append(b, `,"digestStartTime":`...)
				b = appendTime(b, hour)
				b = append(b, `,"digestEndTime":`...)
				b = appendTime(b, hour+3600)
				b = appendKV(b, false, "digestS3Bucket", g.spec.Bucket)
				b = appendKV(b, false, "digestS3Object", key)
				b = appendKV(b, false, "digestPublicKeyFingerprint", fingerprint)
				b = appendKV(b, false, "digestSignatureAlgorithm", "SHA256withRSA")
				oldest, newest := int64(0), int64(0)
				for _, i := range files {
					for _, s := range results[i].times {
						if oldest == 0 || s < oldest {
							oldest = s
						}
						newest = max(newest, s)
					}
				}
				b = appendKey(b, false, "newestEventTime")
				b = appendTimeOrNull(b, newest)
				b = appendKey(b, false, "oldestEventTime")
				b = appendTimeOrNull(b, oldest)
				if prevKey == "" {
					b = append(b, `,"previousDigestS3Bucket":null,"previousDigestS3Object":null,"previousDigestHashValue":null,"previousDigestHashAlgorithm":null,"previousDigestSignature":null`...)
				} else {
					b = appendKV(b, false, "previousDigestS3Bucket", g.spec.Bucket)
					b = appendKV(b, false, "previousDigestS3Object", prevKey)
					b = appendKV(b, false, "previousDigestHashValue", hex.EncodeToString(prevHash[:]))
					b = appendKV(b, false, "previousDigestHashAlgorithm", "SHA-256")
					b = appendKV(b, false, "previousDigestSignature", string(prevSig))
				}
				b = append(b, `,"logFiles":[`...)
				for n, i := range files {
					if n > 0 {
						b = append(b, ',')
					}
					res := &results[i]
					b = appendKV(append(b, '{'), true, "s3Bucket", g.spec.Bucket)
					b = appendKV(b, false, "s3Object", g.plans[i].key)
					b = appendKV(b, false, "hashValue", hex.EncodeToString(res.hash[:]))
					b = appendKV(b, false, "hashAlgorithm", "SHA-256")
					newest, oldest := int64(0), int64(0)
					if len(res.times) > 0 { // times are sorted
						oldest, newest = res.times[0], res.times[len(res.times)-1]
					}
					b = appendKey(b, false, "newestEventTime")
					b = appendTimeOrNull(b, newest)
					b = appendKey(b, false, "oldestEventTime")
					b = appendTimeOrNull(b, oldest)
					b = append(b, '}')
				}
				b = append(b, "]}"...)

				if err := writeFile(g.dir, key, w.compress(b)); err != nil {
					return nil, err
				}
				keys = append(keys, key)
				prevKey, prevHash = key, sha256.Sum256(b)
				prevSig = appendHexRand(g.rng, prevSig[:0], 512) // RSA-2048: 256 bytes
			}
		}
	}
	return keys, nil
}

func appendTimeOrNull(b []byte, sec int64) []byte {
	if sec == 0 {
		return append(b, "null"...)
	}
	return appendTime(b, sec)
}

// writeInsights writes one Insights file per region-day: the start and end
// of an unusual rate of API calls.
func (g *generator) writeInsights() ([]string, error) {
	w := &worker{g: g}
	var keys []string
	for d := range g.spec.Days {
		day := g.spec.Start.AddDate(0, 0, d)
		for _, acct := range g.accounts {
			for _, region := range g.spec.Regions {
				start := day.Unix() + int64(g.rng.IntN(20*3600))
				end := start + int64(60*(1+g.rng.IntN(120)))
				delivered := time.Unix(end+int64(60*(5+g.rng.IntN(25))), 0).UTC()
				key := g.folder("CloudTrail-Insight", acct, region, day) + acct.id + "_CloudTrail-Insight_" + region + "_" + delivered.Format("20060102T1504Z") + "_" + alnum(g.rng, 16) + ".json.gz"
				shared := uuid(g.rng, nil)
				name := pick(g.rng, []string{"RunInstances", "GetObject", "AssumeRole", "Decrypt"})
				source := map[string]string{"RunInstances": "ec2.amazonaws.com", "GetObject": "s3.amazonaws.com", "AssumeRole": "sts.amazonaws.com", "Decrypt": "kms.amazonaws.com"}[name]
				baseline := 0.05 + g.rng.Float64()
				b := []byte(`{"Records":[`)
				for i, state := range []string{"Start", "End"} {
					if i > 0 {
						b = append(b, ',')
					}
					at := start
					if state == "End" {
						at = end
					}
					b = append(b, `{"eventVersion":"1.07","eventTime":`...)
					b = appendTime(b, at)
					b = appendKV(b, false, "awsRegion", region)
					b = appendKV(b, false, "eventID", uuid(g.rng, nil))
					b = appendKV(b, false, "eventType", "AwsCloudTrailInsight")
					b = appendKV(b, false, "recipientAccountId", acct.id)
					b = appendKV(b, false, "sharedEventID", shared)
					b = append(b, `,"insightDetails":{"state":"`...)
					b = append(append(b, state...), '"')
					b = appendKV(b, false, "eventSource", source)
					b = appendKV(b, false, "eventName", name)
					b = appendKV(b, false, "insightType", "ApiCallRateInsight")
					b = append(b, `,"insightContext":{"statistics":{"baseline":{"average":`...)
					b = strconv.AppendFloat(b, baseline, 'f', 4, 64)
					b = append(b, `},"insight":{"average":`...)
					b = strconv.AppendFloat(b, baseline*float64(20+g.rng.IntN(80)), 'f', 4, 64)
					b = append(b, '}')
					if state == "End" {
						b = append(b, `,"insightDuration":`...)
						b = appendInt(b, (end-start)/60)
					}
					b = append(b, `}}},"eventCategory":"Insight"}`...)
				}
				b = append(b, "]}"...)
				if err := writeFile(g.dir, key, w.compress(b)); err != nil {
					return nil, err
				}
				keys = append(keys, key)
			}
		}
	}
	return keys, nil
}

func writeFile(dir, key string, data []byte) error {
	p := filepath.Join(dir, filepath.FromSlash(key))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, data, 0o644)
}

func trimSlashes(s string) string {
	for len(s) > 0 && s[0] == '/' {
		s = s[1:]
	}
	for len(s) > 0 && s[len(s)-1] == '/' {
		s = s[:len(s)-1]
	}
	return s
}

func lowerAlnum(r *rand.Rand, n int) string {
	const chars = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = chars[r.IntN(len(chars))]
	}
	return string(b)
}

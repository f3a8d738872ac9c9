package e2e

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"math"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/ctlake/ctlake/internal/sqlcorpus"
	"github.com/ctlake/ctlake/trailgen"
)

// TestQueryCorpus runs the query corpus (testdata/queries/hunting.sql:
// threat-hunting queries written as analysts write them; and AWS's
// published example queries, internal/sqlcorpus/aws_examples.sql) through StartQuery / DescribeQuery /
// GetQueryResults with aws-sdk-go-v2, over the shared real dataset and over
// a generated trail tree, each imported into two stores. The expected rows
// never come from ctlake: corpusTruth computes each query's answer in plain
// Go from the raw trail files (gunzip, encoding/json), following Trino's
// semantics (three-valued logic, NULLS LAST, element_at on maps and arrays,
// json_extract_scalar, ...), and the rows are compared value by value with
// their column labels (spec §6.4). NULL is checked on the wire: the test
// reads the raw GetQueryResults bodies beside the SDK's rows, since the SDK
// turns JSON null into "".
func TestQueryCorpus(t *testing.T) {
	entries := append(parseCorpus(t, filepath.Join("testdata", "queries", "hunting.sql")),
		parseCorpus(t, "")...)
	names := map[string]bool{}
	for _, e := range entries {
		if names[e.name] {
			t.Fatalf("%s: two entries named %s", e.file, e.name)
		}
		names[e.name] = true
		if corpusTruth[e.name] == nil && e.expect == "" && !e.retyped {
			t.Fatalf("%s: entry %s has no truth function", e.file, e.name)
		}
	}
	for name := range corpusTruth {
		if !names[name] {
			t.Fatalf("truth function %s has no corpus entry", name)
		}
	}
	t.Logf("%d queries in the corpus", len(entries))

	t.Run("invictus", func(t *testing.T) {
		t.Parallel()
		dir := invictusDir(t)
		d := loadCorpusData(t, "invictus", dir, "file://"+dir+"/")
		// Values an analyst pastes in after a first look at this data (its
		// README and a count by key): benjamin's second access key, the two
		// human users.
		d.params["accessKey"] = "AKIATFQR7NSCUXC3DDDP"
		d.params["user1"], d.params["user2"] = "benjamin", "bert-jan"
		deriveParams(d)
		if d.params["firstTime"] != "2023-07-10 11:42:18" {
			t.Fatalf("first eventTime %s, the README says 2023-07-10 11:42:18", d.params["firstTime"])
		}
		runCorpus(t, d, entries, corpusOnly())
	})
	t.Run("generated", func(t *testing.T) {
		t.Parallel()
		// The three days before today, so that queries relative to now()
		// find events; several accounts and regions, no broken files.
		today := time.Now().UTC().Truncate(24 * time.Hour)
		spec := trailgen.Spec{Accounts: 3, Regions: []string{"us-east-1", "eu-west-1", "ap-southeast-2"}, Days: 3,
			FilesPerRegionDay: 3, Start: today.AddDate(0, 0, -3), Seed: 4242}
		src, truth := generate(t, "file", spec)
		dir := strings.TrimSuffix(strings.TrimPrefix(src.uri, "file://"), "/")
		d := loadCorpusData(t, "generated", dir, src.uri)
		if len(d.evs) != truth.Events {
			t.Fatalf("read %d events from the generated tree, the generator wrote %d", len(d.evs), truth.Events)
		}
		// The generator's users; the access key and the first second come
		// from the data, as an analyst would take them from a first query.
		d.params["user1"], d.params["user2"] = "alice", "bob"
		deriveParams(d)
		for _, e := range d.sorted() {
			if k, _ := e.s("userIdentity.accessKeyId").(string); strings.HasPrefix(k, "AKIA") {
				d.params["accessKey"] = k
				break
			}
		}
		runCorpus(t, d, entries, corpusOnly())
	})
}

// deriveParams sets the time values the corpus pastes in: the first
// second of the data, its day, and the eventTime of the middle event (as a
// timestamp and in ISO 8601).
func deriveParams(d *corpusData) {
	evs := d.sorted()
	first, mid := evs[0].t, evs[len(evs)/2].t
	d.params["firstTime"] = first.Format("2006-01-02 15:04:05")
	d.params["firstDate"] = first.Format("2006-01-02")
	d.params["midTime"] = mid.Format("2006-01-02 15:04:05")
	d.params["midIso"] = mid.Format(time.RFC3339)
}

// corpusOnly reads CTLAKE_CORPUS_ONLY, a comma-separated list of entry
// names to run alone while debugging (nil: run them all).
func corpusOnly() map[string]bool {
	v := os.Getenv("CTLAKE_CORPUS_ONLY")
	if v == "" {
		return nil
	}
	only := map[string]bool{}
	for _, name := range strings.Split(v, ",") {
		only[strings.TrimSpace(name)] = true
	}
	return only
}

// corpusEntry is one query of a corpus file.
type corpusEntry struct {
	file, name  string
	line        int
	what        string
	source      string // where a published query comes from
	placeholder string // the published query's stand-in for the store id
	expect      string // an error code the query must be refused with
	// gap names a known difference from CloudTrail Lake that ctlake has not
	// closed yet (README, "Known gaps"). The entry still runs and is
	// compared: a mismatch is logged, and a match fails the test, so that
	// the gap is taken off the list when it closes.
	gap string
	// retyped marks a published query retyped rather than pasted, for
	// which no truth function computes the rows yet: it must finish.
	retyped bool
	sql     string
}

// parseCorpus reads a corpus file (package sqlcorpus's format) at path,
// or AWS's published queries when path is "".
func parseCorpus(t *testing.T, path string) []corpusEntry {
	t.Helper()
	var entries []sqlcorpus.Entry
	var err error
	if path == "" {
		entries, err = sqlcorpus.AWSExamples()
	} else {
		entries, err = sqlcorpus.ReadFile(path)
	}
	if err != nil {
		t.Fatal(err)
	}
	out := make([]corpusEntry, len(entries))
	for i, e := range entries {
		c := corpusEntry{file: e.File, name: e.Name, line: e.Line, sql: e.SQL}
		for key, value := range e.Header {
			switch key {
			case "what":
				c.what = value
			case "source":
				c.source = value
			case "placeholder":
				c.placeholder = value
			case "expect":
				c.expect = value
			case "gap":
				c.gap = value
			case "retyped":
				c.retyped = true
			default:
				t.Fatalf("%s:%d: entry %s: unknown header @%s", e.File, e.Line, e.Name, key)
			}
		}
		out[i] = c
	}
	return out
}

// corpusData is a dataset imported into two stores, with its raw events.
type corpusData struct {
	name       string
	c          *cloudtrail.Client
	rec        *resultsRecorder
	store      string // id of the first store
	store2     string // id of the second, holding the same events
	evs        []*lakeEvent
	params     map[string]string
	start, end time.Time // wall clock around the query being checked
}

// loadCorpusData starts a server, imports the tree at uri into two stores
// one after the other, and reads the tree's events from dir.
func loadCorpusData(t *testing.T, name, dir, uri string) *corpusData {
	t.Helper()
	srv := StartServer(t)
	c := srv.Client("us-east-1")
	d := &corpusData{name: name, c: c, rec: &resultsRecorder{client: &http.Client{}}, params: map[string]string{}}
	for i, id := range []*string{&d.store, &d.store2} {
		arn := aws.ToString(create(t, c, fmt.Sprintf("%s-%d", name, i+1), func(in *cloudtrail.CreateEventDataStoreInput) {
			in.RetentionPeriod = aws.Int32(3653)
		}).EventDataStoreArn)
		done := waitImport(t, c, startImport(t, c, arn, uri))
		if done.ImportStatus != types.ImportStatusCompleted {
			t.Fatalf("import of %s into store %d ended %s", uri, i+1, done.ImportStatus)
		}
		*id = idOf(arn)
	}
	d.evs = readTrailTree(t, dir)
	return d
}

// lakeEvent is one raw CloudTrail record.
type lakeEvent struct {
	m map[string]any // decoded with UseNumber
	t time.Time
}

// readTrailTree reads every record of the log files under dir (gzip JSON
// {"Records": [...]}, under .../CloudTrail/...).
func readTrailTree(t *testing.T, dir string) []*lakeEvent {
	t.Helper()
	var evs []*lakeEvent
	err := filepath.WalkDir(dir, func(p string, de fs.DirEntry, err error) error {
		if err != nil || de.IsDir() || !strings.HasSuffix(p, ".json.gz") || !strings.Contains(filepath.ToSlash(p), "/CloudTrail/") {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		zr, err := gzip.NewReader(f)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		dec := json.NewDecoder(zr)
		dec.UseNumber()
		var doc struct{ Records []map[string]any }
		if err := dec.Decode(&doc); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		for _, r := range doc.Records {
			ts, _ := r["eventTime"].(string)
			tm, err := time.Parse(time.RFC3339, ts)
			if err != nil {
				return fmt.Errorf("%s: eventTime %q: %w", p, ts, err)
			}
			evs = append(evs, &lakeEvent{m: r, t: tm.UTC()})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) == 0 {
		t.Fatalf("no events under %s", dir)
	}
	return evs
}

// sorted returns the events by eventTime, then eventID.
func (d *corpusData) sorted() []*lakeEvent {
	evs := slices.Clone(d.evs)
	sortEvents(evs, false)
	return evs
}

// s returns the value at a dotted path of the record as a Lake string
// column or struct field shows it: the string, or nil for a missing or null
// member.
func (e *lakeEvent) s(path string) any {
	var v any = e.m
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return scalarText(v)
}

// scalarText is a JSON value as a map<string,string> value or string column
// holds it: strings verbatim, numbers and booleans as their JSON text,
// objects and arrays as JSON text, null as NULL.
func scalarText(v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}

func (e *lakeEvent) name() any { return e.s("eventName") }
func (e *lakeEvent) src() any  { return e.s("eventSource") }
func (e *lakeEvent) id() any   { return e.s("eventID") }
func (e *lakeEvent) err() any  { return e.s("errorCode") }

// mv is element_at(<map column>, key): the value, or NULL when the map is
// NULL or lacks the key.
func (e *lakeEvent) mv(col, key string) any {
	m, ok := e.m[col].(map[string]any)
	if !ok {
		return nil
	}
	return scalarText(m[key])
}

// mvJSON is the JSON document json_extract_scalar reads from
// element_at(<map column>, key): a nested object as it is, a string value
// parsed as JSON text (NULL if it is not JSON).
func (e *lakeEvent) mvJSON(col, key string) any {
	m, ok := e.m[col].(map[string]any)
	if !ok {
		return nil
	}
	v := m[key]
	if s, ok := v.(string); ok {
		dec := json.NewDecoder(strings.NewReader(s))
		dec.UseNumber()
		var doc any
		if dec.Decode(&doc) != nil {
			return nil
		}
		return doc
	}
	return v
}

// boolean returns a JSON boolean member as a Go bool, or nil.
func (e *lakeEvent) boolean(key string) any {
	b, ok := e.m[key].(bool)
	if !ok {
		return nil
	}
	return b
}

// resources returns the resources array (nil when NULL), each element as a
// struct {accountid, type, arn, arnprefix}.
func (e *lakeEvent) resources() ([]map[string]any, bool) {
	arr, ok := e.m["resources"].([]any)
	if !ok {
		return nil, false
	}
	out := make([]map[string]any, len(arr))
	for i, x := range arr {
		r, _ := x.(map[string]any)
		out[i] = map[string]any{"accountid": scalarText(r["accountId"]), "type": scalarText(r["type"]), "arn": scalarText(r["ARN"]), "arnprefix": scalarText(r["ARNPrefix"])}
	}
	return out, true
}

// resource1 is element_at(resources, 1).<field>.
func (e *lakeEvent) resource1(field string) any {
	rs, ok := e.resources()
	if !ok || len(rs) == 0 {
		return nil
	}
	return rs[0][field]
}

// jsonPathPattern splits a JSON path of the forms json_extract_scalar takes
// here: $.a.b[0].c.
var jsonPathPattern = regexp.MustCompile(`\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]`)

// jsonScalar is json_extract_scalar(doc, path) on an already decoded
// document: the scalar's text, NULL for objects, arrays, null and misses.
func jsonScalar(doc any, path string) any {
	if doc == nil {
		return nil
	}
	rest := strings.TrimPrefix(path, "$")
	v := doc
	for _, m := range jsonPathPattern.FindAllStringSubmatch(rest, -1) {
		switch {
		case m[1] != "":
			obj, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = obj[m[1]]
		default:
			arr, ok := v.([]any)
			n, _ := strconv.Atoi(m[2])
			if !ok || n >= len(arr) {
				return nil
			}
			v = arr[n]
		}
	}
	switch v.(type) {
	case map[string]any, []any:
		return nil
	}
	return scalarText(v)
}

// Predicates under SQL's three-valued logic, where WHERE keeps only TRUE:
// each is false when the value is NULL.

func isStr(v any, s string) bool  { x, ok := v.(string); return ok && x == s }
func notStr(v any, s string) bool { x, ok := v.(string); return ok && x != s }
func inStr(v any, set ...string) bool {
	x, ok := v.(string)
	return ok && slices.Contains(set, x)
}
func likeV(v any, pattern string) bool {
	x, ok := v.(string)
	return ok && likeRegexp(pattern).MatchString(x)
}
func notLikeV(v any, pattern string) bool {
	x, ok := v.(string)
	return ok && !likeRegexp(pattern).MatchString(x)
}

var likeCache sync.Map

// likeRegexp translates a LIKE pattern (%, _; no escape) to a regexp.
func likeRegexp(pattern string) *regexp.Regexp {
	if re, ok := likeCache.Load(pattern); ok {
		return re.(*regexp.Regexp)
	}
	var b strings.Builder
	b.WriteString(`(?s)^`)
	for _, r := range pattern {
		switch r {
		case '%':
			b.WriteString(`.*`)
		case '_':
			b.WriteString(`.`)
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString(`$`)
	re := regexp.MustCompile(b.String())
	likeCache.Store(pattern, re)
	return re
}

// coalesce returns the first non-NULL value.
func coalesce(vs ...any) any {
	for _, v := range vs {
		if v != nil {
			return v
		}
	}
	return nil
}

// splitPart is Trino's split_part: the index-th field (from 1), NULL past
// the last.
func splitPart(v any, delim string, index int) any {
	s, ok := v.(string)
	if !ok {
		return nil
	}
	parts := strings.Split(s, delim)
	if index > len(parts) {
		return nil
	}
	return parts[index-1]
}

// regexpExtract is Trino's regexp_extract(s, pattern, group): the group of
// the first match, NULL without a match.
func regexpExtract(v any, pattern string, group int) any {
	s, ok := v.(string)
	if !ok {
		return nil
	}
	m := regexp.MustCompile(pattern).FindStringSubmatchIndex(s)
	if m == nil || m[2*group] < 0 {
		return nil
	}
	return s[m[2*group]:m[2*group+1]]
}

// tryCastInt is TRY_CAST(v AS integer).
func tryCastInt(v any) any {
	s, ok := v.(string)
	if !ok {
		return nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 32)
	if err != nil {
		return nil
	}
	return n
}

// urlHost is Trino's url_extract_host.
func urlHost(v any) any {
	s, ok := v.(string)
	if !ok {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return nil
	}
	return u.Hostname()
}

// round is Trino's round(double, d): half away from zero.
func round(x float64, d int) float64 {
	p := math.Pow(10, float64(d))
	return math.Round(x*p) / p
}

func where(evs []*lakeEvent, keep func(*lakeEvent) bool) []*lakeEvent {
	var out []*lakeEvent
	for _, e := range evs {
		if keep(e) {
			out = append(out, e)
		}
	}
	return out
}

// sortEvents orders events by eventTime, then eventID (descending both when
// desc is set).
func sortEvents(evs []*lakeEvent, desc bool) {
	sort.SliceStable(evs, func(i, j int) bool {
		a, b := evs[i], evs[j]
		if !a.t.Equal(b.t) {
			return a.t.Before(b.t) != desc
		}
		x, _ := a.id().(string)
		y, _ := b.id().(string)
		return (x < y) != desc
	})
}

// eventGroup is one GROUP BY group.
type eventGroup struct {
	key []any
	evs []*lakeEvent
}

// groupBy groups events by a key of values, NULL being a value of its own.
func groupBy(evs []*lakeEvent, key func(*lakeEvent) []any) []*eventGroup {
	index := map[string]*eventGroup{}
	var out []*eventGroup
	for _, e := range evs {
		k := key(e)
		ks := fmt.Sprintf("%#v", k)
		g := index[ks]
		if g == nil {
			g = &eventGroup{key: k}
			index[ks] = g
			out = append(out, g)
		}
		g.evs = append(g.evs, e)
	}
	return out
}

func countIf(evs []*lakeEvent, f func(*lakeEvent) bool) int64 { return int64(len(where(evs, f))) }

func countDistinct(evs []*lakeEvent, f func(*lakeEvent) any) int64 {
	seen := map[any]bool{}
	for _, e := range evs {
		if v := f(e); v != nil {
			seen[v] = true
		}
	}
	return int64(len(seen))
}

// minTime and maxTime are min(eventTime) and max(eventTime): NULL over no
// rows.
func minTime(evs []*lakeEvent) any {
	if len(evs) == 0 {
		return nil
	}
	m := evs[0].t
	for _, e := range evs {
		if e.t.Before(m) {
			m = e.t
		}
	}
	return m
}

func maxTime(evs []*lakeEvent) any {
	if len(evs) == 0 {
		return nil
	}
	m := evs[0].t
	for _, e := range evs {
		if e.t.After(m) {
			m = e.t
		}
	}
	return m
}

// distinctStrings is SELECT DISTINCT of one column (NULL included once).
func distinctStrings(evs []*lakeEvent, f func(*lakeEvent) any) map[any]bool {
	out := map[any]bool{}
	for _, e := range evs {
		out[f(e)] = true
	}
	return out
}

// ord is one ORDER BY key: a column of the expected rows (hidden trailing
// columns included).
type ord struct {
	col        int
	desc       bool
	nullsFirst bool // Trino's default is NULLS LAST either way
}

func asc(col int) ord         { return ord{col: col} }
func desc(col int) ord        { return ord{col: col, desc: true} }
func ascNulls1st(col int) ord { return ord{col: col, nullsFirst: true} }

// cmpValues orders two non-NULL values of one type.
func cmpValues(a, b any) int {
	switch x := a.(type) {
	case string:
		return strings.Compare(x, b.(string))
	case int64:
		return cmp.Compare(x, b.(int64))
	case float64:
		return cmp.Compare(x, b.(float64))
	case time.Time:
		return x.Compare(b.(time.Time))
	case bool:
		y := b.(bool)
		return b2i(x) - b2i(y)
	}
	panic(fmt.Sprintf("cannot order %T", a))
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// cmpOrd compares two rows on one key.
func cmpOrd(a, b []any, o ord) int {
	x, y := a[o.col], b[o.col]
	switch {
	case x == nil && y == nil:
		return 0
	case x == nil:
		return map[bool]int{true: -1, false: 1}[o.nullsFirst]
	case y == nil:
		return map[bool]int{true: 1, false: -1}[o.nullsFirst]
	}
	c := cmpValues(x, y)
	if o.desc {
		c = -c
	}
	return c
}

// want is the answer of one query.
type want struct {
	cols   []string // labels; rows may carry hidden trailing columns (sort keys)
	rows   [][]any  // Go values: string, int64, float64, time.Time, bool, nil (NULL), skipValue
	ords   []ord    // the statement's ORDER BY; rows tied on it may come in any order
	limit  int      // the statement's LIMIT (0: none); rows holds the result before it
	approx []int    // columns of approximate counts (approx_distinct)
	skip   []int    // columns whose values are not compared (maps, structs, arrays, JSON)
	unsure string   // when set, the answer could not be pinned down: not compared
}

// result builds a want, sorting rows on ords (stably).
func result(cols []string, rows [][]any, ords ...ord) *want {
	sort.SliceStable(rows, func(i, j int) bool {
		for _, o := range ords {
			if c := cmpOrd(rows[i], rows[j], o); c != 0 {
				return c < 0
			}
		}
		return false
	})
	return &want{cols: cols, rows: rows, ords: ords}
}

func (w *want) limitTo(n int) *want       { w.limit = n; return w }
func (w *want) approxCols(c ...int) *want { w.approx = c; return w }
func (w *want) skipCols(c ...int) *want   { w.skip = c; return w }

// row is a convenience for building rows.
func row(vs ...any) []any { return vs }

// lakeText renders an expected value as GetQueryResults shows it (spec
// §6.4), nil for NULL.
func lakeText(v any) *string {
	var s string
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		s = x
	case int64:
		s = strconv.FormatInt(x, 10)
	case int:
		s = strconv.Itoa(x)
	case float64:
		s = javaDouble(x)
	case bool:
		s = strconv.FormatBool(x)
	case time.Time:
		s = x.UTC().Format("2006-01-02 15:04:05.000")
	default:
		panic(fmt.Sprintf("no text form for %T", v))
	}
	return &s
}

// javaDouble formats a DOUBLE as Trino (Java's Double.toString) does:
// plain from 1e-3 to 1e7, scientific outside, always with a fraction.
func javaDouble(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		return "0.0"
	}
	if a := math.Abs(f); a >= 1e-3 && a < 1e7 {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	s := strconv.FormatFloat(f, 'E', -1, 64)
	mant, exp, _ := strings.Cut(s, "E")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	n, _ := strconv.Atoi(exp)
	return mant + "E" + strconv.Itoa(n)
}

// resultsRecorder is the SDK's HTTP client for GetQueryResults: it keeps
// each response body, so that the test sees JSON null where the SDK gives "".
type resultsRecorder struct {
	client *http.Client
	mu     sync.Mutex
	pages  [][]byte
}

func (r *resultsRecorder) Do(req *http.Request) (*http.Response, error) {
	resp, err := r.client.Do(req)
	if err != nil || !strings.HasSuffix(req.Header.Get("X-Amz-Target"), ".GetQueryResults") {
		return resp, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	r.pages = append(r.pages, b)
	r.mu.Unlock()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return resp, nil
}

func (r *resultsRecorder) take() [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.pages
	r.pages = nil
	return p
}

// gotCell is one cell of a result row as it came over the wire.
type gotCell struct {
	label string
	value *string
}

// corpusOutcome is what ctlake answered to one query.
type corpusOutcome struct {
	code   string // the error StartQuery answered with
	status types.QueryStatus
	msg    string
	rows   [][]gotCell
	total  int32
	took   time.Duration
}

// runLakeQuery runs one statement through the SDK and reads all its rows.
func (d *corpusData) runLakeQuery(t *testing.T, sql string) corpusOutcome {
	t.Helper()
	began := time.Now()
	start, err := d.c.StartQuery(ctx, &cloudtrail.StartQueryInput{QueryStatement: aws.String(sql)})
	if err != nil {
		return corpusOutcome{code: errorCode(err), msg: err.Error()}
	}
	desc := waitQuery(t, d.c, aws.ToString(start.QueryId))
	out := corpusOutcome{status: desc.QueryStatus, msg: aws.ToString(desc.ErrorMessage)}
	if desc.QueryStatus != types.QueryStatusFinished {
		out.took = time.Since(began)
		return out
	}
	var sdkRows [][]map[string]string
	d.rec.take()
	p := cloudtrail.NewGetQueryResultsPaginator(d.c, &cloudtrail.GetQueryResultsInput{QueryId: start.QueryId})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx, func(o *cloudtrail.Options) { o.HTTPClient = d.rec })
		if err != nil {
			t.Fatalf("GetQueryResults: %v", err)
		}
		sdkRows = append(sdkRows, page.QueryResultRows...)
		if page.QueryStatistics != nil {
			out.total = aws.ToInt32(page.QueryStatistics.TotalResultsCount)
		}
	}
	for _, body := range d.rec.take() {
		var page struct {
			QueryResultRows [][]map[string]*string
		}
		if err := json.Unmarshal(body, &page); err != nil {
			t.Fatalf("GetQueryResults body: %v\n%s", err, body)
		}
		for _, r := range page.QueryResultRows {
			var cells []gotCell
			for _, cell := range r {
				if len(cell) != 1 {
					t.Errorf("%s: a cell with %d keys, want one (spec §6.4): %v", sql, len(cell), cell)
				}
				for k, v := range cell {
					cells = append(cells, gotCell{k, v})
				}
			}
			out.rows = append(out.rows, cells)
		}
	}
	// The SDK's rows are the wire's, with null as "".
	if len(sdkRows) != len(out.rows) {
		t.Errorf("%s: the SDK read %d rows, the wire carried %d", sql, len(sdkRows), len(out.rows))
	} else {
		for i, r := range sdkRows {
			for j, cell := range r {
				for k, v := range cell {
					if j >= len(out.rows[i]) || out.rows[i][j].label != k || aws.ToString(out.rows[i][j].value) != v {
						t.Errorf("%s: row %d cell %d: the SDK read %s=%q, the wire differs", sql, i, j, k, v)
					}
				}
			}
		}
	}
	out.took = time.Since(began)
	return out
}

// substitute fills the store ids and the dataset's values into an entry.
func (d *corpusData) substitute(t *testing.T, e corpusEntry) string {
	t.Helper()
	if e.placeholder != "" {
		if !strings.Contains(e.sql, e.placeholder) {
			t.Fatalf("%s: the statement has no %s", e.name, e.placeholder)
		}
		return strings.ReplaceAll(e.sql, e.placeholder, d.store)
	}
	sql := strings.NewReplacer("$EDS2", d.store2, "$EDS", d.store).Replace(e.sql)
	return regexp.MustCompile(`\{\{(\w+)\}\}`).ReplaceAllStringFunc(sql, func(m string) string {
		v, ok := d.params[m[2:len(m)-2]]
		if !ok {
			t.Fatalf("%s: no value for %s in dataset %s", e.name, m, d.name)
		}
		return v
	})
}

// runCorpus runs every entry over d and compares the answers. only, when
// not nil, restricts the run to the named entries.
func runCorpus(t *testing.T, d *corpusData, entries []corpusEntry, only map[string]bool) {
	began := time.Now()
	var slowest, counts []string
	ran := 0
	for _, e := range entries {
		if only != nil && !only[e.name] {
			continue
		}
		sql := d.substitute(t, e)
		d.start = time.Now()
		got := d.runLakeQuery(t, sql)
		d.end = time.Now()
		ran++
		where := fmt.Sprintf("[%s] %s (%s:%d)", d.name, e.name, e.file, e.line)
		if got.took > 300*time.Millisecond {
			slowest = append(slowest, fmt.Sprintf("%s %v", e.name, got.took.Round(time.Millisecond)))
		}
		if e.gap != "" {
			ok := got.code == "" && got.status == types.QueryStatusFinished && len(compareRows(corpusTruth[e.name](d), got.rows)) == 0
			if ok {
				t.Errorf("%s: the known gap %q is closed: the query now answers as CloudTrail Lake; remove its @gap line and the README entry", where, e.gap)
			} else {
				t.Logf("%s: known gap, not yet matched: %s (got %s %s %s)", where, e.gap, got.code, got.status, got.msg)
			}
			continue
		}
		if e.expect != "" {
			if got.code != e.expect {
				t.Errorf("%s: want %s, got code %q status %s %s\n%s", where, e.expect, got.code, got.status, got.msg, indent(sql))
			}
			continue
		}
		if got.code != "" {
			t.Errorf("%s: StartQuery refused it: %s: %s\n%s", where, got.code, got.msg, indent(sql))
			continue
		}
		if got.status != types.QueryStatusFinished {
			t.Errorf("%s: ended %s: %s\n%s", where, got.status, got.msg, indent(sql))
			continue
		}
		if e.retyped {
			continue // it finished; no truth function computes its rows yet
		}
		w := corpusTruth[e.name](d)
		if w.unsure != "" {
			t.Logf("%s: not compared: %s", where, w.unsure)
			continue
		}
		counts = append(counts, fmt.Sprintf("%s=%d", e.name, len(got.rows)))
		if int(got.total) != len(got.rows) {
			t.Errorf("%s: TotalResultsCount %d, %d rows delivered", where, got.total, len(got.rows))
		}
		if problems := compareRows(w, got.rows); len(problems) > 0 {
			t.Errorf("%s:\n%s\n%s", where, indent(sql), strings.Join(problems, "\n"))
		}
	}
	t.Logf("%s: %d queries in %v; slower than 300ms: %v\nrows: %s", d.name, ran, time.Since(began).Round(time.Millisecond), slowest, strings.Join(counts, " "))
}

func indent(s string) string { return "    " + strings.ReplaceAll(s, "\n", "\n    ") }

// renderWant renders the expected rows (visible columns) as text cells.
func renderWant(w *want, r []any) []*string {
	out := make([]*string, len(w.cols))
	for i := range w.cols {
		if slices.Contains(w.skip, i) {
			continue
		}
		out[i] = lakeText(r[i])
	}
	return out
}

func showCells(cols []string, vals []*string) string {
	var parts []string
	for i, c := range cols {
		v := "NULL"
		if vals[i] != nil {
			v = strconv.Quote(*vals[i])
		}
		parts = append(parts, c+"="+v)
	}
	return "{" + strings.Join(parts, " ") + "}"
}

func showGot(r []gotCell) string {
	var cols []string
	var vals []*string
	for _, c := range r {
		cols = append(cols, c.label)
		vals = append(vals, c.value)
	}
	return showCells(cols, vals)
}

// cellsMatch compares one got row with one expected row.
func cellsMatch(w *want, exp []*string, got []gotCell) bool {
	if len(got) != len(w.cols) {
		return false
	}
	for i, c := range got {
		if c.label != w.cols[i] {
			return false
		}
		if slices.Contains(w.skip, i) {
			continue
		}
		e := exp[i]
		if (e == nil) != (c.value == nil) {
			return false
		}
		if e == nil || *e == *c.value {
			continue
		}
		if slices.Contains(w.approx, i) {
			x, err1 := strconv.ParseFloat(*e, 64)
			y, err2 := strconv.ParseFloat(*c.value, 64)
			// Trino's approx_distinct has a standard error of 2.3%, and
			// counts small sets exactly (its sparse HyperLogLog).
			if err1 == nil && err2 == nil && math.Abs(x-y) <= math.Max(1, 0.023*x) {
				continue
			}
		}
		return false
	}
	return true
}

// compareRows checks the rows ctlake returned against the expected ones:
// labels and values, in the statement's order, where rows tied on the ORDER
// BY keys (or all rows, without ORDER BY) may come in any order, and a LIMIT
// that cuts through tied rows may keep any of them.
func compareRows(w *want, got [][]gotCell) []string {
	var problems []string
	n := len(w.rows)
	if w.limit > 0 && n > w.limit {
		n = w.limit
	}
	if len(got) != n {
		problems = append(problems, fmt.Sprintf("    %d rows, want %d", len(got), n))
	}
	for i, r := range got {
		if len(r) != len(w.cols) || func() bool {
			for j, c := range r {
				if c.label != w.cols[j] {
					return true
				}
			}
			return false
		}() {
			problems = append(problems, fmt.Sprintf("    row %d labels %s, want %v", i, showGot(r), w.cols))
			break
		}
	}
	// Blocks of rows tied on the ORDER BY keys.
	tied := func(a, b []any) bool {
		if len(w.ords) == 0 {
			return true
		}
		for _, o := range w.ords {
			if cmpOrd(a, b, o) != 0 {
				return false
			}
		}
		return true
	}
	exp := make([][]*string, len(w.rows))
	for i, r := range w.rows {
		exp[i] = renderWant(w, r)
	}
	gi := 0
	for start := 0; start < len(w.rows) && gi < len(got); {
		end := start + 1
		for end < len(w.rows) && tied(w.rows[start], w.rows[end]) {
			end++
		}
		take := min(end-start, len(got)-gi)
		if w.limit > 0 {
			take = min(take, w.limit-gi)
		}
		used := make([]bool, end-start)
		for k := 0; k < take; k++ {
			g := got[gi+k]
			found := false
			for j := start; j < end; j++ {
				if !used[j-start] && cellsMatch(w, exp[j], g) {
					used[j-start], found = true, true
					break
				}
			}
			if !found {
				// Show the expected row at that place (one of the tied
				// rows when there are several).
				want := showCells(w.cols, exp[min(start+k, end-1)])
				if end-start > 1 {
					want += fmt.Sprintf(" (or another of %d rows tied on the ORDER BY)", end-start)
				}
				problems = append(problems, fmt.Sprintf("    row %d: got  %s\n           want %s", gi+k, showGot(g), want))
			}
		}
		gi += take
		start = end
		if len(problems) > 12 {
			problems = append(problems, "    ...")
			break
		}
	}
	if len(got) < n && len(problems) < 12 {
		for i := len(got); i < n && i < len(got)+5; i++ {
			problems = append(problems, fmt.Sprintf("    missing row %d: %s", i, showCells(w.cols, exp[i])))
		}
	}
	return problems
}

// ts parses a timestamp literal as the queries write them (UTC).
func ts(s string) time.Time {
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	panic("bad timestamp " + s)
}

// between is a < t < b on eventTime (both bounds open).
func (e *lakeEvent) between(a, b string) bool { return e.t.After(ts(a)) && e.t.Before(ts(b)) }

// starColumns are the columns of SELECT * (spec §6.2, lower case), with the
// record member each comes from; "" marks the columns whose values are maps,
// structs, arrays or the event's JSON, not compared here.
var starColumns = []struct{ name, member string }{
	{"eventversion", "eventVersion"}, {"useridentity", ""}, {"eventtime", "eventTime"}, {"eventsource", "eventSource"},
	{"eventname", "eventName"}, {"awsregion", "awsRegion"}, {"sourceipaddress", "sourceIPAddress"}, {"useragent", "userAgent"},
	{"errorcode", "errorCode"}, {"errormessage", "errorMessage"}, {"requestparameters", ""}, {"responseelements", ""},
	{"additionaleventdata", ""}, {"requestid", "requestID"}, {"eventid", "eventID"}, {"readonly", "readOnly"},
	{"resources", ""}, {"eventtype", "eventType"}, {"apiversion", "apiVersion"}, {"managementevent", "managementEvent"},
	{"recipientaccountid", "recipientAccountId"}, {"sharedeventid", "sharedEventID"}, {"annotation", "annotation"},
	{"vpcendpointid", "vpcEndpointId"}, {"vpcendpointaccountid", "vpcEndpointAccountId"}, {"serviceeventdetails", ""},
	{"addendum", ""}, {"edgedevicedetails", ""}, {"insightdetails", ""}, {"eventcategory", "eventCategory"},
	{"tlsdetails", ""}, {"sessioncredentialfromconsole", "sessionCredentialFromConsole"}, {"eventjson", ""}, {"eventjsonchecksum", ""},
}

// selectStar is the answer of SELECT * over events, in no order.
func selectStar(evs []*lakeEvent) *want {
	var cols []string
	var skip []int
	for i, c := range starColumns {
		cols = append(cols, c.name)
		if c.member == "" {
			skip = append(skip, i)
		}
	}
	var rows [][]any
	for _, e := range evs {
		var r []any
		for _, c := range starColumns {
			switch c.member {
			case "":
				r = append(r, nil)
			case "eventTime":
				r = append(r, e.t)
			case "readOnly", "managementEvent":
				r = append(r, e.boolean(c.member))
			default:
				r = append(r, e.s(c.member))
			}
		}
		rows = append(rows, r)
	}
	return result(cols, rows).skipCols(skip...)
}

// eventRows builds one row per event (sorted by eventTime, eventID, which
// the row carries as two hidden trailing columns for the ORDER BY).
func eventRows(evs []*lakeEvent, f func(*lakeEvent) []any) [][]any {
	evs = slices.Clone(evs)
	sortEvents(evs, false)
	var rows [][]any
	for _, e := range evs {
		rows = append(rows, append(f(e), e.t, e.id()))
	}
	return rows
}

// groupRows builds one row per group.
func groupRows(gs []*eventGroup, f func(g *eventGroup) []any) [][]any {
	var rows [][]any
	for _, g := range gs {
		if r := f(g); r != nil {
			rows = append(rows, r)
		}
	}
	return rows
}

func n(evs []*lakeEvent) int64 { return int64(len(evs)) }

// truthFunc computes the answer of one corpus query over a dataset.
type truthFunc func(d *corpusData) *want

// corpusTruth holds, by entry name, the answer of every corpus query,
// computed from the raw records alone.
var corpusTruth = map[string]truthFunc{
	"console-login-without-mfa": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool {
			return isStr(e.name(), "ConsoleLogin") && isStr(e.mv("additionalEventData", "MFAUsed"), "No") && e.t.After(ts("2020-01-01 00:00:00"))
		})
		rows := eventRows(evs, func(e *lakeEvent) []any {
			return row(e.t, e.s("userIdentity.userName"), e.s("sourceIPAddress"), e.mv("additionalEventData", "MFAUsed"))
		})
		return result([]string{"eventTime", "userName", "sourceIPAddress", "mfaUsed"}, rows, asc(4), asc(5))
	},
	"console-login-outcomes": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool {
			return isStr(e.src(), "signin.amazonaws.com") && isStr(e.name(), "ConsoleLogin")
		})
		gs := groupBy(evs, func(e *lakeEvent) []any {
			return row(e.s("userIdentity.type"), e.mv("responseElements", "ConsoleLogin"))
		})
		rows := groupRows(gs, func(g *eventGroup) []any { return row(g.key[0], g.key[1], n(g.evs)) })
		return result([]string{"type", "outcome", "logins"}, rows, desc(2), asc(0), asc(1))
	},
	"root-activity": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool {
			return isStr(e.s("userIdentity.type"), "Root") && e.t.After(ts("2020-01-01 00:00:00"))
		})
		gs := groupBy(evs, func(e *lakeEvent) []any { return row(e.src(), e.name()) })
		rows := groupRows(gs, func(g *eventGroup) []any { return row(g.key[0], g.key[1], n(g.evs), minTime(g.evs)) })
		return result([]string{"eventSource", "eventName", "calls", "firstCall"}, rows, desc(2), asc(0), asc(1))
	},
	"access-key-activity": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool { return isStr(e.s("userIdentity.accessKeyId"), d.params["accessKey"]) })
		gs := groupBy(evs, func(e *lakeEvent) []any { return row(e.src(), e.name(), e.s("sourceIPAddress")) })
		rows := groupRows(gs, func(g *eventGroup) []any {
			return row(g.key[0], g.key[1], g.key[2], n(g.evs), minTime(g.evs), maxTime(g.evs))
		})
		return result([]string{"eventSource", "eventName", "sourceIPAddress", "calls", "firstSeen", "lastSeen"}, rows, desc(3), asc(0), asc(1), asc(2))
	},
	"errors-by-principal": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool {
			return e.err() != nil && !e.t.Before(ts("2020-01-01 00:00:00")) && !e.t.After(ts("2030-01-01 00:00:00"))
		})
		gs := groupBy(evs, func(e *lakeEvent) []any { return row(e.s("userIdentity.arn"), e.err()) })
		rows := groupRows(gs, func(g *eventGroup) []any { return row(g.key[0], g.key[1], n(g.evs)) })
		return result([]string{"principal", "errorCode", "errors"}, rows, desc(2), asc(0), asc(1)).limitTo(20)
	},
	"access-denied-by-user": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool {
			return isStr(e.err(), "AccessDenied") || likeV(e.err(), "%UnauthorizedOperation")
		})
		gs := groupBy(evs, func(e *lakeEvent) []any {
			who := coalesce(e.s("userIdentity.userName"), e.s("userIdentity.sessionContext.sessionIssuer.userName"), e.s("userIdentity.invokedBy"))
			return row(who, e.src())
		})
		rows := groupRows(gs, func(g *eventGroup) []any { return row(g.key[0], g.key[1], n(g.evs)) })
		return result([]string{"who", "eventSource", "denied"}, rows, desc(2), asc(0), asc(1))
	},
	"assume-role-from-outside": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool {
			if !isStr(e.src(), "sts.amazonaws.com") || !isStr(e.name(), "AssumeRole") {
				return false
			}
			acct := e.s("userIdentity.accountId")
			roleAcct := splitPart(e.mv("requestParameters", "roleArn"), ":", 5)
			return acct == nil || roleAcct != nil && acct != roleAcct
		})
		gs := groupBy(evs, func(e *lakeEvent) []any {
			return row(e.mv("requestParameters", "roleArn"), e.s("userIdentity.invokedBy"))
		})
		rows := groupRows(gs, func(g *eventGroup) []any { return row(g.key[0], g.key[1], n(g.evs)) })
		return result([]string{"roleArn", "invokedBy", "assumptions"}, rows, desc(2), asc(0), asc(1))
	},
	"caller-outside-recipient-account": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool {
			a, b := e.s("userIdentity.accountId"), e.s("recipientAccountId")
			return a != b // IS DISTINCT FROM: NULL is a value
		})
		gs := groupBy(evs, func(e *lakeEvent) []any { return row(e.src()) })
		rows := groupRows(gs, func(g *eventGroup) []any { return row(g.key[0], n(g.evs)) })
		return result([]string{"eventSource", "events"}, rows, desc(1), asc(0))
	},
	"security-group-changes": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool {
			return isStr(e.src(), "ec2.amazonaws.com") && inStr(e.name(), "AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress",
				"RevokeSecurityGroupIngress", "RevokeSecurityGroupEgress", "CreateSecurityGroup", "DeleteSecurityGroup", "ModifySecurityGroupRules")
		})
		rows := eventRows(evs, func(e *lakeEvent) []any {
			return row(e.t, e.name(), e.s("userIdentity.arn"), e.mv("requestParameters", "groupId"), e.err())
		})
		return result([]string{"eventTime", "eventName", "actor", "groupId", "errorCode"}, rows, asc(5), asc(6))
	},
	"security-group-open-to-world": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool {
			return isStr(e.name(), "AuthorizeSecurityGroupIngress") &&
				(likeV(e.mv("requestParameters", "ipPermissions"), "%0.0.0.0/0%") || isStr(e.mv("requestParameters", "cidrIp"), "0.0.0.0/0"))
		})
		gs := groupBy(evs, func(e *lakeEvent) []any { return row(e.mv("requestParameters", "groupId")) })
		rows := groupRows(gs, func(g *eventGroup) []any { return row(g.key[0], n(g.evs)) })
		return result([]string{"securityGroup", "openings"}, rows, desc(1), asc(0))
	},
	"iam-persistence": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool {
			return isStr(e.src(), "iam.amazonaws.com") && inStr(e.name(), "CreateUser", "CreateLoginProfile", "UpdateLoginProfile", "CreateAccessKey",
				"AttachUserPolicy", "PutUserPolicy", "AttachRolePolicy", "CreateRole", "UpdateAssumeRolePolicy", "AddUserToGroup")
		})
		gs := groupBy(evs, func(e *lakeEvent) []any { return row(e.name()) })
		rows := groupRows(gs, func(g *eventGroup) []any {
			return row(g.key[0], n(g.evs), countIf(g.evs, func(e *lakeEvent) bool { return e.err() == nil }))
		})
		return result([]string{"eventName", "changes", "succeeded"}, rows, asc(0))
	},
	"new-iam-users": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool { return isStr(e.name(), "CreateUser") })
		rows := eventRows(evs, func(e *lakeEvent) []any {
			return row(e.t, e.s("userIdentity.userName"), e.mv("requestParameters", "userName"), jsonScalar(e.mvJSON("responseElements", "user"), "$.userId"))
		})
		return result([]string{"eventTime", "createdBy", "newUser", "newUserId"}, rows, asc(0), asc(2), asc(5))
	},
	"access-keys-created-for-others": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool {
			owner := e.mv("requestParameters", "userName")
			return isStr(e.name(), "CreateAccessKey") && owner != nil && owner != coalesce(e.s("userIdentity.userName"), "")
		})
		rows := eventRows(evs, func(e *lakeEvent) []any {
			return row(e.t, e.s("userIdentity.arn"), e.mv("requestParameters", "userName"), jsonScalar(e.mvJSON("responseElements", "accessKey"), "$.accessKeyId"))
		})
		return result([]string{"eventTime", "actor", "keyOwner", "newAccessKeyId"}, rows, asc(4), asc(5))
	},
	"admin-policy-attached": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool {
			return inStr(e.name(), "AttachUserPolicy", "AttachRolePolicy", "AttachGroupPolicy") && likeV(e.mv("requestParameters", "policyArn"), "%AdministratorAccess")
		})
		rows := eventRows(evs, func(e *lakeEvent) []any {
			return row(e.t, e.name(), coalesce(e.mv("requestParameters", "userName"), e.mv("requestParameters", "roleName")), e.mv("requestParameters", "policyArn"))
		})
		return result([]string{"eventTime", "eventName", "target", "policyArn"}, rows, asc(4), asc(5))
	},
	"bucket-policy-changes": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool {
			return isStr(e.src(), "s3.amazonaws.com") && inStr(e.name(), "PutBucketPolicy", "DeleteBucketPolicy", "PutBucketAcl",
				"PutBucketPublicAccessBlock", "DeleteBucketPublicAccessBlock")
		})
		rows := eventRows(evs, func(e *lakeEvent) []any {
			return row(e.t, e.name(), e.mv("requestParameters", "bucketName"),
				jsonScalar(e.mvJSON("requestParameters", "bucketPolicy"), "$.Statement[0].Principal.AWS"), e.err())
		})
		return result([]string{"eventTime", "eventName", "bucket", "grantee", "errorCode"}, rows, asc(5), asc(6))
	},
	"trust-policy-backdoor": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool { return isStr(e.name(), "UpdateAssumeRolePolicy") })
		rows := eventRows(evs, func(e *lakeEvent) []any {
			return row(e.t, e.mv("requestParameters", "roleName"), jsonScalar(e.mvJSON("requestParameters", "policyDocument"), "$.Statement[1].Principal.AWS"))
		})
		return result([]string{"eventTime", "role", "trusted"}, rows, asc(3), asc(4))
	},
	"kms-decrypt-by-principal": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool { return isStr(e.src(), "kms.amazonaws.com") && isStr(e.name(), "Decrypt") })
		gs := groupBy(evs, func(e *lakeEvent) []any { return row(coalesce(e.s("userIdentity.arn"), e.s("userIdentity.invokedBy"))) })
		rows := groupRows(gs, func(g *eventGroup) []any {
			return row(g.key[0], n(g.evs), countDistinct(g.evs, func(e *lakeEvent) any { return e.resource1("arn") }))
		})
		return result([]string{"principal", "decrypts", "keyCount"}, rows, desc(1), asc(0))
	},
	"events-per-hour": func(d *corpusData) *want {
		gs := groupBy(d.evs, func(e *lakeEvent) []any { return row(e.t.Truncate(time.Hour)) })
		rows := groupRows(gs, func(g *eventGroup) []any {
			return row(g.key[0], n(g.evs), countDistinct(g.evs, func(e *lakeEvent) any { return e.s("userIdentity.arn") }))
		})
		return result([]string{"hour", "events", "principals"}, rows, asc(0))
	},
	"error-bursts": func(d *corpusData) *want {
		gs := groupBy(d.evs, func(e *lakeEvent) []any { return row(e.t.Truncate(time.Minute)) })
		rows := groupRows(gs, func(g *eventGroup) []any {
			failed := countIf(g.evs, func(e *lakeEvent) bool { return e.err() != nil })
			if failed < 3 {
				return nil
			}
			return row(g.key[0], n(g.evs), failed)
		})
		return result([]string{"minute", "total", "failed"}, rows, desc(2), asc(0)).limitTo(10)
	},
	"top-source-ips": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool { return e.t.After(ts("2020-01-01 00:00:00")) })
		gs := groupBy(evs, func(e *lakeEvent) []any { return row(e.s("sourceIPAddress")) })
		rows := groupRows(gs, func(g *eventGroup) []any {
			return row(g.key[0], n(g.evs), countDistinct(g.evs, func(e *lakeEvent) any { return e.name() }))
		})
		return result([]string{"sourceIPAddress", "requests", "distinctApis"}, rows, desc(1), asc(0)).limitTo(10).approxCols(2)
	},
	"top-user-agents": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool {
			return notLikeV(e.s("userAgent"), "%amazonaws.com") && notStr(e.s("userAgent"), "AWS Internal")
		})
		gs := groupBy(evs, func(e *lakeEvent) []any { return row(e.s("userAgent")) })
		rows := groupRows(gs, func(g *eventGroup) []any { return row(g.key[0], n(g.evs)) })
		return result([]string{"userAgent", "requests"}, rows, desc(1), asc(0)).limitTo(5)
	},
	"user-agent-families": func(d *corpusData) *want {
		gs := groupBy(d.evs, func(e *lakeEvent) []any {
			return row(splitPart(e.s("userAgent"), "/", 1), regexpExtract(e.s("userAgent"), `aws-sdk-[a-z]+`, 0))
		})
		rows := groupRows(gs, func(g *eventGroup) []any { return row(g.key[0], g.key[1], n(g.evs)) })
		return result([]string{"agent", "sdk", "requests"}, rows, desc(2), asc(0), ascNulls1st(1))
	},
	"events-per-region": func(d *corpusData) *want {
		gs := groupBy(d.evs, func(e *lakeEvent) []any { return row(e.s("awsRegion")) })
		rows := groupRows(gs, func(g *eventGroup) []any {
			return row(g.key[0], n(g.evs), countDistinct(g.evs, func(e *lakeEvent) any { return e.s("recipientAccountId") }))
		})
		return result([]string{"awsRegion", "events", "accounts"}, rows, desc(1), asc(0))
	},
	"read-write-ratio": func(d *corpusData) *want {
		reads := countIf(d.evs, func(e *lakeEvent) bool { return e.boolean("readOnly") == true })
		writes := countIf(d.evs, func(e *lakeEvent) bool { return e.boolean("readOnly") == false })
		return result([]string{"reads", "writes", "writeRatio"}, [][]any{row(reads, writes, round(float64(writes)/float64(len(d.evs)), 4))})
	},
	"rare-event-names": func(d *corpusData) *want {
		gs := groupBy(d.evs, func(e *lakeEvent) []any { return row(e.src(), e.name()) })
		rows := groupRows(gs, func(g *eventGroup) []any {
			if len(g.evs) != 1 {
				return nil
			}
			return row(g.key[0], g.key[1])
		})
		return result([]string{"eventSource", "eventName"}, rows, asc(0), asc(1))
	},
	"first-last-seen": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool { return e.s("userIdentity.principalId") != nil })
		gs := groupBy(evs, func(e *lakeEvent) []any { return row(e.s("userIdentity.principalId")) })
		rows := groupRows(gs, func(g *eventGroup) []any { return row(g.key[0], minTime(g.evs), maxTime(g.evs), n(g.evs)) })
		return result([]string{"principalId", "firstSeen", "lastSeen", "events"}, rows, asc(1), asc(0)).limitTo(25)
	},
	"secrets-read": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool {
			return isStr(e.src(), "secretsmanager.amazonaws.com") && isStr(e.name(), "GetSecretValue")
		})
		gs := groupBy(evs, func(e *lakeEvent) []any { return row(e.mv("requestParameters", "secretId")) })
		rows := groupRows(gs, func(g *eventGroup) []any {
			return row(g.key[0], n(g.evs), countDistinct(g.evs, func(e *lakeEvent) any { return e.s("sourceIPAddress") }))
		})
		return result([]string{"secret", "reads", "sourceIps"}, rows, desc(1), asc(0))
	},
	"run-instances": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool { return isStr(e.name(), "RunInstances") })
		rows := eventRows(evs, func(e *lakeEvent) []any {
			set := e.mvJSON("requestParameters", "instancesSet")
			return row(e.t, e.mv("requestParameters", "instanceType"), jsonScalar(set, "$.items[0].imageId"),
				tryCastInt(jsonScalar(set, "$.items[0].maxCount")), e.err())
		})
		return result([]string{"eventTime", "instanceType", "imageId", "maxCount", "errorCode"}, rows, asc(5), asc(6))
	},
	"kms-key-resources": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool {
			rs, ok := e.resources()
			if !ok {
				return false
			}
			for _, r := range rs {
				if isStr(r["type"], "AWS::KMS::Key") {
					return true
				}
			}
			return false
		})
		gs := groupBy(evs, func(e *lakeEvent) []any { return row(e.name()) })
		rows := groupRows(gs, func(g *eventGroup) []any {
			var most int64
			for _, e := range g.evs {
				rs, _ := e.resources()
				most = max(most, int64(len(rs)))
			}
			return row(g.key[0], n(g.evs), most)
		})
		return result([]string{"eventName", "calls", "maxResources"}, rows, desc(1), asc(0))
	},
	"multi-resource-events": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool { rs, _ := e.resources(); return len(rs) > 1 })
		rows := eventRows(evs, func(e *lakeEvent) []any {
			rs, _ := e.resources()
			var types []string
			for _, r := range rs {
				if s, ok := r["type"].(string); ok { // array_join omits NULL elements
					types = append(types, s)
				}
			}
			return row(e.name(), int64(len(rs)), strings.Join(types, ","))
		})
		return result([]string{"eventName", "resourceCount", "types"}, rows, asc(3), asc(4)).limitTo(20)
	},
	"role-sessions-by-issuer": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool { return isStr(e.s("userIdentity.type"), "AssumedRole") })
		gs := groupBy(evs, func(e *lakeEvent) []any { return row(e.s("userIdentity.sessionContext.sessionIssuer.arn")) })
		rows := groupRows(gs, func(g *eventGroup) []any {
			return row(g.key[0], n(g.evs), countDistinct(g.evs, func(e *lakeEvent) any { return e.s("userIdentity.principalId") }))
		})
		return result([]string{"arn", "calls", "sessions"}, rows, desc(1), asc(0))
	},
	"mfa-authenticated-sessions": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool { return isStr(e.s("userIdentity.type"), "AssumedRole") })
		gs := groupBy(evs, func(e *lakeEvent) []any { return row(e.s("userIdentity.sessionContext.attributes.mfaAuthenticated")) })
		rows := groupRows(gs, func(g *eventGroup) []any { return row(g.key[0], n(g.evs)) })
		return result([]string{"mfaAuthenticated", "_col1"}, rows, ascNulls1st(0))
	},
	"day-of-week": func(d *corpusData) *want {
		isoDay := func(t time.Time) int64 { return int64((int(t.Weekday())+6)%7 + 1) }
		gs := groupBy(d.evs, func(e *lakeEvent) []any { return row(isoDay(e.t)) })
		rows := groupRows(gs, func(g *eventGroup) []any { return row(g.key[0], n(g.evs)) })
		return result([]string{"weekday", "events"}, rows, asc(0))
	},
	"active-minutes-per-user": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool { return e.s("userIdentity.userName") != nil })
		gs := groupBy(evs, func(e *lakeEvent) []any { return row(e.s("userIdentity.userName")) })
		rows := groupRows(gs, func(g *eventGroup) []any {
			span := maxTime(g.evs).(time.Time).Sub(minTime(g.evs).(time.Time))
			return row(g.key[0], int64(span/time.Minute), n(g.evs))
		})
		return result([]string{"userName", "activeMinutes", "events"}, rows, desc(1), asc(0))
	},
	"last-ten-minutes": func(d *corpusData) *want {
		last := maxTime(d.evs).(time.Time)
		evs := where(d.evs, func(e *lakeEvent) bool { return !e.t.Before(last.Add(-10 * time.Minute)) })
		return result([]string{"events", "apis"}, [][]any{row(n(evs), countDistinct(evs, func(e *lakeEvent) any { return e.name() }))})
	},
	"last-seven-days": func(d *corpusData) *want {
		// The generated events lie days away from the bound: the few
		// milliseconds between the clock readings do not matter.
		evs := where(d.evs, func(e *lakeEvent) bool { return e.t.After(d.start.Add(-7 * 24 * time.Hour)) })
		return result([]string{"events", "apis"}, [][]any{row(n(evs), countDistinct(evs, func(e *lakeEvent) any { return e.name() }))})
	},
	"yesterday-by-service": func(d *corpusData) *want {
		today := d.start.UTC().Truncate(24 * time.Hour)
		if !d.end.UTC().Truncate(24 * time.Hour).Equal(today) {
			return &want{unsure: "the query ran across midnight UTC"}
		}
		evs := where(d.evs, func(e *lakeEvent) bool { return !e.t.Before(today.Add(-24*time.Hour)) && e.t.Before(today) })
		gs := groupBy(evs, func(e *lakeEvent) []any { return row(e.src()) })
		rows := groupRows(gs, func(g *eventGroup) []any { return row(g.key[0], n(g.evs)) })
		return result([]string{"eventSource", "events"}, rows, desc(1), asc(0))
	},
	"after-first-console-login": func(d *corpusData) *want {
		first := minTime(where(d.evs, func(e *lakeEvent) bool { return isStr(e.name(), "ConsoleLogin") }))
		var evs []*lakeEvent
		if first != nil {
			f := first.(time.Time)
			evs = where(d.evs, func(e *lakeEvent) bool { return !e.t.Before(f) && !e.t.After(f.Add(5*time.Minute)) })
		}
		gs := groupBy(evs, func(e *lakeEvent) []any { return row(e.name()) })
		rows := groupRows(gs, func(g *eventGroup) []any { return row(g.key[0], n(g.evs)) })
		return result([]string{"eventName", "calls"}, rows, desc(1), asc(0)).limitTo(10)
	},
	"mutating-calls": func(d *corpusData) *want {
		re := regexp.MustCompile(`^(Create|Delete|Put|Attach|Detach|Update|Modify)`)
		evs := where(d.evs, func(e *lakeEvent) bool { s, _ := e.name().(string); return re.MatchString(s) && e.err() == nil })
		gs := groupBy(evs, func(e *lakeEvent) []any { return row(e.name()) })
		rows := groupRows(gs, func(g *eventGroup) []any { return row(g.key[0], n(g.evs)) })
		return result([]string{"eventName", "calls"}, rows, desc(1), asc(0)).limitTo(15)
	},
	"assumed-role-names": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool { return isStr(e.s("userIdentity.type"), "AssumedRole") })
		gs := groupBy(evs, func(e *lakeEvent) []any {
			return row(regexpExtract(e.s("userIdentity.arn"), `assumed-role/([^/]+)/`, 1))
		})
		rows := groupRows(gs, func(g *eventGroup) []any { return row(g.key[0], n(g.evs)) })
		return result([]string{"role", "calls"}, rows, desc(1), asc(0))
	},
	"principal-resources": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool { return e.s("userIdentity.arn") != nil })
		gs := groupBy(evs, func(e *lakeEvent) []any {
			return row(splitPart(e.s("userIdentity.arn"), ":", 6), e.s("userIdentity.type"))
		})
		rows := groupRows(gs, func(g *eventGroup) []any { return row(g.key[0], g.key[1], n(g.evs)) })
		return result([]string{"resource", "type", "calls"}, rows, desc(2), asc(0), asc(1)).limitTo(10)
	},
	"attack-tool-user-agent": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool {
			s, ok := e.s("userAgent").(string)
			return ok && strings.Contains(s, "stratus-red-team")
		})
		return result([]string{"calls", "apis", "firstCall"}, [][]any{row(n(evs), countDistinct(evs, func(e *lakeEvent) any { return e.name() }), minTime(evs))})
	},
	"console-login-hosts": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool { return isStr(e.name(), "ConsoleLogin") })
		gs := groupBy(evs, func(e *lakeEvent) []any { return row(urlHost(e.mv("additionalEventData", "LoginTo"))) })
		rows := groupRows(gs, func(g *eventGroup) []any { return row(g.key[0], n(g.evs)) })
		return result([]string{"host", "logins"}, rows, desc(1), asc(0))
	},
	"assume-role-durations": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool { return isStr(e.name(), "AssumeRole") })
		var most any
		var numeric int64
		for _, e := range evs {
			if v := tryCastInt(e.mv("requestParameters", "durationSeconds")); v != nil && (most == nil || v.(int64) > most.(int64)) {
				most = v
			}
			if tryCastInt(e.mv("requestParameters", "roleArn")) != nil {
				numeric++
			}
		}
		return result([]string{"maxDuration", "numericRoleArns", "assumeRoles"}, [][]any{row(most, numeric, n(evs))})
	},
	"join-two-stores": func(d *corpusData) *want {
		// Both stores hold the same events, each eventID once: the join
		// pairs every event with itself.
		evs := where(d.evs, func(e *lakeEvent) bool { return e.err() != nil && e.boolean("readOnly") == false })
		gs := groupBy(evs, func(e *lakeEvent) []any { return row(e.name()) })
		rows := groupRows(gs, func(g *eventGroup) []any { return row(g.key[0], n(g.evs)) })
		return result([]string{"eventName", "matched"}, rows, desc(1), asc(0))
	},
	"console-users-activity": func(d *corpusData) *want {
		logins := groupBy(where(d.evs, func(e *lakeEvent) bool {
			return isStr(e.name(), "ConsoleLogin") && e.s("userIdentity.userName") != nil
		}), func(e *lakeEvent) []any { return row(e.s("userIdentity.userName")) })
		calls := map[any]int64{}
		for _, e := range d.evs {
			if notStr(e.name(), "ConsoleLogin") && e.s("userIdentity.userName") != nil {
				calls[e.s("userIdentity.userName")]++
			}
		}
		rows := groupRows(logins, func(g *eventGroup) []any { return row(g.key[0], n(g.evs), calls[g.key[0]]) })
		return result([]string{"userName", "logins", "apiCalls"}, rows, asc(0))
	},
	"union-iam-sts": func(d *corpusData) *want {
		names := distinctStrings(where(d.evs, func(e *lakeEvent) bool {
			return isStr(e.src(), "iam.amazonaws.com") && e.boolean("readOnly") == false || isStr(e.src(), "sts.amazonaws.com")
		}), (*lakeEvent).name)
		var rows [][]any
		for k := range names {
			rows = append(rows, row(k))
		}
		return result([]string{"eventName"}, rows, asc(0))
	},
	"union-all-counts": func(d *corpusData) *want {
		errs := countIf(d.evs, func(e *lakeEvent) bool { return e.err() != nil })
		writes := countIf(d.evs, func(e *lakeEvent) bool { return e.boolean("readOnly") == false })
		return result([]string{"kind", "n"}, [][]any{row("errors", errs), row("writes", writes)}, asc(0))
	},
	"intersect-ips": func(d *corpusData) *want {
		a := distinctStrings(where(d.evs, func(e *lakeEvent) bool { return e.err() != nil }), func(e *lakeEvent) any { return e.s("sourceIPAddress") })
		b := distinctStrings(where(d.evs, func(e *lakeEvent) bool { return isStr(e.name(), "GetCallerIdentity") }), func(e *lakeEvent) any { return e.s("sourceIPAddress") })
		var rows [][]any
		for k := range a {
			if b[k] {
				rows = append(rows, row(k))
			}
		}
		return result([]string{"sourceIPAddress"}, rows, asc(0))
	},
	"except-users": func(d *corpusData) *want {
		a := distinctStrings(where(d.evs, func(e *lakeEvent) bool { return isStr(e.s("userIdentity.userName"), d.params["user1"]) }), (*lakeEvent).name)
		b := distinctStrings(where(d.evs, func(e *lakeEvent) bool { return isStr(e.s("userIdentity.userName"), d.params["user2"]) }), (*lakeEvent).name)
		var rows [][]any
		for k := range a {
			if !b[k] {
				rows = append(rows, row(k))
			}
		}
		return result([]string{"eventName"}, rows, asc(0))
	},
	"writes-from-denied-ips": func(d *corpusData) *want {
		denied := distinctStrings(where(d.evs, func(e *lakeEvent) bool { return isStr(e.err(), "AccessDenied") }), func(e *lakeEvent) any { return e.s("sourceIPAddress") })
		evs := where(d.evs, func(e *lakeEvent) bool {
			ip := e.s("sourceIPAddress")
			return ip != nil && denied[ip] && e.err() == nil && e.boolean("readOnly") == false
		})
		gs := groupBy(evs, func(e *lakeEvent) []any { return row(e.s("userIdentity.arn"), e.name()) })
		rows := groupRows(gs, func(g *eventGroup) []any { return row(g.key[0], g.key[1], n(g.evs)) })
		return result([]string{"arn", "eventName", "calls"}, rows, desc(2), asc(0), asc(1)).limitTo(15)
	},
	"share-of-events": func(d *corpusData) *want {
		gs := groupBy(d.evs, func(e *lakeEvent) []any { return row(e.src()) })
		rows := groupRows(gs, func(g *eventGroup) []any {
			return row(g.key[0], n(g.evs), round(100*float64(len(g.evs))/float64(len(d.evs)), 2))
		})
		return result([]string{"eventSource", "events", "pct"}, rows, desc(1), asc(0)).limitTo(5)
	},
	"failure-rate-cte": func(d *corpusData) *want {
		totals := map[any]int64{}
		failures := map[any]int64{}
		for _, e := range d.evs {
			who := e.s("userIdentity.arn")
			totals[who]++
			if e.err() != nil {
				failures[who]++
			}
		}
		var rows [][]any
		for who, f := range failures {
			if who != nil { // the join drops the NULL group
				rows = append(rows, row(who, f, totals[who], round(float64(f)/float64(totals[who]), 3)))
			}
		}
		return result([]string{"who", "failures", "total", "failureRate"}, rows, desc(1), asc(0))
	},
	"latest-call-per-principal": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool { return e.s("userIdentity.arn") != nil })
		sortEvents(evs, true)
		seen := map[any]bool{}
		var rows [][]any
		for _, e := range evs {
			if p := e.s("userIdentity.arn"); !seen[p] {
				seen[p] = true
				rows = append(rows, row(p, e.name(), e.t))
			}
		}
		return result([]string{"principal", "eventName", "eventTime"}, rows, desc(2), asc(0)).limitTo(20)
	},
	"top-api-per-service": func(d *corpusData) *want {
		gs := groupBy(d.evs, func(e *lakeEvent) []any { return row(e.src(), e.name()) })
		top := map[any]int64{}
		for _, g := range gs {
			top[g.key[0]] = max(top[g.key[0]], n(g.evs))
		}
		rows := groupRows(gs, func(g *eventGroup) []any {
			if n(g.evs) != top[g.key[0]] {
				return nil
			}
			return row(g.key[0], g.key[1], n(g.evs))
		})
		return result([]string{"eventSource", "eventName", "n"}, rows, desc(2), asc(0), asc(1))
	},
	"running-total-per-hour": func(d *corpusData) *want {
		gs := groupBy(d.evs, func(e *lakeEvent) []any { return row(e.t.Truncate(time.Hour)) })
		rows := groupRows(gs, func(g *eventGroup) []any { return row(g.key[0], n(g.evs), int64(0)) })
		w := result([]string{"hour", "events", "runningTotal"}, rows, asc(0))
		var sum int64
		for _, r := range w.rows {
			sum += r[1].(int64)
			r[2] = sum
		}
		return w
	},
	"s3-errors-nulls-first": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool { return isStr(e.src(), "s3.amazonaws.com") })
		gs := groupBy(evs, func(e *lakeEvent) []any { return row(e.err()) })
		rows := groupRows(gs, func(g *eventGroup) []any { return row(g.key[0], n(g.evs)) })
		return result([]string{"errorCode", "n"}, rows, ascNulls1st(0))
	},
	"first-sources": func(d *corpusData) *want {
		srcs := distinctStrings(where(d.evs, func(e *lakeEvent) bool { return !e.t.Before(ts("2020-01-01")) }), (*lakeEvent).src)
		var rows [][]any
		for k := range srcs {
			rows = append(rows, row(k))
		}
		return result([]string{"eventSource"}, rows, asc(0)).limitTo(5)
	},
	"vpc-endpoints": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool { return e.s("vpcEndpointId") != nil })
		gs := groupBy(evs, func(e *lakeEvent) []any { return row(e.s("vpcEndpointId"), e.src()) })
		rows := groupRows(gs, func(g *eventGroup) []any { return row(g.key[0], g.key[1], n(g.evs)) })
		return result([]string{"vpcEndpointId", "eventSource", "calls"}, rows, desc(2), asc(0), asc(1))
	},
	"tls-versions": func(d *corpusData) *want {
		gs := groupBy(d.evs, func(e *lakeEvent) []any { return row(e.s("tlsDetails.tlsVersion")) })
		rows := groupRows(gs, func(g *eventGroup) []any { return row(g.key[0], n(g.evs)) })
		return result([]string{"tlsVersion", "calls"}, rows, asc(0))
	},
	"credential-access": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool {
			return inStr(e.name(), "GetPasswordData", "GetSecretValue", "GetParameter", "GetParameters")
		})
		gs := groupBy(evs, func(e *lakeEvent) []any { return row(e.s("userIdentity.arn")) })
		rows := groupRows(gs, func(g *eventGroup) []any {
			return row(g.key[0], n(g.evs), countIf(g.evs, func(e *lakeEvent) bool { return e.err() != nil }), minTime(g.evs))
		})
		return result([]string{"arn", "attempts", "failures", "firstAttempt"}, rows, desc(1), asc(0))
	},
	"trail-tampering": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool {
			return isStr(e.src(), "cloudtrail.amazonaws.com") && inStr(e.name(), "StopLogging", "DeleteTrail", "UpdateTrail", "PutEventSelectors")
		})
		rows := eventRows(evs, func(e *lakeEvent) []any {
			return row(e.t, e.name(), e.mv("requestParameters", "name"), e.err(), e.s("sourceIPAddress"))
		})
		return result([]string{"eventTime", "eventName", "trail", "errorCode", "sourceIPAddress"}, rows, asc(5), asc(6))
	},
	"snapshot-sharing": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool { return isStr(e.name(), "ModifySnapshotAttribute") })
		rows := eventRows(evs, func(e *lakeEvent) []any {
			return row(e.mv("requestParameters", "snapshotId"), jsonScalar(e.mvJSON("requestParameters", "createVolumePermission"), "$.add.items[0].userId"), e.t)
		})
		return result([]string{"_col0", "sharedWith", "eventTime"}, rows, asc(3), asc(4))
	},
	"outcomes": func(d *corpusData) *want {
		gs := groupBy(d.evs, func(e *lakeEvent) []any {
			switch {
			case e.err() == nil:
				return row("success")
			case likeV(e.err(), "%Throttl%"):
				return row("throttled")
			}
			return row("failure")
		})
		rows := groupRows(gs, func(g *eventGroup) []any { return row(g.key[0], n(g.evs)) })
		return result([]string{"outcome", "n"}, rows, desc(1), asc(0))
	},
	"events-per-hour-formatted": func(d *corpusData) *want {
		gs := groupBy(d.evs, func(e *lakeEvent) []any { return row(e.t.Format("2006-01-02 15:00")) })
		rows := groupRows(gs, func(g *eventGroup) []any { return row(g.key[0], n(g.evs)) })
		return result([]string{"hour", "events"}, rows, asc(0))
	},
	"epoch-range": func(d *corpusData) *want {
		first, last := minTime(d.evs).(time.Time), maxTime(d.evs).(time.Time)
		return result([]string{"firstEpoch", "lastEpoch"}, [][]any{row(float64(first.Unix()), last.Unix())})
	},
	"request-parameter-keys": func(d *corpusData) *want {
		with := countIf(d.evs, func(e *lakeEvent) bool {
			m, ok := e.m["requestParameters"].(map[string]any)
			_, has := m["bucketName"]
			return ok && has
		})
		without := countIf(d.evs, func(e *lakeEvent) bool { _, ok := e.m["requestParameters"].(map[string]any); return !ok })
		return result([]string{"withBucketName", "noParameters"}, [][]any{row(with, without)})
	},
	"host-header-from-event-json": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool { return isStr(e.src(), "ec2.amazonaws.com") })
		gs := groupBy(evs, func(e *lakeEvent) []any { return row(jsonScalar(any(e.m), "$.tlsDetails.clientProvidedHostHeader")) })
		rows := groupRows(gs, func(g *eventGroup) []any { return row(g.key[0], n(g.evs)) })
		return result([]string{"host", "calls"}, rows, desc(1), asc(0)).limitTo(5)
	},
	"service-events": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool { return e.s("userIdentity.type") == nil })
		gs := groupBy(evs, func(e *lakeEvent) []any { return row(e.s("eventType"), e.s("userIdentity.invokedBy")) })
		rows := groupRows(gs, func(g *eventGroup) []any { return row(g.key[0], g.key[1], n(g.evs)) })
		return result([]string{"eventType", "invokedBy", "events"}, rows, desc(2), asc(1))
	},
	"first-second": func(d *corpusData) *want {
		at := ts(d.params["firstTime"])
		evs := where(d.evs, func(e *lakeEvent) bool { return e.t.Equal(at) })
		rows := eventRows(evs, func(e *lakeEvent) []any { return row(e.name(), e.id()) })
		return result([]string{"eventName", "eventID"}, rows, asc(1))
	},

	// AWS's published queries (aws_examples.sql).

	"ug-createbucket-principals": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool {
			return e.s("userIdentity.principalId") != nil && e.between("2023-01-22 00:00:00", "2023-01-23 00:00:00") && isStr(e.name(), "CreateBucket")
		})
		rows := eventRows(evs, func(e *lakeEvent) []any { return row(e.s("userIdentity.principalId"), e.name()) })
		return result([]string{"principalid", "eventName"}, rows)
	},
	"ug-apis-called-by-user": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool {
			return isStr(e.s("userIdentity.userName"), "bob") && e.between("2023-01-22 00:00:00", "2023-01-23 00:00:00")
		})
		rows := eventRows(evs, func(e *lakeEvent) []any { return row(e.id(), e.name(), e.src(), e.t) })
		return result([]string{"eventID", "eventName", "eventSource", "eventTime"}, rows)
	},
	"ug-api-calls-by-source": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool { return e.t.After(ts("2023-01-01 00:00:00")) })
		gs := groupBy(evs, func(e *lakeEvent) []any { return row(e.src(), e.name()) })
		rows := groupRows(gs, func(g *eventGroup) []any { return row(g.key[0], g.key[1], n(g.evs)) })
		return result([]string{"eventSource", "eventName", "apiCount"}, rows, desc(2))
	},
	"ug-console-logins-by-region": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool {
			return inStr(e.s("awsRegion"), "us-east-1", "us-west-2") && isStr(e.name(), "ConsoleLogin")
		})
		rows := eventRows(evs, func(e *lakeEvent) []any { return row(e.t, e.s("userIdentity.arn"), e.s("awsRegion")) })
		return result([]string{"eventTime", "arn", "awsRegion"}, rows)
	},
	"ug-lake-queries": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool {
			_, hasResponse := e.m["responseElements"].(map[string]any)
			return isStr(e.name(), "StartQuery") && isStr(e.src(), "cloudtrail.amazonaws.com") && hasResponse &&
				e.between("2023-01-01 00:00:00", "2023-02-01 00:00:00")
		})
		rows := eventRows(evs, func(e *lakeEvent) []any {
			return row(e.mv("responseElements", "queryId"), e.mv("requestParameters", "queryStatement"))
		})
		return result([]string{"_col0", "_col1"}, rows)
	},
	"console-login-with-no-mfa": func(d *corpusData) *want {
		return selectStar(where(d.evs, func(e *lakeEvent) bool {
			return isStr(e.src(), "signin.amazonaws.com") && isStr(e.name(), "ConsoleLogin") && isStr(e.mv("additionalEventData", "MFAUsed"), "No")
		}))
	},
	"cross-account-access": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool {
			a, b := e.s("userIdentity.accountId"), e.s("recipientAccountId")
			return e.between("2022-04-30 00:00:00", "2022-06-01 00:00:00") && a != nil && b != nil && a != b
		})
		rows := eventRows(evs, func(e *lakeEvent) []any {
			return row(e.s("userIdentity.principalId"), e.name(), e.src(), e.s("userIdentity.accountId"), e.s("recipientAccountId"), nil, e.t)
		})
		return result([]string{"principalid", "eventName", "eventSource", "accountId", "recipientAccountId", "requestParameters", "eventTime"}, rows).skipCols(5)
	},
	"logs-by-region": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool { return e.between("2022-04-23 00:00:00", "2022-11-26 00:00:00") })
		gs := groupBy(evs, func(e *lakeEvent) []any { return row(e.s("awsRegion"), e.src()) })
		rows := groupRows(gs, func(g *eventGroup) []any { return row(g.key[0], g.key[1], n(g.evs)) })
		return result([]string{"awsRegion", "eventSource", "apiCount"}, rows, desc(2))
	},
	"users-by-account": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool {
			return e.s("userIdentity.principalId") != nil && e.between("2022-01-01 00:00:00", "2022-01-01 00:00:00")
		})
		gs := groupBy(evs, func(e *lakeEvent) []any { return row(e.s("userIdentity.principalId"), e.s("userIdentity.accountId")) })
		rows := groupRows(gs, func(g *eventGroup) []any { return row(g.key[0], g.key[1], n(g.evs)) })
		return result([]string{"principalid", "accountId", "eventCount"}, rows, desc(2))
	},
	"top-iam-actions-by-principal": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool {
			return e.s("userIdentity.principalId") != nil && !e.t.Before(ts("2022-01-08 00:00:00")) && isStr(e.src(), "iam.amazonaws.com")
		})
		gs := groupBy(evs, func(e *lakeEvent) []any {
			return row(e.name(), e.s("recipientAccountId"), e.s("userIdentity.principalId"))
		})
		rows := groupRows(gs, func(g *eventGroup) []any { return row(n(g.evs), g.key[0], g.key[1], g.key[2]) })
		return result([]string{"apiCount", "eventName", "recipientAccountId", "principalid"}, rows, desc(0))
	},
	"ec2-events": func(d *corpusData) *want {
		return selectStar(where(d.evs, func(e *lakeEvent) bool {
			return inStr(e.name(), "AssociateAddress", "DisassociateAddress", "CancelReservedInstancesListing", "CancelSpotInstanceRequests",
				"CreateNetworkAcl", "DeleteNetworkAcl", "CreateNetworkAclEntry", "'CreateVpc", "DeleteVpcPeeringConnection",
				"RevokeSecurityGroupIngress", "RevokeSecurityGroupEgress", "DetachInternetGateway", "PurchaseReservedInstancesOffering",
				"ModifyReservedInstances", "AcceptVpcPeeringConnection", "RejectVpcPeeringConnection", "CreateVpcPeeringConnection")
		}))
	},
	"self-assume-role": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool {
			issuer := e.s("userIdentity.sessionContext.sessionIssuer.arn")
			return isStr(e.src(), "sts.amazonaws.com") && isStr(e.name(), "AssumeRole") && isStr(e.s("userIdentity.type"), "AssumedRole") &&
				e.err() == nil && issuer != nil && issuer == e.resource1("arn")
		})
		rows := eventRows(evs, func(e *lakeEvent) []any {
			return row(e.id(), e.t, e.s("userIdentity.sessionContext.sessionIssuer.arn"), e.s("userIdentity.principalId"))
		})
		return result([]string{"eventid", "eventtime", "RoleARN", "RoleIdColonRoleSessionName"}, rows)
	},
	"manually-created-resources": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool {
			issuer := e.s("userIdentity.sessionContext.sessionIssuer.userName")
			_, hasResources := e.resources()
			return (likeV(e.name(), "%Create%") || likeV(e.name(), "%Update%") || likeV(e.name(), "%Put%") || likeV(e.name(), "%Delete%")) &&
				hasResources && notLikeV(issuer, "AWSServiceRole%") && notStr(issuer, "") && notStr(e.s("sourceIPAddress"), "cloudformation.amazonaws.com")
		})
		rows := eventRows(evs, func(e *lakeEvent) []any {
			return row(e.s("userIdentity.arn"), nil, e.t, e.src(), e.name(), e.s("awsRegion"), nil, nil, e.s("requestID"), e.id())
		})
		return result([]string{"user", "userIdentity", "eventTime", "eventSource", "eventName", "awsRegion", "requestParameters", "resources", "requestID", "eventID"},
			rows, desc(2)).skipCols(1, 6, 7)
	},
	"ec2-security-historical-changes": func(d *corpusData) *want {
		in := func(e *lakeEvent, a, b string) bool { return !e.t.Before(ts(a)) && !e.t.After(ts(b)) }
		var rows [][]any
		for _, e := range d.evs {
			switch {
			case in(e, "2023-07-06 00:00:00", "2023-07-08 00:00:00") && isStr(e.name(), "AuthorizeSecurityGroupIngress"):
				rows = append(rows, row(e.mv("requestParameters", "groupId"), e.name(), e.t, nil, e.s("userIdentity.arn"), e.s("sourceIPAddress"), e.src()))
			case in(e, "2023-07-06 00:00:00", "2023-07-09 00:00:00") && isStr(e.name(), "ModifySecurityGroupRules"):
				group := jsonScalar(e.mvJSON("requestParameters", "ModifySecurityGroupRulesRequest"), "$.GroupId")
				rows = append(rows, row(group, e.name(), e.t, nil, e.s("userIdentity.arn"), e.s("sourceIPAddress"), e.src()))
			}
		}
		return result([]string{"securityGroup", "eventName", "eventTime", "securityGroupRule", "user", "sourceIPAddress", "eventSource"},
			rows, asc(0), asc(2)).skipCols(3)
	},
	"top-actions-by-iam-role": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool {
			return e.between("2023-01-01 00:00:00", "2023-01-07 00:00:00") && isStr(e.s("userIdentity.type"), "AssumedRole") &&
				isStr(e.s("userIdentity.sessionContext.sessionIssuer.arn"), "arn:aws:iam::555555555555:role/alice")
		})
		gs := groupBy(evs, func(e *lakeEvent) []any { return row(e.src(), e.name()) })
		rows := groupRows(gs, func(g *eventGroup) []any { return row(n(g.evs), g.key[0], g.key[1]) })
		return result([]string{"NumberEvents", "eventSource", "eventName"}, rows, desc(0))
	},
	"iam-access-key-activity": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool {
			return isStr(e.s("userIdentity.accessKeyId"), "AKIAIOSFODNN7EXAMPLE") && e.between("2023-01-01 00:00:00", "2023-01-07 00:00:00")
		})
		rows := eventRows(evs, func(e *lakeEvent) []any { return row(e.src(), e.name(), e.s("sourceIPAddress"), e.t, e.err()) })
		return result([]string{"eventSource", "eventName", "sourceIPAddress", "eventTime", "errorCode"}, rows, asc(3))
	},
	"s3-buckets-using-acls": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool { return isStr(e.mv("additionalEventData", "aclRequired"), "Yes") })
		gs := groupBy(evs, func(e *lakeEvent) []any {
			return row(e.mv("requestParameters", "bucketName"), e.s("awsRegion"), e.s("recipientAccountId"))
		})
		rows := groupRows(gs, func(g *eventGroup) []any { return row(g.key[0], g.key[1], g.key[2]) })
		return result([]string{"Bucket", "Region", "AccountID"}, rows, asc(2), asc(1))
	},
	"data-by-week-day": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool {
			return e.between("2022-01-01 00:00:00", "2022-01-01 00:00:00") && isStr(e.s("eventCategory"), "Data")
		})
		gs := groupBy(evs, func(e *lakeEvent) []any { return row(int64((int(e.t.Weekday())+6)%7 + 1)) })
		rows := groupRows(gs, func(g *eventGroup) []any { return row(g.key[0], n(g.evs)) })
		return result([]string{"weekday", "eventCount"}, rows, asc(0))
	},
	"find-snapshots-not-encrypted": func(d *corpusData) *want {
		// AND binds tighter than OR: every CreateSnapshots call matches,
		// whatever its time.
		evs := where(d.evs, func(e *lakeEvent) bool {
			return likeV(e.name(), "%CreateSnapshots%") || likeV(e.name(), "%CreateSnapshot") &&
				isStr(e.mv("responseElements", "encrypted"), "false") && e.t.Before(ts("2022-01-01 00:00:00")) && e.t.After(ts("2022-11-11 00:00:00"))
		})
		rows := eventRows(evs, func(e *lakeEvent) []any {
			return row(e.s("userIdentity.principalId"), e.s("awsRegion"), e.mv("requestParameters", "volumeId"), nil, e.mv("responseElements", "snapshotId"))
		})
		return result([]string{"principalid", "awsRegion", "volume", "Instance", "snapshotID"}, rows).skipCols(3)
	},
	"user-added-to-admin-group": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool {
			return e.between("2022-04-30 00:00:00", "2022-11-01 00:00:00") && isStr(e.name(), "AddUserToGroup") &&
				likeV(e.mv("requestParameters", "groupName"), "%admin%")
		})
		rows := eventRows(evs, func(e *lakeEvent) []any {
			return row(e.s("userIdentity.principalId"), e.name(), e.t, e.mv("requestParameters", "userName"), e.mv("requestParameters", "groupName"))
		})
		return result([]string{"principalid", "eventName", "eventTime", "username", "groupname"}, rows)
	},
	"event-response-element-by-event-id": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool { return isStr(e.id(), "3270e016-59a1-4448-8dd1-d27a4796502d") })
		rows := eventRows(evs, func(e *lakeEvent) []any { return row(nil) })
		return result([]string{"responseElements"}, rows).skipCols(0)
	},
}

func init() {
	for name, f := range moreTruth {
		corpusTruth[name] = f
	}
}

// moreTruth answers the corpus queries on identifiers, casts, text and
// less common clauses.
var moreTruth = map[string]truthFunc{
	"case-insensitive-fields": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool { return isStr(e.s("userIdentity.type"), "AssumedRole") })
		gs := groupBy(evs, func(e *lakeEvent) []any {
			return row(e.s("userIdentity.arn"), e.s("userIdentity.sessionContext.sessionIssuer.userName"))
		})
		rows := groupRows(gs, func(g *eventGroup) []any { return row(g.key[0], g.key[1]) })
		return result([]string{"ARN", "userName"}, rows, asc(0))
	},
	"quoted-identifiers": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool { return isStr(e.src(), "sts.amazonaws.com") })
		gs := groupBy(evs, func(e *lakeEvent) []any { return row(e.name()) })
		rows := groupRows(gs, func(g *eventGroup) []any { return row(g.key[0], n(g.evs)) })
		return result([]string{"eventName", "Event Count"}, rows, desc(1), asc(0))
	},
	"failures-by-service-filter": func(d *corpusData) *want {
		gs := groupBy(d.evs, func(e *lakeEvent) []any { return row(e.src()) })
		rows := groupRows(gs, func(g *eventGroup) []any {
			return row(g.key[0], n(g.evs), countIf(g.evs, func(e *lakeEvent) bool { return e.err() != nil }))
		})
		return result([]string{"eventSource", "calls", "failed"}, rows, desc(2), asc(0)).limitTo(8)
	},
	"failed-writes-exists": func(d *corpusData) *want {
		return result([]string{"failedWrites"}, [][]any{row(countIf(d.evs, func(e *lakeEvent) bool {
			return e.boolean("readOnly") == false && e.err() != nil
		}))})
	},
	"last-resource": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool { rs, _ := e.resources(); return len(rs) > 0 })
		gs := groupBy(evs, func(e *lakeEvent) []any { rs, _ := e.resources(); return row(rs[len(rs)-1]["arn"]) })
		rows := groupRows(gs, func(g *eventGroup) []any { return row(g.key[0], n(g.evs)) })
		return result([]string{"lastResource", "calls"}, rows, desc(1), asc(0)).limitTo(10)
	},
	"user-region-pairs": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool { return isStr(e.s("userIdentity.type"), "IAMUser") })
		logins := distinctStrings(evs, func(e *lakeEvent) any {
			u, ok1 := e.s("userIdentity.userName").(string)
			r, ok2 := e.s("awsRegion").(string)
			if !ok1 || !ok2 {
				return nil
			}
			return strings.ToLower(u) + "@" + r
		})
		var rows [][]any
		for k := range logins {
			rows = append(rows, row(k))
		}
		return result([]string{"login"}, rows, asc(0))
	},
	"events-per-day": func(d *corpusData) *want {
		gs := groupBy(d.evs, func(e *lakeEvent) []any { return row(e.t.Format("2006-01-02")) })
		rows := groupRows(gs, func(g *eventGroup) []any { return row(g.key[0], n(g.evs)) })
		return result([]string{"day", "events"}, rows, asc(0))
	},
	"hour-of-day": func(d *corpusData) *want {
		gs := groupBy(d.evs, func(e *lakeEvent) []any { return row(int64(e.t.Hour())) })
		rows := groupRows(gs, func(g *eventGroup) []any { return row(g.key[0], n(g.evs)) })
		return result([]string{"hourOfDay", "events"}, rows, asc(0))
	},
	"around-a-moment": func(d *corpusData) *want {
		mid := ts(d.params["midTime"])
		evs := where(d.evs, func(e *lakeEvent) bool { return !e.t.Before(mid.Add(-30 * time.Minute)) })
		earlier := countIf(evs, func(e *lakeEvent) bool { return e.t.Before(mid) })
		return result([]string{"recent", "earlier"}, [][]any{row(n(evs), earlier)})
	},
	"time-as-text": func(d *corpusData) *want {
		first, last := minTime(d.evs).(time.Time), maxTime(d.evs).(time.Time)
		return result([]string{"firstText", "firstClock", "lastMinute"},
			[][]any{row(first.Format("2006-01-02 15:04:05.000"), first.Format("15:04:05"), last.Format("2006-01-02 15:04"))})
	},
	"average-session-duration": func(d *corpusData) *want {
		var sum, count int64
		for _, e := range where(d.evs, func(e *lakeEvent) bool { return isStr(e.name(), "AssumeRole") }) {
			if v := tryCastInt(e.mv("requestParameters", "durationSeconds")); v != nil {
				sum += v.(int64)
				count++
			}
		}
		if count == 0 {
			return result([]string{"avgDuration", "totalSeconds"}, [][]any{row(nil, nil)})
		}
		return result([]string{"avgDuration", "totalSeconds"}, [][]any{row(float64(sum)/float64(count), sum)})
	},
	"apis-per-service-listagg": func(d *corpusData) *want {
		names := map[any]map[string]bool{}
		for _, e := range d.evs {
			if inStr(e.src(), "cloudtrail.amazonaws.com", "sts.amazonaws.com") {
				if names[e.src()] == nil {
					names[e.src()] = map[string]bool{}
				}
				names[e.src()][e.name().(string)] = true
			}
		}
		var rows [][]any
		for src, set := range names {
			list := slices.Sorted(func(yield func(string) bool) {
				for k := range set {
					if !yield(k) {
						return
					}
				}
			})
			rows = append(rows, row(src, strings.Join(list, ",")))
		}
		return result([]string{"eventSource", "apis"}, rows, asc(0))
	},
	"comma-join": func(d *corpusData) *want {
		return result([]string{"pairs"}, [][]any{row(countIf(d.evs, func(e *lakeEvent) bool { return isStr(e.name(), "ConsoleLogin") }))})
	},
	"busy-apis": func(d *corpusData) *want {
		gs := groupBy(d.evs, func(e *lakeEvent) []any { return row(e.name()) })
		rows := groupRows(gs, func(g *eventGroup) []any {
			if len(g.evs) <= 50 {
				return nil
			}
			return row(g.key[0], n(g.evs)) // the count is a hidden sort key
		})
		return result([]string{"eventName"}, rows, desc(1), asc(0))
	},
	"identity-types": func(d *corpusData) *want {
		var rows [][]any
		for k := range distinctStrings(d.evs, func(e *lakeEvent) any { return e.s("userIdentity.type") }) {
			rows = append(rows, row(k))
		}
		return result([]string{"type"}, rows, ascNulls1st(0))
	},
	"first-day": func(d *corpusData) *want {
		day := ts(d.params["firstDate"])
		return result([]string{"events"}, [][]any{row(countIf(d.evs, func(e *lakeEvent) bool {
			return !e.t.Before(day) && e.t.Before(day.Add(24*time.Hour))
		}))})
	},
	"client-tools": func(d *corpusData) *want {
		has := func(word string) func(*lakeEvent) bool {
			return func(e *lakeEvent) bool {
				s, ok := e.s("userAgent").(string)
				return ok && strings.Contains(strings.ToLower(s), word)
			}
		}
		return result([]string{"boto3Calls", "terraformCalls"}, [][]any{row(countIf(d.evs, has("boto3")), countIf(d.evs, has("terraform")))})
	},
	"next-busiest-apis": func(d *corpusData) *want {
		gs := groupBy(d.evs, func(e *lakeEvent) []any { return row(e.name()) })
		rows := groupRows(gs, func(g *eventGroup) []any { return row(g.key[0], n(g.evs)) })
		w := result([]string{"eventName", "calls"}, rows, desc(1), asc(0))
		w.rows = w.rows[min(3, len(w.rows)):] // the order is total: OFFSET cuts no tie
		return w.limitTo(5)
	},
	"sts-outcomes": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool { return isStr(e.src(), "sts.amazonaws.com") })
		gs := groupBy(evs, func(e *lakeEvent) []any {
			typ := e.s("userIdentity.type")
			if typ == "IAMUser" {
				typ = nil
			}
			return row(coalesce(e.err(), "OK"), typ)
		})
		rows := groupRows(gs, func(g *eventGroup) []any { return row(g.key[0], g.key[1], n(g.evs)) })
		return result([]string{"status", "nonUserType", "n"}, rows, desc(2), asc(0), ascNulls1st(1))
	},
	"user-read-write-balance": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool { return e.s("userIdentity.userName") != nil })
		gs := groupBy(evs, func(e *lakeEvent) []any { return row(e.s("userIdentity.userName")) })
		rows := groupRows(gs, func(g *eventGroup) []any {
			reads := countIf(g.evs, func(e *lakeEvent) bool { return e.boolean("readOnly") == true })
			writes := countIf(g.evs, func(e *lakeEvent) bool { return e.boolean("readOnly") == false })
			return row(g.key[0], max(reads, writes), minTime(g.evs))
		})
		return result([]string{"userName", "dominant", "firstCall"}, rows, asc(0))
	},
}

func init() {
	for name, f := range arrayTruth {
		corpusTruth[name] = f
	}
}

// arrayTruth answers the corpus queries on arrays, lambdas, windows over
// gaps and relative dates.
var arrayTruth = map[string]truthFunc{
	"defense-evasion-calls": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool {
			return inStr(e.name(), "StopLogging", "DeleteTrail", "DeleteFlowLogs", "DeleteDetector", "DisableKey")
		})
		gs := groupBy(evs, func(e *lakeEvent) []any { return row(e.name()) })
		return result([]string{"eventName", "calls"}, groupRows(gs, func(g *eventGroup) []any { return row(g.key[0], n(g.evs)) }), asc(0))
	},
	"resource-type-flags": func(d *corpusData) *want {
		has := func(match func(t any) bool) func(*lakeEvent) bool {
			return func(e *lakeEvent) bool {
				rs, _ := e.resources()
				for _, r := range rs {
					if match(r["type"]) {
						return true
					}
				}
				return false
			}
		}
		bucket := countIf(d.evs, has(func(t any) bool { return isStr(t, "AWS::S3::Bucket") }))
		untyped := countIf(d.evs, has(func(t any) bool { return t == nil }))
		return result([]string{"touchesBucket", "untypedResource"}, [][]any{row(bucket, untyped)})
	},
	"iam-parameter-shapes": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool {
			_, ok := e.m["requestParameters"].(map[string]any)
			return isStr(e.src(), "iam.amazonaws.com") && ok
		})
		gs := groupBy(evs, func(e *lakeEvent) []any {
			var keys []string
			for k := range e.m["requestParameters"].(map[string]any) {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			return row(strings.Join(keys, ","))
		})
		rows := groupRows(gs, func(g *eventGroup) []any { return row(g.key[0], n(g.evs)) })
		return result([]string{"parameterNames", "calls"}, rows, desc(1), asc(0)).limitTo(10)
	},
	"agent-shapes": func(d *corpusData) *want {
		digits := regexp.MustCompile(`[0-9]+`)
		gs := groupBy(d.evs, func(e *lakeEvent) []any {
			first, ok := splitPart(e.s("userAgent"), " ", 1).(string)
			if !ok {
				return row(nil)
			}
			return row(digits.ReplaceAllString(first, "N"))
		})
		rows := groupRows(gs, func(g *eventGroup) []any { return row(g.key[0], n(g.evs)) })
		return result([]string{"agentShape", "calls"}, rows, desc(1), asc(0)).limitTo(10)
	},
	"longest-silence": func(d *corpusData) *want {
		evs := where(d.evs, func(e *lakeEvent) bool { return isStr(e.s("userIdentity.type"), "IAMUser") })
		gs := groupBy(evs, func(e *lakeEvent) []any { return row(e.s("userIdentity.arn")) })
		rows := groupRows(gs, func(g *eventGroup) []any {
			times := make([]time.Time, len(g.evs))
			for i, e := range g.evs {
				times[i] = e.t
			}
			slices.SortFunc(times, time.Time.Compare)
			var longest any // NULL for a principal with one call
			for i := 1; i < len(times); i++ {
				gap := int64(times[i].Sub(times[i-1]) / time.Second)
				if longest == nil || gap > longest.(int64) {
					longest = gap
				}
			}
			return row(g.key[0], longest)
		})
		return result([]string{"principal", "longestGap"}, rows, desc(1), asc(0))
	},
	"resources-unnested": func(d *corpusData) *want {
		count := map[any]int64{}
		arns := map[any]map[any]bool{}
		for _, e := range d.evs {
			rs, _ := e.resources()
			for _, r := range rs {
				count[r["type"]]++
				if arns[r["type"]] == nil {
					arns[r["type"]] = map[any]bool{}
				}
				if r["arn"] != nil {
					arns[r["type"]][r["arn"]] = true
				}
			}
		}
		var rows [][]any
		for typ, c := range count {
			rows = append(rows, row(typ, c, int64(len(arns[typ]))))
		}
		return result([]string{"type", "mentions", "distinctResources"}, rows, desc(1), asc(0))
	},
	"days-ago": func(d *corpusData) *want {
		daysAgo := func(now time.Time) (int64, int64) {
			oldest := int64(now.Sub(minTime(d.evs).(time.Time)) / (24 * time.Hour))
			newest := int64(now.Sub(maxTime(d.evs).(time.Time)) / (24 * time.Hour))
			return oldest, newest
		}
		o1, n1 := daysAgo(d.start)
		o2, n2 := daysAgo(d.end)
		if o1 != o2 || n1 != n2 {
			return &want{unsure: "a day boundary passed while the query ran"}
		}
		return result([]string{"oldestDaysAgo", "newestDaysAgo"}, [][]any{row(o1, n1)})
	},
	"event-id-prefixes": func(d *corpusData) *want {
		gs := groupBy(d.evs, func(e *lakeEvent) []any {
			id, _ := e.id().(string)
			return row(string([]rune(id)[:min(2, len([]rune(id)))]))
		})
		rows := groupRows(gs, func(g *eventGroup) []any {
			var longest any
			for _, e := range g.evs {
				if ua, ok := e.s("userAgent").(string); ok {
					if l := int64(utf8.RuneCountInString(ua)); longest == nil || l > longest.(int64) {
						longest = l
					}
				}
			}
			return row(g.key[0], n(g.evs), longest)
		})
		return result([]string{"idPrefix", "events", "longestAgent"}, rows, desc(1), asc(0)).limitTo(5)
	},
}

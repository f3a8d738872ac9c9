package trail

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/klauspost/compress/gzip"

	"github.com/ctlake/ctlake"
)

// FuzzDecode feeds Decode arbitrary files: data as the file itself
// (compressed true) or as the JSON to gzip first (compressed false, which
// lets the fuzzer work on the JSON rather than on deflate). Decode must not
// panic; it must fail only with a *FileError or the sink's error; and what
// it accepts, encoding/json must accept too, with as many records.
func FuzzDecode(f *testing.F) {
	day := filepath.Join("..", "..", "shared", "testdata", "invictus-aws", "AWSLogs", "218007301253", "CloudTrail", "us-east-1", "2023", "07", "10")
	for _, name := range []string{
		"218007301253_CloudTrail_us-east-1_20230710T1150Z_1vnLavRRp0ek1mP4.json.gz",
		"218007301253_CloudTrail_us-east-1_20230710T1215Z_dTTFsx4I2m3om5Oy.json.gz",
	} {
		// Seeds when the real data is there; the fuzz target runs without.
		if data, err := os.ReadFile(filepath.Join(day, name)); err == nil {
			f.Add(data, true)
			if zr, err := gzip.NewReader(bytes.NewReader(data)); err == nil {
				if inflated, err := io.ReadAll(zr); err == nil {
					f.Add(inflated, false)
				}
			}
		}
	}
	for _, s := range []string{
		`{"Records":[` + everyField + `]}`,
		`{"Records":[{"eventTime":"2023-07-10T11:47:39Z","requestParameters":{"a":null,"b":[1,{"c":"\u00e9"}]},"readOnly":"true"}]}`,
		`{"Records":[]}`,
		`not json`,
		`[]`,
		`{"Records": {}}`,
		`{"foo":1}`,
		`{"Records":[{"eventName":"x"}]}`,
		`{"Records":[{"eventTime":"yesterday"}]}`,
		`{"Records":[42]}`,
		`{"digestStartTime":"2023-07-10T11:00:00Z","logFiles":[]}`,
		`{"Records":[{"eventTime":"2023-07-10T11:47:39Z","userAgent":"caf` + "\xe9" + `"}]}`,
		`{"Records":[{"eventTime":"2023-07-10T11:47:39Z"},{"eventTime":"2023-07-10T11:47:39Z"},{"eventTime":"2023-07-10T11:47:39Z"},{"eventTime":"2023-07-10T11:47:39Z"}]}`,
	} {
		f.Add([]byte(s), false)
	}
	f.Add([]byte(nil), true)
	f.Add([]byte("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"), true) // a gzip header and nothing else

	errSink := errors.New("sink refuses a fourth event")
	// One writer for all inputs (a fuzz worker runs them one at a time):
	// a new writer per input would cost more than the decoding.
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	f.Fuzz(func(t *testing.T, data []byte, compressed bool) {
		file := data
		if !compressed {
			buf.Reset()
			zw.Reset(&buf)
			zw.Write(data)
			zw.Close()
			file = buf.Bytes()
		}
		var evs []*ctlake.Event
		err := Decode(bytes.NewReader(file), 1<<20, func(ev *ctlake.Event) error {
			if len(evs) == 3 {
				return errSink
			}
			checkEventInvariants(t, ev)
			evs = append(evs, ev)
			return nil
		})
		var fe *FileError
		switch {
		case err == nil:
		case err == errSink:
			return
		case errors.As(err, &fe):
			switch fe.Type {
			case ctlake.FailureInvalidFileFormat, ctlake.FailureInvalidEventRecord, ctlake.FailureNotTrailLog:
			default:
				t.Fatalf("FileError of unknown type %q", fe.Type)
			}
			if fe.Message == "" || !utf8.ValidString(fe.Message) {
				t.Fatalf("FileError message %q", fe.Message)
			}
			return
		default:
			t.Fatalf("Decode returned %v (%T), neither a *FileError nor the sink's error", err, err)
		}

		// Accepted: encoding/json must agree that it is JSON with a
		// Records array of that many records.
		inflated := data
		if compressed {
			zr, err := gzip.NewReader(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("Decode accepted what gzip refuses: %v", err)
			}
			if inflated, err = io.ReadAll(zr); err != nil {
				t.Fatalf("Decode accepted what gzip refuses: %v", err)
			}
		}
		var top map[string]json.RawMessage // exact keys, unlike a struct
		if err := json.Unmarshal(inflated, &top); err != nil {
			t.Fatalf("Decode accepted what encoding/json refuses: %v", err)
		}
		var records []json.RawMessage
		if err := json.Unmarshal(top["Records"], &records); err != nil {
			t.Fatalf("Decode accepted Records that encoding/json refuses: %v", err)
		}
		if len(records) != len(evs) {
			t.Fatalf("Decode found %d records, encoding/json %d", len(evs), len(records))
		}
		for i, r := range records {
			if string(r) != evs[i].EventJSON {
				t.Fatalf("Records[%d]: EventJSON %q, encoding/json sees %q", i, evs[i].EventJSON, r)
			}
		}
	})
}

// checkEventInvariants holds for every event Decode gives: valid UTF-8
// text everywhere, EventJSON a JSON object, EventTime in UTC to the
// millisecond.
func checkEventInvariants(t *testing.T, ev *ctlake.Event) {
	t.Helper()
	if !json.Valid([]byte(ev.EventJSON)) || !strings.HasPrefix(strings.TrimLeft(ev.EventJSON, " \t\r\n"), "{") {
		t.Fatalf("EventJSON %q is not a JSON object", ev.EventJSON)
	}
	if ev.EventTime.IsZero() && !strings.Contains(ev.EventJSON, "0001-01-01") {
		t.Fatalf("zero EventTime from %q", ev.EventJSON)
	}
	if ev.EventTime.Location() != time.UTC || !ev.EventTime.Equal(ctlake.Millis(ev.EventTime)) {
		t.Fatalf("EventTime %v is not UTC milliseconds", ev.EventTime)
	}
	walkStrings(reflect.ValueOf(ev).Elem(), func(s string) {
		if !utf8.ValidString(s) {
			t.Fatalf("invalid UTF-8 %q in an event from %q", s, ev.EventJSON)
		}
	})
}

// walkStrings calls fn with every string reachable from v.
func walkStrings(v reflect.Value, fn func(string)) {
	switch v.Kind() {
	case reflect.String:
		fn(v.String())
	case reflect.Pointer:
		if !v.IsNil() {
			walkStrings(v.Elem(), fn)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				walkStrings(v.Field(i), fn)
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			walkStrings(v.Index(i), fn)
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			walkStrings(it.Key(), fn)
			walkStrings(it.Value(), fn)
		}
	}
}

package console

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ctlake/ctlake"
	"github.com/ctlake/ctlake/segment"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// schemaNode is an entry of assets/schema.json, the columns the query page
// shows beside the editor.
type schemaNode struct {
	Name   string       `json:"name"`
	Type   string       `json:"type"`
	Fields []schemaNode `json:"fields"`
}

// TestSchemaMatchesSegments checks the schema the console shows against
// the Parquet schema of a segment file segment.Store writes: same columns
// and struct fields, in the same order, of the same kinds.
func TestSchemaMatchesSegments(t *testing.T) {
	var shown []schemaNode
	body, err := assets.ReadFile("assets/schema.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(body, &shown); err != nil {
		t.Fatalf("assets/schema.json: %v", err)
	}
	store := segment.NewStore(t.TempDir())
	name := "ConsoleLogin"
	seg, err := store.WriteSegment(context.Background(), "00000000-0000-4000-8000-000000000001",
		time.Date(2023, 7, 10, 0, 0, 0, 0, time.UTC),
		[]*ctlake.Event{{EventTime: time.Date(2023, 7, 10, 11, 42, 18, 0, time.UTC), EventName: &name}})
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(store.Abs(seg.Path))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	compareFields(t, "", shown, pf.Schema().Fields())
}

func compareFields(t *testing.T, path string, shown []schemaNode, fields []parquet.Field) {
	t.Helper()
	if len(shown) != len(fields) {
		var names []string
		for _, f := range fields {
			names = append(names, f.Name())
		}
		t.Errorf("%s: the console shows %d fields, segments have %d: %s", orRoot(path), len(shown), len(fields), strings.Join(names, ", "))
		return
	}
	for i, f := range fields {
		n := shown[i]
		p := strings.TrimPrefix(path+"."+f.Name(), ".")
		if strings.ToLower(n.Name) != f.Name() {
			t.Errorf("%s: field %d is %s in segments, %s in the console", orRoot(path), i, f.Name(), n.Name)
			continue
		}
		var logical format.LogicalTypeValue
		if lt := f.Type().LogicalType(); lt != nil {
			logical = lt.Value
		}
		_, isList := logical.(*format.ListType)
		_, isMap := logical.(*format.MapType)
		_, isString := logical.(*format.StringType)
		_, isTimestamp := logical.(*format.TimestampType)
		switch n.Type {
		case "struct":
			if f.Leaf() || isList || isMap {
				t.Errorf("%s: not a struct in segments", p)
				continue
			}
			compareFields(t, p, n.Fields, f.Fields())
		case "array<struct>":
			if !isList {
				t.Errorf("%s: not a list in segments", p)
				continue
			}
			// LIST → repeated group list → element (the struct).
			compareFields(t, p, n.Fields, f.Fields()[0].Fields()[0].Fields())
		case "map<string,string>":
			if !isMap {
				t.Errorf("%s: not a map in segments", p)
			}
		case "string":
			if !f.Leaf() || !isString {
				t.Errorf("%s: not a string in segments", p)
			}
		case "timestamp":
			if !f.Leaf() || !isTimestamp {
				t.Errorf("%s: not a timestamp in segments", p)
			}
		case "boolean":
			if !f.Leaf() || f.Type().Kind() != parquet.Boolean {
				t.Errorf("%s: not a boolean in segments", p)
			}
		default:
			t.Errorf("%s: type %q is not one the test knows", p, n.Type)
		}
	}
}

func orRoot(path string) string {
	if path == "" {
		return "the event row"
	}
	return path[1:]
}

package duckdb

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ctlake/ctlake"
)

// TestOldFieldOrder reads a segment written before useridentity's fields
// took AWS's documented order (sessioncontext, invokedby,
// identityprovider, onbehalfof, inscopeof; segment/testdata has the file
// as that writer wrote it), alone and beside a segment of today's writer:
// the struct prints in the documented order with every value under its
// own field.
func TestOldFieldOrder(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Config{})
	const tableD = "eds_0b9d1c2e_4444_4a6e_9a55_3f8f6aa0c004"
	b, err := os.ReadFile(filepath.Join("..", "segment", "testdata", "useridentity-order-2026-11.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	old := filepath.Join(f.store.Root, "0b9d1c2e-4444-4a6e-9a55-3f8f6aa0c004", "eventday=2023-07-10", "old.parquet")
	if err := os.MkdirAll(filepath.Dir(old), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(old, b, 0o644); err != nil {
		t.Fatal(err)
	}
	invoked := &ctlake.Event{
		EventTime: time.Date(2023, 7, 10, 13, 0, 0, 0, time.UTC), EventName: ptr("Invoke"),
		UserIdentity: &ctlake.UserIdentity{Type: ptr("AWSService"), InvokedBy: ptr("lambda.amazonaws.com"),
			OnBehalfOf: &ctlake.OnBehalfOf{UserID: ptr("u2")}},
		EventJSON: "{}",
	}
	seg, err := f.store.WriteSegment(t.Context(), "0b9d1c2e-4444-4a6e-9a55-3f8f6aa0c004", day1, []*ctlake.Event{invoked})
	if err != nil {
		t.Fatal(err)
	}
	// The PutObject event of the old file, as segment's tests wrote it.
	const oldIdentity = `{type=AssumedRole, principalid=AROAEXAMPLE:alice, arn=arn:aws:sts::111122223333:assumed-role/Admin/alice, ` +
		`accountid=111122223333, accesskeyid=ASIAEXAMPLE, username=alice, sessioncontext={`
	const oldTail = `}, onbehalfof={userid=user-1, identitystorearn=arn:aws:identitystore::111122223333:identitystore/d-123}, ` +
		`inscopeof={sourcearn=arn:aws:lambda:us-east-1:111122223333:function:f, sourceaccount=111122223333, ` +
		`issuertype=AWS::Lambda::Function, credentialsissuedto=arn:aws:iam::111122223333:role/f}, ` +
		`invokedby=cloudformation.amazonaws.com, identityprovider=https://idp.example.com}`
	const newIdentity = `{type=AWSService, principalid=null, arn=null, accountid=null, accesskeyid=null, username=null, ` +
		`sessioncontext=null, onbehalfof={userid=u2, identitystorearn=null}, inscopeof=null, invokedby=lambda.amazonaws.com, identityprovider=null}`
	for _, files := range [][]string{{old}, {old, f.store.Abs(seg.Path)}, {f.store.Abs(seg.Path), old}} {
		f.paths[tableD] = files
		r := f.mustQuery(t, "SELECT eventname, useridentity FROM "+tableD+" WHERE eventname IN ('PutObject', 'Invoke') ORDER BY eventname DESC", tableD)
		if len(r.rows) != len(files) {
			t.Fatalf("%d files: rows %q", len(files), r.rows)
		}
		if got := r.rows[0][1]; !strings.HasPrefix(got, oldIdentity) || !strings.HasSuffix(got, oldTail) {
			t.Errorf("%d files: the old segment's useridentity is\n%s\nwant it to start %s\nand end %s", len(files), got, oldIdentity, oldTail)
		}
		if len(files) == 2 && r.rows[1][1] != newIdentity {
			t.Errorf("the new segment's useridentity is\n%s\nwant %s", r.rows[1][1], newIdentity)
		}
	}
}

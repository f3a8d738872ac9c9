package duckdb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ctlake/ctlake"
	"github.com/ctlake/ctlake/internal/sqlquote"
	"github.com/ctlake/ctlake/lakesql"
)

// usernameExpr is LookupEvents' Username: the IAM user name, else the
// session issuer's name, else the last part of the caller's ARN (the
// session name of an assumed role).
const usernameExpr = `coalesce(useridentity.username, regexp_extract(useridentity.arn, '[^/:]+$'), useridentity.sessioncontext.sessionissuer.username)`

// Lookup runs LookupEvents as one SQL query over the stores' views, newest
// first. The SQL is the server's own, built from validated values quoted as
// SQL string literals.
func (e *QueryEngine) Lookup(ctx context.Context, segs map[string][]ctlake.Segment, f ctlake.LookupFilter) ([]ctlake.LookupEvent, error) {
	var union []string
	for store := range segs {
		union = append(union, "SELECT * FROM "+lakesql.TableName(store))
	}
	where := []string{"coalesce(eventcategory, 'Management') = " + sqlquote.String(f.Category)}
	if !f.Start.IsZero() {
		where = append(where, "eventtime >= "+timestampLiteral(f.Start))
	}
	if !f.End.IsZero() {
		where = append(where, "eventtime <= "+timestampLiteral(f.End))
	}
	if a := f.Attribute; a != nil {
		v := sqlquote.String(a.Value)
		switch a.Key {
		case "EventId":
			where = append(where, "eventid = "+v)
		case "EventName":
			where = append(where, "eventname = "+v)
		case "ReadOnly":
			where = append(where, "CAST(readonly AS VARCHAR) = lower("+v+")")
		case "Username":
			where = append(where, usernameExpr+" = "+v)
		case "ResourceType":
			where = append(where, "list_contains(list_transform(resources, r -> r.type), "+v+")")
		case "ResourceName":
			where = append(where, "list_contains(list_transform(resources, r -> r.arn), "+v+")")
		case "EventSource":
			where = append(where, "eventsource = "+v)
		case "AccessKeyId":
			where = append(where, "useridentity.accesskeyid = "+v)
		}
	}
	if c := f.Before; c != nil {
		t := timestampLiteral(time.UnixMilli(c.TimeMillis))
		where = append(where, fmt.Sprintf("(eventtime < %s OR eventtime = %s AND coalesce(eventid, '') < %s)", t, t, sqlquote.String(c.EventID)))
	}
	sql := `SELECT eventid, eventname, readonly, useridentity.accesskeyid, eventtime, eventsource, ` + usernameExpr + ` AS username,
		to_json(resources) AS resources, eventjson
		FROM (` + strings.Join(union, " UNION ALL ") + `) AS events
		WHERE ` + strings.Join(where, " AND ") + `
		ORDER BY eventtime DESC, coalesce(eventid, '') DESC LIMIT ` + fmt.Sprint(f.Limit)
	var out []ctlake.LookupEvent
	_, err := e.run(ctx, e.calls, sql, segs, func(_ []string, row []*string) error {
		val := func(i int) string {
			if row[i] == nil {
				return ""
			}
			return *row[i]
		}
		t, err := time.Parse("2006-01-02 15:04:05.000", val(4))
		if err != nil {
			return fmt.Errorf("lookup: event time %q: %w", val(4), err)
		}
		ev := ctlake.LookupEvent{EventID: val(0), EventName: val(1), ReadOnly: val(2), AccessKeyID: val(3), EventTime: t.UTC(),
			EventSource: val(5), Username: val(6), CloudTrailEvent: val(8)}
		if res := val(7); res != "" && res != "null" {
			var rs []struct{ Type, ARN *string }
			if err := json.Unmarshal([]byte(res), &rs); err != nil {
				return fmt.Errorf("lookup: resources: %w", err)
			}
			for _, r := range rs {
				lr := ctlake.LookupResource{}
				if r.Type != nil {
					lr.Type = *r.Type
				}
				if r.ARN != nil {
					lr.Name = *r.ARN
				}
				ev.Resources = append(ev.Resources, lr)
			}
		}
		out = append(out, ev)
		return nil
	})
	if errors.Is(err, ErrBusy) {
		return nil, e.busy()
	}
	return out, err
}

func timestampLiteral(t time.Time) string {
	return "TIMESTAMPTZ " + sqlquote.String(t.UTC().Format("2006-01-02 15:04:05.000")+"+00")
}

package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// resultCell is one value of a query result row: its column label and its
// text, nil for NULL.
type resultCell struct {
	label string
	value *string
}

// resultRow is a row in SELECT order, as GetQueryResults gives it.
type resultRow []resultCell

// queryRows fetches every page of a finished query's result.
//
// The SDK decodes each value into a string, so a NULL arrives as "" and
// cannot be told from an empty string; the json format must keep NULL. So
// each response body is also captured as it is read and decoded here.
func (c *cli) queryRows(ctx context.Context, id string) ([]resultRow, error) {
	var rows []resultRow
	var body bytes.Buffer
	capture := func(o *cloudtrail.Options) { o.APIOptions = append(o.APIOptions, captureBody(&body)) }
	in := &cloudtrail.GetQueryResultsInput{QueryId: &id}
	for {
		page, err := c.ct.GetQueryResults(ctx, in, capture)
		if err != nil {
			return nil, fmt.Errorf("get the results of query %s: %w", id, err)
		}
		var raw struct {
			QueryResultRows [][]map[string]*string
		}
		if err := json.Unmarshal(body.Bytes(), &raw); err != nil {
			return nil, fmt.Errorf("decode the results of query %s: %w", id, err)
		}
		for _, r := range raw.QueryResultRows {
			row := make(resultRow, 0, len(r))
			for _, cell := range r {
				for label, v := range cell { // one key per cell
					row = append(row, resultCell{label, v})
				}
			}
			rows = append(rows, row)
		}
		if in.NextToken = page.NextToken; in.NextToken == nil {
			return rows, nil
		}
	}
}

// captureBody returns a client option that copies each response body into
// buf as the SDK's deserializer reads it. It sits after the deserializer
// in the stack, so it sees the raw response first; a retried attempt
// resets buf.
func captureBody(buf *bytes.Buffer) func(*middleware.Stack) error {
	return func(st *middleware.Stack) error {
		return st.Deserialize.Add(middleware.DeserializeMiddlewareFunc("ctlakeCaptureBody",
			func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
				out, md, err := next.HandleDeserialize(ctx, in)
				if resp, ok := out.RawResponse.(*smithyhttp.Response); ok && resp.Body != nil {
					buf.Reset()
					resp.Body = teeReadCloser{io.TeeReader(resp.Body, buf), resp.Body}
				}
				return out, md, err
			}), middleware.After)
	}
}

type teeReadCloser struct {
	io.Reader
	io.Closer
}

// columns are the labels of the first row (every row has the same).
func columns(rows []resultRow) []string {
	if len(rows) == 0 {
		return nil
	}
	out := make([]string, len(rows[0]))
	for i, c := range rows[0] {
		out[i] = c.label
	}
	return out
}

// writeRowsTable writes rows as an aligned table; NULL shows as NULL.
func writeRowsTable(w io.Writer, t terminal, rows []resultRow) error {
	if len(rows) == 0 {
		_, err := io.WriteString(w, "(no rows)\n")
		return err
	}
	tb := &table{header: columns(rows)}
	nulls := map[[2]int]bool{}
	for i, r := range rows {
		cells := make([]string, len(r))
		for j, c := range r {
			if c.value == nil {
				cells[j], nulls[[2]int{i, j}] = nullText, true
			} else {
				cells[j] = *c.value
			}
		}
		tb.rows = append(tb.rows, cells)
	}
	tb.style = func(row, col int, _ string) string {
		if nulls[[2]int{row, col}] {
			return styleDim
		}
		return ""
	}
	return tb.write(w, t)
}

// writeRowsCSV writes a header and the rows as CSV (RFC 4180); NULL is an
// empty field.
func writeRowsCSV(w io.Writer, rows []resultRow) error {
	cw := csv.NewWriter(w)
	if len(rows) > 0 {
		cw.Write(columns(rows))
	}
	for _, r := range rows {
		rec := make([]string, len(r))
		for i, c := range r {
			if c.value != nil {
				rec[i] = *c.value
			}
		}
		cw.Write(rec)
	}
	cw.Flush()
	return cw.Error()
}

// writeRowsJSON writes an array of objects keyed by column label, in
// SELECT order, one row per line; values are strings or null, as the API
// gives them.
func writeRowsJSON(w io.Writer, rows []resultRow) error {
	var b strings.Builder
	b.WriteString("[")
	for i, r := range rows {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n  {")
		for j, c := range r {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString(jsonString(c.label))
			b.WriteString(": ")
			if c.value == nil {
				b.WriteString("null")
			} else {
				b.WriteString(jsonString(*c.value))
			}
		}
		b.WriteString("}")
	}
	if len(rows) > 0 {
		b.WriteString("\n")
	}
	b.WriteString("]\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// jsonString quotes s as a JSON string, leaving <, > and & as they are
// (the output is read by people and tools, never embedded in HTML).
func jsonString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

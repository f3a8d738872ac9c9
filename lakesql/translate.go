package lakesql

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/ctlake/ctlake"
)

// MaxStatementLength is the longest QueryStatement StartQuery accepts, in
// characters (spec §3.13).
const MaxStatementLength = 10000

// Statement is a CloudTrail Lake statement translated to DuckDB SQL.
type Statement struct {
	// SQL is one DuckDB SELECT statement, without a trailing semicolon, in
	// which each event data store id is replaced by TableName(id).
	SQL string
	// Stores are the distinct event data store ids the statement reads, in
	// lower case, in the order of their first appearance.
	Stores []string
}

// TableName returns the DuckDB table name that stands for the event data
// store storeID in translated SQL: "eds_" and the id with its hyphens
// replaced by underscores, an unquoted identifier. The query engine defines a
// view of that name for each store of Statement.Stores.
func TableName(storeID string) string {
	return "eds_" + strings.ReplaceAll(strings.ToLower(storeID), "-", "_")
}

// Translate checks one CloudTrail Lake SQL statement and rewrites it into
// DuckDB SQL. A statement that is not a single read-only SELECT over event
// data stores, that uses a DuckDB feature able to reach files, the network or
// the server's configuration, or that Translate cannot read, is refused with
// an *ctlake.Error whose code is InvalidQueryStatementException and whose
// message says what is not supported and where.
func Translate(sql string) (*Statement, error) {
	if !utf8.ValidString(sql) {
		return nil, invalid("the statement is not valid UTF-8")
	}
	if n := utf8.RuneCountInString(sql); n > MaxStatementLength {
		return nil, invalid("the statement is %d characters long; the limit is %d", n, MaxStatementLength)
	}
	toks, err := lex(sql, lexStatement)
	if err != nil {
		return nil, err
	}
	if len(toks) > 0 && toks[len(toks)-1].kind == kOp && toks[len(toks)-1].text == ";" {
		toks = toks[:len(toks)-1]
	}
	if len(toks) == 0 {
		return nil, invalid("the statement is empty")
	}
	for _, t := range toks {
		if t.kind == kOp && t.text == ";" {
			return nil, errorAt(sql, t.pos, "only one statement is allowed")
		}
	}
	seq, err := tree(sql, toks)
	if err != nil {
		return nil, err
	}
	c := &checker{sql: sql}
	if err := c.statement(seq); err != nil {
		return nil, err
	}
	seq, err = rewriteSeq(sql, seq)
	if err != nil {
		return nil, err
	}
	seq = labelOutput(seq)
	return &Statement{SQL: render(seq), Stores: c.stores}, nil
}

// invalid returns an InvalidQueryStatementException.
func invalid(format string, args ...any) *ctlake.Error {
	return ctlake.Errorf(ctlake.InvalidQueryStatementException, format, args...)
}

// errorAt returns an InvalidQueryStatementException whose message ends with
// the line and column of the byte offset pos of sql.
func errorAt(sql string, pos int, format string, args ...any) *ctlake.Error {
	msg := fmt.Sprintf(format, args...)
	if pos >= 0 {
		msg += " at " + where(sql, pos)
	}
	return invalid("%s", msg)
}

// where returns "line L, column C" (both from 1, columns in characters) for
// the byte offset pos of sql.
func where(sql string, pos int) string {
	if pos > len(sql) {
		pos = len(sql)
	}
	line := 1 + strings.Count(sql[:pos], "\n")
	start := strings.LastIndexByte(sql[:pos], '\n') + 1
	return fmt.Sprintf("line %d, column %d", line, 1+utf8.RuneCountInString(sql[start:pos]))
}

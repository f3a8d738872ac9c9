package lakesql

import (
	"slices"
	"strings"
	"testing"
)

// TestTokens: the tokens' kinds and their text as written, quotes and all;
// comments are skipped; on a fault, the tokens before it and the error.
func TestTokens(t *testing.T) {
	type tok struct {
		kind TokenKind
		text string
	}
	for _, c := range []struct {
		sql  string
		want []tok
		err  string
	}{
		{`SELECT 'it''s' AS "a""b" FROM $store -- FROM x`, []tok{
			{Word, "SELECT"}, {Quoted, `'it''s'`}, {Word, "AS"}, {Quoted, `"a""b"`}, {Word, "FROM"}, {Variable, "$store"}}, ""},
		{"FROM /* c */ my-store.v2,1e3", []tok{
			{Word, "FROM"}, {Word, "my"}, {Other, "-"}, {Word, "store"}, {Other, "."}, {Word, "v2"}, {Other, ","}, {Other, "1e3"}}, ""},
		{"JOIN 0E3B2C1A-7D5F-4A9B-8C6D-112233445566 x", []tok{
			{Word, "JOIN"}, {Other, "0E3B2C1A-7D5F-4A9B-8C6D-112233445566"}, {Word, "x"}}, ""},
		{"SELECT a FROM b WHERE c = 'open", []tok{
			{Word, "SELECT"}, {Word, "a"}, {Word, "FROM"}, {Word, "b"}, {Word, "WHERE"}, {Word, "c"}, {Other, "="}}, "unterminated string literal"},
		{"SELECT 1 FROM t WHERE x::int = 1", []tok{
			{Word, "SELECT"}, {Other, "1"}, {Word, "FROM"}, {Word, "t"}, {Word, "WHERE"}, {Word, "x"}}, `character ':' is not supported`},
	} {
		toks, err := Tokens(c.sql)
		var got []tok
		for _, t := range toks {
			got = append(got, tok{t.Kind, c.sql[t.Pos:t.End]})
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("Tokens(%q) = %v, want %v", c.sql, got, c.want)
		}
		if c.err == "" && err != nil || c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)) {
			t.Errorf("Tokens(%q): error %v, want one with %q", c.sql, err, c.err)
		}
	}
}

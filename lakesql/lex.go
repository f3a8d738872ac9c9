package lakesql

import (
	"strings"
	"unicode/utf8"
)

// kind is the kind of a token or of a node of the token tree.
type kind uint8

const (
	kIdent    kind = iota + 1 // unquoted identifier or keyword: [A-Za-z_][A-Za-z0-9_]*
	kQuoted                   // double-quoted identifier; text is the unescaped content
	kString                   // single-quoted string literal; text is the unescaped content
	kNumber                   // numeric literal as written
	kOp                       // operator or punctuation
	kStore                    // event data store id (a UUID); text is its lower-case form
	kGroup                    // a (...) or [...] group; only in the tree
	kHole                     // a template placeholder; only in templates
	kVariable                 // $name, a client's placeholder; only in Tokens
)

// token is one lexical unit of a statement. Comments and whitespace are not
// tokens: they are dropped, so the DuckDB SQL that Translate returns never
// contains a comment.
type token struct {
	kind kind
	text string
	pos  int // byte offset in the statement; -1 for a token that Translate made
}

// ops are the operators and punctuation of the dialect, longest first.
// Anything else outside a literal, an identifier or a comment is refused:
// DuckDB gives meaning to several characters that Trino does not ("::" casts,
// "$1" parameters and dollar quoting, "{...}" struct literals, "->>" JSON
// extraction, "@" and "^" operators, named arguments ":="), and refusing them
// keeps the accepted language small.
var ops = []string{
	"<>", "<=", ">=", "!=", "||", "->",
	"+", "-", "*", "/", "%", "=", "<", ">", "(", ")", "[", "]", ",", ".", ";",
}

// duckdbOps are operators of DuckDB (or of other dialects) that begin with
// the characters of operators of the dialect; they are refused by name, for
// a clearer message than the one for their pieces.
var duckdbOps = []string{"->>", "<=>", "=>", "**", "//", "<<", ">>", "!~"}

// lexMode says which placeholders lex reads besides SQL.
type lexMode uint8

const (
	lexStatement lexMode = iota // a user's statement: no placeholders
	lexTemplate                 // SQL that Translate itself writes: "$0".."$9" are holes
	lexClient                   // a client's statement (Tokens): "$name" is a variable
)

// lex splits sql into tokens. On a fault it returns the tokens before it
// with the error.
func lex(sql string, mode lexMode) ([]token, error) {
	var toks []token
	i := 0
	for i < len(sql) {
		c := sql[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			i++
		case c == '-' && strings.HasPrefix(sql[i:], "--"):
			// A line comment ends at the first line break, as in Trino and DuckDB.
			j := strings.IndexAny(sql[i:], "\n\r")
			if j < 0 {
				j = len(sql) - i
			}
			if err := checkCommentText(sql, i, i+j); err != nil {
				return toks, err
			}
			i += j
		case c == '/' && strings.HasPrefix(sql[i:], "/*"):
			// Block comments do not nest, as in Trino.
			j := strings.Index(sql[i+2:], "*/")
			if j < 0 {
				return toks, errorAt(sql, i, "unterminated comment")
			}
			if err := checkCommentText(sql, i, i+2+j); err != nil {
				return toks, err
			}
			i += 2 + j + 2
		case c == '\'':
			text, end, err := quoted(sql, i, '\'')
			if err != nil {
				return toks, err
			}
			toks = append(toks, token{kString, text, i})
			i = end
		case c == '"':
			text, end, err := quoted(sql, i, '"')
			if err != nil {
				return toks, err
			}
			if text == "" {
				return toks, errorAt(sql, i, "empty quoted identifier")
			}
			toks = append(toks, token{kQuoted, text, i})
			i = end
		case isHex(c) && uuidAt(sql, i):
			toks = append(toks, token{kStore, strings.ToLower(sql[i : i+36]), i})
			i += 36
		case isDigit(c) || (c == '.' && i+1 < len(sql) && isDigit(sql[i+1])):
			end := numberEnd(sql, i)
			toks = append(toks, token{kNumber, sql[i:end], i})
			i = end
		case isIdentStart(c):
			j := i + 1
			for j < len(sql) && isIdentPart(sql[j]) {
				j++
			}
			toks = append(toks, token{kIdent, sql[i:j], i})
			i = j
		case mode == lexTemplate && c == '$' && i+1 < len(sql) && isDigit(sql[i+1]):
			toks = append(toks, token{kHole, sql[i+1 : i+2], -1})
			i += 2
		case mode == lexClient && c == '$' && i+1 < len(sql) && isIdentStart(sql[i+1]):
			j := i + 2
			for j < len(sql) && isIdentPart(sql[j]) {
				j++
			}
			toks = append(toks, token{kVariable, sql[i:j], i})
			i = j
		default:
			for _, o := range duckdbOps {
				if strings.HasPrefix(sql[i:], o) {
					return toks, errorAt(sql, i, "operator %s is not supported", o)
				}
			}
			op := ""
			for _, o := range ops {
				if strings.HasPrefix(sql[i:], o) {
					op = o
					break
				}
			}
			if op == "" {
				return toks, badChar(sql, i)
			}
			toks = append(toks, token{kOp, op, i})
			i += len(op)
		}
	}
	return toks, nil
}

// quoted reads a literal or identifier quoted with q, in which a doubled q
// stands for one q. It returns the content and the offset after the closing
// quote.
func quoted(sql string, start int, q byte) (string, int, error) {
	var b strings.Builder
	i := start + 1
	for {
		j := strings.IndexByte(sql[i:], q)
		if j < 0 {
			what := "string literal"
			if q == '"' {
				what = "quoted identifier"
			}
			return "", 0, errorAt(sql, start, "unterminated %s", what)
		}
		b.WriteString(sql[i : i+j])
		i += j + 1
		if i < len(sql) && sql[i] == q {
			b.WriteByte(q)
			i++
			continue
		}
		text := b.String()
		if k := strings.IndexFunc(text, isForbiddenInLiteral); k >= 0 {
			return "", 0, errorAt(sql, start, "control character U+%04X in a literal", text[k])
		}
		return text, i, nil
	}
}

// isForbiddenInLiteral reports control characters that may not appear even
// inside a literal: NUL would cut the statement short in DuckDB's C API, and
// the others have no business in a query.
func isForbiddenInLiteral(r rune) bool {
	return r < 0x20 && r != '\t' && r != '\n' && r != '\r'
}

func checkCommentText(sql string, start, end int) error {
	if k := strings.IndexFunc(sql[start:end], isForbiddenInLiteral); k >= 0 {
		return errorAt(sql, start+k, "control character U+%04X", sql[start+k])
	}
	return nil
}

// numberEnd returns the end of the number at sql[i:]: digits, an optional
// fraction and an optional exponent.
func numberEnd(sql string, i int) int {
	for i < len(sql) && isDigit(sql[i]) {
		i++
	}
	if i < len(sql) && sql[i] == '.' {
		i++
		for i < len(sql) && isDigit(sql[i]) {
			i++
		}
	}
	if i < len(sql) && (sql[i] == 'e' || sql[i] == 'E') {
		j := i + 1
		if j < len(sql) && (sql[j] == '+' || sql[j] == '-') {
			j++
		}
		if j < len(sql) && isDigit(sql[j]) {
			for j < len(sql) && isDigit(sql[j]) {
				j++
			}
			i = j
		}
	}
	return i
}

// uuidAt reports whether a UUID (8-4-4-4-12 hex digits, either case) starts
// at sql[i] and is not part of a longer word.
func uuidAt(sql string, i int) bool {
	if i > 0 && (isIdentPart(sql[i-1]) || sql[i-1] == '.') {
		return false
	}
	if len(sql)-i < 36 {
		return false
	}
	for k := 0; k < 36; k++ {
		c := sql[i+k]
		switch k {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !isHex(c) {
				return false
			}
		}
	}
	return i+36 == len(sql) || !(isIdentPart(sql[i+36]) || sql[i+36] == '-')
}

// isUUID reports whether s is exactly a UUID.
func isUUID(s string) bool { return len(s) == 36 && uuidAt(s, 0) }

func badChar(sql string, i int) error {
	r, _ := utf8.DecodeRuneInString(sql[i:])
	if r >= utf8.RuneSelf {
		return errorAt(sql, i, "character %q (U+%04X) outside a string literal or quoted identifier is not supported", r, r)
	}
	if r < 0x20 || r == 0x7f {
		return errorAt(sql, i, "control character U+%04X is not supported", r)
	}
	return errorAt(sql, i, "character %q is not supported", r)
}

func isDigit(c byte) bool      { return c >= '0' && c <= '9' }
func isHex(c byte) bool        { return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') }
func isIdentStart(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' }
func isIdentPart(c byte) bool  { return isIdentStart(c) || isDigit(c) }

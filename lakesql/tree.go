package lakesql

import (
	"strings"

	"github.com/ctlake/ctlake/internal/sqlquote"
)

// maxDepth bounds the nesting of parentheses and brackets, and with it the
// recursion of every pass over the tree.
const maxDepth = 100

// node is a token, or a group: the tokens between a "(" and its ")" or a
// "[" and its "]". The statement is a sequence of nodes; the passes of
// Translate walk and rewrite that tree rather than a flat token list, so an
// argument list, a subquery or a CAST is always one node with its own
// children.
type node struct {
	token
	open byte    // '(' or '[' for a group
	kids []*node // the children of a group
}

// tree groups toks by their brackets.
func tree(sql string, toks []token) ([]*node, error) {
	type frame struct {
		g    *node
		seq  []*node
		open token
	}
	var stack []frame
	var seq []*node
	for _, t := range toks {
		if t.kind == kOp {
			switch t.text {
			case "(", "[":
				if len(stack) == maxDepth {
					return nil, errorAt(sql, t.pos, "parentheses and brackets nest deeper than %d levels", maxDepth)
				}
				stack = append(stack, frame{&node{token: token{kind: kGroup, pos: t.pos}, open: t.text[0]}, seq, t})
				seq = nil
				continue
			case ")", "]":
				if len(stack) == 0 {
					return nil, errorAt(sql, t.pos, "unbalanced %q", t.text)
				}
				f := stack[len(stack)-1]
				if closer(f.g.open) != t.text[0] {
					return nil, errorAt(sql, t.pos, "%q closes %q at %s", t.text, string(f.g.open), where(sql, f.open.pos))
				}
				stack = stack[:len(stack)-1]
				f.g.kids = seq
				seq = append(f.seq, f.g)
				continue
			}
		}
		seq = append(seq, &node{token: t})
	}
	if len(stack) > 0 {
		f := stack[len(stack)-1]
		return nil, errorAt(sql, f.open.pos, "unclosed %q", string(f.g.open))
	}
	return seq, nil
}

func closer(open byte) byte {
	if open == '[' {
		return ']'
	}
	return ')'
}

// render writes seq as DuckDB SQL. Every token is written in a canonical
// form (identifiers as written, quoted identifiers and strings re-quoted)
// and tokens are separated by a space wherever two of them could otherwise
// run together into something else ("- -" is never written as "--", an
// identifier never touches a string); so DuckDB reads exactly the tokens
// that Translate checked.
func render(seq []*node) string {
	var b strings.Builder
	renderTo(&b, seq)
	return b.String()
}

func renderTo(b *strings.Builder, seq []*node) {
	var prev *node
	for _, n := range seq {
		if prev != nil && spaceBetween(prev, n) {
			b.WriteByte(' ')
		}
		switch n.kind {
		case kGroup:
			b.WriteByte(n.open)
			renderTo(b, n.kids)
			b.WriteByte(closer(n.open))
		case kQuoted:
			b.WriteString(sqlquote.Ident(n.text))
		case kString:
			b.WriteString(sqlquote.String(n.text))
		case kStore:
			b.WriteString(TableName(n.text))
		default:
			b.WriteString(n.text)
		}
		prev = n
	}
}

// spaceBetween decides the separator between two adjacent nodes: none
// around a dot and before a comma or an opening bracket that follows a name
// or a group (a call, a subscript), a space everywhere else.
func spaceBetween(a, b *node) bool {
	switch {
	case b.is(","):
		return false
	case a.is(".") || b.is("."):
		// "1 .x" must not become "1.x", and "x .5" must not become "x.5".
		return a.kind == kNumber || b.kind == kNumber
	case b.kind == kGroup:
		w := a.lower()
		return w == "zone" || !(a.kind == kIdent && (!isKeyword(w) || callKeywords[w]) || a.kind == kQuoted ||
			a.kind == kGroup || b.open == '[' && a.kind != kOp)
	}
	return true
}

// is reports whether n is the operator op.
func (n *node) is(op string) bool { return n != nil && n.kind == kOp && n.text == op }

// lower returns the text of an identifier in lower case (identifiers are
// ASCII), or "" for any other node.
func (n *node) lower() string {
	if n == nil || n.kind != kIdent {
		return ""
	}
	return strings.ToLower(n.text)
}

// kw reports whether n is the unquoted keyword or identifier w (lower case).
func (n *node) kw(w string) bool { return n != nil && n.kind == kIdent && strings.EqualFold(n.text, w) }

// name returns the name an identifier stands for: the lower-case text of an
// unquoted identifier or the content of a quoted one, folded to lower case
// as Trino and DuckDB match names. ok is false for other nodes.
func (n *node) name() (string, bool) {
	switch n.kind {
	case kIdent:
		return strings.ToLower(n.text), true
	case kQuoted:
		return strings.ToLower(n.text), true
	}
	return "", false
}

// isParen reports whether n is a (...) group.
func (n *node) isParen() bool { return n != nil && n.kind == kGroup && n.open == '(' }

// at returns seq[i], or nil past either end.
func at(seq []*node, i int) *node {
	if i < 0 || i >= len(seq) {
		return nil
	}
	return seq[i]
}

// splitCommas splits seq at its top-level commas.
func splitCommas(seq []*node) [][]*node {
	if len(seq) == 0 {
		return nil
	}
	var parts [][]*node
	start := 0
	for i, n := range seq {
		if n.is(",") {
			parts = append(parts, seq[start:i])
			start = i + 1
		}
	}
	return append(parts, seq[start:])
}

// joinCommas is the inverse of splitCommas.
func joinCommas(parts [][]*node) []*node {
	var seq []*node
	for i, p := range parts {
		if i > 0 {
			seq = append(seq, op(","))
		}
		seq = append(seq, p...)
	}
	return seq
}

// Constructors of nodes that Translate writes.
func ident(s string) *node { return &node{token: token{kind: kIdent, text: s, pos: -1}} }
func op(s string) *node    { return &node{token: token{kind: kOp, text: s, pos: -1}} }
func str(s string) *node   { return &node{token: token{kind: kString, text: s, pos: -1}} }
func paren(kids ...*node) *node {
	return &node{token: token{kind: kGroup, pos: -1}, open: '(', kids: kids}
}
func bracket(kids ...*node) *node {
	return &node{token: token{kind: kGroup, pos: -1}, open: '[', kids: kids}
}

// tmpl builds nodes from a template of DuckDB SQL in which $0..$9 stand for
// args. Templates are constants of this package; a template that does not
// lex is a programming error.
func tmpl(t string, args ...[]*node) []*node {
	toks, err := lex(t, lexTemplate)
	if err != nil {
		panic("lakesql: bad template " + t + ": " + err.Error())
	}
	seq, err := tree(t, toks)
	if err != nil {
		panic("lakesql: bad template " + t + ": " + err.Error())
	}
	for _, n := range seq {
		markSynthetic(n)
	}
	return fill(seq, args)
}

func markSynthetic(n *node) {
	n.pos = -1
	for _, k := range n.kids {
		markSynthetic(k)
	}
}

func fill(seq []*node, args [][]*node) []*node {
	out := make([]*node, 0, len(seq))
	for _, n := range seq {
		switch n.kind {
		case kHole:
			out = append(out, args[n.text[0]-'0']...)
		case kGroup:
			g := *n
			g.kids = fill(n.kids, args)
			out = append(out, &g)
		default:
			out = append(out, n)
		}
	}
	return out
}

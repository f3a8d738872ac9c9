package lakesql

// Token is one token of a statement as Translate reads it, for a client
// that must find its way in a statement without translating it (the CLI
// binds a store's name to its id). Its text is sql[Pos:End], as written.
// Comments and whitespace are not tokens.
type Token struct {
	Kind     TokenKind
	Pos, End int
}

// TokenKind is the kind of a Token.
type TokenKind uint8

const (
	Word     TokenKind = iota + 1 // an unquoted identifier or keyword
	Quoted                        // a string literal or a quoted identifier
	Variable                      // $name: a client's placeholder, which Translate refuses
	Other                         // a number, an operator or punctuation, a store id
)

// Tokens splits sql into tokens as Translate does, and reads "$name" as a
// Variable. On a statement it cannot read to the end, it returns the
// tokens before the fault with the error Translate would give for it.
func Tokens(sql string) ([]Token, error) {
	toks, err := lex(sql, lexClient)
	out := make([]Token, len(toks))
	for i, t := range toks {
		out[i] = Token{Kind: Other, Pos: t.pos, End: t.pos + len(t.text)}
		switch t.kind {
		case kIdent:
			out[i].Kind = Word
		case kVariable:
			out[i].Kind = Variable
		case kString, kQuoted:
			// The text is unescaped; the literal ends at its closing quote.
			_, end, qerr := quoted(sql, t.pos, sql[t.pos])
			if qerr != nil {
				panic("lakesql: a quoted token does not read again: " + qerr.Error())
			}
			out[i].Kind, out[i].End = Quoted, end
		}
	}
	return out, err
}

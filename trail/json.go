package trail

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// maxDepth is how deeply arrays and objects may nest inside one value, the
// same limit as encoding/json's. Deeper text is refused as invalid rather
// than risking the stack on hostile input.
const maxDepth = 10000

// parser reads JSON text that is wholly in memory: one record, one
// top-level key or one skipped top-level value. It validates as it goes
// (grammar, UTF-8, control characters), so anything it returns came from
// valid JSON. Values read from s without escapes are substrings of s and
// cost no allocation.
type parser struct {
	s       string
	i       int
	sawWS   bool   // insignificant whitespace was skipped since the flag was cleared
	scratch []byte // reused by unescape and compact
}

// syntaxError is invalid JSON at byte off of the text being parsed.
type syntaxError struct {
	off int
	msg string
}

func (e *syntaxError) Error() string { return fmt.Sprintf("invalid JSON at byte %d: %s", e.off, e.msg) }

func (p *parser) reset(s string) {
	p.s, p.i, p.sawWS = s, 0, false
}

func (p *parser) errorf(format string, args ...any) error {
	return &syntaxError{off: p.i, msg: fmt.Sprintf(format, args...)}
}

// unexpected reports the byte at p.i (or the end of the text) where
// something else was wanted.
func (p *parser) unexpected(want string) error {
	if p.i >= len(p.s) {
		return p.errorf("unexpected end of JSON, want %s", want)
	}
	return p.errorf("invalid character %s, want %s", quoteByte(p.s[p.i]), want)
}

func quoteByte(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return fmt.Sprintf("%q", rune(c))
	}
	return fmt.Sprintf("byte 0x%02x", c)
}

func (p *parser) skipWS() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
			p.sawWS = true
		default:
			return
		}
	}
}

// peek skips whitespace and returns the next byte, or 0 at the end.
func (p *parser) peek() byte {
	p.skipWS()
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

// done reports an error unless only whitespace is left.
func (p *parser) done() error {
	if p.peek(); p.i < len(p.s) {
		return p.errorf("invalid character %s after the value", quoteByte(p.s[p.i]))
	}
	return nil
}

// member advances to the next member of the object being read, whose '{'
// has been consumed, and returns its key with the position at its value.
// first tells whether no member has been read yet. ok is false at the '}'
// that closes the object, which is consumed.
func (p *parser) member(first bool) (key string, ok bool, err error) {
	c := p.peek()
	if c == '}' {
		p.i++
		return "", false, nil
	}
	if !first {
		if c != ',' {
			return "", false, p.unexpected("',' or '}' after an object member")
		}
		p.i++
		c = p.peek()
	}
	if c != '"' {
		return "", false, p.unexpected("a string key")
	}
	if key, err = p.str(); err != nil {
		return "", false, err
	}
	if p.peek() != ':' {
		return "", false, p.unexpected("':' after an object key")
	}
	p.i++
	p.skipWS()
	// Callers read the value at p.i at once: the end of the text here is
	// a syntax error, not an index past the end.
	if p.i >= len(p.s) {
		return "", false, p.unexpected("a value after ':'")
	}
	return key, true, nil
}

// element is member for arrays: ok is false at the closing ']', and the
// position is left at the element's value.
func (p *parser) element(first bool) (ok bool, err error) {
	c := p.peek()
	if c == ']' {
		p.i++
		return false, nil
	}
	if !first {
		if c != ',' {
			return false, p.unexpected("',' or ']' after an array element")
		}
		p.i++
		p.skipWS()
	}
	if p.i >= len(p.s) {
		return false, p.unexpected("an array element")
	}
	return true, nil
}

// literal consumes lit (true, false or null) if it is next.
func (p *parser) literal(lit string) bool {
	if strings.HasPrefix(p.s[p.i:], lit) {
		p.i += len(lit)
		return true
	}
	return false
}

// str reads the string at p.i (which is '"') and returns its value.
func (p *parser) str() (string, error) {
	start := p.i + 1
	end, escaped, err := p.scanStr()
	if err != nil {
		return "", err
	}
	if !escaped {
		return p.s[start:end], nil
	}
	return p.unescape(p.s[start:end]), nil
}

// scanStr validates the string at p.i (which is '"') and moves past it.
// end is the index of its closing quote; escaped tells whether it holds
// any backslash escape.
func (p *parser) scanStr() (end int, escaped bool, err error) {
	s := p.s
	i := p.i + 1
	for i < len(s) {
		if plain[s[i]] {
			i++
			continue
		}
		c := s[i]
		switch {
		case c == '"':
			p.i = i + 1
			return i, escaped, nil
		case c == '\\':
			escaped = true
			if i+1 >= len(s) {
				p.i = len(s)
				return 0, false, p.unexpected("an escape sequence")
			}
			switch s[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(s) || !isHex4(s[i+2:i+6]) {
					p.i = i
					return 0, false, p.errorf(`invalid \u escape in string`)
				}
				i += 6
			default:
				p.i = i + 1
				return 0, false, p.errorf("invalid escape %s in string", quoteByte(s[i+1]))
			}
		case c < 0x20:
			p.i = i
			return 0, false, p.errorf("control character %s in string", quoteByte(c))
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				p.i = i
				return 0, false, p.errorf("invalid UTF-8 (byte 0x%02x) in string", c)
			}
			i += size
		}
	}
	p.i = len(s)
	return 0, false, p.unexpected(`'"' to close the string`)
}

// plain marks the bytes that stand for themselves in a JSON string:
// printable ASCII other than '"' and '\\'.
var plain = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

func isHex4(s string) bool {
	for i := 0; i < 4; i++ {
		if hexVal(s[i]) < 0 {
			return false
		}
	}
	return true
}

func hexVal(c byte) rune {
	switch {
	case '0' <= c && c <= '9':
		return rune(c - '0')
	case 'a' <= c && c <= 'f':
		return rune(c - 'a' + 10)
	case 'A' <= c && c <= 'F':
		return rune(c - 'A' + 10)
	}
	return -1
}

func hex4(s string) rune {
	return hexVal(s[0])<<12 | hexVal(s[1])<<8 | hexVal(s[2])<<4 | hexVal(s[3])
}

// unescape decodes the body of a string that scanStr has validated. A \u
// escape of a lone UTF-16 surrogate becomes U+FFFD, as in encoding/json,
// so the result is always valid UTF-8.
func (p *parser) unescape(s string) string {
	b := p.scratch[:0]
	for i := 0; i < len(s); {
		c := s[i]
		if c != '\\' {
			j := strings.IndexByte(s[i:], '\\')
			if j < 0 {
				j = len(s) - i
			}
			b = append(b, s[i:i+j]...)
			i += j
			continue
		}
		switch s[i+1] {
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r := hex4(s[i+2:])
			i += 6
			if r >= 0xd800 && r < 0xdc00 && i+6 <= len(s) && s[i] == '\\' && s[i+1] == 'u' {
				if lo := hex4(s[i+2:]); lo >= 0xdc00 && lo < 0xe000 {
					r = 0x10000 + (r-0xd800)<<10 + (lo - 0xdc00)
					i += 6
				}
			}
			if r >= 0xd800 && r < 0xe000 {
				r = utf8.RuneError
			}
			b = utf8.AppendRune(b, r)
			continue
		default: // '"', '\\', '/'
			b = append(b, s[i+1])
		}
		i += 2
	}
	p.scratch = b
	return string(b)
}

// skip validates the value at p.i and moves past it. depth is how many
// arrays and objects enclose it.
func (p *parser) skip(depth int) error {
	if p.i >= len(p.s) {
		return p.unexpected("a value")
	}
	switch c := p.s[p.i]; c {
	case '{':
		if depth >= maxDepth {
			return p.errorf("nested deeper than %d", maxDepth)
		}
		p.i++
		for first := true; ; first = false {
			_, ok, err := p.member(first)
			if err != nil {
				return err
			}
			if !ok {
				return nil
			}
			if err := p.skip(depth + 1); err != nil {
				return err
			}
		}
	case '[':
		if depth >= maxDepth {
			return p.errorf("nested deeper than %d", maxDepth)
		}
		p.i++
		for first := true; ; first = false {
			ok, err := p.element(first)
			if err != nil {
				return err
			}
			if !ok {
				return nil
			}
			if err := p.skip(depth + 1); err != nil {
				return err
			}
		}
	case '"':
		_, _, err := p.scanStr()
		return err
	case 't':
		if p.literal("true") {
			return nil
		}
	case 'f':
		if p.literal("false") {
			return nil
		}
	case 'n':
		if p.literal("null") {
			return nil
		}
	default:
		if c == '-' || ('0' <= c && c <= '9') {
			return p.number()
		}
	}
	return p.unexpected("a value")
}

// number validates the number at p.i and moves past it:
// -? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?
func (p *parser) number() error {
	s, i := p.s, p.i
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && '1' <= s[i] && s[i] <= '9':
		i = digits(s, i)
	default:
		p.i = i
		return p.unexpected("a digit")
	}
	if i < len(s) && s[i] == '.' {
		if i++; i >= len(s) || s[i] < '0' || s[i] > '9' {
			p.i = i
			return p.unexpected("a digit after the decimal point")
		}
		i = digits(s, i)
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			p.i = i
			return p.unexpected("a digit in the exponent")
		}
		i = digits(s, i)
	}
	p.i = i
	return nil
}

func digits(s string, i int) int {
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	return i
}

// text validates the value at p.i, moves past it and returns its JSON
// text, compacted: whitespace outside strings is dropped, everything else
// (escapes, number spelling, key order) stays as written.
func (p *parser) text(depth int) (string, error) {
	start := p.i
	p.sawWS = false
	if err := p.skip(depth); err != nil {
		return "", err
	}
	t := p.s[start:p.i]
	if !p.sawWS {
		return t, nil
	}
	return p.compact(t), nil
}

// compact drops the whitespace outside strings of valid JSON text t.
func (p *parser) compact(t string) string {
	b := p.scratch[:0]
	inStr := false
	for i := 0; i < len(t); i++ {
		c := t[i]
		if inStr {
			b = append(b, c)
			switch c {
			case '\\':
				i++
				b = append(b, t[i])
			case '"':
				inStr = false
			}
			continue
		}
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		case '"':
			inStr = true
		}
		b = append(b, c)
	}
	p.scratch = b
	return string(b)
}

// kind names the JSON type of the value starting with byte c, for
// messages about values of the wrong type.
func kind(c byte) string {
	switch c {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

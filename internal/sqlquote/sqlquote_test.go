package sqlquote

import "testing"

func TestString(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", `''`},
		{"abc", `'abc'`},
		{"it's", `'it''s'`},
		{"''", `''''''`},
		{`say "hi"`, `'say "hi"'`},
		{`back\slash`, `'back\slash'`},
		{"select", `'select'`},
		{"é ☃ 日本", `'é ☃ 日本'`},
		{"line\nbreak", "'line\nbreak'"},
		{"a\x00b", `('a' || chr(0) || 'b')`},
		{"\x00", `('' || chr(0) || '')`},
		{"x'\x00'", `('x''' || chr(0) || '''')`},
	} {
		if got := String(c.in); got != c.want {
			t.Errorf("String(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestIdent(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"eventname", `"eventname"`},
		{"EventName", `"EventName"`},
		{"select", `"select"`},
		{"from", `"from"`},
		{`a"b`, `"a""b"`},
		{`""`, `""""""`},
		{"it's", `"it's"`},
		{"my-store.v2", `"my-store.v2"`},
		{"é☃", `"é☃"`},
	} {
		if got := Ident(c.in); got != c.want {
			t.Errorf("Ident(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestIdentRefusesNUL(t *testing.T) {
	defer func() {
		if r := recover(); r != `sqlquote: NUL in the identifier 'a\0b'` {
			t.Errorf("Ident with a NUL: recovered %v", r)
		}
	}()
	Ident("a\x00b")
	t.Error("Ident with a NUL did not panic")
}

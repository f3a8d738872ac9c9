package bytesize

import "testing"

func TestParse(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
	}{
		{"4096", 4096},
		{"0", 0},
		{"10B", 10},
		{"1.5B", 1},
		{"64KB", 64e3},
		{"64 KiB", 64 << 10},
		{"300MB", 300e6},
		{"256MiB", 256 << 20},
		{"224MiB", 224 << 20},
		{"1GB", 1e9},
		{"1GiB", 1 << 30},
		{"1.5GiB", 3 << 29},
		{"1.5 GB", 15e8},
		{"0.5MiB", 1 << 19},
		{"2TiB", 2 << 40},
		{"2 kib", 2 << 10}, // case does not matter, as in DuckDB
		{"512mb", 512e6},
		{"  1GiB  ", 1 << 30},
	} {
		got, err := Parse(c.in)
		if err != nil || got != c.want {
			t.Errorf("Parse(%q) = %d, %v; want %d", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "off", "lots", "MiB", "-5MiB", "1XB", "1.GiB", ".5GiB", "1.2.3MB", "1e3", "Inf", "NaN", "1 G", "99999999999TiB"} {
		if n, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) = %d, want an error", bad, n)
		}
	}
}

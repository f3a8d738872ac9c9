//go:build race

package trail

// raceEnabled tells tests that every memory access is instrumented, about
// ten times slower: byte-by-byte work is scaled down to stay fast.
const raceEnabled = true

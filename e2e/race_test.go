//go:build race

package e2e

// raceEnabled builds the server under test with the race detector too when
// the tests run with -race.
const raceEnabled = true

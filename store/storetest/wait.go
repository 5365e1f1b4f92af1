package storetest

import (
	"testing"
	"time"
)

// Patience is how long a test waits for what should take about a second
// (a lost connection noticed, a statement cancelled): generous, as the
// machine may be busy with other work.
const Patience = 20 * time.Second

// HoldsWithin fails the test unless cond holds within d, checking every
// 10 ms.
func HoldsWithin(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(d); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("not within %v: %s", d, what)
		}
	}
}

package storetest

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms/store"
)

// StatementCounter is a store.Options.Tracer that counts the statements a
// store sends: N the statements proper, TxControl the BEGIN, COMMIT and
// ROLLBACK around them. Tests keep the round trips of a call in check
// with it.
type StatementCounter struct{ N, TxControl atomic.Int64 }

func (c *StatementCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	switch strings.ToLower(strings.TrimSpace(d.SQL)) {
	case "begin", "commit", "rollback":
		c.TxControl.Add(1)
	default:
		c.N.Add(1)
	}
	return ctx
}

func (c *StatementCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// Reset sets both counts to zero.
func (c *StatementCounter) Reset() {
	c.N.Store(0)
	c.TxControl.Store(0)
}

// Counting returns a Store on the database of url, closed at cleanup, and
// the counter of its statements, at zero.
func Counting(t testing.TB, url string) (*store.Store, *StatementCounter) {
	t.Helper()
	c := &StatementCounter{}
	st, err := store.OpenWith(t.Context(), url, store.Options{Tracer: c})
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	t.Cleanup(st.Close)
	c.Reset()
	return st, c
}

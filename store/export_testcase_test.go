package store

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tcms/tcms/store/internal/db"
)

// statementCounter counts the statements a pool sends: transaction
// control (tx) apart from the rest (n).
type statementCounter struct{ n, tx atomic.Int64 }

func (c *statementCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	switch strings.ToLower(strings.TrimSpace(d.SQL)) {
	case "begin", "commit", "rollback":
		c.tx.Add(1)
	default:
		c.n.Add(1)
	}
	return ctx
}

func (c *statementCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// CountingStore is a Store over its own pool (no listener: reads only)
// and a counter of the SQL statements it sends, begin and commit aside.
func CountingStore(t testing.TB, url string) (*Store, *atomic.Int64) {
	t.Helper()
	st, _, n := CountingStoreTx(t, url)
	return st, n
}

// CountingStoreTx is CountingStore that also counts the transaction
// control statements (begin, commit, rollback) it sends.
func CountingStoreTx(t testing.TB, url string) (st *Store, tx, statements *atomic.Int64) {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	c := &statementCounter{}
	cfg.ConnConfig.Tracer = c
	pool, err := pgxpool.NewWithConfig(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return &Store{pool: pool, q: db.New(pool), cache: newAuthCache()}, &c.tx, &c.n
}

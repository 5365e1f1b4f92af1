package store

import (
	"context"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tcms/tcms/store/internal/db"
)

// StatementCounter counts the statements a pool sends: N the statements
// proper, TxControl the BEGIN, COMMIT and ROLLBACK around them.
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

// CountingStore is a Store over its own pool (no listener: reads only)
// and a counter of the SQL statements it sends, begin and commit aside.
func CountingStore(t testing.TB, url string) (*Store, *StatementCounter) {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	c := &StatementCounter{}
	cfg.ConnConfig.Tracer = c
	pgPool, err := pgxpool.NewWithConfig(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pgPool.Close)
	p := &pool{Pool: pgPool, wait: DefaultPoolWait}
	return &Store{pool: p, q: db.New(p), cache: newAuthCache(), log: slog.Default()}, c
}

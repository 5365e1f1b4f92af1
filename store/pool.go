package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
)

// pool is the connection pool with a bounded wait: a statement that finds
// every connection busy for longer than wait fails with ErrBusy instead of
// queueing without end. It has pgxpool.Pool's methods for running
// statements and transactions, so the generated queries and pgx.BeginFunc
// use it as they would the pool itself.
type pool struct {
	*pgxpool.Pool
	wait time.Duration
}

// acquire takes a connection, waiting at most p.wait for one.
func (p *pool) acquire(ctx context.Context) (*pgxpool.Conn, error) {
	actx, cancel := context.WithTimeoutCause(ctx, p.wait, ErrBusy)
	defer cancel()
	c, err := p.Pool.Acquire(actx)
	if err != nil && ctx.Err() == nil && context.Cause(actx) == ErrBusy {
		var connect *pgconn.ConnectError
		if errors.As(err, &connect) {
			// Still dialling when the wait ran out: the database does
			// not answer.
			return nil, ErrUnavailable
		}
		return nil, ErrBusy
	}
	return c, err
}

// Begin starts a transaction on a connection that goes back to the pool
// when the transaction ends.
func (p *pool) Begin(ctx context.Context) (pgx.Tx, error) {
	c, err := p.acquire(ctx)
	if err != nil {
		return nil, err
	}
	tx, err := c.Begin(ctx)
	if err != nil {
		c.Release()
		return nil, err
	}
	return &poolTx{Tx: tx, c: c}, nil
}

// Exec runs one statement outside a transaction.
func (p *pool) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	c, err := p.acquire(ctx)
	if err != nil {
		return pgconn.CommandTag{}, err
	}
	defer c.Release()
	return c.Exec(ctx, sql, args...)
}

// Query runs one query outside a transaction; its connection goes back to
// the pool when the rows are closed or read to the end.
func (p *pool) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	c, err := p.acquire(ctx)
	if err != nil {
		return errRows{err}, err
	}
	rows, err := c.Query(ctx, sql, args...)
	if err != nil {
		c.Release()
		return errRows{err}, err
	}
	return &poolRows{Rows: rows, c: c}, nil
}

// QueryRow runs a query for one row outside a transaction; its connection
// goes back to the pool after Scan.
func (p *pool) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	c, err := p.acquire(ctx)
	if err != nil {
		return errRows{err}
	}
	return &poolRow{r: c.QueryRow(ctx, sql, args...), c: c}
}

// poolTx releases its connection when it commits or rolls back.
type poolTx struct {
	pgx.Tx
	c *pgxpool.Conn
}

func (t *poolTx) Commit(ctx context.Context) error {
	err := t.Tx.Commit(ctx)
	t.release()
	return err
}

func (t *poolTx) Rollback(ctx context.Context) error {
	err := t.Tx.Rollback(ctx)
	t.release()
	return err
}

func (t *poolTx) release() {
	if t.c != nil {
		t.c.Release()
		t.c = nil
	}
}

// poolRows releases its connection when closed, which pgx does itself
// when Next reaches the end or Scan fails.
type poolRows struct {
	pgx.Rows
	c *pgxpool.Conn
}

func (r *poolRows) Close() {
	r.Rows.Close()
	if r.c != nil {
		r.c.Release()
		r.c = nil
	}
}

func (r *poolRows) Next() bool {
	if r.Rows.Next() {
		return true
	}
	r.Close()
	return false
}

func (r *poolRows) Scan(dest ...any) error {
	err := r.Rows.Scan(dest...)
	if err != nil {
		r.Close()
	}
	return err
}

type poolRow struct {
	r pgx.Row
	c *pgxpool.Conn
}

func (r *poolRow) Scan(dest ...any) error {
	defer r.c.Release()
	return r.r.Scan(dest...)
}

// errRows are the rows and row of a query that never ran.
type errRows struct{ err error }

func (errRows) Close()                                       {}
func (e errRows) Err() error                                 { return e.err }
func (errRows) CommandTag() pgconn.CommandTag                { return pgconn.CommandTag{} }
func (errRows) FieldDescriptions() []pgconn.FieldDescription { return nil }
func (errRows) Next() bool                                   { return false }
func (e errRows) Scan(...any) error                          { return e.err }
func (e errRows) Values() ([]any, error)                     { return nil, e.err }
func (errRows) RawValues() [][]byte                          { return nil }
func (errRows) Conn() *pgx.Conn                              { return nil }
func (errRows) TypeMap() *pgtype.Map                         { return nil }

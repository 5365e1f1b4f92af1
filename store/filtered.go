package store

import (
	"context"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/tcms/tcms/store/internal/db"
)

// A sqlc query may hold one Kiwi filter: "WHERE /* filter */ TRUE" over the
// aliases of an entity's fields. filtered returns the generated queries
// with the condition of a query dict in that place and its arguments after
// the query's own, so that the statement stays in queries/ while the
// filter translator builds the condition.

// filterHole marks where a filtered query takes its condition.
const filterHole = "/* filter */ TRUE"

// errNoFilterHole is a programming error: a query run through filtered
// lacks the hole.
var errNoFilterHole = errors.New("store: the query has no " + filterHole)

// filterDB puts the condition of query over e into every statement it
// runs.
type filterDB struct {
	db    db.DBTX
	e     *Entity
	query map[string]any
}

// filtered returns the queries over dbtx (the pool, or a transaction) with
// the filter hole filled from a Kiwi query dict over e.
func filtered(dbtx db.DBTX, e *Entity, query map[string]any) *db.Queries {
	return db.New(filterDB{dbtx, e, query})
}

// fill puts the condition in the hole. The statement goes as an unnamed
// one (pgx's QueryExecModeCacheDescribe, first of the arguments), so that
// PostgreSQL plans it for the rows the tables hold at each call: the
// generic plans our connections keep for named statements (store.go,
// poolConfig) would keep a filter's plan from when a table was nearly
// empty, which made TestCase.filter of 10,000 cases half as fast again
// (docs/performance.md). Planning costs little beside what a filter reads.
func (f filterDB) fill(sql string, args []any) (string, []any, error) {
	if !strings.Contains(sql, filterHole) {
		return "", nil, errNoFilterHole
	}
	cond, more, err := f.e.Where(f.query, len(args)+1)
	if err != nil {
		return "", nil, err
	}
	all := append(append([]any{pgx.QueryExecModeCacheDescribe}, args...), more...)
	return strings.ReplaceAll(sql, filterHole, "("+cond+")"), all, nil
}

func (f filterDB) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	sql, args, err := f.fill(sql, args)
	if err != nil {
		return pgconn.CommandTag{}, err
	}
	return f.db.Exec(ctx, sql, args...)
}

func (f filterDB) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	sql, args, err := f.fill(sql, args)
	if err != nil {
		return nil, err
	}
	return f.db.Query(ctx, sql, args...)
}

func (f filterDB) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	sql, args, err := f.fill(sql, args)
	if err != nil {
		return errRow{err}
	}
	return f.db.QueryRow(ctx, sql, args...)
}

// filterRows runs a generated query holding a filter on the pool, outside
// any transaction, with the condition of query over e in its hole, and
// converts its rows with conv. It never returns a nil slice.
func filterRows[R, T any](ctx context.Context, s *Store, e *Entity, query map[string]any,
	run func(*db.Queries, context.Context) ([]R, error), conv func(R) T) ([]T, error) {
	rows, err := run(filtered(s.pool, e, query), ctx)
	if err != nil {
		return nil, e.translate(err)
	}
	return convert(rows, conv), nil
}

// errRow is a row that only reports an error.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

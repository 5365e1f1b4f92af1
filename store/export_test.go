package store

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/tcms/tcms/store/internal/db"
)

// TagIDs runs tagIDs in a transaction of its own, for tests.
func (s *Store) TagIDs(ctx context.Context, by Principal, names []string) ([]int64, error) {
	var ids []int64
	err := s.withTx(ctx, func(q *db.Queries) (err error) {
		ids, err = s.tagIDs(ctx, q, by, names)
		return err
	})
	return ids, translate(err, "Tag")
}

// CachedBasicPrincipal is BasicPrincipal answered from memory only, for
// tests: ok is false unless the credentials were verified recently.
func (s *Store) CachedBasicPrincipal(username, password string) (p Principal, ok bool) {
	now := time.Now()
	if IsToken(password) {
		p, _, ok = lookup(s.cache, s.cache.tokens, tokenHash(password), now)
		return p, ok && p.Username == username
	}
	p, _, ok = lookup(s.cache, s.cache.basic, s.cache.basicKey(username, password), now)
	return p, ok
}

// RelationTarget makes e reachable by relations, as entity does, without
// listing it in the docs: for test entities.
func RelationTarget(e *Entity) *Entity {
	byModel[e.Model] = e
	return e
}

// EntityByModel returns the registered entity of a model, or nil.
func EntityByModel(model string) *Entity { return byModel[model] }

// Match is the subquery through which a relation reaches e's records
// matching one key, for tests: SELECT 1 <From> <join> WHERE <cond>.
func (e *Entity) Match(key string, value any) (string, []any, error) {
	w := &where{first: 1}
	c, err := e.condition(w, key, value)
	if err != nil {
		return "", nil, err
	}
	return "SELECT 1 " + e.From + joined(c.join) + " WHERE " + c.sql, w.args, nil
}

// HoldConnection keeps a pool connection, in a transaction, until release
// is closed.
func (s *Store) HoldConnection(ctx context.Context, release <-chan struct{}) error {
	return s.inTx(ctx, func(pgx.Tx) error {
		<-release
		return nil
	})
}

// InUse is the number of pool connections taken.
func (s *Store) InUse() int { return int(s.pool.Stat().AcquiredConns()) }

// PoolSettings are the pool size and statement_timeout that OpenWith would
// use for a URL and options.
func PoolSettings(databaseURL string, opts Options) (int32, string, error) {
	cfg, err := poolConfig(databaseURL, opts)
	if err != nil {
		return 0, "", err
	}
	return cfg.MaxConns, cfg.ConnConfig.RuntimeParams["statement_timeout"], nil
}

// Select runs selectSQL + " WHERE " + cond + " " + tail, with the
// condition of query numbered from $1, and collects the rows into T by
// column name (`db:"col"` tags, see collectByName), for tests of the
// translator on tables of their own. tail orders the rows, e.g. "ORDER BY
// u.id". It never returns a nil slice.
func Select[T any](ctx context.Context, q interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}, e *Entity, selectSQL string, query map[string]any, tail string) ([]T, error) {
	cond, args, err := e.Where(query, 1)
	if err != nil {
		return nil, err
	}
	rows, err := q.Query(ctx, selectSQL+" WHERE "+cond+" "+tail, args...)
	if err != nil {
		return nil, e.translate(err)
	}
	out, err := collectByName[T](rows)
	if err != nil {
		return nil, e.translate(err)
	}
	return out, nil
}

// collectByName reads every row into a T, matching columns to fields as
// pgx.RowToStructByName does (the `db` tag, else the field name ignoring
// case; embedded structs are flattened), but works the matching out once
// per result instead of once per row: filters return 10,000 rows. It
// returns [] rather than nil for no rows.
func collectByName[T any](rows pgx.Rows) ([]T, error) {
	defer rows.Close()
	index, err := fieldIndexes(reflect.TypeFor[T](), rows.FieldDescriptions())
	if err != nil {
		return nil, err
	}
	// Each row is scanned into one scratch value, cleared first (so that
	// pointer fields get fresh values, never the last row's), then copied
	// out: the scan targets are worked out once, not per row.
	var row, zero T
	v := reflect.ValueOf(&row).Elem()
	targets := make([]any, len(index))
	for i, ix := range index {
		targets[i] = v.FieldByIndex(ix).Addr().Interface()
	}
	out := []T{}
	for rows.Next() {
		row = zero
		if err := rows.Scan(targets...); err != nil {
			return nil, err
		}
		out = append(out, row)
	}
	return out, rows.Err()
}

// fieldIndexes finds the field of t each column goes to.
func fieldIndexes(t reflect.Type, cols []pgconn.FieldDescription) ([][]int, error) {
	byName := map[string][]int{}
	var walk func(t reflect.Type, prefix []int)
	walk = func(t reflect.Type, prefix []int) {
		for i := range t.NumField() {
			f := t.Field(i)
			ix := append(append([]int{}, prefix...), i)
			tag, tagged := f.Tag.Lookup("db")
			switch {
			case tag == "-" || !f.IsExported():
			case f.Anonymous && f.Type.Kind() == reflect.Struct && !tagged:
				walk(f.Type, ix)
			case tagged:
				byName[tag] = ix
			default:
				byName[strings.ToLower(f.Name)] = ix
			}
		}
	}
	walk(t, nil)
	out := make([][]int, len(cols))
	for i, c := range cols {
		ix, ok := byName[c.Name]
		if !ok {
			ix, ok = byName[strings.ToLower(c.Name)]
		}
		if !ok {
			return nil, fmt.Errorf("store: no field of %s for column %q", t, c.Name)
		}
		out[i] = ix
	}
	return out, nil
}

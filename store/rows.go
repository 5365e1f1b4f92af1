package store

import (
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

// convert turns generated rows into the store's type, [] rather than nil
// for none.
func convert[R, T any](rows []R, conv func(R) T) []T {
	out := make([]T, len(rows))
	for i, r := range rows {
		out[i] = conv(r)
	}
	return out
}

// onlyRow returns the row a lookup by id found, or Kiwi's "does not
// exist" error when it found none.
func onlyRow[T any](rows []T, err error, model string) (T, error) {
	if err == nil && len(rows) == 0 {
		err = orNotFound(nil, model)
	}
	if err != nil {
		var zero T
		return zero, err
	}
	return rows[0], nil
}

// nonNil turns a nil slice into an empty one, so replies say [] not null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// timeOrNil is a nullable timestamptz that sqlc could only type as any
// (an aggregate's result): its time, or nil for NULL.
func timeOrNil(v any) *time.Time {
	if t, ok := v.(time.Time); ok {
		return &t
	}
	return nil
}

// micros is an interval in microseconds, as PostgreSQL's extract(epoch)
// counts it (a month 30 days, a year 365.25), or nil for NULL.
func micros(iv pgtype.Interval) *int64 {
	if !iv.Valid {
		return nil
	}
	const day = 86400_000000
	us := iv.Microseconds + int64(iv.Days)*day + int64(iv.Months/12)*36525*day/100 + int64(iv.Months%12)*30*day
	return &us
}

// widen turns a nullable int4 into the int64 the replies carry.
func widen(v *int32) *int64 {
	if v == nil {
		return nil
	}
	return new(int64(*v))
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

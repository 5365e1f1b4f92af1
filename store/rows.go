package store

import (
	"time"

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

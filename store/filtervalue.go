package store

import (
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgtype"
)

// Coercion of filter values (filter.go): the wire's values, or a Go
// caller's, become the Go values bound for each FieldKind, or an *Error in
// Django's words.

// toList returns the elements of a list value: the wire's []any, or any
// other Go slice a caller builds.
func toList(v any) ([]any, bool) {
	switch v := v.(type) {
	case []any:
		return v, true
	case []byte, string, nil:
		return nil, false
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
		return nil, false
	}
	out := make([]any, rv.Len())
	for i := range out {
		out[i] = rv.Index(i).Interface()
	}
	return out, true
}

// coerce turns a query value into the Go value bound for kind, or explains
// in Django's words why it cannot.
func coerce(kind FieldKind, path string, v any) (any, error) {
	if v == nil {
		return nil, Errorf(Invalid, "Cannot use None as a query value.")
	}
	var out any
	ok := false
	want := "a number"
	switch kind {
	case IntField:
		out, ok = toInt(v)
	case FloatField:
		out, ok = toFloat(v)
	case BoolField:
		out, ok = toBool(v)
		want = "a boolean (True or False)"
	case TimeField, dateKind:
		out, ok = toTime(v, kind == dateKind)
		want = "a date and time (YYYY-MM-DD [HH:MM[:SS[.ffffff]]])"
		if kind == dateKind {
			want = "a date (YYYY-MM-DD)"
		}
	case clockKind:
		out, ok = toClock(v)
		want = "a time (HH:MM[:SS[.ffffff]])"
	default:
		out, ok = toText(v)
		want = "a string"
		if s, _ := out.(string); !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
			return nil, Errorf(Invalid, "Field '%s' expected text without NUL characters or invalid UTF-8.", path)
		}
	}
	if !ok {
		return nil, Errorf(Invalid, "Field '%s' expected %s but got %s.", path, want, repr(v))
	}
	return out, nil
}

func toInt(v any) (int64, bool) {
	switch v := v.(type) {
	case int:
		return int64(v), true
	case int32:
		return int64(v), true
	case int64:
		return v, true
	case float64:
		if v == math.Trunc(v) && v >= -(1<<63) && v < 1<<63 {
			return int64(v), true
		}
	case string:
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		return n, err == nil
	}
	return 0, false
}

func toFloat(v any) (float64, bool) {
	switch v := v.(type) {
	case int:
		return float64(v), true
	case int32:
		return float64(v), true
	case int64:
		return float64(v), true
	case float64:
		return v, true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		return f, err == nil
	}
	return 0, false
}

// toBool accepts what Django's BooleanField and Kiwi's forms accept.
func toBool(v any) (bool, bool) {
	switch v := v.(type) {
	case bool:
		return v, true
	case string:
		switch v {
		case "true", "True", "t", "1":
			return true, true
		case "false", "False", "f", "0":
			return false, true
		}
	case int, int32, int64, float64:
		if f, _ := toFloat(v); f == 0 || f == 1 {
			return f == 1, true
		}
	}
	return false, false
}

// toText accepts strings and numbers, as their text.
func toText(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case int, int32, int64:
		n, _ := toInt(v)
		return strconv.FormatInt(n, 10), true
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	}
	return "", false
}

// timeLayouts are the ISO-8601 forms Django parses: a date, or a date and
// a time with optional fraction (Go accepts it without a layout) and zone.
var timeLayouts = func() []string {
	out := []string{time.DateOnly}
	for _, sep := range []string{" ", "T"} {
		for _, clock := range []string{"15:04", "15:04:05"} {
			for _, zone := range []string{"", "Z07:00", "Z0700", "Z07"} {
				out = append(out, "2006-01-02"+sep+clock+zone)
			}
		}
	}
	return out
}()

// toTime takes a time.Time as the instant it is, or parses a string and
// keeps its wall clock as UTC: Kiwi stores naive UTC datetimes and does not
// convert inputs with an offset.
func toTime(v any, dateOnly bool) (time.Time, bool) {
	t, ok := parseTime(v, timeLayouts)
	if !ok {
		return time.Time{}, false
	}
	if dateOnly {
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), true
	}
	return t, true
}

// toClock parses a time of day, HH:MM[:SS[.ffffff]], or takes the clock of
// a datetime.
func toClock(v any) (pgtype.Time, bool) {
	t, ok := parseTime(v, []string{"15:04", "15:04:05"})
	if !ok {
		return pgtype.Time{}, false
	}
	d := time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute +
		time.Duration(t.Second())*time.Second + time.Duration(t.Nanosecond())
	return pgtype.Time{Microseconds: d.Microseconds(), Valid: true}, true
}

// parseTime takes a time.Time in UTC, or parses a string by the first
// layout that fits, dropping any offset.
func parseTime(v any, layouts []string) (time.Time, bool) {
	switch v := v.(type) {
	case time.Time:
		return v.UTC(), true
	case string:
		for _, layout := range layouts {
			if t, err := time.Parse(layout, strings.TrimSpace(v)); err == nil {
				return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC), true
			}
		}
	}
	return time.Time{}, false
}

// repr prints a value the way Python would, for messages.
func repr(v any) string {
	switch v := v.(type) {
	case nil:
		return "None"
	case bool:
		if v {
			return "True"
		}
		return "False"
	case string:
		return "'" + v + "'"
	case []any:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = repr(x)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		parts := make([]string, 0, len(v))
		for _, k := range slices.Sorted(maps.Keys(v)) {
			parts = append(parts, repr(k)+": "+repr(v[k]))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case time.Time:
		return v.Format("2006-01-02 15:04:05.999999")
	}
	return fmt.Sprint(v)
}

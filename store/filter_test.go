package store_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/tcms/tcms/store"
	"github.com/tcms/tcms/store/storetest"
)

// The people entity: plain columns of every kind, a to-many relation
// (tags), a foreign key to itself (boss) and a field that needs a join
// when reached through a relation (team).
const tagsExists = "SELECT 1 FROM people_tags pt WHERE pt.person_id = p.id"

var people = store.RelationTarget(&store.Entity{
	Model: "Person",
	From:  "FROM people p",
	Fields: map[string]store.Field{
		"id":     {Expr: "p.id", Kind: store.IntField},
		"name":   {Expr: "p.name", Kind: store.TextField},
		"active": {Expr: "p.active", Kind: store.BoolField},
		"born":   {Expr: "p.born", Kind: store.TimeField},
		"weight": {Expr: "p.weight", Kind: store.FloatField},
		"double": {Expr: "p.weight * 2", Kind: store.FloatField},
		"team":   {Expr: "tm.name", Kind: store.TextField, Join: "LEFT JOIN teams tm ON tm.person_id = p.id"},
	},
	Relations: map[string]store.Relation{
		"boss": {Expr: "p.boss_id", To: "Person"},
		"tags": {Expr: "pt.tag_id", Exists: tagsExists, To: "PersonTag"},
	},
})

var _ = store.RelationTarget(&store.Entity{
	Model:  "PersonTag",
	From:   "FROM tags t",
	Fields: map[string]store.Field{"id": {Expr: "t.id", Kind: store.IntField}, "name": {Expr: "t.name", Kind: store.TextField}},
	Relations: map[string]store.Relation{
		"people": {Expr: "pt.person_id", Exists: "SELECT 1 FROM people_tags pt WHERE pt.tag_id = t.id", To: "Person"},
	},
})

// tagIn is the condition of a tags__<key> lookup whose condition over the
// tag is cond.
func tagIn(cond string) string {
	return "EXISTS (" + tagsExists + " AND pt.tag_id IN (SELECT t.id FROM tags t WHERE " + cond + "))"
}

func TestWhere(t *testing.T) {
	day := time.Date(2021, 2, 25, 0, 0, 0, 0, time.UTC)
	noon := time.Date(2021, 2, 25, 12, 12, 12, 0, time.UTC)
	extract := func(part string) string {
		return "EXTRACT(" + part + " FROM p.born AT TIME ZONE 'UTC')::int"
	}
	tests := []struct {
		query map[string]any
		cond  string
		args  []any
	}{
		{nil, "TRUE", nil},
		{map[string]any{}, "TRUE", nil},
		{map[string]any{"id": 5}, "p.id = $1::bigint", []any{int64(5)}},
		{map[string]any{"pk": "5"}, "p.id = $1::bigint", []any{int64(5)}},
		{map[string]any{"id__exact": 5.0}, "p.id = $1::bigint", []any{int64(5)}},
		{map[string]any{"id": nil}, "p.id IS NULL", nil},
		{map[string]any{"name__iexact": nil}, "p.name IS NULL", nil},
		{map[string]any{"id__gt": int64(1)}, "p.id > $1::bigint", []any{int64(1)}},
		{map[string]any{"id__gte": 1}, "p.id >= $1::bigint", []any{int64(1)}},
		{map[string]any{"id__lt": 1}, "p.id < $1::bigint", []any{int64(1)}},
		{map[string]any{"id__lte": 1}, "p.id <= $1::bigint", []any{int64(1)}},
		{map[string]any{"name": "Ann"}, "p.name = $1::text", []any{"Ann"}},
		{map[string]any{"name": 5}, "p.name = $1::text", []any{"5"}},
		{map[string]any{"name": 1.5}, "p.name = $1::text", []any{"1.5"}},
		{map[string]any{"name__iexact": "a%"}, "p.name ILIKE $1::text", []any{`a\%`}},
		{map[string]any{"name__contains": `5_%\`}, "p.name LIKE $1::text", []any{`%5\_\%\\%`}},
		{map[string]any{"name__icontains": "x"}, "p.name ILIKE $1::text", []any{"%x%"}},
		{map[string]any{"name__startswith": "x"}, "p.name LIKE $1::text", []any{"x%"}},
		{map[string]any{"name__istartswith": "x"}, "p.name ILIKE $1::text", []any{"x%"}},
		{map[string]any{"name__endswith": "x"}, "p.name LIKE $1::text", []any{"%x"}},
		{map[string]any{"name__iendswith": "x"}, "p.name ILIKE $1::text", []any{"%x"}},
		{map[string]any{"name__regex": "^a%"}, "p.name ~ $1::text", []any{"^a%"}},
		{map[string]any{"name__iregex": "^a"}, "p.name ~* $1::text", []any{"^a"}},
		{map[string]any{"id__contains": 1}, "p.id::text LIKE $1::text", []any{"%1%"}},
		{map[string]any{"born__startswith": "2021"}, "(p.born AT TIME ZONE 'UTC')::text LIKE $1::text", []any{"2021%"}},
		{map[string]any{"id__in": []any{1, "2", nil}}, "p.id = ANY($1::bigint[])", []any{[]int64{1, 2}}},
		{map[string]any{"id__in": []int{3}}, "p.id = ANY($1::bigint[])", []any{[]int64{3}}},
		{map[string]any{"id__in": []any{}}, "FALSE", nil},
		{map[string]any{"id__in": []any{nil}}, "FALSE", nil},
		{map[string]any{"name__in": []any{"a", 1}}, "p.name = ANY($1::text[])", []any{[]string{"a", "1"}}},
		{map[string]any{"active__in": []any{true, "0"}}, "p.active = ANY($1::boolean[])", []any{[]bool{true, false}}},
		{map[string]any{"weight__in": []any{1, "2.5"}}, "p.weight = ANY($1::double precision[])", []any{[]float64{1, 2.5}}},
		{map[string]any{"born__in": []any{"2021-02-25"}}, "p.born = ANY($1::timestamptz[])", []any{[]time.Time{day}}},
		{map[string]any{"id__range": []any{1, 3}}, "p.id BETWEEN $1::bigint AND $2::bigint", []any{int64(1), int64(3)}},
		{map[string]any{"id__isnull": true}, "p.id IS NULL", nil},
		{map[string]any{"id__isnull": "False"}, "p.id IS NOT NULL", nil},
		{map[string]any{"active": true}, "p.active = $1::boolean", []any{true}},
		{map[string]any{"active": "false"}, "p.active = $1::boolean", []any{false}},
		{map[string]any{"active": 1}, "p.active = $1::boolean", []any{true}},
		{map[string]any{"active": "True"}, "p.active = $1::boolean", []any{true}},
		{map[string]any{"double__lt": 3}, "(p.weight * 2) < $1::double precision", []any{3.0}},
		{map[string]any{"double__isnull": true}, "(p.weight * 2) IS NULL", nil},
		{map[string]any{"weight__gt": "2.5"}, "p.weight > $1::double precision", []any{2.5}},
		{map[string]any{"born": "2021-02-25 12:12:12"}, "p.born = $1::timestamptz", []any{noon}},
		{map[string]any{"born": "2021-02-25T12:12:12"}, "p.born = $1::timestamptz", []any{noon}},
		{map[string]any{"born": "2021-02-25T12:12:12.5+02:00"}, "p.born = $1::timestamptz", []any{noon.Add(500 * time.Millisecond)}},
		{map[string]any{"born": "2021-02-25 12:12:12Z"}, "p.born = $1::timestamptz", []any{noon}},
		{map[string]any{"born__lt": noon.In(time.FixedZone("x", 3600))}, "p.born < $1::timestamptz", []any{noon}},
		{map[string]any{"born__time": noon.In(time.FixedZone("x", 3600))}, "(p.born AT TIME ZONE 'UTC')::time = $1::time", []any{pgtype.Time{Microseconds: 43932000000, Valid: true}}},
		{map[string]any{"born__date": "2021-02-25 13:00"}, "(p.born AT TIME ZONE 'UTC')::date = $1::date", []any{day}},
		{map[string]any{"born__date__gte": "2021-02-25"}, "(p.born AT TIME ZONE 'UTC')::date >= $1::date", []any{day}},
		{map[string]any{"born__time": "12:12:12.5"}, "(p.born AT TIME ZONE 'UTC')::time = $1::time", []any{pgtype.Time{Microseconds: 43932500000, Valid: true}}},
		{map[string]any{"born__time__in": []any{"12:12"}}, "(p.born AT TIME ZONE 'UTC')::time = ANY($1::time[])", []any{[]pgtype.Time{{Microseconds: 43920000000, Valid: true}}}},
		{map[string]any{"born__year": 2021}, extract("YEAR") + " = $1::bigint", []any{int64(2021)}},
		{map[string]any{"born__year__gte": "2021"}, extract("YEAR") + " >= $1::bigint", []any{int64(2021)}},
		{map[string]any{"born__iso_year": 2021}, extract("ISOYEAR") + " = $1::bigint", []any{int64(2021)}},
		{map[string]any{"born__month__in": []any{1, 2}}, extract("MONTH") + " = ANY($1::bigint[])", []any{[]int64{1, 2}}},
		{map[string]any{"born__day__range": []any{1, 2}}, extract("DAY") + " BETWEEN $1::bigint AND $2::bigint", []any{int64(1), int64(2)}},
		{map[string]any{"born__week": 8}, extract("WEEK") + " = $1::bigint", []any{int64(8)}},
		{map[string]any{"born__week_day": 5}, "(EXTRACT(DOW FROM p.born AT TIME ZONE 'UTC')::int + 1) = $1::bigint", []any{int64(5)}},
		{map[string]any{"born__iso_week_day": 4}, extract("ISODOW") + " = $1::bigint", []any{int64(4)}},
		{map[string]any{"born__quarter": 1}, extract("QUARTER") + " = $1::bigint", []any{int64(1)}},
		{map[string]any{"born__hour": 12}, extract("HOUR") + " = $1::bigint", []any{int64(12)}},
		{map[string]any{"born__minute__lt": 12}, extract("MINUTE") + " < $1::bigint", []any{int64(12)}},
		{map[string]any{"born__second": 12}, "floor(EXTRACT(SECOND FROM p.born AT TIME ZONE 'UTC'))::int = $1::bigint", []any{int64(12)}},
		{map[string]any{"born__year__isnull": false}, extract("YEAR") + " IS NOT NULL", nil},
		{map[string]any{"tags__name": "red"}, tagIn("t.name = $1::text"), []any{"red"}},
		{map[string]any{"tags__in": []any{1}}, "EXISTS (" + tagsExists + " AND pt.tag_id = ANY($1::bigint[]))", []any{[]int64{1}}},
		{map[string]any{"tags__id__in": []any{1}}, "EXISTS (" + tagsExists + " AND pt.tag_id = ANY($1::bigint[]))", []any{[]int64{1}}},
		{map[string]any{"tags__pk": 1}, "EXISTS (" + tagsExists + " AND pt.tag_id = $1::bigint)", []any{int64(1)}},
		{map[string]any{"tags__in": []any{}}, "FALSE", nil},
		{map[string]any{"tags__isnull": true}, "(NOT EXISTS (" + tagsExists + ") OR EXISTS (" + tagsExists + " AND pt.tag_id IS NULL))", nil},
		{map[string]any{"tags__name__isnull": false}, tagIn("t.name IS NOT NULL"), nil},
		{map[string]any{"tags__name__isnull": true}, "(NOT EXISTS (" + tagsExists + ") OR " + tagIn("t.name IS NULL") + ")", nil},
		{map[string]any{"tags": nil}, "(NOT EXISTS (" + tagsExists + ") OR EXISTS (" + tagsExists + " AND pt.tag_id IS NULL))", nil},
		{map[string]any{"boss": 1}, "p.boss_id = $1::bigint", []any{int64(1)}},
		{map[string]any{"boss_id__in": []any{1}}, "p.boss_id = ANY($1::bigint[])", []any{[]int64{1}}},
		{map[string]any{"boss__id__gt": 1}, "p.boss_id > $1::bigint", []any{int64(1)}},
		{map[string]any{"boss__pk": 1}, "p.boss_id = $1::bigint", []any{int64(1)}},
		{map[string]any{"boss__isnull": true}, "p.boss_id IS NULL", nil},
		{map[string]any{"boss__name": "Ann"}, "p.boss_id IN (SELECT p.id FROM people p WHERE p.name = $1::text)", []any{"Ann"}},
		{map[string]any{"boss__boss__pk": 1}, "p.boss_id IN (SELECT p.id FROM people p WHERE p.boss_id = $1::bigint)", []any{int64(1)}},
		{map[string]any{"boss__name__isnull": true}, "(p.boss_id IS NULL OR p.boss_id IN (SELECT p.id FROM people p WHERE p.name IS NULL))", nil},
		{map[string]any{"boss__team": "x"}, "p.boss_id IN (SELECT p.id FROM people p LEFT JOIN teams tm ON tm.person_id = p.id WHERE tm.name = $1::text)", []any{"x"}},
		{map[string]any{"boss__tags__name": "red"}, "p.boss_id IN (SELECT p.id FROM people p WHERE " + tagIn("t.name = $1::text") + ")", []any{"red"}},
		{map[string]any{"tags__people__name": "Ann"}, "EXISTS (" + tagsExists + " AND pt.tag_id IN (SELECT t.id FROM tags t WHERE " +
			"EXISTS (SELECT 1 FROM people_tags pt WHERE pt.tag_id = t.id AND pt.person_id IN (SELECT p.id FROM people p WHERE p.name = $1::text))))", []any{"Ann"}},
		{
			map[string]any{"name": "a", "id__in": []any{1}, "active": true},
			"p.active = $1::boolean AND p.id = ANY($2::bigint[]) AND p.name = $3::text",
			[]any{true, []int64{1}, "a"},
		},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.query), func(t *testing.T) {
			cond, args, err := people.Where(tt.query, 1)
			if err != nil {
				t.Fatal(err)
			}
			if cond != tt.cond || !reflect.DeepEqual(args, tt.args) {
				t.Errorf("got\n%s %#v\nwant\n%s %#v", cond, args, tt.cond, tt.args)
			}
		})
	}
}

func TestWhereFirst(t *testing.T) {
	cond, args, err := people.Where(map[string]any{"id__range": []any{1, 2}, "name": "x"}, 4)
	if err != nil {
		t.Fatal(err)
	}
	if want := "p.id BETWEEN $4::bigint AND $5::bigint AND p.name = $6::text"; cond != want || len(args) != 3 {
		t.Errorf("got %s %v, want %s", cond, args, want)
	}
}

func TestWhereErrors(t *testing.T) {
	tests := []struct {
		query map[string]any
		msg   string
	}{
		{map[string]any{"password": "x"}, "Cannot resolve keyword 'password' into field. Choices are: active, born, boss, boss_id, double, id, name, tags, team, weight."},
		{map[string]any{"": "x"}, "Cannot resolve keyword '' into field. Choices are: active, born, boss, boss_id, double, id, name, tags, team, weight."},
		{map[string]any{"boss__age": 1}, "Cannot resolve keyword 'age' into field. Choices are: active, born, boss, boss_id, double, id, name, tags, team, weight."},
		{map[string]any{"tags__nope": 1}, "Cannot resolve keyword 'nope' into field. Choices are: id, name, people."},
		{map[string]any{"tags_id": 1}, "Cannot resolve keyword 'tags_id' into field. Choices are: active, born, boss, boss_id, double, id, name, tags, team, weight."},
		{map[string]any{"boss_id__name": 1}, "Unsupported lookup 'name' for field 'boss_id'."},
		{map[string]any{"boss__id__name": 1}, "Unsupported lookup 'name' for field 'boss__id'."},
		{map[string]any{"boss__x": "abc"}, "Cannot resolve keyword 'x' into field. Choices are: active, born, boss, boss_id, double, id, name, tags, team, weight."},
		{map[string]any{"boss": "abc"}, "Field 'boss' expected a number but got 'abc'."},
		{map[string]any{"boss__boss__boss__boss__boss__boss__boss__boss__boss__boss__boss": 1}, "A query key may have at most 10 parts separated by __."},
		{map[string]any{"name__foo": "x"}, "Unsupported lookup 'foo' for field 'name'."},
		{map[string]any{"name__year": "x"}, "Unsupported lookup 'year' for field 'name'."},
		{map[string]any{"name__icontains__x": "x"}, "Unsupported lookup 'icontains__x' for field 'name'."},
		{map[string]any{"born__year__foo": 1}, "Unsupported lookup 'foo' for field 'born__year'."},
		{map[string]any{"born__date__year": 1}, "Unsupported lookup 'year' for field 'born__date'."},
		{map[string]any{"tags__foo": 1}, "Cannot resolve keyword 'foo' into field. Choices are: id, name, people."},
		{map[string]any{"id": "abc"}, "Field 'id' expected a number but got 'abc'."},
		{map[string]any{"pk": []any{1, 2}}, "Field 'id' expected a number but got [1, 2]."},
		{map[string]any{"id": 1.5}, "Field 'id' expected a number but got 1.5."},
		{map[string]any{"id": math.Inf(1)}, "Field 'id' expected a number but got +Inf."},
		{map[string]any{"id": true}, "Field 'id' expected a number but got True."},
		{map[string]any{"weight": map[string]any{"a": nil}}, "Field 'weight' expected a number but got {'a': None}."},
		{map[string]any{"active": "yes"}, "Field 'active' expected a boolean (True or False) but got 'yes'."},
		{map[string]any{"active": 2}, "Field 'active' expected a boolean (True or False) but got 2."},
		{map[string]any{"name": []any{"a"}}, "Field 'name' expected a string but got ['a']."},
		{map[string]any{"name__contains": true}, "Field 'name' expected a string but got True."},
		{map[string]any{"name": "a\x00"}, "Field 'name' expected text without NUL characters or invalid UTF-8."},
		{map[string]any{"name": "\xff"}, "Field 'name' expected text without NUL characters or invalid UTF-8."},
		{map[string]any{"born": "10-10-2010"}, "Field 'born' expected a date and time (YYYY-MM-DD [HH:MM[:SS[.ffffff]]]) but got '10-10-2010'."},
		{map[string]any{"born__date": 5}, "Field 'born__date' expected a date (YYYY-MM-DD) but got 5."},
		{map[string]any{"born__time": "25:00"}, "Field 'born__time' expected a time (HH:MM[:SS[.ffffff]]) but got '25:00'."},
		{map[string]any{"born__year": "x"}, "Field 'born__year' expected a number but got 'x'."},
		{map[string]any{"id__gt": nil}, "Cannot use None as a query value."},
		{map[string]any{"name__contains": nil}, "Cannot use None as a query value."},
		{map[string]any{"id__range": []any{nil, 1}}, "Cannot use None as a query value."},
		{map[string]any{"id__in": 1}, "Field 'id__in' expects a list."},
		{map[string]any{"id__in": "12"}, "Field 'id__in' expects a list."},
		{map[string]any{"id__in": []any{1, "x"}}, "Field 'id' expected a number but got 'x'."},
		{map[string]any{"id__range": []any{1}}, "Field 'id__range' expects a list of two values."},
		{map[string]any{"id__range": 1}, "Field 'id__range' expects a list of two values."},
		{map[string]any{"id__isnull": "maybe"}, "The QuerySet value for an isnull lookup must be True or False."},
		{map[string]any{"id": 1, "nope": 1}, "Cannot resolve keyword 'nope' into field. Choices are: active, born, boss, boss_id, double, id, name, tags, team, weight."},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.query), func(t *testing.T) {
			_, _, err := people.Where(tt.query, 1)
			wantError(t, err, store.Invalid, tt.msg)
		})
	}
}

func TestWhereLimits(t *testing.T) {
	ids := func(n int) []any {
		out := make([]any, n)
		for i := range out {
			out[i] = i
		}
		return out
	}
	most := store.DefaultFilterLimits
	for _, q := range []map[string]any{
		{"id__in": ids(most.MaxIn)},
		{"name__regex": strings.Repeat("é", most.MaxPattern)},
		{"name__contains": strings.Repeat("x", 10*most.MaxPattern)}, // LIKE patterns are not bounded
	} {
		if _, _, err := people.Where(q, 1); err != nil {
			t.Errorf("at the limit: %v", err)
		}
	}
	_, _, err := people.Where(map[string]any{"pk__in": ids(most.MaxIn + 1)}, 1)
	wantError(t, err, store.Invalid, "Field 'id__in' takes at most 10000 values; this list has 10001.")
	_, _, err = people.Where(map[string]any{"name__iregex": strings.Repeat("a", most.MaxPattern+1)}, 1)
	wantError(t, err, store.Invalid, "Field 'name__iregex' takes a regular expression of at most 1000 characters; this one has 1001.")

	store.SetFilterLimits(store.FilterLimits{MaxIn: 2})
	t.Cleanup(func() { store.SetFilterLimits(most) })
	_, _, err = people.Where(map[string]any{"tags__in": []any{1, 2, 3}}, 1)
	wantError(t, err, store.Invalid, "Field 'tags__in' takes at most 2 values; this list has 3.")
	if _, _, err := people.Where(map[string]any{"name__regex": strings.Repeat("a", most.MaxPattern)}, 1); err != nil {
		t.Errorf("a limit left at zero takes the default: %v", err)
	}
}

// FuzzWhere checks that no key or value makes Where panic, that every
// error is an *Error, and that the placeholders match the arguments.
func FuzzWhere(f *testing.F) {
	f.Add("name__icontains", byte(0), "x", int64(1), 1.5, true)
	f.Add("born__year__gte", byte(1), "2021", int64(2021), 0.0, false)
	f.Add("pk__in", byte(5), "1", int64(2), 3.0, true)
	f.Add("tags__name__isnull", byte(4), "", int64(0), 0.0, true)
	f.Add("born__time__range", byte(5), "12:00", int64(0), 0.0, false)
	f.Add("boss__name__foo__bar", byte(6), "a", int64(0), 0.0, false)
	f.Fuzz(func(t *testing.T, key string, pick byte, s string, n int64, fl float64, b bool) {
		values := []any{s, n, fl, b, nil, []any{s, n, fl, b, nil}, map[string]any{s: n}, []any{}, []any{s, s}}
		value := values[int(pick)%len(values)]
		for _, query := range []map[string]any{{key: value}, {key: value, "id__in": []any{n}}} {
			cond, args, err := people.Where(query, 2)
			if err != nil {
				var e *store.Error
				if !errors.As(err, &e) || e.Kind != store.Invalid {
					t.Fatalf("%v: error %#v is not an Invalid *store.Error", query, err)
				}
				continue
			}
			for i := range args {
				if !strings.Contains(cond, fmt.Sprintf("$%d::", i+2)) {
					t.Fatalf("%v: %q lacks placeholder %d for %d args", query, cond, i+2, len(args))
				}
			}
			if strings.Contains(cond, fmt.Sprintf("$%d::", len(args)+2)) {
				t.Fatalf("%v: %q has more placeholders than %d args", query, cond, len(args))
			}
		}
	})
}

// MustPeople returns a connection to a fresh database holding the people
// tables, in a session whose time zone is not UTC.
func MustPeople(t *testing.T) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), storetest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	_, err = conn.Exec(t.Context(), `
		SET TIME ZONE 'Asia/Kolkata';
		CREATE TEMP TABLE people (id int PRIMARY KEY, name varchar(50), active boolean NOT NULL,
			born timestamptz, weight numeric, boss_id int REFERENCES people);
		CREATE TEMP TABLE tags (id bigint PRIMARY KEY, name text NOT NULL);
		CREATE TEMP TABLE people_tags (person_id int REFERENCES people, tag_id bigint REFERENCES tags);
		CREATE TEMP TABLE teams (person_id int REFERENCES people, name text);
		INSERT INTO people VALUES
			(1, 'Ann',    true,  '2021-02-25 12:12:12+00', 50.5, NULL),
			(2, 'Bob',    false, '2020-12-31 23:59:59.75+00', 80, 1),
			(3, '50%',    true,  NULL, 500, 1),
			(4, '500',    false, '2021-03-01 00:00:00+00', NULL, 2),
			(5, 'a_b\c', true,  '1999-01-03 04:05:06+00', 7, NULL);
		INSERT INTO tags VALUES (1, 'red'), (2, 'blue'), (3, 'Red Wine');
		INSERT INTO people_tags VALUES (1, 1), (1, 2), (1, 3), (2, 2), (2, 2);
		INSERT INTO teams VALUES (1, 'core'), (2, NULL)`)
	if err != nil {
		t.Fatal(err)
	}
	return conn
}

type person struct {
	ID   int64  `db:"id"`
	Name string `db:"name"`
}

// selectPeople returns the ids of the people query matches.
func selectPeople(t *testing.T, q interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}, query map[string]any) ([]int64, error) {
	t.Helper()
	rows, err := store.Select[person](t.Context(), q, people, "SELECT p.id, p.name FROM people p", query, "ORDER BY p.id")
	if err != nil {
		return nil, err
	}
	ids := []int64{}
	for _, r := range rows {
		ids = append(ids, r.ID)
	}
	return ids, nil
}

func TestSelect(t *testing.T) {
	conn := MustPeople(t)
	tests := []struct {
		query map[string]any
		want  []int64
	}{
		{nil, []int64{1, 2, 3, 4, 5}},
		{map[string]any{"id": 2}, []int64{2}},
		{map[string]any{"pk__in": []any{1, "3", nil}}, []int64{1, 3}},
		{map[string]any{"id__in": []any{}}, []int64{}},
		{map[string]any{"id__range": []any{2, 4}}, []int64{2, 3, 4}},
		{map[string]any{"id__gt": 3.0}, []int64{4, 5}},
		{map[string]any{"id__contains": 5}, []int64{5}},
		{map[string]any{"boss_id": nil}, []int64{1, 5}},
		{map[string]any{"boss_id__isnull": false}, []int64{2, 3, 4}},
		{map[string]any{"name": "Ann"}, []int64{1}},
		{map[string]any{"name__iexact": "ANN"}, []int64{1}},
		{map[string]any{"name__iexact": "a%"}, []int64{}},
		{map[string]any{"name__contains": "50%"}, []int64{3}},
		{map[string]any{"name__startswith": "50"}, []int64{3, 4}},
		{map[string]any{"name__startswith": "a_"}, []int64{5}},
		{map[string]any{"name__endswith": `\c`}, []int64{5}},
		{map[string]any{"name__icontains": "N"}, []int64{1}},
		{map[string]any{"name__istartswith": "b"}, []int64{2}},
		{map[string]any{"name__iendswith": "B"}, []int64{2}},
		{map[string]any{"name__in": []any{"Ann", "Bob", 500}}, []int64{1, 2, 4}},
		{map[string]any{"name__regex": "^[AB]"}, []int64{1, 2}},
		{map[string]any{"name__iregex": "^a"}, []int64{1, 5}},
		{map[string]any{"name": 500}, []int64{4}},
		{map[string]any{"active": true}, []int64{1, 3, 5}},
		{map[string]any{"active": "false"}, []int64{2, 4}},
		{map[string]any{"active": 0}, []int64{2, 4}},
		{map[string]any{"weight__lt": 60}, []int64{1, 5}},
		{map[string]any{"weight": "50.5"}, []int64{1}},
		{map[string]any{"weight__isnull": true}, []int64{4}},
		{map[string]any{"double__gte": 1000}, []int64{3}},
		{map[string]any{"born": "2021-02-25 12:12:12"}, []int64{1}},
		{map[string]any{"born": "2021-02-25T12:12:12+05:00"}, []int64{1}},
		{map[string]any{"born": time.Date(2021, 2, 25, 13, 12, 12, 0, time.FixedZone("x", 3600))}, []int64{1}},
		{map[string]any{"born__gte": "2021-01-01"}, []int64{1, 4}},
		{map[string]any{"born__range": []any{"2020-12-31 23:59:59", "2021-02-25"}}, []int64{2}},
		{map[string]any{"born__isnull": true}, []int64{3}},
		{map[string]any{"born__startswith": "2021-02-25 12"}, []int64{1}},
		{map[string]any{"born__date": "2021-02-25"}, []int64{1}},
		{map[string]any{"born__date__lt": "2021-01-01"}, []int64{2, 5}},
		{map[string]any{"born__year": 2021}, []int64{1, 4}},
		{map[string]any{"born__year__gte": "2020"}, []int64{1, 2, 4}},
		{map[string]any{"born__iso_year": 1998}, []int64{5}}, // 1999-01-03 is in ISO week 53 of 1998
		{map[string]any{"born__week": 53}, []int64{2, 5}},
		{map[string]any{"born__month__in": []any{12, 3}}, []int64{2, 4}},
		{map[string]any{"born__day": 31}, []int64{2}},
		{map[string]any{"born__week_day": 5}, []int64{1, 2}}, // Thursdays; Django's 1 is Sunday
		{map[string]any{"born__week_day": 1}, []int64{5}},
		{map[string]any{"born__iso_week_day": 7}, []int64{5}},
		{map[string]any{"born__quarter": 1}, []int64{1, 4, 5}},
		{map[string]any{"born__time": "12:12:12"}, []int64{1}},
		{map[string]any{"born__time__gt": "23:59:59"}, []int64{2}},
		{map[string]any{"born__hour": 12}, []int64{1}},
		{map[string]any{"born__minute": 59}, []int64{2}},
		{map[string]any{"born__second": 59}, []int64{2}},
		{map[string]any{"born__second__range": []any{5, 12}}, []int64{1, 5}},
		{map[string]any{"boss__name": "Ann"}, []int64{2, 3}},
		{map[string]any{"boss__name__isnull": true}, []int64{1, 5}},
		{map[string]any{"boss": 1}, []int64{2, 3}},
		{map[string]any{"boss__pk__in": []any{2}}, []int64{4}},
		{map[string]any{"boss__boss__name": "Ann"}, []int64{4}},
		{map[string]any{"boss__boss__isnull": true}, []int64{1, 2, 3, 5}},
		{map[string]any{"boss__team": "core"}, []int64{2, 3}},
		{map[string]any{"boss__team__isnull": true}, []int64{1, 4, 5}},
		{map[string]any{"boss__tags__name": "red"}, []int64{2, 3}},
		{map[string]any{"tags__people__name": "Bob"}, []int64{1, 2}},
		{map[string]any{"tags__name__isnull": true}, []int64{3, 4, 5}},
		{map[string]any{"tags__name__in": []any{"red", "blue"}, "boss_id__isnull": true}, []int64{1}},
		{map[string]any{"tags__name": "blue"}, []int64{1, 2}},
		{map[string]any{"tags__name__icontains": "re"}, []int64{1}},
		{map[string]any{"tags__in": []any{2, 3}}, []int64{1, 2}},
		{map[string]any{"tags__name__in": []any{}}, []int64{}},
		{map[string]any{"tags__isnull": true}, []int64{3, 4, 5}},
		{map[string]any{"tags__isnull": false}, []int64{1, 2}},
		{map[string]any{"tags": 1, "tags__name": "blue"}, []int64{1}},
		{map[string]any{"active": true, "tags__name__startswith": "r"}, []int64{1}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.query), func(t *testing.T) {
			got, err := selectPeople(t, conn, tt.query)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	t.Run("InTx", func(t *testing.T) {
		err := pgx.BeginFunc(t.Context(), conn, func(tx pgx.Tx) error {
			got, err := selectPeople(t, tx, map[string]any{"name__contains": "_"})
			if err == nil && !reflect.DeepEqual(got, []int64{5}) {
				t.Errorf("got %v, want [5]", got)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		_, err := selectPeople(t, conn, map[string]any{"nope": 1})
		wantError(t, err, store.Invalid, "Cannot resolve keyword 'nope' into field. Choices are: active, born, boss, boss_id, double, id, name, tags, team, weight.")
	})
	t.Run("ErrRegex", func(t *testing.T) {
		for _, key := range []string{"name__regex", "tags__name__iregex"} {
			_, err := selectPeople(t, conn, map[string]any{key: "(a"})
			wantError(t, err, store.Invalid, "Invalid regular expression: parentheses () not balanced")
		}
		// The connection is still usable.
		if _, err := selectPeople(t, conn, map[string]any{"id": 1}); err != nil {
			t.Fatal(err)
		}
	})
}

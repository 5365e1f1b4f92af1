package store

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

// The filter translator turns Kiwi's Django-style query dicts
// ({"summary__icontains": "x", "category__product": 3}) into a parameterised
// WHERE condition over an allow-list of fields. docs/filters.md lists the
// lookups.

// FieldKind says how query values for a field are coerced and bound.
type FieldKind int

// The field kinds. TimeField expressions must be timestamptz: times are
// compared as instants and date parts are taken in UTC, as Kiwi stores
// naive UTC datetimes.
const (
	IntField   FieldKind = iota // bigint and smaller integers, ids
	TextField                   // text, varchar
	BoolField                   // boolean
	TimeField                   // timestamptz
	FloatField                  // double precision, numeric, durations as seconds

	dateKind  // the result of the date transform
	clockKind // the result of the time transform
)

// casts are the SQL types placeholders are cast to, so that every parameter
// has a known type whatever the context.
var casts = map[FieldKind]string{
	IntField: "bigint", TextField: "text", BoolField: "boolean", TimeField: "timestamptz",
	FloatField: "double precision", dateKind: "date", clockKind: "time",
}

// Field is one filterable field path of an Entity.
type Field struct {
	// Expr is an SQL expression over the entity's row query ("u.email"),
	// or over the Exists subquery's tables for a to-many field ("g.name").
	Expr string
	Kind FieldKind
	// Exists is empty for a column of the row itself. For a to-many
	// relation it is a correlated subquery ending in a WHERE condition,
	// "SELECT 1 FROM user_groups ug JOIN groups g ON g.id = ug.group_id
	// WHERE ug.user_id = u.id"; the lookup becomes EXISTS (<Exists> AND
	// <condition>), so matches never repeat a row.
	Exists string
	// Join brings Expr into scope over the entity's From ("JOIN test_cases
	// c ON c.id = e.case_id"), for when the entity is reached through a
	// relation; its own row queries join it already.
	Join string
}

// Entity is the allow-list of filterable fields of one model. Keys of
// Fields are Django field paths: "email", "is_active", "groups__name";
// Relations are followed to the related entity's fields. "pk" is always
// an alias of "id". Keys have at most maxKeyParts segments.
type Entity struct {
	Model string // "User", for messages and Relation.To
	// From is the entity's own row source with the aliases its Fields use
	// ("FROM test_cases tc"): relations from other entities select the ids
	// of matching records from it.
	From      string
	Fields    map[string]Field
	Relations map[string]Relation
}

// maxKeyParts bounds the segments of a query key, so that resolving one
// costs a bounded number of map lookups and nested subqueries.
const maxKeyParts = 10

// FilterLimits bound what one query dict may ask of the database.
type FilterLimits struct {
	MaxIn      int // values in one __in list
	MaxPattern int // characters in one regex or iregex pattern
}

// DefaultFilterLimits: far above what Kiwi's clients send, far below what
// makes one statement costly. A pattern's running time is bounded by the
// statement timeout, not by these.
var DefaultFilterLimits = FilterLimits{MaxIn: 10000, MaxPattern: 1000}

var filterLimits atomic.Pointer[FilterLimits]

func init() { SetFilterLimits(DefaultFilterLimits) }

// SetFilterLimits sets the limits of every query dict in the process;
// non-positive fields take the default.
func SetFilterLimits(l FilterLimits) {
	if l.MaxIn <= 0 {
		l.MaxIn = DefaultFilterLimits.MaxIn
	}
	if l.MaxPattern <= 0 {
		l.MaxPattern = DefaultFilterLimits.MaxPattern
	}
	filterLimits.Store(&l)
}

// entities lists every Entity declared with entity, for the docs;
// byModel finds them by Model, for relations.
var (
	entities []*Entity
	byModel  = map[string]*Entity{}
)

// entity registers e so that docs/filters.md lists its fields and
// relations can reach it; every filterable entity is declared through it.
func entity(e *Entity) *Entity {
	entities = append(entities, e)
	byModel[e.Model] = e
	return e
}

// Entities returns the filterable entities, sorted by model name.
func Entities() []*Entity {
	out := slices.Clone(entities)
	slices.SortFunc(out, func(a, b *Entity) int { return strings.Compare(a.Model, b.Model) })
	return out
}

// Where turns a Kiwi query dict into an SQL condition and its arguments,
// numbering placeholders from $first. Keys are ANDed in sorted order, so
// equal key sets give equal SQL. An empty query gives "TRUE".
func (e *Entity) Where(query map[string]any, first int) (cond string, args []any, err error) {
	if len(query) == 0 {
		return "TRUE", nil, nil
	}
	w := &where{first: first}
	conds := make([]string, 0, len(query))
	for _, key := range slices.Sorted(maps.Keys(query)) {
		c, err := e.condition(w, key, query[key])
		if err != nil {
			return "", nil, err
		}
		conds = append(conds, c.sql)
	}
	return strings.Join(conds, " AND "), w.args, nil
}

// translate adds the one error a valid filter can still meet at run time,
// a regular expression PostgreSQL refuses, to the store's translation.
func (e *Entity) translate(err error) error {
	var pg *pgconn.PgError
	if errors.As(err, &pg) && pg.Code == "2201B" {
		return Errorf(Invalid, "Invalid regular expression: %s", strings.TrimPrefix(pg.Message, "invalid regular expression: "))
	}
	return translate(err, e.Model)
}

// where collects bound arguments.
type where struct {
	first int
	args  []any
}

// bind adds v and returns its placeholder, cast to the SQL type.
func (w *where) bind(v any, sqlType string) string {
	w.args = append(w.args, v)
	return "$" + strconv.Itoa(w.first+len(w.args)-1) + "::" + sqlType
}

// timePart is a transform of a TimeField: the SQL (with %s for the
// expression) and the kind of its result.
type timePart struct {
	sql  string
	kind FieldKind
}

var timeParts = map[string]timePart{
	"date":         {"(%s AT TIME ZONE 'UTC')::date", dateKind},
	"time":         {"(%s AT TIME ZONE 'UTC')::time", clockKind},
	"year":         {"EXTRACT(YEAR FROM %s AT TIME ZONE 'UTC')::int", IntField},
	"iso_year":     {"EXTRACT(ISOYEAR FROM %s AT TIME ZONE 'UTC')::int", IntField},
	"month":        {"EXTRACT(MONTH FROM %s AT TIME ZONE 'UTC')::int", IntField},
	"day":          {"EXTRACT(DAY FROM %s AT TIME ZONE 'UTC')::int", IntField},
	"week":         {"EXTRACT(WEEK FROM %s AT TIME ZONE 'UTC')::int", IntField},
	"week_day":     {"(EXTRACT(DOW FROM %s AT TIME ZONE 'UTC')::int + 1)", IntField}, // Django: 1 = Sunday
	"iso_week_day": {"EXTRACT(ISODOW FROM %s AT TIME ZONE 'UTC')::int", IntField},
	"quarter":      {"EXTRACT(QUARTER FROM %s AT TIME ZONE 'UTC')::int", IntField},
	"hour":         {"EXTRACT(HOUR FROM %s AT TIME ZONE 'UTC')::int", IntField},
	"minute":       {"EXTRACT(MINUTE FROM %s AT TIME ZONE 'UTC')::int", IntField},
	"second":       {"floor(EXTRACT(SECOND FROM %s AT TIME ZONE 'UTC'))::int", IntField},
}

// comparisons bind the value coerced to the field's kind.
var comparisons = map[string]string{"exact": "=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}

// textLookup compares the field's text with a LIKE pattern or a regular
// expression built from the value.
type textLookup struct{ op, prefix, suffix string }

var textLookups = map[string]textLookup{
	"iexact":      {"ILIKE", "", ""},
	"contains":    {"LIKE", "%", "%"},
	"icontains":   {"ILIKE", "%", "%"},
	"startswith":  {"LIKE", "", "%"},
	"istartswith": {"ILIKE", "", "%"},
	"endswith":    {"LIKE", "%", ""},
	"iendswith":   {"ILIKE", "%", ""},
	"regex":       {"~", "", ""},
	"iregex":      {"~*", "", ""},
}

func isLookup(s string) bool {
	_, cmp := comparisons[s]
	_, text := textLookups[s]
	return cmp || text || s == "in" || s == "range" || s == "isnull"
}

// clause is the condition of one query key: its SQL; whether it matches
// a missing value (isnull, exact None), which the relations followed to
// reach it must match too, as Django's LEFT JOINs do; and the Join of the
// field or relation it uses, which a subquery over the entity's From
// needs.
type clause struct {
	sql  string
	null bool
	join string
}

// condition translates one key of a query dict.
func (e *Entity) condition(w *where, key string, value any) (clause, error) {
	if key == "pk" || strings.HasPrefix(key, "pk__") {
		if _, ok := e.Fields["pk"]; !ok {
			key = "id" + key[2:]
		}
	}
	parts := strings.Split(key, "__")
	if len(parts) > maxKeyParts {
		return clause{}, Errorf(Invalid, "A query key may have at most %d parts separated by __.", maxKeyParts)
	}
	if path, f, ok := e.field(key, parts); ok {
		return fieldCondition(w, path, f, parts[strings.Count(path, "__")+1:], value)
	}
	name, r, ok := e.relation(parts[0])
	rest := parts[1:]
	switch {
	case !ok:
		return clause{}, e.unknown(parts)
	case name != parts[0] || len(rest) == 0 || isLookup(rest[0]):
		// <fk>_id, or the relation with a lookup: its id.
	case rest[0] == "id" || rest[0] == "pk":
		rest = rest[1:]
	default:
		return e.follow(w, r, strings.Join(rest, "__"), value)
	}
	path := strings.Join(parts[:len(parts)-len(rest)], "__")
	return fieldCondition(w, path, Field{Expr: r.Expr, Kind: IntField, Exists: r.Exists, Join: r.Join}, rest, value)
}

// fieldCondition is the condition of a field path followed by rest, its
// transform and lookup.
func fieldCondition(w *where, path string, f Field, rest []string, value any) (clause, error) {
	expr, kind := f.Expr, f.Kind
	if len(rest) > 0 && kind == TimeField {
		if p, ok := timeParts[rest[0]]; ok {
			expr, kind = fmt.Sprintf(p.sql, paren(expr)), p.kind
			path += "__" + rest[0]
			rest = rest[1:]
		}
	}
	lookup := "exact"
	if len(rest) > 0 {
		lookup = rest[0]
	}
	if len(rest) > 1 || !isLookup(lookup) {
		return clause{}, Errorf(Invalid, "Unsupported lookup '%s' for field '%s'.", strings.Join(rest, "__"), path)
	}
	if lookup == "isnull" || value == nil && (lookup == "exact" || lookup == "iexact") {
		isnull := true
		if lookup == "isnull" {
			b, ok := toBool(value)
			if !ok {
				return clause{}, Errorf(Invalid, "The QuerySet value for an isnull lookup must be True or False.")
			}
			isnull = b
		}
		return clause{sql: nullTest(f.Exists, paren(expr), isnull), null: isnull, join: f.Join}, nil
	}
	c, err := compare(w, path, lookup, expr, kind, value)
	if err != nil || f.Exists == "" || c == "FALSE" {
		return clause{sql: c, join: f.Join}, err
	}
	return clause{sql: "EXISTS (" + f.Exists + " AND " + c + ")", join: f.Join}, nil
}

// nullTest is Django's isnull: for a to-many field it also matches rows
// with no related row at all, as Django's LEFT JOIN does.
func nullTest(exists, expr string, isnull bool) string {
	switch {
	case exists == "" && isnull:
		return expr + " IS NULL"
	case exists == "":
		return expr + " IS NOT NULL"
	case isnull:
		return "(NOT EXISTS (" + exists + ") OR EXISTS (" + exists + " AND " + expr + " IS NULL))"
	default:
		return "EXISTS (" + exists + " AND " + expr + " IS NOT NULL)"
	}
}

// field finds the longest declared field path that key starts with.
func (e *Entity) field(key string, parts []string) (path string, f Field, ok bool) {
	end := len(key)
	for n := len(parts); n > 0; n-- {
		if f, ok := e.Fields[key[:end]]; ok {
			return key[:end], f, true
		}
		end -= len(parts[n-1]) + 2
	}
	return "", Field{}, false
}

// compare builds the condition of a lookup other than isnull on a value
// that is not None.
func compare(w *where, path, lookup, expr string, kind FieldKind, value any) (string, error) {
	if op, ok := comparisons[lookup]; ok {
		v, err := coerce(kind, path, value)
		if err != nil {
			return "", err
		}
		return paren(expr) + " " + op + " " + w.bind(v, casts[kind]), nil
	}
	if t, ok := textLookups[lookup]; ok {
		v, err := coerce(TextField, path, value)
		if err != nil {
			return "", err
		}
		s := v.(string)
		if t.op != "~" && t.op != "~*" {
			s = t.prefix + likeEscaper.Replace(s) + t.suffix
		} else if n, most := utf8.RuneCountInString(s), filterLimits.Load().MaxPattern; n > most {
			return "", Errorf(Invalid, "Field '%s__%s' takes a regular expression of at most %d characters; this one has %d.", path, lookup, most, n)
		}
		return textExpr(expr, kind) + " " + t.op + " " + w.bind(s, "text"), nil
	}
	list, ok := toList(value)
	if lookup == "range" {
		if !ok || len(list) != 2 {
			return "", Errorf(Invalid, "Field '%s__range' expects a list of two values.", path)
		}
		lo, err := coerce(kind, path, list[0])
		if err != nil {
			return "", err
		}
		hi, err := coerce(kind, path, list[1])
		if err != nil {
			return "", err
		}
		return paren(expr) + " BETWEEN " + w.bind(lo, casts[kind]) + " AND " + w.bind(hi, casts[kind]), nil
	}
	if !ok { // lookup is "in"
		return "", Errorf(Invalid, "Field '%s__in' expects a list.", path)
	}
	if most := filterLimits.Load().MaxIn; len(list) > most {
		return "", Errorf(Invalid, "Field '%s__in' takes at most %d values; this list has %d.", path, most, len(list))
	}
	vals := make([]any, 0, len(list))
	for _, x := range list {
		if x == nil { // Django drops None from in lists
			continue
		}
		v, err := coerce(kind, path, x)
		if err != nil {
			return "", err
		}
		vals = append(vals, v)
	}
	if len(vals) == 0 {
		return "FALSE", nil
	}
	return paren(expr) + " = ANY(" + w.bind(typedSlice(kind, vals), casts[kind]+"[]") + ")", nil
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// textExpr is the field's value as text, for text lookups on any kind.
func textExpr(expr string, kind FieldKind) string {
	switch kind {
	case TextField:
		return paren(expr)
	case TimeField:
		return "(" + paren(expr) + " AT TIME ZONE 'UTC')::text"
	}
	return paren(expr) + "::text"
}

// paren wraps expr in parentheses unless it is one operand already (a
// column, a call, a cast, a parenthesised expression), so that operators
// around it keep their meaning.
func paren(expr string) string {
	depth, quoted := 0, false
	for _, r := range expr {
		switch {
		case r == '\'':
			quoted = !quoted
		case quoted:
		case r == '(':
			depth++
		case r == ')':
			depth--
		case depth == 0 && r != '_' && r != '.' && r != ':' && !unicode.IsLetter(r) && !unicode.IsDigit(r):
			return "(" + expr + ")"
		}
	}
	return expr
}

// typedSlice turns coerced values into the Go slice pgx binds as an array
// of the kind's SQL type.
func typedSlice(kind FieldKind, vals []any) any {
	switch kind {
	case IntField:
		return collect[int64](vals)
	case TextField:
		return collect[string](vals)
	case BoolField:
		return collect[bool](vals)
	case FloatField:
		return collect[float64](vals)
	case clockKind:
		return collect[pgtype.Time](vals)
	}
	return collect[time.Time](vals)
}

func collect[T any](vals []any) []T {
	out := make([]T, len(vals))
	for i, v := range vals {
		out[i] = v.(T)
	}
	return out
}

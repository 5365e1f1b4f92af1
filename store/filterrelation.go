package store

import (
	"slices"
	"strings"
)

// Relations in the filter translator (filter.go): how a key follows a
// foreign key or a to-many relation to the related entity, and what a key
// that names nothing is told.

// Relation is a foreign key or a to-many relation of an Entity, under its
// Django name ("category", "tag"). Every relation is followed the same way:
// the name alone, or followed by id or pk, compares the related record's
// id (so does <name>_id for a foreign key); any other continuation is a
// path of the related entity, To, matched by a subquery over its From
// ("category__product__name", "run__plan__product").
type Relation struct {
	// Expr is the related record's id: a column of the row for a foreign
	// key ("tc.category_id"), or of the Exists subquery's tables for a
	// to-many relation ("tct.tag_id").
	Expr string
	// Exists is empty for a foreign key; for a to-many relation it is a
	// correlated subquery ending in a WHERE condition, as in Field.
	Exists string
	// Join, as in Field.
	Join string
	// To is the Model of the related entity.
	To string
}

// foreignKey tells whether the relation is a column of the entity's own
// row, which Django also names <name>_id; the others are reverse
// relations (an EXISTS subquery, or the link rows a join brings in).
func (r Relation) foreignKey() bool { return r.Exists == "" && r.Join == "" }

// relation finds the relation a key's first segment names: its name, or
// <name>_id for a foreign key.
func (e *Entity) relation(segment string) (string, Relation, bool) {
	if r, ok := e.Relations[segment]; ok {
		return segment, r, true
	}
	name, ok := strings.CutSuffix(segment, "_id")
	r, found := e.Relations[name]
	return name, r, ok && found && r.foreignKey()
}

// follow matches the related records of r by the key that continues in
// the related entity: a subquery over its From.
func (e *Entity) follow(w *where, r Relation, key string, value any) (clause, error) {
	to := byModel[r.To]
	inner, err := to.condition(w, key, value)
	if err != nil {
		return clause{}, err
	}
	in := r.Expr + " IN (SELECT " + to.Fields["id"].Expr + " " + to.From + joined(inner.join) + " WHERE " + inner.sql + ")"
	c := clause{null: inner.null, join: r.Join}
	switch {
	case r.Exists == "" && inner.null:
		c.sql = "(" + r.Expr + " IS NULL OR " + in + ")"
	case r.Exists == "":
		c.sql = in
	case inner.null:
		c.sql = "(NOT EXISTS (" + r.Exists + ") OR EXISTS (" + r.Exists + " AND " + in + "))"
	default:
		c.sql = "EXISTS (" + r.Exists + " AND " + in + ")"
	}
	return c, nil
}

func joined(join string) string {
	if join == "" {
		return ""
	}
	return " " + join
}

// choices are the names a key may start with: the first segments of the
// field paths, the relations and the <fk>_id names.
func (e *Entity) choices() []string {
	var out []string
	for p := range e.Fields {
		out = append(out, strings.Split(p, "__")[0])
	}
	for name, r := range e.Relations {
		out = append(out, name)
		if r.foreignKey() {
			out = append(out, name+"_id")
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// unknown is Django's error for a key that names no field: the first
// segment that resolves to nothing, and the names that would have.
func (e *Entity) unknown(parts []string) error {
	// depth is the number of leading segments that name a relation some
	// declared field path follows ("content_type" of
	// "content_type__app_label").
	depth := 0
	for p := range e.Fields {
		segs := strings.Split(p, "__")
		k := 0
		for k < len(segs)-1 && k < len(parts)-1 && segs[k] == parts[k] {
			k++
		}
		depth = max(depth, k)
	}
	choices := e.choices()
	if depth > 0 {
		choices = nil
		for p := range e.Fields {
			segs := strings.Split(p, "__")
			if len(segs) > depth && slices.Equal(segs[:depth], parts[:depth]) {
				choices = append(choices, segs[depth])
			}
		}
		slices.Sort(choices)
		choices = slices.Compact(choices)
	}
	return Errorf(Invalid, "Cannot resolve keyword '%s' into field. Choices are: %s.", parts[depth], strings.Join(choices, ", "))
}

package store

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/tcms/tcms/store/internal/db"
)

// Applied is what Migrate created, per schema: tables, sequences,
// indexes, and the columns it added to tables that existed before.
type Applied map[string]*SchemaChanges

// SchemaChanges lists the objects Migrate created in one schema, sorted.
type SchemaChanges struct {
	Tables, Sequences, Indexes, Columns []string
}

// applied compares the schema objects before and after a migration.
func applied(before, after []db.SchemaObjectsRow) Applied {
	had := make(map[db.SchemaObjectsRow]bool, len(before))
	tables := map[string]bool{} // schema.table that existed before
	for _, o := range before {
		had[o] = true
		if o.Kind == "r" {
			tables[o.SchemaName+"."+o.Name] = true
		}
	}
	out := Applied{}
	for _, o := range after {
		if had[o] {
			continue
		}
		c := out[o.SchemaName]
		if c == nil {
			c = &SchemaChanges{}
			out[o.SchemaName] = c
		}
		switch o.Kind {
		case "r":
			c.Tables = append(c.Tables, o.Name)
		case "S":
			c.Sequences = append(c.Sequences, o.Name)
		case "i":
			c.Indexes = append(c.Indexes, o.Name)
		case "c":
			if table, _, _ := strings.Cut(o.Name, "."); tables[o.SchemaName+"."+table] {
				c.Columns = append(c.Columns, o.Name)
			}
		}
	}
	for schema, c := range out {
		if len(c.Tables)+len(c.Sequences)+len(c.Indexes)+len(c.Columns) == 0 {
			delete(out, schema)
			continue
		}
		for _, list := range [][]string{c.Tables, c.Sequences, c.Indexes, c.Columns} {
			slices.Sort(list)
		}
	}
	return out
}

// String says what was applied: one line per schema changed, naming new
// tables and columns (up to a handful) and counting the rest, or that
// there was nothing to apply.
func (a Applied) String() string {
	if len(a) == 0 {
		return "database schema is up to date: nothing to apply"
	}
	var b strings.Builder
	for _, schema := range slices.Sorted(maps.Keys(a)) {
		c := a[schema]
		var parts []string
		for _, g := range []struct {
			what  string
			names []string
		}{{"table", c.Tables}, {"sequence", c.Sequences}, {"index", c.Indexes}, {"column", c.Columns}} {
			if len(g.names) > 0 {
				parts = append(parts, describe(g.what, g.names))
			}
		}
		fmt.Fprintf(&b, "schema %s: created %s\n", schema, strings.Join(parts, "; "))
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// describe counts objects of a kind and names them when there are few.
func describe(what string, names []string) string {
	plural := what + "s"
	if what == "index" {
		plural = "indexes"
	}
	switch {
	case len(names) == 1:
		return "1 " + what + " (" + names[0] + ")"
	case len(names) <= 5:
		return fmt.Sprintf("%d %s (%s)", len(names), plural, strings.Join(names, ", "))
	}
	return fmt.Sprintf("%d %s", len(names), plural)
}

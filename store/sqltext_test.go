package store_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// Every statement comes from sqlc (queries/*.sql, generated into
// store/internal/db); the only SQL written in Go is the Kiwi filter
// translation. TestSQLOnlyInQueries holds the rest of the module to that:
// a string literal that reads as SQL fails it unless it is in one of the
// places below. Test files are not checked: tests may set up and inspect
// their databases as they like.

// sqlTranslator are the files of the filter translator, which builds
// WHERE conditions (and fills the filter hole of the generated queries).
// The entity declarations (Entity, Field and Relation literals, in any
// store file) are part of it too.
var sqlTranslator = []string{"store/filter.go", "store/filterrelation.go", "store/filtered.go"}

// sqlExceptions are the documented exceptions, by file or folder, with the
// reason sqlc cannot hold their SQL.
var sqlExceptions = map[string]string{
	"store/schemaddl.go": "CREATE/DROP SCHEMA and the tombstone name a tenant's schema: PostgreSQL takes no parameter " +
		"in place of an identifier",
	"store/storetest/":          "test support, not the server: creates, clones and drops the test databases, whose names are identifiers",
	"cmd/tcms-bench/pgbench.go": "pgbench's own script, run by pgbench on its own tables as the reference figure of make bench",
}

// sqlText matches text that reads as SQL: statement openings, and the
// clauses that only SQL writes in capitals.
var sqlText = regexp.MustCompile(`(?i:\bselect\b[\s\S]*\bfrom\b|\binsert\s+into\b|\bdelete\s+from\b|\bupdate\s+\w+\s+set\b)` +
	`|\b(SELECT|FROM|WHERE|JOIN|RETURNING|VALUES|GROUP BY|ORDER BY|ON CONFLICT|FOR UPDATE|FOR KEY SHARE|` +
	`CREATE|DROP|ALTER|TRUNCATE|LISTEN|NOTIFY|COMMENT ON|WITH \w+ AS)\b|\bset_config\(|\bpg_advisory`)

func TestSQLOnlyInQueries(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel := filepath.ToSlash(strings.TrimPrefix(path, root+string(filepath.Separator)))
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") && path != root || rel == "bin" || rel == "store/internal/db" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go") {
			return nil
		}
		for _, lit := range sqlLiterals(t, path) {
			if why := sqlAllowed(rel, lit.inEntity); why == "" {
				t.Errorf("%s:%d: SQL in Go code; put the statement in queries/*.sql (make generate): %.80q", rel, lit.line, lit.text)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// sqlAllowed tells why SQL may stand in the file, "" if it may not.
func sqlAllowed(rel string, inEntity bool) string {
	switch {
	case slices.Contains(sqlTranslator, rel):
		return "the filter translator"
	case inEntity && strings.HasPrefix(rel, "store/"):
		return "an entity declaration of the filter translator"
	}
	for prefix, why := range sqlExceptions {
		if rel == prefix || strings.HasSuffix(prefix, "/") && strings.HasPrefix(rel, prefix) {
			return why
		}
	}
	return ""
}

// sqlLiteral is a string literal that reads as SQL.
type sqlLiteral struct {
	line     int
	text     string
	inEntity bool // inside an Entity, Field or Relation literal
}

// sqlLiterals lists the string literals of a Go file that read as SQL.
func sqlLiterals(t *testing.T, path string) []sqlLiteral {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	var out []sqlLiteral
	var entities []bool // per enclosing node: is it (inside) an entity literal
	ast.Inspect(f, func(n ast.Node) bool {
		if n == nil {
			entities = entities[:len(entities)-1]
			return true
		}
		in := len(entities) > 0 && entities[len(entities)-1]
		if c, ok := n.(*ast.CompositeLit); ok && entityType(c.Type) {
			in = true
		}
		entities = append(entities, in)
		if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
			s, err := strconv.Unquote(lit.Value)
			if err == nil && sqlText.MatchString(s) {
				out = append(out, sqlLiteral{fset.Position(lit.Pos()).Line, s, in})
			}
		}
		return true
	})
	return out
}

// entityType tells whether a composite literal's type is one of the filter
// translator's declarations: Entity, Field, Relation or a map of them.
func entityType(e ast.Expr) bool {
	switch x := e.(type) {
	case *ast.Ident:
		return x.Name == "Entity" || x.Name == "Field" || x.Name == "Relation"
	case *ast.SelectorExpr:
		return entityType(x.Sel)
	case *ast.MapType:
		return entityType(x.Value)
	}
	return false
}

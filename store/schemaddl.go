package store

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// The statements that name a tenant's schema. PostgreSQL takes no
// parameter in place of an identifier, so sqlc cannot hold them: they are
// the one place outside queries/ and the filter translator where SQL is
// written in Go (the lint test in sqltext_test.go allows this file and no
// other). Names are quoted with pgx.Identifier, and come from
// CheckSchemaName or from the tenants table, never straight from a
// caller.

// createSchema creates an empty schema.
func createSchema(ctx context.Context, tx pgx.Tx, name string) error {
	_, err := tx.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{name}.Sanitize())
	return err
}

// dropSchema drops a schema with everything in it.
func dropSchema(ctx context.Context, tx pgx.Tx, name string) error {
	_, err := tx.Exec(ctx, "DROP SCHEMA "+pgx.Identifier{name}.Sanitize()+" CASCADE")
	return err
}

// burySchema replaces a schema by its tombstone (see RemoveTenant): a
// schema of the same name, marked by its comment, holding a table without
// columns for each of the tables.
func burySchema(ctx context.Context, tx pgx.Tx, name string, tables []string) error {
	id := pgx.Identifier{name}.Sanitize()
	script := "DROP SCHEMA " + id + " CASCADE; CREATE SCHEMA " + id + "; COMMENT ON SCHEMA " + id + " IS '" + tombstone + "';"
	for _, t := range tables {
		script += " CREATE TABLE " + pgx.Identifier{name, t}.Sanitize() + " ();"
	}
	_, err := tx.Exec(ctx, script)
	return err
}

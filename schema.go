// Package tcms holds the database schema, so that the binary embeds the
// one file sqlc and every database are built from (go:embed cannot reach
// a parent directory, hence this file beside schema.sql).
package tcms

import _ "embed"

// Schema is schema.sql: idempotent DDL that creates or upgrades a database.
//
//go:embed schema.sql
var Schema string

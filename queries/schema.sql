-- name: SchemaObjects :many
-- SchemaObjects lists the tables, sequences, indexes and columns of every
-- schema tcms may use (all but PostgreSQL's own), for tcms migrate to
-- tell what it created: kind is r (table), S (sequence), i (index) or c
-- (column, named table.column).
SELECT n.nspname::text AS schema_name, c.relkind::text AS kind, c.relname::text AS name
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'S', 'i') AND n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema'
UNION ALL
SELECT n.nspname::text, 'c', c.relname::text || '.' || a.attname::text
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
    AND n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema';

-- name: SchemaLock :exec
-- SchemaLock takes an advisory lock until the transaction ends: the key
-- that serialises the changes to schemas (tcms migrate, tenant creation).
SELECT pg_advisory_xact_lock(@key::bigint);

-- name: SearchPathSet :exec
-- SearchPathSet sets the connection's search_path, until the transaction
-- ends when local.
SELECT set_config('search_path', @path::text, @local::boolean);

-- name: SchemaTables :many
-- SchemaTables lists the tables of a schema by name.
SELECT t.tablename::text FROM pg_catalog.pg_tables t WHERE t.schemaname = @schema::text ORDER BY t.tablename;

-- name: SchemaIsTombstone :one
-- SchemaIsTombstone says whether a schema of the name exists with the
-- given comment, the mark of a removed tenant's tombstone.
SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace n
    WHERE n.nspname = @schema::text AND obj_description(n.oid, 'pg_namespace') = @mark::text);

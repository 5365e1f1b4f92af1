package store

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
)

// linked names a kind of record and its tag and property tables, for the
// tag and property operations runs and executions share. The names are
// constants of this package, never the caller's.
type linked struct {
	model     string // Kiwi's model name, for "does not exist" messages
	table     string
	tagTable  string
	propTable string
	column    string // the record's column in tagTable and propTable
}

var (
	runLinks       = linked{model: "TestRun", table: "test_runs", tagTable: "test_run_tags", propTable: "test_run_properties", column: "run_id"}
	executionLinks = linked{model: "TestExecution", table: "test_executions", tagTable: "test_execution_tags", propTable: "test_execution_properties", column: "execution_id"}
)

// lock makes sure the record exists and keeps it until the transaction
// ends.
func (l linked) lock(ctx context.Context, tx pgx.Tx, id int64) error {
	var one int
	err := tx.QueryRow(ctx, "SELECT 1 FROM "+l.table+" WHERE id = $1 FOR KEY SHARE", id).Scan(&one)
	return translate(err, l.model)
}

// tags lists the record's tags as S-TagList: {id, name} by name.
func (l linked) tags(ctx context.Context, tx pgx.Tx, id int64) ([]Tag, error) {
	rows, err := tx.Query(ctx, "SELECT t.id, t.name FROM tags t JOIN "+l.tagTable+" x ON x.tag_id = t.id WHERE x."+l.column+" = $1 ORDER BY t.name, t.id", id)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByName[Tag])
}

// addTag tags the record by the tagIDs rule (tagging twice changes
// nothing) and returns all its tags.
func (s *Store) addTag(ctx context.Context, by Principal, l linked, id int64, name string) (out []Tag, err error) {
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		if err := l.lock(ctx, tx, id); err != nil {
			return err
		}
		ids, err := s.tagIDs(ctx, s.q.WithTx(tx), by, []string{name})
		if err != nil {
			return err
		}
		if _, err = tx.Exec(ctx, "INSERT INTO "+l.tagTable+" ("+l.column+", tag_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", id, ids[0]); err != nil {
			return err
		}
		out, err = l.tags(ctx, tx, id)
		return err
	})
	return out, translate(err, l.model)
}

// removeTag unlinks the tags of a name from the record and returns the
// tags left. With mustExist an unknown tag name is NotFound; the record
// must exist either way.
func (s *Store) removeTag(ctx context.Context, l linked, id int64, name string, mustExist bool) (out []Tag, err error) {
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		if err := l.lock(ctx, tx, id); err != nil {
			return err
		}
		var known bool
		err := tx.QueryRow(ctx, `WITH t AS (SELECT id FROM tags WHERE name = $2),
			d AS (DELETE FROM `+l.tagTable+` x USING t WHERE x.`+l.column+` = $1 AND x.tag_id = t.id)
			SELECT EXISTS (SELECT 1 FROM t)`, id, name).Scan(&known)
		if err != nil {
			return err
		}
		if !known && mustExist {
			return Errorf(NotFound, "Tag matching query does not exist.")
		}
		out, err = l.tags(ctx, tx, id)
		return err
	})
	return out, translate(err, l.model)
}

// Property is a name/value pair of a record as the add_property methods
// return it; the RPC layer names the record's key (run, execution).
type Property struct {
	ID    int64  `db:"id"`
	Owner int64  `db:"owner"`
	Name  string `db:"name"`
	Value string `db:"value"`
}

// addProperty is get-or-create on (record, name, value): a duplicate
// returns the existing row.
func (s *Store) addProperty(ctx context.Context, l linked, id int64, name, value string) (Property, error) {
	var p Property
	add := func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `WITH o AS (SELECT id FROM `+l.table+` WHERE id = $1),
		ins AS (INSERT INTO `+l.propTable+` (`+l.column+`, name, value) SELECT o.id, $2, $3 FROM o
			ON CONFLICT (`+l.column+`, name, value) DO NOTHING RETURNING id, `+l.column+` AS owner, name, value)
		SELECT id, owner, name, value FROM ins
		UNION ALL
		SELECT id, `+l.column+`, name, value FROM `+l.propTable+` WHERE `+l.column+` = $1 AND name = $2 AND value = $3
		LIMIT 1`, id, name, value)
		if err != nil {
			return err
		}
		p, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Property])
		return err
	}
	err := s.inTx(ctx, add)
	if errors.Is(err, pgx.ErrNoRows) {
		// A concurrent insert of the same property committed after this
		// statement's snapshot; a new statement sees it. Otherwise the
		// record does not exist.
		err = s.inTx(ctx, add)
	}
	return p, translate(err, l.model)
}

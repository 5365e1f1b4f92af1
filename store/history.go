package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/tcms/tcms/store/internal/db"
)

// History rows are written by the statement that changes the record: a
// data-modifying CTE names the changed rows and historyStep adds the
// INSERT INTO history that copies each of them, so the change and its
// history commit or fail together.

// historyStep returns a CTE step, named h, that writes one history row of
// type typ ('+', '~' or '-') for every row of the CTE src. record is the
// jsonb expression of a row copy over src; user is the placeholder of the
// history user id and reason the SQL of the change reason ("NULL": none).
func historyStep(owner, src, typ, record string, user int, reason string) string {
	return fmt.Sprintf(`h AS (INSERT INTO history (owner, object_id, history_type, history_user_id, history_change_reason, record)
	SELECT '%s', %s.id, '%s', $%d::bigint, %s, %s FROM %s)`, owner, src, typ, user, reason, record, src)
}

// changeReason is the SQL of a short unified-diff-like text of the keys
// whose values differ between the jsonb records old and new, in key
// order, or NULL when none does.
func changeReason(old, new string) string {
	return fmt.Sprintf(`(SELECT string_agg(format(E'--- %%1$s\n+++ %%1$s\n@@ -1 +1 @@\n-%%2$s\n+%%3$s', k,
		replace(coalesce(%[1]s->>k, ''), E'\n', E'\n-'), replace(coalesce(%[2]s->>k, ''), E'\n', E'\n+')), E'\n' ORDER BY k)
	FROM jsonb_object_keys(%[2]s) k WHERE %[1]s->k IS DISTINCT FROM %[2]s->k)`, old, new)
}

// historyEntity is the allow-list over history rows: their own columns and
// the copied fields of the record.
func historyEntity(model string, recordFields map[string]FieldKind) *Entity {
	f := map[string]Field{
		"history_id": {Expr: "h.history_id", Kind: IntField}, "history_date": {Expr: "h.history_date", Kind: TimeField},
		"history_type": {Expr: "h.history_type::text", Kind: TextField}, "history_change_reason": {Expr: "h.history_change_reason", Kind: TextField},
	}
	for name, kind := range recordFields {
		f[name] = Field{Expr: recordExpr(name, kind), Kind: kind}
	}
	return entity(&Entity{Model: model, From: "FROM history h", Fields: f,
		Relations: map[string]Relation{"history_user": {Expr: "h.history_user_id", To: "RelatedUser"}}})
}

// recordExpr reads one copied field of a history record as its kind.
func recordExpr(name string, kind FieldKind) string {
	cast := map[FieldKind]string{IntField: "bigint", TextField: "text", BoolField: "boolean", TimeField: "timestamptz", FloatField: "double precision"}[kind]
	return fmt.Sprintf("(h.record->>'%s')::%s", name, cast)
}

// historyRows lists one record's history rows matching query, newest
// first, each as its record copy plus the history columns, decoded into T
// by JSON keys.
func historyRows[T any](ctx context.Context, s *Store, e *Entity, owner string, objectID int64, query map[string]any) ([]T, error) {
	raw, err := filtered(s.pool, e, query).HistoryFilter(ctx, db.HistoryFilterParams{Owner: owner, ObjectID: objectID})
	if err != nil {
		return nil, e.translate(err)
	}
	out := make([]T, len(raw))
	for i, b := range raw {
		if err := json.Unmarshal(b, &out[i]); err != nil {
			return nil, fmt.Errorf("history row: %w", err)
		}
	}
	return out, nil
}

// HistoryMeta are the columns of a history row that every S-Hist* shape
// carries besides the record copy.
type HistoryMeta struct {
	HistoryID           int64     `json:"history_id"`
	HistoryDate         time.Time `json:"history_date"`
	HistoryChangeReason *string   `json:"history_change_reason"`
	HistoryType         string    `json:"history_type"`
	HistoryUserID       *int64    `json:"history_user_id"`
}

// recordedUpdate is the SQL of one statement that updates the row $1 of
// table with the assignments set, writes a '~' history row whose change
// reason lists the changed fields (record is the jsonb copy of a row,
// user the placeholder of the history user), and selects out over the
// updated row c. Without assignments it saves the row unchanged, which
// still writes history.
func recordedUpdate(table, owner string, record func(string) string, set []string, user int, out string) string {
	if len(set) == 0 {
		set = []string{"summary = summary"} // test cases and runs have one
	}
	return `WITH o AS (SELECT ` + record("x") + ` AS r FROM ` + table + ` x WHERE x.id = $1),
	c AS (UPDATE ` + table + ` SET ` + strings.Join(set, ", ") + ` WHERE id = $1 RETURNING *),
	n AS (SELECT c.id, ` + record("c") + ` AS r FROM c),
	` + historyStep(owner, "n", "~", "n.r", user, "(SELECT "+changeReason("o.r", "n.r")+" FROM o)") + `
	SELECT ` + out + ` FROM c`
}

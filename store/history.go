package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/tcms/tcms/store/internal/db"
)

// History rows are written by the statement that changes the record: a
// data-modifying CTE of the sqlc query (queries/*.sql) inserts the history
// row beside the change, so the change and its history commit or fail
// together.

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

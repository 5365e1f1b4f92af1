package store

import (
	"context"
	"strconv"
)

var casePlanEntity = entity(&Entity{Model: "TestCasePlan", From: "FROM test_case_plans tcp", Fields: map[string]Field{
	"id": {Expr: "tcp.id", Kind: IntField}, "sortkey": {Expr: "tcp.sortkey", Kind: IntField},
}, Relations: map[string]Relation{
	"plan": {Expr: "tcp.plan_id", To: "TestPlan"}, "case": {Expr: "tcp.case_id", To: "TestCase"},
}})

// TestCaseSortkeys maps the case ids of the plan-case links a query
// matches to their sortkeys; when several links of a case match, the one
// added last wins.
func (s *Store) TestCaseSortkeys(ctx context.Context, query map[string]any) (map[string]*int64, error) {
	rows, err := filtered(s.pool, casePlanEntity, query).TestCasePlanSortkeys(ctx)
	if err != nil {
		return nil, casePlanEntity.translate(err)
	}
	out := make(map[string]*int64, len(rows))
	for _, r := range rows {
		out[strconv.FormatInt(r.CaseID, 10)] = widen(r.Sortkey)
	}
	return out, nil
}

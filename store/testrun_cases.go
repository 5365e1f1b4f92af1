package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms/store/internal/db"
)

// MaxAddCases bounds the case list of one TestRun.add_cases call.
const MaxAddCases = 10000

// NameValue is one property of an execution as TestRun.add_case lists it.
type NameValue struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// AddedExecution is S-TestExecution-ac: an execution with its properties.
type AddedExecution struct {
	Execution
	Properties []NameValue `json:"properties" db:"properties"`
}

// addCasesSQL adds cases to a run in one statement ($1 the run, $2 the
// case ids in order, $3 the user for the history rows), as contract 5.1
// says for each case:
//   - a case that already has executions in the run keeps them;
//   - every other case must be confirmed, and gets one execution per
//     combination of its and the run's property values (the property
//     matrix), each with its properties, or one execution when there are
//     none;
//   - nothing is written unless the run and every case exist and every
//     case that needs executions is confirmed.
//
// It returns the executions of every case, old and new, in case order.
// Concurrent calls are safe: updating the run's sortkey counter (k) makes
// calls into one run take turns, so sortkeys never repeat; and the unique
// key on (run, case, slot) makes the later of two calls adding the same
// case skip the executions the earlier one made (fresh = false on none of
// its rows: the caller sees fewer new rows than planned and asks again).
var addCasesSQL = `WITH RECURSIVE
r AS (SELECT id, build_id, default_tester_id FROM test_runs WHERE id = $1),
want AS (SELECT DISTINCT ON (w.case_id) w.case_id, w.ord
	FROM unnest($2::bigint[]) WITH ORDINALITY AS w (case_id, ord) ORDER BY w.case_id, w.ord),
c AS (SELECT want.ord, tc.id, tc.default_tester_id, cs.is_confirmed,
		coalesce((SELECT max(hi.history_id) FROM history hi WHERE hi.owner = '` + caseOwner + `' AND hi.object_id = tc.id), 0) AS version,
		EXISTS (SELECT 1 FROM test_executions e WHERE e.run_id = $1 AND e.case_id = tc.id) AS present
	FROM want JOIN test_cases tc ON tc.id = want.case_id JOIN test_case_statuses cs ON cs.id = tc.case_status_id),
new AS (SELECT * FROM c WHERE NOT c.present),
ok AS (SELECT r.id FROM r WHERE (SELECT count(*) FROM c) = (SELECT count(*) FROM want)
	AND NOT EXISTS (SELECT 1 FROM new WHERE NOT new.is_confirmed)),
pv AS (SELECT new.id AS case_id, p.name, p.value FROM new JOIN test_run_properties p ON p.run_id = $1
	UNION SELECT p.case_id, p.name, p.value FROM test_case_properties p JOIN new ON new.id = p.case_id),
pn AS (SELECT case_id, name, row_number() OVER (PARTITION BY case_id ORDER BY name) AS i FROM pv GROUP BY case_id, name),
m (case_id, i, props) AS (SELECT new.id, 0::bigint, '[]'::jsonb FROM new
	UNION ALL
	SELECT m.case_id, pn.i, m.props || jsonb_build_array(jsonb_build_object('name', pv.name, 'value', pv.value))
	FROM m JOIN pn ON pn.case_id = m.case_id AND pn.i = m.i + 1 JOIN pv ON pv.case_id = m.case_id AND pv.name = pn.name),
combo AS (SELECT m.case_id, (row_number() OVER (PARTITION BY m.case_id ORDER BY m.props::text) - 1)::int AS slot, m.props,
		row_number() OVER (ORDER BY new.ord, m.props::text) AS n
	FROM m JOIN new ON new.id = m.case_id
	WHERE m.i = (SELECT count(*) FROM pn WHERE pn.case_id = m.case_id)),
k AS (UPDATE test_runs t SET last_sortkey = greatest(t.last_sortkey,
		coalesce((SELECT max(e.sortkey) FROM test_executions e WHERE e.run_id = $1), 0)) + 10 * (SELECT count(*) FROM combo)
	FROM ok WHERE t.id = ok.id AND EXISTS (SELECT 1 FROM combo) RETURNING t.last_sortkey),
ins AS (INSERT INTO test_executions (run_id, case_id, slot, sortkey, assignee_id, case_text_version, status_id, build_id)
	SELECT r.id, combo.case_id, combo.slot, k.last_sortkey - 10 * ((SELECT count(*) FROM combo) - combo.n),
		coalesce(new.default_tester_id, r.default_tester_id), new.version,
		(SELECT s.id FROM test_execution_statuses s WHERE s.weight = 0 ORDER BY s.id LIMIT 1), r.build_id
	FROM k, r, combo JOIN new ON new.id = combo.case_id
	ON CONFLICT (run_id, case_id, slot) DO NOTHING RETURNING *),
ip AS (INSERT INTO test_execution_properties (execution_id, name, value)
	SELECT ins.id, p->>'name', p->>'value'
	FROM ins JOIN combo ON combo.case_id = ins.case_id AND combo.slot = ins.slot, jsonb_array_elements(combo.props) p),
` + historyStep(TestExecutionOwner, "ins", "+", executionRecord("ins"), 3, "NULL") + `
SELECT ` + executionColumns("x") + `, x.properties, x.fresh, (SELECT count(*) FROM combo) AS planned FROM (
	SELECT e.*, c.ord, false AS fresh, (SELECT coalesce(jsonb_agg(jsonb_build_object('name', p.name, 'value', p.value)
			ORDER BY p.name, p.value), '[]') FROM test_execution_properties p WHERE p.execution_id = e.id) AS properties
	FROM test_executions e JOIN c ON c.id = e.case_id AND c.present
	WHERE e.run_id = $1 AND EXISTS (SELECT 1 FROM ok)
	UNION ALL
	SELECT ins.*, new.ord, true, combo.props
	FROM ins JOIN combo ON combo.case_id = ins.case_id AND combo.slot = ins.slot JOIN new ON new.id = ins.case_id
) x ORDER BY x.ord, x.sortkey, x.id`

// addedRow is a row of addCasesSQL.
type addedRow struct {
	AddedExecution
	Fresh   bool  `db:"fresh"`
	Planned int64 `db:"planned"`
}

// AddCasesToRun answers TestRun.add_case and TestRun.add_cases: it adds
// the cases to the run, all or none, and returns the executions of every
// case, old and new, in case order. The usual call is one statement, with
// no BEGIN or COMMIT around it.
func (s *Store) AddCasesToRun(ctx context.Context, by Principal, runID int64, caseIDs []int64) ([]AddedExecution, error) {
	if len(caseIDs) > MaxAddCases {
		return nil, Errorf(Invalid, "case_ids: at most %d cases per call, got %d.", MaxAddCases, len(caseIDs))
	}
	for attempt := 0; attempt < 2; attempt++ {
		rows, err := s.pool.Query(ctx, addCasesSQL, runID, caseIDs, by.UserID)
		if err != nil {
			return nil, translate(err, "TestRun")
		}
		got, err := collectByName[addedRow](rows)
		if err != nil {
			return nil, translate(err, "TestRun")
		}
		fresh := int64(0)
		out := make([]AddedExecution, len(got))
		for i, r := range got {
			out[i] = r.AddedExecution
			if r.Fresh {
				fresh++
			}
		}
		switch {
		case len(got) > 0 && fresh == got[0].Planned:
			return out, nil
		case len(got) == 0:
			if err := s.whyNotAdded(ctx, runID, caseIDs); err != nil || len(caseIDs) == 0 {
				return []AddedExecution{}, err
			}
		}
		// A concurrent call added some of these cases first: asking again
		// returns its executions.
	}
	return nil, fmt.Errorf("TestRun.add_case: run %d: concurrent changes twice in a row", runID)
}

// whyNotAdded names the reason addCasesSQL wrote nothing: a missing run or
// case, or an unconfirmed case that is not in the run yet. nil means none
// of these, i.e. the cases are fine now.
func (s *Store) whyNotAdded(ctx context.Context, runID int64, caseIDs []int64) error {
	var run bool
	var missing, unconfirmed []int64
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM test_runs WHERE id = $1),
		ARRAY(SELECT w FROM unnest($2::bigint[]) w WHERE NOT EXISTS (SELECT 1 FROM test_cases tc WHERE tc.id = w) ORDER BY w),
		ARRAY(SELECT tc.id FROM test_cases tc JOIN test_case_statuses cs ON cs.id = tc.case_status_id
			WHERE tc.id = ANY($2) AND NOT cs.is_confirmed
			AND NOT EXISTS (SELECT 1 FROM test_executions e WHERE e.run_id = $1 AND e.case_id = tc.id) ORDER BY tc.id)`,
		runID, caseIDs).Scan(&run, &missing, &unconfirmed)
	switch {
	case err != nil:
		return translate(err, "TestRun")
	case !run:
		return Errorf(NotFound, "TestRun matching query does not exist.")
	case len(missing) > 0 && len(caseIDs) == 1:
		return Errorf(NotFound, "TestCase matching query does not exist.")
	case len(missing) > 0:
		return Errorf(NotFound, "TestCase matching query does not exist: %s.", joinIDs(missing))
	case len(unconfirmed) > 0:
		return Errorf(Invalid, "TC-%d status is not confirmed", unconfirmed[0])
	}
	return nil
}

func joinIDs(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = fmt.Sprint(id)
	}
	return strings.Join(s, ", ")
}

// RunCase is S-TestCase-run: a case of a run with the id and status name
// of its execution.
type RunCase struct {
	CaseCore
	ExecutionID int64  `json:"execution_id" db:"execution_id"`
	Status      string `json:"status" db:"status"`
}

// RunCases answers TestRun.get_cases (contract 5.9): one row per execution
// of the run, by execution id; every row of a case carries the id and
// status of the case's last execution. A missing run has none.
func (s *Store) RunCases(ctx context.Context, runID int64) ([]RunCase, error) {
	rows, err := s.pool.Query(ctx, `SELECT tc.id, tc.create_date, tc.is_automated, tc.script, tc.arguments, tc.extra_link,
		tc.summary, tc.requirement, tc.notes, tc.text, tc.case_status_id AS case_status, tc.category_id AS category,
		tc.priority_id AS priority, tc.author_id AS author, tc.default_tester_id AS default_tester, tc.reviewer_id AS reviewer,
		last.id AS execution_id, last.name AS status
	FROM test_executions e JOIN test_cases tc ON tc.id = e.case_id
	JOIN LATERAL (SELECT l.id, st.name FROM test_executions l JOIN test_execution_statuses st ON st.id = l.status_id
		WHERE l.run_id = e.run_id AND l.case_id = e.case_id ORDER BY l.id DESC LIMIT 1) last ON true
	WHERE e.run_id = $1 ORDER BY e.id`, runID)
	if err != nil {
		return nil, translate(err, "TestRun")
	}
	out, err := collectByName[RunCase](rows)
	return out, translate(err, "TestRun")
}

// RemoveCaseFromRun deletes every execution of a case in a run
// (deleteExecutions), locked first. Unknown ids change nothing.
func (s *Store) RemoveCaseFromRun(ctx context.Context, by Principal, runID, caseID int64) error {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		ids, err := filtered(tx, executionEntity, map[string]any{"run": runID, "case": caseID}).TestExecutionLockMatching(ctx)
		if err != nil || len(ids) == 0 {
			return err
		}
		return deleteExecutions(ctx, s.q.WithTx(tx), map[string]int64{}, db.TestExecutionDeleteParams{Ids: ids, HistoryUserID: by.UserID})
	})
	return translate(err, "TestRun")
}

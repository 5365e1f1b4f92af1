package store

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/tcms/tcms/store/internal/db"
)

// TestExecution.create, update and bulk_update are the CI hot path: each
// is one SQL statement sent straight to the pool (a single statement is
// its own transaction), history row included, and it returns everything
// the reply needs.

// ExecutionNames are the names of an execution's FKs, as S-TestExecution-u
// and S-TestExecution-f add them.
type ExecutionNames struct {
	AssigneeUsername *string `json:"assignee__username" db:"assignee__username"`
	TestedByUsername *string `json:"tested_by__username" db:"tested_by__username"`
	CaseSummary      string  `json:"case__summary" db:"case__summary"`
	BuildName        string  `json:"build__name" db:"build__name"`
	StatusName       string  `json:"status__name" db:"status__name"`
}

// ExecutionUpdated is S-TestExecution-u: S-TestExecution with FK names.
type ExecutionUpdated struct {
	Execution
	ExecutionNames
}

// ExecutionRow is S-TestExecution-f: no tags, but the status icon and
// colour and the durations in float seconds; actual_duration is null
// unless both dates are set.
type ExecutionRow struct {
	ExecutionCore
	StatusIcon       string   `json:"status__icon" db:"status__icon"`
	StatusColor      string   `json:"status__color" db:"status__color"`
	ExpectedDuration float64  `json:"expected_duration" db:"expected_duration"`
	ActualDuration   *float64 `json:"actual_duration" db:"actual_duration"`
	ExecutionNames
}

// executionJoins joins the FK names of ExecutionNames to the test_executions
// row e; executionNames selects them.
func executionJoins(e string) string {
	return fmt.Sprintf(`
JOIN test_cases c ON c.id = %[1]s.case_id
JOIN builds b ON b.id = %[1]s.build_id
JOIN test_execution_statuses st ON st.id = %[1]s.status_id
LEFT JOIN users au ON au.id = %[1]s.assignee_id
LEFT JOIN users tb ON tb.id = %[1]s.tested_by_id`, e)
}

const executionNames = `au.username AS assignee__username, tb.username AS tested_by__username,
	c.summary AS case__summary, b.name AS build__name, st.name AS status__name`


// executionEntity is what TestExecution.filter may filter on: the
// execution's columns and durations, its run, case, status, build and
// users, and its tags, bugs, links and properties.
var executionEntity = entity(&Entity{Model: "TestExecution", From: "FROM test_executions e", Fields: map[string]Field{
	"id": {Expr: "e.id", Kind: IntField}, "case_text_version": {Expr: "e.case_text_version", Kind: IntField},
	"start_date": {Expr: "e.start_date", Kind: TimeField}, "stop_date": {Expr: "e.stop_date", Kind: TimeField},
	"sortkey": {Expr: "e.sortkey", Kind: IntField},
	"expected_duration": {Expr: "extract(epoch FROM coalesce(c.setup_duration, interval '0') + coalesce(c.testing_duration, interval '0'))::float8",
		Kind: FloatField, Join: "JOIN test_cases c ON c.id = e.case_id"},
	"actual_duration": {Expr: "extract(epoch FROM e.stop_date - e.start_date)::float8", Kind: FloatField},
}, Relations: map[string]Relation{
	"run":           {Expr: "e.run_id", To: "TestRun"},
	"case":          {Expr: "e.case_id", To: "TestCase"},
	"status":        {Expr: "e.status_id", To: "TestExecutionStatus"},
	"build":         {Expr: "e.build_id", To: "Build"},
	"assignee":      {Expr: "e.assignee_id", To: "RelatedUser"},
	"tested_by":     {Expr: "e.tested_by_id", To: "RelatedUser"},
	"tag":           {Expr: "xt.tag_id", Exists: "SELECT 1 FROM test_execution_tags xt WHERE xt.execution_id = e.id", To: "Tag"},
	"bugs":          {Expr: "be.bug_id", Exists: "SELECT 1 FROM bug_executions be WHERE be.execution_id = e.id", To: "Bug"},
	"linkreference": {Expr: "lr.id", Exists: "SELECT 1 FROM links lr WHERE lr.execution_id = e.id", To: "LinkReference"},
	"testexecutionproperty": {Expr: "xp.id", Exists: "SELECT 1 FROM test_execution_properties xp WHERE xp.execution_id = e.id",
		To: "TestExecutionProperty"},
}})

// FilterExecutions answers TestExecution.filter, by id, in one query.
func (s *Store) FilterExecutions(ctx context.Context, query map[string]any) ([]ExecutionRow, error) {
	return filterRows(ctx, s, executionEntity, query, (*db.Queries).TestExecutionFilter, executionRow)
}

// executionRow is a row of TestExecutionFilter as S-TestExecution-f: the
// durations in float seconds, worked out as PostgreSQL's extract(epoch)
// would (the expected one from the sum of the case's durations, the
// actual one null unless both dates are set).
func executionRow(r db.TestExecutionFilterRow) ExecutionRow {
	out := ExecutionRow{
		ExecutionCore: ExecutionCore{ID: r.ID, Assignee: r.AssigneeID, TestedBy: r.TestedByID, CaseTextVersion: r.CaseTextVersion,
			StartDate: r.StartDate, StopDate: r.StopDate, Sortkey: widen(r.Sortkey), Run: r.RunID, Case: r.CaseID,
			Status: r.StatusID, Build: r.BuildID},
		StatusIcon: r.StatusIcon, StatusColor: r.StatusColor,
		ExecutionNames: ExecutionNames{AssigneeUsername: r.AssigneeUsername, TestedByUsername: r.TestedByUsername,
			CaseSummary: r.CaseSummary, BuildName: r.BuildName, StatusName: r.StatusName},
	}
	sum := pgtype.Interval{Valid: true}
	for _, d := range []pgtype.Interval{r.SetupDuration, r.TestingDuration} {
		if d.Valid {
			sum.Months, sum.Days, sum.Microseconds = sum.Months+d.Months, sum.Days+d.Days, sum.Microseconds+d.Microseconds
		}
	}
	out.ExpectedDuration = float64(*micros(sum)) / 1e6
	if r.StartDate != nil && r.StopDate != nil {
		out.ActualDuration = new(float64(r.StopDate.Sub(*r.StartDate).Microseconds()) / 1e6)
	}
	return out
}

// ExecutionValues are column values of a test execution, keyed by column:
// run_id, case_id, status_id, build_id, case_text_version, sortkey (int64
// or nil), start_date, stop_date (*time.Time), assignee_id, tested_by_id
// (UserRef). In an update case_text_version may be LatestCaseText.
type ExecutionValues map[string]any

// LatestCaseText as case_text_version stands for the case's latest
// history row.
const LatestCaseText = "latest"

var executionValueColumns = []string{"run_id", "case_id", "status_id", "build_id", "case_text_version", "sortkey",
	"start_date", "stop_date", "assignee_id", "tested_by_id"}

// sqlExpr is a column value written as SQL over the execution e and its
// run r, not bound as a parameter.
type sqlExpr string

const (
	latestCaseText sqlExpr = "coalesce((SELECT max(hi.history_id) FROM history hi WHERE hi.owner = '" + caseOwner +
		"' AND hi.object_id = e.case_id), e.case_text_version)"
	runBuild sqlExpr = "r.build_id"
)

// userColumns are the user FKs of test_executions by constraint name.
var userColumns = map[string]string{
	"test_executions_assignee_id_fkey":  "assignee_id",
	"test_executions_tested_by_id_fkey": "tested_by_id",
}

// resolveUsers replaces the UserRefs of v by user ids: ids and digit
// strings as they are (the FK answers for unknown ones), usernames and
// emails by one lookup each. It returns the values as given, for
// execError.
func (s *Store) resolveUsers(ctx context.Context, v ExecutionValues) (map[string]any, error) {
	given := map[string]any{}
	for _, col := range userColumns {
		ref, ok := v[col].(UserRef)
		if !ok {
			continue
		}
		given[col] = ref.Ref
		ids, _, _ := splitRefs([]any{ref.Ref})
		switch {
		case ref.Ref == nil || ref.Ref == "":
			v[col] = nil
		case len(ids) == 1:
			v[col] = ids[0]
		default:
			id, err := resolveUserRef(ctx, s.pool, ref)
			if err != nil {
				return nil, err
			}
			v[col] = *id
		}
	}
	return given, nil
}

// execError translates an execution statement's error; a violated user
// FK becomes Kiwi's user field error naming the value given.
func execError(err error, given map[string]any) error {
	var pg *pgconn.PgError
	if errors.As(err, &pg) && pg.Code == "23503" {
		if ref, ok := given[userColumns[pg.ConstraintName]]; ok {
			return Errorf(Invalid, "Unknown user_id: \"%v\"", ref)
		}
	}
	return translate(err, "TestExecution")
}

// falsy tells whether a value is absent, null or 0 (Python's falsy ids).
func falsy(v any) bool {
	return v == nil || v == int64(0)
}

// assignments turns v into SET items (or VALUES items) of its sorted
// columns, appending parameters to args.
func (v ExecutionValues) assignments(args *[]any) (cols, exprs []string, err error) {
	cols = slices.Sorted(maps.Keys(v))
	exprs = make([]string, len(cols))
	for i, c := range cols {
		if !slices.Contains(executionValueColumns, c) {
			return nil, nil, fmt.Errorf("test execution: no column %q", c)
		}
		if x, ok := v[c].(sqlExpr); ok {
			exprs[i] = string(x)
			continue
		}
		*args = append(*args, v[c])
		exprs[i] = "$" + strconv.Itoa(len(*args))
	}
	return cols, exprs, nil
}

// selectUpdated selects S-TestExecution-u from u, a CTE of
// test_executions rows; tail orders them.
func selectUpdated(tail string) string {
	return "SELECT " + executionColumns("u") + ", " + executionNames + " FROM u" + executionJoins("u") + " " + tail
}

// CreateExecution adds a test execution and its '+' history row in one
// statement and returns it as S-TestExecution. Nothing is defaulted.
func (s *Store) CreateExecution(ctx context.Context, by Principal, v ExecutionValues) (Execution, error) {
	v = maps.Clone(v)
	given, err := s.resolveUsers(ctx, v)
	if err != nil {
		return Execution{}, err
	}
	args := []any{by.UserID}
	cols, exprs, err := v.assignments(&args)
	if err != nil {
		return Execution{}, err
	}
	rows, err := s.pool.Query(ctx, `WITH e AS (INSERT INTO test_executions (`+strings.Join(cols, ", ")+`)
		VALUES (`+strings.Join(exprs, ", ")+`) RETURNING *),
	`+historyStep(TestExecutionOwner, "e", "+", executionRecord("e"), 1, "NULL")+`
	SELECT `+executionColumns("e")+` FROM e`, args...)
	if err != nil {
		return Execution{}, execError(err, given)
	}
	out, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Execution])
	return out, execError(err, given)
}

// UpdateExecution sets the given columns of an execution (contract 5.2)
// and writes its '~' history row, in one statement, and returns
// S-TestExecution-u. With a status, a falsy tested_by becomes the caller
// and a falsy build the run's current build. Dates are never set
// implicitly.
func (s *Store) UpdateExecution(ctx context.Context, by Principal, id int64, v ExecutionValues) (ExecutionUpdated, error) {
	v = maps.Clone(v)
	given, err := s.resolveUsers(ctx, v)
	if err != nil {
		return ExecutionUpdated{}, err
	}
	if v["case_text_version"] == LatestCaseText {
		v["case_text_version"] = latestCaseText
	}
	if status, ok := v["status_id"]; ok && !falsy(status) {
		if falsy(v["tested_by_id"]) {
			v["tested_by_id"] = by.UserID
		}
		if falsy(v["build_id"]) {
			v["build_id"] = runBuild
		}
	}
	args := []any{id, by.UserID}
	cols, exprs, err := v.assignments(&args)
	if err != nil {
		return ExecutionUpdated{}, err
	}
	set := []string{"run_id = e.run_id"} // a save without values still writes history
	for i, c := range cols {
		set = append(set[:i], c+" = "+exprs[i])
	}
	// The history row's change reason is left to ExecutionHistory, which
	// compares each record with the one before it: the hot path only copies
	// the row.
	rows, err := s.pool.Query(ctx, `WITH u AS (UPDATE test_executions e SET `+strings.Join(set, ", ")+`
		FROM test_runs r WHERE e.id = $1 AND r.id = e.run_id
		RETURNING e.*, `+executionRecord("e")+` AS new_rec),
	`+historyStep(TestExecutionOwner, "u", "~", "u.new_rec", 2, "NULL")+`
	`+selectUpdated(""), args...)
	if err != nil {
		return ExecutionUpdated{}, execError(err, given)
	}
	out, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[ExecutionUpdated])
	return out, execError(err, given)
}

// ExecutionResult is one item of TestExecution.bulk_update: a status
// (nil: unchanged), dates (set when SetStart/SetStop, nil clears) and a
// comment ("" adds none).
type ExecutionResult struct {
	ID                  int64
	Status              *int64
	SetStart, SetStop   bool
	StartDate, StopDate *time.Time
	Comment             string
	TestedBy            *UserRef // nil: the caller when a status is given, else unchanged
}

// MaxBulkResults bounds the items of one bulk update.
const MaxBulkResults = 10000

// ReportExecutions applies the results to their executions, all or none,
// in one statement: with a status, tested_by becomes the caller and build
// the run's current build, as in UpdateExecution; each comment is added as
// the caller; each execution gets a '~' history row. It returns
// S-TestExecution-u in the order of results. A missing execution changes
// nothing and is NotFound naming its id.
func (s *Store) ReportExecutions(ctx context.Context, by Principal, results []ExecutionResult) ([]ExecutionUpdated, error) {
	n := len(results)
	ids, statuses, comments := make([]int64, n), make([]*int64, n), make([]string, n)
	setStart, setStop, starts, stops := make([]bool, n), make([]bool, n), make([]*time.Time, n), make([]*time.Time, n)
	setTester, testers := make([]bool, n), make([]*int64, n)
	seen := make(map[int64]bool, n)
	resolved := map[any]*int64{}
	for i, r := range results {
		if seen[r.ID] {
			return nil, Errorf(Invalid, "TestExecution %d is listed twice.", r.ID)
		}
		seen[r.ID] = true
		ids[i], statuses[i], comments[i] = r.ID, r.Status, r.Comment
		setStart[i], setStop[i], starts[i], stops[i] = r.SetStart, r.SetStop, r.StartDate, r.StopDate
		if r.TestedBy == nil {
			continue
		}
		// CI reporters name one tester for the whole suite: one lookup.
		uid, ok := resolved[r.TestedBy.Ref]
		if !ok {
			var err error
			if uid, err = resolveUserRef(ctx, s.pool, *r.TestedBy); err != nil {
				return nil, err
			}
			resolved[r.TestedBy.Ref] = uid
		}
		setTester[i], testers[i] = true, uid
	}
	// o locks the executions in id order (no deadlock between two bulk
	// updates) and holds their old records; u changes them only when all
	// were found.
	rows, err := s.pool.Query(ctx, `WITH v AS (SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::boolean[],
			$4::timestamptz[], $5::boolean[], $6::timestamptz[], $7::text[], $9::boolean[], $10::bigint[])
		WITH ORDINALITY AS v(id, status, set_start, start_date, set_stop, stop_date, comment, set_tester, tester, ord)),
	o AS (SELECT x.id, x.run_id FROM test_executions x WHERE x.id = ANY($1) ORDER BY x.id FOR UPDATE),
	u AS (UPDATE test_executions e SET status_id = coalesce(v.status, e.status_id),
			tested_by_id = CASE WHEN v.set_tester THEN v.tester WHEN v.status IS NULL THEN e.tested_by_id ELSE $8::bigint END,
			build_id = CASE WHEN v.status IS NULL THEN e.build_id ELSE r.build_id END,
			start_date = CASE WHEN v.set_start THEN v.start_date ELSE e.start_date END,
			stop_date = CASE WHEN v.set_stop THEN v.stop_date ELSE e.stop_date END
		FROM v JOIN o ON o.id = v.id JOIN test_runs r ON r.id = o.run_id
		WHERE e.id = v.id AND (SELECT count(*) FROM o) = cardinality($1::bigint[])
		RETURNING e.*, `+executionRecord("e")+` AS new_rec, v.ord, v.comment),
	cm AS (INSERT INTO comments (owner, object_id, user_id, user_name, user_email, comment)
		SELECT '`+TestExecutionOwner+`', u.id, us.id, left(us.username, 50), us.email, u.comment
		FROM u JOIN users us ON us.id = $8::bigint WHERE u.comment <> ''),
	`+historyStep(TestExecutionOwner, "u", "~", "u.new_rec", 8, "NULL")+`
	`+selectUpdated("ORDER BY u.ord"), ids, statuses, setStart, starts, setStop, stops, comments, by.UserID, setTester, testers)
	if err != nil {
		return nil, translate(err, "TestExecution")
	}
	out, err := collectByName[ExecutionUpdated](rows)
	if err != nil {
		return nil, translate(err, "TestExecution")
	}
	if len(out) == n {
		return out, nil
	}
	// Not the hot path: find the missing execution to name it.
	var missing int64
	err = s.pool.QueryRow(ctx, `SELECT i FROM unnest($1::bigint[]) i
		WHERE NOT EXISTS (SELECT 1 FROM test_executions WHERE id = i) LIMIT 1`, ids).Scan(&missing)
	if err != nil {
		return nil, translate(err, "TestExecution")
	}
	return nil, Errorf(NotFound, "TestExecution matching query does not exist: id %d; nothing was changed.", missing)
}

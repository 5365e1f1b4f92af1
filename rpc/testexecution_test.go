package rpc

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms/store"
)

// execBed is a run on build b1 with one IDLE execution of a case, made
// behind the server's back, and callers over both protocols.
type execBed struct {
	ts                         *testServer
	conn                       *pgx.Conn
	admin, tester              rpcCaller
	adminID, testerID          int64
	caseID, runID, execID      int64
	build, otherBuild, product int64
}

func mustExecBed(t *testing.T) *execBed {
	t.Helper()
	ts := mustServer(t)
	b := &execBed{ts: ts, conn: ts.mustDB(), admin: ts.callers(t, adminName, adminPass), tester: ts.callers(t, userName, userPass)}
	b.caseID, b.product = mustCase(t, b.conn, "P")
	err := b.conn.QueryRow(t.Context(), `SELECT (SELECT id FROM users WHERE username = 'admin'), (SELECT id FROM users WHERE username = 'tester')`).Scan(&b.adminID, &b.testerID)
	if err != nil {
		t.Fatal(err)
	}
	err = b.conn.QueryRow(t.Context(), `WITH v AS (INSERT INTO versions (value, product_id) VALUES ('1.0', $1) RETURNING id),
	bs AS (INSERT INTO builds (name, version_id) SELECT n, v.id FROM v, unnest(ARRAY['b1', 'b2']) n RETURNING id, name),
	p AS (INSERT INTO test_plans (name, product_version_id, author_id, product_id, type_id) SELECT 'plan', v.id, $2, $1, 1 FROM v RETURNING id),
	r AS (INSERT INTO test_runs (summary, plan_id, build_id, manager_id) SELECT 'run', p.id, (SELECT id FROM bs WHERE name = 'b1'), $2 FROM p RETURNING id, build_id)
	SELECT r.id, r.build_id, (SELECT id FROM bs WHERE name = 'b2') FROM r`, b.product, b.adminID).Scan(&b.runID, &b.build, &b.otherBuild)
	if err != nil {
		t.Fatal(err)
	}
	b.execID = b.mustExecution(t)
	return b
}

// mustExecution adds an IDLE execution of the case to the run, on b1,
// with its creation history row, behind the server's back.
func (b *execBed) mustExecution(t *testing.T) int64 {
	t.Helper()
	var id int64
	err := b.conn.QueryRow(t.Context(), `WITH e AS (INSERT INTO test_executions (run_id, case_id, case_text_version, status_id, build_id, sortkey)
			VALUES ($1, $2, 1, 1, $3, 10) RETURNING *),
		h AS (INSERT INTO history (owner, object_id, history_type, record) SELECT 'testruns_testexecution', e.id, '+', to_jsonb(e) - 'slot' FROM e)
		SELECT id FROM e`, b.runID, b.caseID, b.build).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// snapshot is everything stored about an execution and what hangs on it,
// to check that a refused call wrote nothing.
func (b *execBed) snapshot(t *testing.T, id int64) string {
	t.Helper()
	var s string
	err := b.conn.QueryRow(t.Context(), `SELECT concat_ws(' | ', (SELECT to_jsonb(e)::text FROM test_executions e WHERE id = $1),
		(SELECT count(*) FROM history WHERE owner = 'testruns_testexecution' AND object_id = $1),
		(SELECT count(*) FROM comments WHERE owner = 'testruns_testexecution' AND object_id = $1),
		(SELECT count(*) FROM links WHERE execution_id = $1), (SELECT count(*) FROM test_execution_properties WHERE execution_id = $1),
		(SELECT count(*) FROM test_execution_tags WHERE execution_id = $1), (SELECT count(*) FROM attachments WHERE object_id = $1))`, id).Scan(&s)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

const (
	missingExecution = "Internal error: TestExecution matching query does not exist."
	badDate          = "Invalid date format. Expected YYYY-MM-DD [HH:MM:SS]."
	choice           = "Internal error: [('%s', ['Select a valid choice. That choice is not one of the available choices.'])]"
)

// keysUpdated are the keys of S-TestExecution-u.
const keysUpdated = "assignee,assignee__username,build,build__name,case,case__summary,case_text_version,id,run,sortkey,start_date,status,status__name,stop_date,tag,tested_by,tested_by__username"

func at(hour, minute int) time.Time { return time.Date(2026, 1, 6, hour, minute, 0, 0, time.UTC) }

// isAt tells whether a wire datetime (naive over JSON-RPC, UTC from
// kolo/xmlrpc) is at(hour, minute).
func isAt(s *string, hour, minute int) bool {
	return s != nil && strings.HasPrefix(*s, at(hour, minute).Format("2006-01-02T15:04:05"))
}

// wireExec is S-TestExecution-u with its datetimes as the wire text.
type wireExec struct {
	store.ExecutionUpdated
	StartDate *string `json:"start_date"`
	StopDate  *string `json:"stop_date"`
}

func TestTestExecutionUpdate(t *testing.T) {
	b := mustExecBed(t)
	ctx := t.Context()
	var got wireExec

	t.Run("OK", func(t *testing.T) {
		// A status without tested_by and build: the caller and the run's
		// current build, which changed since the execution was added.
		mustExec(t, b.conn, "UPDATE test_runs SET build_id = $1 WHERE id = $2", b.otherBuild, b.runID)
		r := b.tester.json("TestExecution.update", b.execID, map[string]any{"status": 4, "start_date": "2026-01-06 20:30:00", "stop_date": "2026-01-06T20:31:00"})
		result(t, r, &got)
		if keys := keysOf(t, r.Result); keys != keysUpdated {
			t.Fatalf("S-TestExecution-u keys %s", keys)
		}
		if got.Status != 4 || got.StatusName != "PASSED" || *got.TestedBy != b.testerID || *got.TestedByUsername != userName ||
			got.Build != b.otherBuild || got.BuildName != "b2" || got.CaseSummary != "a case" || !isAt(got.StartDate, 20, 30) ||
			!isAt(got.StopDate, 20, 31) || got.Assignee != nil || got.Tag == nil || len(got.Tag) != 0 {
			t.Fatalf("update: %s", r.Result)
		}
		// Explicit tested_by (by email) and build win, over XML-RPC.
		b.tester.viaXML(t, &got, "TestExecution.update", b.execID, map[string]any{"status": "5", "tested_by": "admin@example.com", "build": b.build})
		if got.StatusName != "FAILED" || *got.TestedBy != b.adminID || got.Build != b.build {
			t.Fatalf("explicit tested_by and build: %+v", got)
		}
		// Dates are never set implicitly; null and "" clear them; without a
		// status tested_by stays.
		b.tester.viaJSON(t, &got, "TestExecution.update", b.execID, map[string]any{"status": 4})
		if !isAt(got.StartDate, 20, 30) || *got.TestedBy != b.testerID {
			t.Fatalf("status only: %+v", got)
		}
		b.tester.viaXML(t, &got, "TestExecution.update", b.execID, map[string]any{"start_date": nil, "stop_date": ""})
		if got.StartDate != nil || got.StopDate != nil || *got.TestedBy != b.testerID || got.Status != 4 {
			t.Fatalf("clearing dates: %+v", got)
		}
		b.tester.viaXML(t, &got, "TestExecution.update", b.execID, map[string]any{"stop_date": at(21, 0)})
		if !isAt(got.StopDate, 21, 0) {
			t.Fatalf("XML-RPC dateTime: %+v", got)
		}
		// case_text_version "latest" is the case's latest history row; a
		// numeric string is a version.
		var latest int64
		b.conn.QueryRow(ctx, `INSERT INTO history (owner, object_id, history_type, record) VALUES ('testcases_testcase', $1, '~', '{}') RETURNING history_id`, b.caseID).Scan(&latest)
		b.tester.viaJSON(t, &got, "TestExecution.update", b.execID, map[string]any{"case_text_version": "latest"})
		if got.CaseTextVersion != latest {
			t.Fatalf("latest: %d, want %d", got.CaseTextVersion, latest)
		}
		b.tester.viaJSON(t, &got, "TestExecution.update", b.execID, map[string]any{"case_text_version": "7", "assignee": userName, "sortkey": 5})
		if got.CaseTextVersion != 7 || *got.Assignee != b.testerID || *got.AssigneeUsername != userName || *got.Sortkey != 5 {
			t.Fatalf("case_text_version, assignee, sortkey: %+v", got)
		}
		b.tester.viaJSON(t, &got, "TestExecution.update", b.execID, map[string]any{"assignee": nil, "sortkey": nil, "ignored": 1})
		if got.Assignee != nil || got.AssigneeUsername != nil || got.Sortkey != nil {
			t.Fatalf("clearing assignee and sortkey: %+v", got)
		}
		// Each update wrote one history row, newest first, with the changes;
		// the last is the creation row.
		var hist []store.ExecHistory
		b.tester.viaXML(t, &hist, "TestExecution.history", b.execID)
		if len(hist) != 9 || *hist[0].HistoryUserUsername != userName || !strings.Contains(*hist[0].HistoryChangeReason, "--- assignee_id") ||
			!strings.Contains(*hist[7].HistoryChangeReason, "+++ status_id\n@@ -1 +1 @@\n-1\n+4") || hist[8].HistoryChangeReason != nil {
			t.Fatalf("history: %+v", hist)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		before := b.snapshot(t, b.execID)
		for _, c := range []struct {
			values map[string]any
			msg    string
		}{
			{map[string]any{"status": 4, "start_date": "10-10-2010"}, "Internal error: [('start_date', ['" + badDate + "'])]"},
			{map[string]any{"status": 99999}, fmt.Sprintf(choice, "status")},
			{map[string]any{"build": 99999}, fmt.Sprintf(choice, "build")},
			{map[string]any{"build": nil}, "Internal error: [('build', ['This field is required.'])]"},
			{map[string]any{"status": nil}, "Internal error: [('status', ['This field is required.'])]"},
			{map[string]any{"case_text_version": "x"}, "Internal error: [('case_text_version', ['Enter a whole number.'])]"},
			{map[string]any{"assignee": 99999}, `Internal error: Unknown user_id: "99999"`},
			{map[string]any{"status": 4, "tested_by": "99999"}, `Internal error: Unknown user_id: "99999"`},
			{map[string]any{"tested_by": "ghost"}, `Internal error: Unknown user: "ghost"`},
		} {
			b.tester.fault(t, CodeInternal, c.msg, "TestExecution.update", b.execID, c.values)
		}
		b.tester.fault(t, CodeInvalidParams, "Invalid parameters: ", "TestExecution.update", b.execID)
		if after := b.snapshot(t, b.execID); after != before {
			t.Fatalf("a refused update wrote:\n%s\n%s", before, after)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		b.tester.fault(t, CodeInternal, missingExecution, "TestExecution.update", 99999, map[string]any{"status": 4})
		b.tester.fault(t, CodeInternal, missingExecution, "TestExecution.history", 99999)
	})
	t.Run("ErrPermission", func(t *testing.T) {
		before := b.snapshot(t, b.execID)
		nobody := b.ts.nobody(t)
		nobody.refused(t, "testruns.change_testexecution", "TestExecution.update", b.execID, map[string]any{"status": 4})
		nobody.refused(t, "testruns.view_historicaltestexecution", "TestExecution.history", b.execID)
		if after := b.snapshot(t, b.execID); after != before {
			t.Fatalf("a refused update wrote:\n%s\n%s", before, after)
		}
	})
}

func TestTestExecutionBulkUpdate(t *testing.T) {
	b := mustExecBed(t)
	e2, e3 := b.mustExecution(t), b.mustExecution(t)
	mustExec(t, b.conn, "UPDATE test_runs SET build_id = $1 WHERE id = $2", b.otherBuild, b.runID)

	t.Run("OK", func(t *testing.T) {
		var got []wireExec
		r := b.tester.json("TestExecution.bulk_update", []any{
			map[string]any{"id": e3, "status": 4, "start_date": "2026-01-06 20:30:00", "stop_date": "2026-01-06 20:31:00", "comment": "passed"},
			map[string]any{"id": b.execID, "status": "5", "comment": ""},
			map[string]any{"id": itoa(e2), "stop_date": nil},
		})
		result(t, r, &got)
		if len(got) != 3 || got[0].ID != e3 || got[1].ID != b.execID || got[2].ID != e2 {
			t.Fatalf("bulk_update order: %s", r.Result)
		}
		if got[0].StatusName != "PASSED" || *got[0].TestedBy != b.testerID || got[0].Build != b.otherBuild || !isAt(got[0].StopDate, 20, 31) ||
			got[1].StatusName != "FAILED" || got[1].StartDate != nil || got[2].StatusName != "IDLE" || got[2].TestedBy != nil || got[2].Build != b.build {
			t.Fatalf("bulk_update: %s", r.Result)
		}
		var comments []store.CommentRow
		b.tester.viaXML(t, &comments, "TestExecution.get_comments", e3)
		if len(comments) != 1 || comments[0].Comment != "passed" || comments[0].UserName != userName || comments[0].ContentTypeID != 2 ||
			count(t, b.conn, "SELECT count(*) FROM comments") != 1 {
			t.Fatalf("comments: %+v", comments)
		}
		b.tester.viaXML(t, &got, "TestExecution.bulk_update", []any{map[string]any{"id": e2, "status": 8, "start_date": at(20, 0)}})
		if len(got) != 1 || got[0].StatusName != "WAIVED" || !isAt(got[0].StartDate, 20, 0) {
			t.Fatalf("XML-RPC bulk_update: %+v", got)
		}
		b.tester.viaJSON(t, &got, "TestExecution.bulk_update", []any{})
		if got == nil || len(got) != 0 {
			t.Fatalf("empty bulk_update: %+v", got)
		}
	})
	t.Run("OKTestedBy", func(t *testing.T) {
		// CI reporters name the tester (TCMS_DEFAULT_TESTER_ID, a string).
		var got []wireExec
		b.tester.viaJSON(t, &got, "TestExecution.bulk_update", []any{
			map[string]any{"id": e3, "status": 4, "tested_by": "1"},
			map[string]any{"id": e2, "tested_by": adminName},
		})
		if len(got) != 2 || *got[0].TestedBy != 1 || *got[1].TestedBy != 1 || got[1].StatusName != "WAIVED" {
			t.Fatalf("bulk_update with tested_by: %+v", got)
		}
		b.tester.viaJSON(t, &got, "TestExecution.bulk_update", []any{map[string]any{"id": e2, "tested_by": nil}})
		if got[0].TestedBy != nil {
			t.Fatalf("clearing tested_by: %+v", got)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		before := b.snapshot(t, e2) + b.snapshot(t, e3)
		b.tester.fault(t, CodeInternal, `Internal error: Unknown user: "ghost"`,
			"TestExecution.bulk_update", []any{map[string]any{"id": e3, "status": 4, "tested_by": "ghost"}})
		b.tester.fault(t, CodeInternal, `Internal error: values_list item 0: [('tested_by', ['Unknown user: "[1]"'])]`,
			"TestExecution.bulk_update", []any{map[string]any{"id": e3, "tested_by": []any{1}}})
		item := map[string]any{"id": e3, "status": 4, "comment": "x"}
		b.tester.fault(t, CodeInternal, "Internal error: TestExecution matching query does not exist: id 99999; nothing was changed.",
			"TestExecution.bulk_update", []any{item, map[string]any{"id": 99999, "status": 4}})
		b.tester.fault(t, CodeInternal, "Internal error: values_list item 1: [('start_date', ['"+badDate+"'])]",
			"TestExecution.bulk_update", []any{item, map[string]any{"id": e2, "start_date": "10-10-2010"}})
		b.tester.fault(t, CodeInternal, "Internal error: values_list item 0: [('id', ['This field is required.'])]",
			"TestExecution.bulk_update", []any{map[string]any{"status": 4}})
		b.tester.fault(t, CodeInternal, fmt.Sprintf("Internal error: TestExecution %d is listed twice.", e3), "TestExecution.bulk_update", []any{item, item})
		b.tester.fault(t, CodeInternal, fmt.Sprintf(choice, "status"), "TestExecution.bulk_update", []any{item, map[string]any{"id": e2, "status": 99999}})
		b.tester.fault(t, CodeInvalidParams, "Invalid parameters: values_list: item 1: expected a struct", "TestExecution.bulk_update", []any{item, 3})
		many := make([]any, store.MaxBulkResults+1)
		for i := range many {
			many[i] = map[string]any{"id": i}
		}
		wantFault(t, b.tester.json("TestExecution.bulk_update", many), CodeInvalidParams, "Invalid parameters: values_list has 10001 items; at most 10000")
		if after := b.snapshot(t, e2) + b.snapshot(t, e3); after != before {
			t.Fatalf("a refused bulk update wrote:\n%s\n%s", before, after)
		}
	})
	t.Run("ErrPermission", func(t *testing.T) {
		before := b.snapshot(t, e2)
		nobody := b.ts.nobody(t)
		nobody.refused(t, "testruns.change_testexecution", "TestExecution.bulk_update", []any{map[string]any{"id": e2, "status": 4}})
		// Reporting needs both labels.
		if _, err := b.ts.Store.CreateUser(t.Context(), store.System, store.NewUser{Username: "half", Password: "half-pass-1", Groups: []string{}}); err != nil {
			t.Fatal(err)
		}
		mustExec(t, b.conn, `INSERT INTO user_permissions (user_id, permission_id) SELECT u.id, p.id FROM users u, permissions p
			WHERE u.username = 'half' AND p.app_label = 'testruns' AND p.codename = 'change_testexecution'`)
		half := b.ts.callers(t, "half", "half-pass-1")
		half.refused(t, "django_comments.add_comment", "TestExecution.bulk_update", []any{map[string]any{"id": e2, "status": 4}})
		if after := b.snapshot(t, e2); after != before {
			t.Fatalf("a refused bulk update wrote:\n%s\n%s", before, after)
		}
	})
}

func TestTestExecutionCreate(t *testing.T) {
	b := mustExecBed(t)
	executions := func() int { return count(t, b.conn, "SELECT count(*) FROM test_executions") }

	t.Run("OK", func(t *testing.T) {
		var got wireExec
		r := b.tester.json("TestExecution.create", map[string]any{"case_text_version": 3, "run": b.runID, "case": itoa(b.caseID), "status": 1, "build": b.otherBuild})
		result(t, r, &got)
		if keys := keysOf(t, r.Result); keys != "assignee,build,case,case_text_version,id,run,sortkey,start_date,status,stop_date,tag,tested_by" {
			t.Fatalf("S-TestExecution keys %s", keys)
		}
		// No defaults: no tester, assignee, sortkey or dates.
		if got.CaseTextVersion != 3 || got.Run != b.runID || got.Case != b.caseID || got.Build != b.otherBuild || got.Status != 1 ||
			got.TestedBy != nil || got.Assignee != nil || got.Sortkey != nil || got.StartDate != nil || got.Tag == nil || len(got.Tag) != 0 {
			t.Fatalf("create: %s", r.Result)
		}
		var hist []store.ExecHistory
		b.tester.viaXML(t, &hist, "TestExecution.history", got.ID)
		if len(hist) != 1 || hist[0].HistoryChangeReason != nil || *hist[0].HistoryUserUsername != userName {
			t.Fatalf("history of a new execution: %+v", hist)
		}
		b.tester.viaXML(t, &got, "TestExecution.create", map[string]any{"case_text_version": "4", "run": b.runID, "case": b.caseID, "status": 4,
			"build": b.build, "assignee": "admin", "tested_by": b.testerID, "sortkey": 20, "start_date": at(20, 30), "stop_date": "2026-01-06 20:31:00"})
		if *got.Assignee != b.adminID || *got.TestedBy != b.testerID || *got.Sortkey != 20 || !isAt(got.StartDate, 20, 30) || !isAt(got.StopDate, 20, 31) {
			t.Fatalf("create over XML-RPC: %+v", got)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		before := executions()
		valid := func(k string, v any) map[string]any {
			m := map[string]any{"case_text_version": 1, "run": b.runID, "case": b.caseID, "status": 1, "build": b.build}
			m[k] = v
			return m
		}
		b.tester.fault(t, CodeInternal, "Internal error: [('case_text_version', ['This field is required.']), ('run', ['This field is required.']), ('case', ['This field is required.']), ('status', ['This field is required.']), ('build', ['This field is required.'])]",
			"TestExecution.create", map[string]any{})
		b.tester.fault(t, CodeInternal, "Internal error: [('case_text_version', ['Enter a whole number.'])]", "TestExecution.create", valid("case_text_version", "latest"))
		b.tester.fault(t, CodeInternal, "Internal error: [('start_date', ['"+badDate+"'])]", "TestExecution.create", valid("start_date", "10-10-2010"))
		for _, k := range []string{"run", "case", "status", "build"} {
			b.tester.fault(t, CodeInternal, fmt.Sprintf(choice, k), "TestExecution.create", valid(k, 99999))
		}
		b.tester.fault(t, CodeInternal, `Internal error: Unknown user_id: "99999"`, "TestExecution.create", valid("tested_by", 99999))
		b.tester.fault(t, CodeInternal, `Internal error: Unknown user: "ghost"`, "TestExecution.create", valid("assignee", "ghost"))
		if n := executions(); n != before {
			t.Fatalf("refused creates wrote %d executions", n-before)
		}
	})
	t.Run("ErrPermission", func(t *testing.T) {
		before := executions()
		b.ts.nobody(t).refused(t, "testruns.add_testexecution", "TestExecution.create",
			map[string]any{"case_text_version": 1, "run": b.runID, "case": b.caseID, "status": 1, "build": b.build})
		if n := executions(); n != before {
			t.Fatal("a refused create wrote")
		}
	})
}

func TestTestExecutionFilter(t *testing.T) {
	b := mustExecBed(t)
	other := b.mustExecution(t)
	mustExec(t, b.conn, `UPDATE test_cases SET setup_duration = '30 seconds', testing_duration = '1 minute'`)
	mustExec(t, b.conn, `UPDATE test_executions SET start_date = '2026-01-06 20:30:00Z', stop_date = '2026-01-06 20:32:00Z', status_id = 4,
		assignee_id = $2 WHERE id = $1`, other, b.testerID)
	result(t, b.tester.json("TestExecution.add_tag", other, "nightly"), new(any))
	type row struct {
		ID               int64    `json:"id"`
		StatusName       string   `json:"status__name"`
		StatusIcon       string   `json:"status__icon"`
		StatusColor      string   `json:"status__color"`
		AssigneeUsername *string  `json:"assignee__username"`
		ExpectedDuration float64  `json:"expected_duration"`
		ActualDuration   *float64 `json:"actual_duration"`
	}

	t.Run("OK", func(t *testing.T) {
		var rows []row
		r := b.tester.json("TestExecution.filter", map[string]any{"run": b.runID})
		result(t, r, &rows)
		var raw []json.RawMessage
		result(t, r, &raw)
		if keys := keysOf(t, raw[0]); keys != "actual_duration,assignee,assignee__username,build,build__name,case,case__summary,case_text_version,expected_duration,id,run,sortkey,start_date,status,status__color,status__icon,status__name,stop_date,tested_by,tested_by__username" {
			t.Fatalf("S-TestExecution-f keys %s", keys)
		}
		if len(rows) != 2 || rows[0].ID != b.execID || rows[0].StatusName != "IDLE" || rows[0].ActualDuration != nil || rows[0].ExpectedDuration != 90 ||
			rows[1].ActualDuration == nil || *rows[1].ActualDuration != 120 || rows[1].StatusIcon != "fa fa-check-circle-o" || rows[1].StatusColor != "#92d400" ||
			*rows[1].AssigneeUsername != userName {
			t.Fatalf("filter: %s", r.Result)
		}
		for _, q := range []map[string]any{
			{"run__plan__gt": 0, "status__weight__gt": 0}, {"tag__name": "nightly"}, {"assignee__username": userName},
			{"case__category__product": b.product, "actual_duration__gte": 120}, {"build__name": "b1", "status__name": "PASSED"},
			{"pk": itoa(other)}, {"stop_date__isnull": false, "case__summary__icontains": "CASE"},
		} {
			b.tester.viaXML(t, &rows, "TestExecution.filter", q)
			if len(rows) != 1 || rows[0].ID != other {
				t.Fatalf("filter(%v): %+v", q, rows)
			}
		}
		b.tester.empty(t, "TestExecution.filter", map[string]any{"pk": 0})
		b.tester.viaJSON(t, &rows, "TestExecution.filter", map[string]any{})
		if len(rows) != 2 {
			t.Fatalf("filter({}): %+v", rows)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		b.tester.fault(t, CodeInvalidParams, "Invalid parameters: ", "TestExecution.filter")
		wantFault(t, b.tester.json("TestExecution.filter", nil), CodeInvalidParams, "Invalid parameters: query is required")
		b.tester.fault(t, CodeInternal, "Internal error: Cannot resolve keyword 'nosuch' into field.", "TestExecution.filter", map[string]any{"nosuch": 1})
	})
	t.Run("ErrPermission", func(t *testing.T) {
		b.ts.nobody(t).refused(t, "testruns.view_testexecution", "TestExecution.filter", map[string]any{})
	})
}

func TestTestExecutionRemove(t *testing.T) {
	b := mustExecBed(t)
	kept := b.mustExecution(t)
	result(t, b.tester.json("TestExecution.add_comment", b.execID, "a comment"), new(any))
	result(t, b.tester.json("TestExecution.add_comment", kept, "kept"), new(any))
	result(t, b.tester.json("TestExecution.add_attachment", b.execID, "log.txt", "aGVsbG8="), new(any))
	result(t, b.tester.json("TestExecution.add_link", map[string]any{"execution": b.execID, "url": "https://ci.example.com/1"}), new(any))
	result(t, b.tester.json("TestExecution.add_property", b.execID, "os", "linux"), new(any))
	result(t, b.tester.json("TestExecution.add_tag", b.execID, "nightly"), new(any))

	t.Run("ErrInvalid", func(t *testing.T) {
		b.tester.fault(t, CodeInternal, "Internal error: TestExecution.remove needs a non-empty query", "TestExecution.remove", map[string]any{})
		wantFault(t, b.tester.json("TestExecution.remove", nil), CodeInvalidParams, "Invalid parameters: query is required")
		b.tester.fault(t, CodeInternal, "Internal error: Cannot resolve keyword 'nosuch' into field.", "TestExecution.remove", map[string]any{"nosuch": 1})
	})
	t.Run("ErrPermission", func(t *testing.T) {
		b.ts.nobody(t).refused(t, "testruns.delete_testexecution", "TestExecution.remove", map[string]any{"pk": b.execID})
		if count(t, b.conn, "SELECT count(*) FROM test_executions") != 2 {
			t.Fatal("a refused remove deleted")
		}
	})
	t.Run("OK", func(t *testing.T) {
		b.tester.viaXML(t, new(any), "TestExecution.remove", map[string]any{"pk": 99999}) // nothing matched
		b.tester.viaXML(t, new(any), "TestExecution.remove", map[string]any{"pk": b.execID, "status__name": "IDLE"})
		// No row; its creation and '-' history rows; no comments, links, properties, tags, attachments.
		if got := b.snapshot(t, b.execID); got != "2 | 0 | 0 | 0 | 0 | 0" {
			t.Fatalf("left behind: %s", got)
		}
		if count(t, b.conn, "SELECT count(*) FROM history WHERE owner = 'testruns_testexecution' AND object_id = $1 AND history_type = '-'", b.execID) != 1 ||
			count(t, b.conn, "SELECT count(*) FROM comments") != 1 || count(t, b.conn, "SELECT count(*) FROM tags") != 1 {
			t.Fatal("remove: history, the other execution's comment or the tag itself")
		}
		b.tester.fault(t, CodeInternal, missingExecution, "TestExecution.history", b.execID)
	})
}

package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// TrackerBug is a bug of the built-in tracker as Bug.details describes
// it: FirstComment is the text of its oldest comment not removed, or "".
type TrackerBug struct {
	ID           int64
	Summary      string
	Open         bool
	FirstComment string
}

// BugAt returns the bug of the built-in tracker that link names. It is
// nil when link matches no tracker of KiwiTrackerType, ends with no id,
// or names a bug that does not exist.
func (s *Store) BugAt(ctx context.Context, link string) (*TrackerBug, error) {
	var out *TrackerBug
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		id, ok, err := kiwiBugAt(ctx, tx, link)
		if err != nil || !ok {
			return err
		}
		var b TrackerBug
		err = tx.QueryRow(ctx, `SELECT id, summary, status, coalesce((SELECT cm.comment FROM comments cm
			WHERE cm.owner = $2 AND cm.object_id = bugs.id AND NOT cm.is_removed ORDER BY cm.id LIMIT 1), '')
			FROM bugs WHERE id = $1`, id, BugOwner).Scan(&b.ID, &b.Summary, &b.Open, &b.FirstComment)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		out = &b
		return err
	})
	return out, translate(err, "Bug")
}

// BugReport is what Bug.report answers: RC 0 and the new bug's URL, or
// RC 1 and why nothing was reported.
type BugReport struct {
	RC       int    `json:"rc"`
	Response string `json:"response"`
}

// reportDisabled is Kiwi's answer for a tracker it cannot report to.
const reportDisabled = "Enable reporting to this Issue Tracker by configuring its base_url!"

// failedExecution is what a bug reported from an execution is made of.
type failedExecution struct {
	ID            int64  `db:"id"`
	Run           int64  `db:"run"`
	RunSummary    string `db:"run_summary"`
	Case          int64  `db:"case"`
	CaseSummary   string `db:"case_summary"`
	CaseText      string `db:"case_text"`
	DefaultTester *int64 `db:"default_tester"`
	Product       int64  `db:"product"`
	ProductName   string `db:"product_name"`
	Version       int64  `db:"version"`
	VersionValue  string `db:"version_value"`
	Build         int64  `db:"build"`
	BuildName     string `db:"build_name"`
	Status        string `db:"status"`
}

// comment is the text of the first comment of a bug reported from e, in
// Markdown.
func (e failedExecution) comment() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Reported from test execution %d of test run %d (%s).\n\n", e.ID, e.Run, e.RunSummary)
	fmt.Fprintf(&b, "* Product: %s\n* Version: %s\n* Build: %s\n", e.ProductName, e.VersionValue, e.BuildName)
	fmt.Fprintf(&b, "* Test case: TC-%d, %s\n* Execution status: %s\n", e.Case, e.CaseSummary, e.Status)
	if strings.TrimSpace(e.CaseText) != "" {
		fmt.Fprintf(&b, "\nThe test case's text:\n\n%s\n", e.CaseText)
	}
	return b.String()
}

// ReportBug answers Bug.report. With the built-in tracker it creates, in
// one transaction, a bug "Failed test: <case summary>" on the product and
// version of the run's plan and the execution's build, reported by by and
// assigned to the case's default tester; links the execution to it, both
// as a bug execution and as a defect link of the execution to the bug's
// URL, site + "/bugs/<id>/"; and adds a comment describing the execution.
// Any other tracker gets Kiwi's RC 1 answer and nothing is written, as
// this server calls no external tracker.
func (s *Store) ReportBug(ctx context.Context, by Principal, executionID, trackerID int64, site string) (BugReport, error) {
	var out BugReport
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT e.id, e.run_id AS run, r.summary AS run_summary, c.id AS "case",
			c.summary AS case_summary, c.text AS case_text, c.default_tester_id AS default_tester,
			tp.product_id AS product, pr.name AS product_name, tp.product_version_id AS version, v.value AS version_value,
			e.build_id AS build, b.name AS build_name, st.name AS status
			FROM test_executions e
			JOIN test_runs r ON r.id = e.run_id
			JOIN test_plans tp ON tp.id = r.plan_id
			JOIN products pr ON pr.id = tp.product_id
			JOIN versions v ON v.id = tp.product_version_id
			JOIN test_cases c ON c.id = e.case_id
			JOIN builds b ON b.id = e.build_id
			JOIN test_execution_statuses st ON st.id = e.status_id
			WHERE e.id = $1 FOR KEY SHARE OF e`, executionID)
		if err != nil {
			return err
		}
		e, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[failedExecution])
		if err != nil {
			return translate(err, "TestExecution")
		}
		var trackerType string
		err = tx.QueryRow(ctx, "SELECT tracker_type FROM bug_trackers WHERE id = $1", trackerID).Scan(&trackerType)
		if err != nil {
			return translate(err, "BugSystem")
		}
		if trackerType != KiwiTrackerType {
			out = BugReport{RC: 1, Response: reportDisabled}
			return nil
		}
		out.RC = 0
		return tx.QueryRow(ctx, `WITH bg AS (INSERT INTO bugs (summary, reporter_id, assignee_id, product_id, version_id, build_id)
				VALUES (left('Failed test: ' || $2::text, 255), $3, $4, $5, $6, $7) RETURNING id, $8::text || '/bugs/' || id || '/' AS url),
			be AS (INSERT INTO bug_executions (bug_id, execution_id) SELECT id, $1 FROM bg),
			l AS (INSERT INTO links (execution_id, url, is_defect) SELECT $1, url, true FROM bg),
			cm AS (INSERT INTO comments (owner, object_id, user_id, user_name, user_email, comment)
				SELECT $9, bg.id, u.id, left(u.username, 50), u.email, $10 FROM bg, users u WHERE u.id = $3)
			SELECT url FROM bg`, e.ID, e.CaseSummary, by.UserID, e.DefaultTester, e.Product, e.Version, e.Build,
			site, BugOwner, e.comment()).Scan(&out.Response)
	})
	return out, translate(err, "Bug")
}

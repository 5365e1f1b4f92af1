package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms/store/internal/db"
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
		b, err := s.q.WithTx(tx).BugWithFirstComment(ctx, id)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		out = &TrackerBug{ID: b.ID, Summary: b.Summary, Open: b.Status, FirstComment: b.FirstComment}
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

// reportComment is the text of the first comment of a bug reported from
// the execution e, in Markdown.
func reportComment(e db.BugReportSourceRow) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Reported from test execution %d of test run %d (%s).\n\n", e.ID, e.RunID, e.RunSummary)
	fmt.Fprintf(&b, "* Product: %s\n* Version: %s\n* Build: %s\n", e.ProductName, e.VersionValue, e.BuildName)
	fmt.Fprintf(&b, "* Test case: TC-%d, %s\n* Execution status: %s\n", e.CaseID, e.CaseSummary, e.StatusName)
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
		q := s.q.WithTx(tx)
		e, err := q.BugReportSource(ctx, executionID)
		if err != nil {
			return translate(err, "TestExecution")
		}
		trackerType, err := q.BugTrackerType(ctx, trackerID)
		if err != nil {
			return translate(err, "BugSystem")
		}
		if trackerType != KiwiTrackerType {
			out = BugReport{RC: 1, Response: reportDisabled}
			return nil
		}
		out.RC = 0
		out.Response, err = q.BugReport(ctx, db.BugReportParams{CaseSummary: e.CaseSummary, ReporterID: by.UserID,
			AssigneeID: e.DefaultTesterID, ProductID: e.ProductID, VersionID: e.VersionID, BuildID: e.BuildID, Site: site,
			ExecutionID: e.ID, Comment: reportComment(e)})
		return err
	})
	return out, translate(err, "Bug")
}

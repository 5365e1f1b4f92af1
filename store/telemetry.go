package store

import (
	"context"
	"slices"
	"strconv"
)

// The Testing namespace (Kiwi's telemetry): statistics over the test cases
// or executions a Kiwi query dict matches, each read in one statement.

// Kiwi's keys for confirmed and other test cases in Testing.breakdown, and
// for the per-run totals of Testing.execution_trends.
const (
	confirmedKey = "CONFIRMED"
	otherKey     = "OTHER"
	totalKey     = "TOTAL"
)

// Breakdown is Testing.breakdown's reply: how many of the matching test
// cases are manual or automated, and how many, confirmed or not, have each
// priority value and each category name.
type Breakdown struct {
	Count struct {
		Manual    int64 `json:"manual"`
		Automated int64 `json:"automated"`
		All       int64 `json:"all"`
	} `json:"count"`
	Priorities map[string]map[string]int64 `json:"priorities"`
	Categories map[string]map[string]int64 `json:"categories"`
}

// TestingBreakdown answers Testing.breakdown.
func (s *Store) TestingBreakdown(ctx context.Context, query map[string]any) (Breakdown, error) {
	rows, err := filtered(s.pool, caseEntity, query).TelemetryBreakdown(ctx)
	var b Breakdown
	b.Priorities = map[string]map[string]int64{confirmedKey: {}, otherKey: {}}
	b.Categories = map[string]map[string]int64{confirmedKey: {}, otherKey: {}}
	for _, r := range rows {
		if r.IsAutomated {
			b.Count.Automated += r.Cases
		} else {
			b.Count.Manual += r.Cases
		}
		key := otherKey
		if r.IsConfirmed {
			key = confirmedKey
		}
		b.Priorities[key][r.Priority] += r.Cases
		b.Categories[key][r.Category] += r.Cases
	}
	b.Count.All = b.Count.Manual + b.Count.Automated
	return b, caseEntity.translate(err)
}

// weightKey is the class of a status weight as Kiwi's replies name it.
func weightKey(w int32) string {
	switch {
	case w > 0:
		return "positive"
	case w < 0:
		return "negative"
	}
	return "neutral"
}

// ExecutionTrends is Testing.execution_trends' reply: the runs of the
// matching executions in id order (categories), and for each status name
// and TOTAL how many of them each run has, the status colours in status
// order then "black" for TOTAL, and how many are positive, negative or
// neutral by status weight.
type ExecutionTrends struct {
	Categories  []int64            `json:"categories"`
	DataSet     map[string][]int64 `json:"data_set"`
	Colors      []string           `json:"colors"`
	StatusCount map[string]int64   `json:"status_count"`
}

// TestingExecutionTrends answers Testing.execution_trends.
func (s *Store) TestingExecutionTrends(ctx context.Context, query map[string]any) (ExecutionTrends, error) {
	rows, err := filtered(s.pool, executionEntity, query).TelemetryExecutionTrends(ctx)
	if err != nil {
		return ExecutionTrends{}, executionEntity.translate(err)
	}
	t := ExecutionTrends{Categories: []int64{}, DataSet: map[string][]int64{}, Colors: []string{},
		StatusCount: map[string]int64{"positive": 0, "negative": 0, "neutral": 0}}
	column := map[int64]int{} // run id -> index in Categories
	var names []string
	for _, r := range rows {
		if _, seen := t.DataSet[r.Name]; !seen {
			t.DataSet[r.Name] = nil
			t.Colors = append(t.Colors, r.Color)
			names = append(names, r.Name)
		}
		if r.RunID == nil {
			continue
		}
		if _, ok := column[*r.RunID]; !ok {
			column[*r.RunID] = 0
		}
		t.StatusCount[weightKey(r.Weight)] += *r.Executions
	}
	for id := range column {
		t.Categories = append(t.Categories, id)
	}
	slices.Sort(t.Categories)
	for i, id := range t.Categories {
		column[id] = i
	}
	for _, name := range append(names, totalKey) {
		t.DataSet[name] = make([]int64, len(t.Categories))
	}
	t.Colors = append(t.Colors, "black")
	for _, r := range rows {
		if r.RunID != nil {
			t.DataSet[r.Name][column[*r.RunID]] += *r.Executions
			t.DataSet[totalKey][column[*r.RunID]] += *r.Executions
		}
	}
	return t, nil
}

// StatusMatrix is Testing.status_matrix's reply: the cases of the matching
// executions, each (case, run) pair's execution (the last by id when there
// are several), and per run its summary and plan; statusColors maps every
// status id to its colour.
type StatusMatrix struct {
	Cases        []MatrixCase               `json:"cases"`
	Executions   map[string]MatrixExecution `json:"executions"`
	Plans        map[int64]int64            `json:"plans"`
	Runs         map[int64]string           `json:"runs"`
	StatusColors map[int64]string           `json:"statusColors"`
}

// MatrixCase is a case of StatusMatrix.
type MatrixCase struct {
	ID      int64  `json:"case_id"`
	Summary string `json:"case__summary"`
}

// MatrixExecution is an execution of StatusMatrix, under its key
// "<case>-<run>".
type MatrixExecution struct {
	ID       int64  `json:"pk"`
	CaseID   int64  `json:"case_id"`
	RunID    int64  `json:"run_id"`
	StatusID int64  `json:"status_id"`
	Key      string `json:"key"`
}

// TestingStatusMatrix answers Testing.status_matrix.
func (s *Store) TestingStatusMatrix(ctx context.Context, query map[string]any) (StatusMatrix, error) {
	rows, err := filtered(s.pool, executionEntity, query).TelemetryStatusMatrix(ctx)
	m := StatusMatrix{Cases: []MatrixCase{}, Executions: map[string]MatrixExecution{}, Plans: map[int64]int64{},
		Runs: map[int64]string{}, StatusColors: map[int64]string{}}
	for _, r := range rows {
		m.StatusColors[r.StatusID] = r.Color
		if r.ID == nil {
			continue
		}
		if n := len(m.Cases); n == 0 || m.Cases[n-1].ID != *r.CaseID {
			m.Cases = append(m.Cases, MatrixCase{*r.CaseID, *r.CaseSummary})
		}
		key := strconv.FormatInt(*r.CaseID, 10) + "-" + strconv.FormatInt(*r.RunID, 10)
		m.Executions[key] = MatrixExecution{*r.ID, *r.CaseID, *r.RunID, r.StatusID, key}
		m.Runs[*r.RunID] = *r.RunSummary
		m.Plans[*r.RunID] = *r.PlanID
	}
	return m, executionEntity.translate(err)
}

// CaseHealth is an entry of Testing.test_case_health: a case with how
// many of the matching executions it has and how many of them failed.
type CaseHealth struct {
	CaseID  int64  `json:"case_id"`
	Summary string `json:"case_summary"`
	Count   struct {
		All  int64 `json:"all"`
		Fail int64 `json:"fail"`
	} `json:"count"`
}

// TestingCaseHealth answers Testing.test_case_health: the 30 cases with the
// highest share of failed executions, failing ones only.
func (s *Store) TestingCaseHealth(ctx context.Context, query map[string]any) ([]CaseHealth, error) {
	rows, err := filtered(s.pool, executionEntity, query).TelemetryCaseHealth(ctx)
	out := make([]CaseHealth, len(rows))
	for i, r := range rows {
		out[i].CaseID, out[i].Summary = r.CaseID, r.CaseSummary
		out[i].Count.All, out[i].Count.Fail = r.Executions, r.Failed
	}
	return out, executionEntity.translate(err)
}

// ExecutionHealth is an entry of Testing.individual_test_case_health: one
// matching execution as its run's plan, its case and its status.
type ExecutionHealth struct {
	PlanID       int64  `json:"run__plan"`
	CaseID       int64  `json:"case_id"`
	StatusName   string `json:"status__name"`
	StatusWeight int32  `json:"status__weight"`
}

// TestingIndividualCaseHealth answers Testing.individual_test_case_health.
func (s *Store) TestingIndividualCaseHealth(ctx context.Context, query map[string]any) ([]ExecutionHealth, error) {
	rows, err := filtered(s.pool, executionEntity, query).TelemetryIndividualCaseHealth(ctx)
	out := make([]ExecutionHealth, len(rows))
	for i, r := range rows {
		out[i] = ExecutionHealth(r)
	}
	return out, executionEntity.translate(err)
}
